import path from 'node:path';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { makeTempDir } from '../support/tempDir';
import { describeEventStoreContract } from './eventStoreContract';

const temp = makeTempDir('ledger-contract-');
let n = 0;
afterAll(() => temp.cleanup());

describeEventStoreContract('sqlite', {
  supportsGenesisPosition: true,
  open: async (options = {}) =>
    new SqliteEventStore({
      file: path.join(temp.dir, `events-${n++}.sqlite`),
      pollIntervalMs: 50,
      ...options,
    }),
});
