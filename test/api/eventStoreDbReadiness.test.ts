/**
 * `/readyz` reports the store's connection: an EventStoreDB store that lost its server is not ready (503) and says
 * `reconnecting`, and is ready again once it has caught up; SQLite's answer keeps its shape (no `connection`).
 */
import path from 'node:path';
import request from 'supertest';
import { EventStoreDbEventStore } from '../../src/store/eventstoredb/eventStoreDbEventStore';
import { startEventStoreDbDouble, type EventStoreDbDouble } from '../support/eventStoreDbDouble';
import { makeTempDir } from '../support/tempDir';
import { buildTestApp, type TestApp } from '../support/testApp';
import { newEvent } from '../contract/eventStoreContract';

jest.setTimeout(30_000);

const temp = makeTempDir('ledger-esdb-readyz-');
let double: EventStoreDbDouble;
let store: EventStoreDbEventStore;
let t: TestApp;

beforeAll(async () => {
  double = await startEventStoreDbDouble();
  store = new EventStoreDbEventStore({
    connectionString: double.connectionString,
    indexFile: path.join(temp.dir, 'index.sqlite'),
    reconnect: { initialMs: 50, maxMs: 200 },
  });
  await store.opened();
  t = buildTestApp({ store });
});
afterAll(async () => {
  await store.close();
  await t.close();
  await double.close();
  temp.cleanup();
});

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('connected: ready, with the head and the connection', async () => {
  await store.append('s-1', [newEvent()]);
  const res = await request(t.app).get('/readyz');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    status: 'ready',
    checks: { eventStore: { ok: true, headPosition: 0, connection: 'connected' } },
  });
});

test('while the server is away: 503 not_ready, ok false, reconnecting; ready again after', async () => {
  const away = double.goOffline(1_000);
  await until(() => store.status().connection === 'reconnecting');
  const res = await request(t.app).get('/readyz');
  expect(res.status).toBe(503);
  expect(res.body).toEqual({
    status: 'not_ready',
    checks: { eventStore: { ok: false, headPosition: 0, connection: 'reconnecting' } },
  });
  await away;
  await until(() => store.status().ok);
  expect((await request(t.app).get('/readyz')).status).toBe(200);
});

test('SQLite answers as before: no connection field', async () => {
  const sqlite = buildTestApp();
  try {
    const res = await request(sqlite.app).get('/readyz');
    expect(res.body.checks.eventStore).toEqual({ ok: true, headPosition: -1 });
  } finally {
    await sqlite.close();
  }
});
