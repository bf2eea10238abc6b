/**
 * What the EventStoreDB adapter adds to the shared contract, over the gRPC test double of the Streams service
 * (test/support/eventStoreDbDouble; not a server): the index follows `$all` with system events and byte-offset
 * positions, and every instance derives the same positions; a retry after a lost acknowledgement is exact; the store
 * reconnects after the server was away; events written straight to ESDB around the ledger are caught by the seals;
 * the index file deleted is rebuilt from `$all`, and changed is refused (or caught by the seals); a replica refuses
 * appends and follows the writer.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { SealKey } from '../../../src/store/eventSeal';
import {
  StoreReadOnlyError,
  StoreUnavailableError,
  type RecordedEvent,
  type SubscriptionMessage,
} from '../../../src/store/eventStore';
import {
  EventIndexMismatchError,
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
} from '../../../src/store/eventstoredb/eventStoreDbEventStore';
import { startEventStoreDbDouble, type EventStoreDbDouble } from '../../support/eventStoreDbDouble';
import { makeTempDir } from '../../support/tempDir';
import { newEvent } from '../../contract/eventStoreContract';

jest.setTimeout(30_000);

const temp = makeTempDir('ledger-esdb-adapter-');
afterAll(() => temp.cleanup());
let files = 0;
const freshIndex = (): string => path.join(temp.dir, `index-${files++}.sqlite`);

let double: EventStoreDbDouble;
const opened: Array<EventStoreDbEventStore | EventStoreDBClient> = [];
beforeEach(async () => {
  double = await startEventStoreDbDouble({ systemEventEvery: 1 });
});
afterEach(async () => {
  for (const o of opened.splice(0)) {
    if (o instanceof EventStoreDbEventStore) await o.close();
    else await o.dispose();
  }
  await double.close();
});

function open(options: Partial<EventStoreDbEventStoreOptions> = {}): EventStoreDbEventStore {
  const store = new EventStoreDbEventStore({
    connectionString: double.connectionString,
    indexFile: freshIndex(),
    reconnect: { initialMs: 50, maxMs: 200 },
    ...options,
  });
  opened.push(store);
  return store;
}

/** A plain client of the server, as someone who writes to ESDB around the ledger has. */
function stranger(): EventStoreDBClient {
  const client = EventStoreDBClient.connectionString(double.connectionString);
  opened.push(client);
  return client;
}

async function all(store: EventStoreDbEventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll(0)) out.push(e);
  return out;
}

async function until(what: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sealing = (key: SealKey) => ({ seal: { key, keyFile: 'unused' } });

test('the index follows $all between system events and byte-offset positions; another instance derives the same', async () => {
  const writer = open();
  for (let i = 0; i < 6; i++)
    await writer.append(`proposal-${i % 2}`, [newEvent('N', { i }), newEvent('M', { i })]);
  const records = double.log.records;
  // The double writes a system event after each append, and its positions are byte offsets, not 0, 1, 2.
  expect(
    records.filter((r) => r.streamName.startsWith('$') || r.eventType.startsWith('$')).length,
  ).toBeGreaterThan(3);
  const events = await all(writer);
  expect(events.map((e) => e.globalPosition)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  expect(events.every((e) => !e.type.startsWith('$') && !e.streamId.startsWith('$'))).toBe(true);
  const replica = open({ readOnly: true });
  await replica.opened();
  expect(await all(replica)).toEqual(events);
  expect(await replica.headPosition()).toBe(11);
});

test('an append whose acknowledgement is lost is answered exactly when retried: once stored, the original positions', async () => {
  const store = open();
  await store.append('s-1', [newEvent()]);
  const events = [newEvent('A', { a: 1 }), newEvent('B', { b: 2 })];
  double.loseNextAppendAcks(1);
  await expect(store.append('s-2', events, { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
    StoreUnavailableError,
  );
  // The server forgets recent ids (as after its restart): its own dedup would now write the events again.
  double.forgetRecentEventIds();
  const retry = await store.append('s-2', events, { expectedRevision: 'no_stream' });
  expect(retry).toEqual({ nextExpectedRevision: 1, positions: [1, 2], alreadyStored: true });
  expect((await all(store)).map((e) => e.eventId)).toEqual([
    expect.any(String),
    events[0]?.eventId,
    events[1]?.eventId,
  ]);
  expect(await store.headPosition()).toBe(2);
});

test('a second copy of an id that ESDB stored anyway takes no position, here or in any instance', async () => {
  const store = open();
  const e = newEvent('A', { a: 1 });
  await store.append('s-1', [e]);
  double.forgetRecentEventIds();
  // Written around the ledger with the same id: the server stores it again (its dedup is best-effort).
  await stranger().appendToStream('s-1', jsonEvent({ id: e.eventId, type: 'A', data: { a: 1 } }));
  await store.append('s-1', [newEvent('B')]);
  const fresh = open({ readOnly: true });
  await fresh.opened();
  for (const s of [store, fresh]) {
    expect((await all(s)).map((x) => [x.globalPosition, x.type])).toEqual([
      [0, 'A'],
      [1, 'B'],
    ]);
    expect((await s.readStream('s-1')).map((x) => x.type)).toEqual(['A', 'B']);
  }
});

test('after the server was away the store reconnects, says so, and follows what was written meanwhile', async () => {
  const store = open();
  await store.append('s-1', [newEvent()]);
  const seen: number[] = [];
  const sub = store.subscribe(0, (m: SubscriptionMessage) => {
    if (m.kind === 'event') seen.push(m.event.globalPosition);
  });
  await until(() => seen.length === 1);
  expect(store.status()).toEqual({ ok: true, connection: 'connected' });
  const away = double.goOffline(1_500);
  await until(() => store.status().connection === 'reconnecting');
  expect(store.status().ok).toBe(false);
  await expect(store.append('s-1', [newEvent()])).rejects.toBeInstanceOf(StoreUnavailableError);
  await away;
  // Someone else writes while the ledger has not yet resubscribed; the follower picks it up from where it was.
  await stranger().appendToStream('s-elsewhere', jsonEvent({ type: 'Elsewhere', data: { x: 1 } }));
  await until(() => store.status().ok);
  await until(() => seen.length === 2);
  const r = await store.append('s-1', [newEvent()]);
  expect(r.positions).toEqual([2]);
  await until(() => seen.length === 3);
  await sub.close();
  expect(seen).toEqual([0, 1, 2]);
});

test('an event written straight to ESDB around the ledger is caught by the seals, and so is a forged copy of a seal', async () => {
  const key = SealKey.generate();
  const store = open(sealing(key));
  await store.append('proposal-1', [newEvent('ProposalSubmitted', { title: 'real' })]);
  const client = stranger();
  await client.appendToStream(
    'proposal-1',
    jsonEvent({ type: 'ProposalWithdrawn', data: { why: 'planted' } }),
  );
  // A forgery: a real event's metadata (its seal included) on other data.
  const [real] = await store.readStream('proposal-1');
  let realMetadata: unknown;
  // Read to the end (maxCount 1): leaving a client read early leaves a call that dispose() waits for.
  for await (const r of client.readStream('proposal-1', { maxCount: 1 })) realMetadata = r.event?.metadata;
  await client.appendToStream(
    'proposal-2',
    jsonEvent({ type: 'ProposalSubmitted', data: { title: 'forged' }, metadata: realMetadata as never }),
  );
  await store.append('proposal-3', [newEvent('ProposalSubmitted', { title: 'real again' })]);
  await until(async () => (await store.headPosition()) === 3);
  expect(real?.globalPosition).toBe(0);
  const check = await store.seals.check(0, 3);
  expect(check).toEqual({
    checked: 4,
    failures: [
      { position: 1, kind: 'unsealed' },
      { position: 2, kind: 'mismatch' },
    ],
    failureCount: 2,
  });
  expect((await store.readEvent(real?.eventId as string))?.data).toEqual({ title: 'real' });
});

test('a new key seals existing events in a $ stream that a replica reads too; nothing in the log changes', async () => {
  const oldKey = SealKey.generate();
  const first = open(sealing(oldKey));
  await first.append('s-1', [newEvent(), newEvent()]);
  await first.close();
  const newKey = SealKey.generate();
  const writer = open(sealing(newKey));
  expect((await writer.seals.check(0, 1)).failures.map((f) => f.kind)).toEqual(['unsealed', 'unsealed']);
  expect(await writer.seals.sealExisting(0, 1)).toBe(2);
  expect(await writer.seals.sealExisting(0, 1)).toBe(0);
  expect(await writer.seals.check(0, 1)).toEqual({ checked: 2, failures: [], failureCount: 0 });
  const replica = open({ readOnly: true, ...sealing(newKey) });
  expect(await replica.seals.check(0, 1)).toEqual({ checked: 2, failures: [], failureCount: 0 });
  await expect(replica.seals.sealExisting(0, 1)).rejects.toBeInstanceOf(StoreReadOnlyError);
  expect(await writer.headPosition()).toBe(1);
});

test('the index file deleted behind the server’s back is rebuilt from $all with the same positions', async () => {
  const indexFile = freshIndex();
  const key = SealKey.generate();
  const store = open({ indexFile, ...sealing(key) });
  for (let i = 0; i < 5; i++) await store.append(`s-${i % 2}`, [newEvent('N', { i })]);
  const before = await all(store);
  await store.close();
  fs.rmSync(indexFile);
  const rebuilt = open({ indexFile, ...sealing(key) });
  await rebuilt.opened();
  expect(await all(rebuilt)).toEqual(before);
  expect(await rebuilt.seals.check(0, 4)).toEqual({ checked: 5, failures: [], failureCount: 0 });
});

describe('an index file changed behind the server’s back', () => {
  async function written(): Promise<{ indexFile: string; key: SealKey }> {
    const indexFile = freshIndex();
    const key = SealKey.generate();
    const store = open({ indexFile, ...sealing(key) });
    for (let i = 0; i < 5; i++) await store.append(`s-${i}`, [newEvent('N', { i })]);
    await store.close();
    return { indexFile, key };
  }

  function alter(file: string, sql: string): void {
    const raw = new Database(file);
    raw.exec(sql);
    raw.close();
  }

  test.each([
    ['a row removed', 'DELETE FROM indexed_events WHERE global_position = 3'],
    [
      'the last event pointed at another',
      "UPDATE indexed_events SET stream_id = 's-0' WHERE global_position = 4",
    ],
    ['an event id changed', "UPDATE indexed_events SET fingerprint = 'x' WHERE global_position = 0"],
    [
      'a planted row',
      "INSERT INTO indexed_events SELECT 5, 'planted', stream_id, 9, type, commit_position, prepare_position, fingerprint, recorded_at FROM indexed_events WHERE global_position = 4",
    ],
  ])('is refused when %s', async (_what, sql) => {
    const { indexFile, key } = await written();
    alter(indexFile, sql);
    const store = open({ indexFile, ...sealing(key) });
    await expect(store.opened()).rejects.toBeInstanceOf(EventIndexMismatchError);
    await expect(store.append('s-9', [newEvent()])).rejects.toBeInstanceOf(EventIndexMismatchError);
    expect(store.status().ok).toBe(false);
  });

  test('two events swapped between its checked samples are caught by the seals (positions are sealed)', async () => {
    const { indexFile, key } = await written();
    // Positions 1 and 3 trade places (every column but the position); 0, 2 and 4 are the ones checked at open.
    alter(
      indexFile,
      `CREATE TEMP TABLE t AS SELECT * FROM indexed_events WHERE global_position IN (1, 3);
       DELETE FROM indexed_events WHERE global_position IN (1, 3);
       INSERT INTO indexed_events SELECT CASE global_position WHEN 1 THEN 3 ELSE 1 END, event_id, stream_id,
         stream_revision, type, commit_position, prepare_position, fingerprint, recorded_at FROM t;`,
    );
    const store = open({ indexFile, ...sealing(key) });
    await store.opened();
    const check = await store.seals.check(0, 4);
    expect(check.failures).toEqual([
      { position: 1, kind: 'mismatch' },
      { position: 3, kind: 'mismatch' },
    ]);
  });
});

test('a replica refuses appends with a named error and follows the writer live', async () => {
  const writer = open();
  const replica = open({ readOnly: true });
  await replica.opened();
  await expect(replica.append('s', [newEvent()])).rejects.toBeInstanceOf(StoreReadOnlyError);
  const seen: string[] = [];
  const sub = replica.subscribe(0, (m) => {
    if (m.kind === 'event') seen.push(m.event.eventId);
  });
  const e1 = newEvent();
  const e2 = newEvent();
  await writer.append('s', [e1]);
  await writer.append('t', [e2]);
  await until(() => seen.length === 2);
  await sub.close();
  expect(seen).toEqual([e1.eventId, e2.eventId]);
  expect(await all(replica)).toEqual(await all(writer));
});

test('hostile input: an event id that is not a lowercase UUID, a $ stream or a $ type is refused before anything is written', async () => {
  const store = open();
  await expect(store.append('s', [newEvent('T', {}, { eventId: 'not-a-uuid' })])).rejects.toThrow(
    /lowercase UUIDs/,
  );
  await expect(
    store.append('s', [newEvent('T', {}, { eventId: 'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA' })]),
  ).rejects.toThrow(/lowercase UUIDs/);
  await expect(store.append('s', [newEvent()], { expectedRevision: 1.5 })).rejects.toThrow(RangeError);
  await expect(store.append('s', [newEvent()], { expectedRevision: -2 })).rejects.toThrow(RangeError);
  await expect(store.append('$settings', [newEvent()])).rejects.toThrow(/starting with \$/);
  await expect(store.append('s', [newEvent('$metadata')])).rejects.toThrow(/starting with \$/);
  await store.opened();
  expect(await store.headPosition()).toBe(-1);
  expect(double.log.records.some((r) => r.streamName === 's')).toBe(false);
});

test('an observer is told of every answered append and of each write to ESDB', async () => {
  const settled: number[] = [];
  const batches: number[] = [];
  const store = open({
    observer: { appendSettled: (s) => settled.push(s), batchWritten: (n) => batches.push(n) },
  });
  const e = newEvent();
  await store.append('s', [e, newEvent()]);
  await store.append('s', [e, newEvent()]).catch(() => undefined); // refused: part stored, part new
  await store.append('t', [newEvent()]);
  expect(batches).toEqual([2, 1]);
  expect(settled).toHaveLength(3);
  expect(settled.every((s) => Number.isFinite(s) && s >= 0)).toBe(true);
});
