/**
 * The composition root opens the EventStoreDB adapter for LEDGER_EVENT_STORE=eventstoredb: its index in the data
 * directory (0600), a seal key made with a new index on a writer, never on a replica, which is read-only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import { dataFiles, openEventStore, sealKeyFileOf } from '../../../src/ledger';
import { ReadOnlyStoreError } from '../../../src/store/eventStore';
import { EventStoreDbEventStore } from '../../../src/store/eventstoredb/eventStoreDbEventStore';
import { startEventStoreDbDouble, type EventStoreDbDouble } from '../../support/eventStoreDbDouble';
import { makeTempDir } from '../../support/tempDir';
import { newEvent } from '../../contract/eventStoreContract';

let double: EventStoreDbDouble;
const temp = makeTempDir('ledger-esdb-root-');
beforeAll(async () => {
  double = await startEventStoreDbDouble();
});
afterAll(async () => {
  await double.close();
  temp.cleanup();
});

const configFor = (dir: string, extra: Record<string, string> = {}) =>
  loadConfig({
    LEDGER_DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    LEDGER_EVENT_STORE: 'eventstoredb',
    EVENTSTORE_CONNECTION_STRING: double.connectionString,
    ...extra,
  });

test('a writer opens the adapter with its index (0600) and a new seal key, and seals what it appends', async () => {
  const dir = path.join(temp.dir, 'writer');
  const config = configFor(dir);
  const store = openEventStore(config);
  try {
    expect(store).toBeInstanceOf(EventStoreDbEventStore);
    const index = path.join(dir, dataFiles.eventStoreDbIndex);
    expect(fs.statSync(index).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(sealKeyFileOf(config))).toBe(true);
    expect(store.seals.sealing).toBe(true);
    const r = await store.append('s-1', [newEvent()]);
    expect(await store.seals.check(0, r.positions[0] as number)).toEqual({
      checked: 1,
      failures: [],
      failureCount: 0,
    });
  } finally {
    await store.close();
  }
});

test('a replica makes no key, follows the same log and refuses appends', async () => {
  const dir = path.join(temp.dir, 'replica');
  const config = configFor(dir, { LEDGER_ROLE: 'replica', LEDGER_WRITER_URL: 'http://127.0.0.1:4451' });
  const store = openEventStore(config);
  try {
    expect(fs.existsSync(sealKeyFileOf(config))).toBe(false);
    await expect(store.append('s-2', [newEvent()])).rejects.toBeInstanceOf(ReadOnlyStoreError);
    await (store as EventStoreDbEventStore).opened();
    expect(await store.headPosition()).toBe(0);
  } finally {
    await store.close();
  }
});
