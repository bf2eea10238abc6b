/**
 * The shared contract against the EventStoreDB adapter: always over the gRPC test double of the Streams service
 * (test/support/eventStoreDbDouble, not a server), and also against a real server when EVENTSTORE_CONNECTION_STRING
 * is set. Each store gets its own index file; against a real server the streams are unique per test, but the log is
 * shared, so the suite there needs an empty server (the contract expects positions from 0).
 */
import path from 'node:path';
import { EventStoreDbEventStore } from '../../src/store/eventstoredb/eventStoreDbEventStore';
import { startEventStoreDbDouble, type EventStoreDbDouble } from '../support/eventStoreDbDouble';
import { makeTempDir } from '../support/tempDir';
import { describeEventStoreContract } from './eventStoreContract';

const temp = makeTempDir('ledger-esdb-contract-');
let n = 0;
afterAll(() => temp.cleanup());

/** Every store on a fresh double: the contract expects an empty log for each. */
const doubles: EventStoreDbDouble[] = [];
afterAll(async () => {
  await Promise.all(doubles.map((d) => d.close()));
});

describeEventStoreContract('eventstoredb over the gRPC test double', {
  supportsGenesisPosition: false,
  describesWorkerLog: false,
  open: async () => {
    // The ledger takes bodies up to 1 MB, so a deployment raises ESDB's MaxAppendSize (1 MiB by default) to 4 MiB
    // (docker-compose.yml); the double is started alike.
    const double = await startEventStoreDbDouble({ maxAppendSize: 4 * 1024 * 1024 });
    doubles.push(double);
    const store = new EventStoreDbEventStore({
      connectionString: double.connectionString,
      indexFile: path.join(temp.dir, `index-${n++}.sqlite`),
    });
    await store.opened();
    return store;
  },
});

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (!connectionString) {
  describe('event store contract: eventstoredb — SKIPPED because EVENTSTORE_CONNECTION_STRING is not set', () => {
    test.skip('set EVENTSTORE_CONNECTION_STRING (e.g. esdb://localhost:2113?tls=false) to run this suite', () => {
      // Intentionally empty: the suite is skipped, and the skip is reported under this name.
    });
  });
} else {
  describeEventStoreContract('eventstoredb on a real server', {
    supportsGenesisPosition: false,
    describesWorkerLog: false,
    open: async () => {
      const store = new EventStoreDbEventStore({
        connectionString,
        indexFile: path.join(temp.dir, `real-index-${n++}.sqlite`),
      });
      await store.opened();
      return store;
    },
  });
}
