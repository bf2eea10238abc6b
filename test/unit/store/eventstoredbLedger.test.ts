/**
 * The composition root opens the EventStoreDB adapter for LEDGER_EVENT_STORE=eventstoredb: its index in the data
 * directory (0600), a seal key made with a new index on a writer, never on a replica, which is read-only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../../../src/audit/signedNote';
import { loadConfig } from '../../../src/config';
import { dataFiles, openEventStore, sealKeyFileOf } from '../../../src/ledger';
import { StoreReadOnlyError } from '../../../src/store/eventStore';
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

/** A replica's settings: the writer's shared files (here the first test's writer's seal key) and its verifier key. */
const replicaOf = (writerDir: string, sealKeyFile = sealKeyFileOf(configFor(writerDir))) => ({
  LEDGER_ROLE: 'replica',
  LEDGER_WRITER_URL: 'http://127.0.0.1:4451',
  LEDGER_CHECKPOINT_VERIFIER_KEY: encodeVerifierKey(
    'participation-ledger/writer',
    publicKeyFromPrivate(generateSigningKey()),
  ),
  LEDGER_EVENT_SEAL_KEY_FILE: sealKeyFile,
  LEDGER_PERSONAL_KEYS_FILE: path.join(writerDir, dataFiles.personalKeys),
  LEDGER_PSEUDONYM_KEY_FILE: path.join(writerDir, 'pseudonym-secret'),
});

test("a replica without the writer's seal key is refused at open, and makes none", () => {
  const dir = path.join(temp.dir, 'replica-no-key');
  const config = configFor(dir, replicaOf(path.join(temp.dir, 'writer'), path.join(dir, 'no-such-key')));
  expect(() => openEventStore(config)).toThrow(/^invalid LEDGER_EVENT_SEAL_KEY_FILE: there is no seal key/);
  expect(fs.existsSync(path.join(dir, 'no-such-key'))).toBe(false);
});

test('a replica makes no key, follows the same log and refuses appends', async () => {
  const dir = path.join(temp.dir, 'replica');
  const config = configFor(dir, replicaOf(path.join(temp.dir, 'writer')));
  const store = openEventStore(config);
  try {
    expect(fs.existsSync(path.join(dir, dataFiles.sealKey))).toBe(false);
    await expect(store.append('s-2', [newEvent()])).rejects.toBeInstanceOf(StoreReadOnlyError);
    await (store as EventStoreDbEventStore).opened();
    expect(await store.headPosition()).toBe(0);
  } finally {
    await store.close();
  }
});
