/**
 * The API over `LEDGER_EVENT_STORE=eventstoredb`, the EventStoreDB being the test double (a fresh in-memory node per
 * suite, writing `$` system events of its own between the ledger's, with byte-offset positions). The same commands
 * answer as over SQLite — the same dense global positions — and idempotency, concurrency, traces with inclusion
 * proofs and the audit's verify hold; an event slipped into the store around the ledger is named by the audit;
 * a store that drops its connections or loses an acknowledgement costs an answer, never an event twice or a 500.
 */
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { verifyTrace, type Trace } from '../../src/audit/traceVerification';
import type { RecordedEvent } from '../../src/store/eventStore';
import { everyCommand } from '../support/everyCommand';
import {
  describeOverEventStoreDb,
  openLedgerAppOverDouble,
  type LedgerAppOverDouble,
} from '../support/eventStoreDbDoubleLedger';
import { fullMandate, openLedgerApp, type LedgerApp } from '../support/ledgerApp';

// This file's ports: 4420–4429 (the esdb-double range is 4400–4449).
let nextPort = 4420;
const port = (): number => nextPort++;

async function readAll(t: LedgerApp): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const e of t.ledger.store.readAll(0)) events.push(e);
  return events;
}

/** everyCommand, each step recorded (201), remembering where each command's event landed. */
async function runEveryCommand(t: LedgerApp, run: string) {
  const positions: number[] = [];
  const ids = await everyCommand(async (_route, path, body) => {
    const recorded = await t.record(path, body);
    positions.push(recorded.globalPosition);
    return recorded.id;
  }, run);
  return { ids, positions };
}

describeOverEventStoreDb('the API over EventStoreDB (the test double)', () => {
  let t: LedgerAppOverDouble;
  let sqlite: LedgerApp;
  let run: Awaited<ReturnType<typeof runEveryCommand>>;
  let sqliteRun: Awaited<ReturnType<typeof runEveryCommand>>;

  beforeAll(async () => {
    t = await openLedgerAppOverDouble({ port: port(), systemEventEvery: 3 });
    sqlite = await openLedgerApp();
    run = await runEveryCommand(t, 'esdb');
    sqliteRun = await runEveryCommand(sqlite, 'esdb');
    await t.ledger.runner.waitFor(await t.head(), 10_000);
    await sqlite.ledger.runner.waitFor(await sqlite.head(), 10_000);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await sqlite?.close();
  });

  test('every command is recorded at the same dense positions as over SQLite, though $all holds system events between', async () => {
    expect(run.positions).toEqual(sqliteRun.positions);
    const events = await readAll(t);
    expect(events.map((e) => e.globalPosition)).toEqual(events.map((_e, i) => i));
    expect(events.map((e) => e.type)).toEqual((await readAll(sqlite)).map((e) => e.type));
    expect(events.some((e) => e.type.startsWith('$') || e.streamId.startsWith('$'))).toBe(false);
    // The double did write system events between them, at byte-offset positions.
    const records = t.double.log.records;
    expect(records.filter((r) => r.streamName.startsWith('$')).length).toBeGreaterThan(5);
    expect(records.at(-1)!.position).toBeGreaterThan(records.length * 50);
  });

  test('the reads answer as over SQLite (ids aside)', async () => {
    const strip = (value: unknown): string =>
      JSON.stringify(value)
        .replace(/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"<id>"')
        .replace(/"p-[0-9a-f]{20}"/g, '"<pseudonym>"')
        .replace(/"(recordedAt|generatedAt|asOf)":"[^"]*"/g, '"$1":"<time>"');
    for (const [path, sqlitePath] of [
      [`/proposals/${run.ids.proposalId}`, `/proposals/${sqliteRun.ids.proposalId}`],
      [`/committees/${run.ids.committeeId}`, `/committees/${sqliteRun.ids.committeeId}`],
      ['/influence', '/influence'],
      ['/participation', '/participation'],
    ] as const) {
      const [over, under] = [await t.get(path), await sqlite.get(sqlitePath)];
      expect({ path, status: over.status }).toEqual({ path, status: 200 });
      expect(strip(over.body)).toBe(strip(under.body));
    }
  });

  test('a trace lists its events with inclusion proofs that verify against the signed checkpoint', async () => {
    await t.ledger.runner.waitFor(await t.head(), 10_000);
    const trace = await t.get(`/proposals/${run.ids.proposalId}/trace`, 'evaluator');
    expect(trace.status).toBe(200);
    const checkpoint = await t.get('/audit/checkpoint', 'anonymous');
    expect(checkpoint.status).toBe(200);
    const result = verifyTrace(trace.body as Trace, checkpoint.body);
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.events).toBeGreaterThanOrEqual(8);
  });

  test('GET /audit/verify recomputes everything and is ok', async () => {
    const res = await t.get('/audit/verify', 'evaluator');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, problems: [] });
    expect(res.body.treeSize).toBe((await t.head()) + 1);
  });

  test('the same Idempotency-Key sent 30 times at once appends one event; later, too, it answers the first result', async () => {
    const before = await t.head();
    const body = { name: 'Idempotent torg over ESDB', areas: [] };
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        t.post('/arenas', body, 'clerk', { 'Idempotency-Key': 'esdb-arena-1' }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(29);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const later = await t.post('/arenas', body, 'clerk', { 'Idempotency-Key': 'esdb-arena-1' });
    expect(later.status).toBe(200);
    expect(await t.head()).toBe(before + 1);
  });

  test('a stale If-Match is a 409 and writes nothing; 30 simultaneous supports all land', async () => {
    const proposalId = await t.recordId('/proposals', {
      committeeId: (
        await t.record('/committees', {
          name: 'Samtidighetsutvalget',
          kind: 'local_community',
          areas: ['Kana'],
          mandate: fullMandate,
          coCreationForm: 'equal',
          period: { from: '2020-06-01', to: '2022-12-31' },
        })
      ).id,
      title: 'Samtidig',
      description: 'Mange på en gang.',
      origin: 'resident',
      submittedOn: '2021-01-10',
    });
    const current = await t.ledger.store.streamRevision(`proposal-${proposalId}`);
    const amend = (description: string) =>
      t.post(
        `/proposals/${proposalId}/amendments`,
        { description, amendedOn: '2021-01-12', reason: 'presisering' },
        'clerk',
        { 'If-Match': `"${current}"` },
      );
    expect((await amend('Ny tekst')).status).toBe(201);
    const before = await t.head();
    const stale = await amend('Enda en tekst');
    expect(stale.status).toBe(409);
    expect(stale.headers['content-type']).toMatch(/problem\+json/);
    expect(await t.head()).toBe(before);

    const persons: string[] = [];
    for (let i = 0; i < 30; i++) persons.push(await t.recordId('/persons', { name: `Støtte ${i}` }));
    const answers = await Promise.all(
      persons.map((personId) =>
        t.post(`/proposals/${proposalId}/supports`, { personId, supportedOn: '2021-01-15' }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(persons.map(() => 201));
    const supporters = (await t.ledger.store.readStream(`proposal-${proposalId}`))
      .filter((e) => e.type === 'ProposalSupported')
      .map((e) => (e.data as { personId: string }).personId);
    expect([...supporters].sort()).toEqual([...persons].sort());
  });

  test('an acknowledgement lost after the commit: the resend with the same key finds the event; it is stored once', async () => {
    const body = { name: 'Torg med tapt svar', areas: [] };
    t.double.loseNextAppendAcks(1);
    const first = await t.post('/arenas', body, 'clerk', { 'Idempotency-Key': 'esdb-lost-ack' });
    expect([201, 503]).toContain(first.status);
    if (first.status === 503) expect(first.headers['content-type']).toMatch(/problem\+json/);
    const resend = await t.post('/arenas', body, 'clerk', { 'Idempotency-Key': 'esdb-lost-ack' });
    expect([200, 201]).toContain(resend.status);
    const stored = (await readAll(t)).filter(
      (e) => e.type === 'ArenaRegistered' && (e.data as { name?: string }).name === body.name,
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.globalPosition).toBe(resend.body.globalPosition);
  });

  test('while the store is unreachable a command is a 503 problem, not a 500; afterwards commands are recorded', async () => {
    const back = t.double.goOffline(1_500);
    const during = await t.post('/arenas', { name: 'Mens lageret er borte', areas: [] });
    expect(during.status).toBe(503);
    expect(during.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.stringify(during.body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
    await back;
    let after = await t.post('/arenas', { name: 'Etter at lageret kom tilbake', areas: [] });
    for (let i = 0; i < 50 && after.status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await t.post('/arenas', { name: 'Etter at lageret kom tilbake', areas: [] });
    }
    expect(after.status).toBe(201);
    const names = (await readAll(t)).map((e) => (e.data as { name?: string }).name);
    expect(names.filter((n) => n === 'Mens lageret er borte').length).toBeLessThanOrEqual(1);
    expect(names.filter((n) => n === 'Etter at lageret kom tilbake')).toHaveLength(1);
  }, 60_000);
});

describeOverEventStoreDb('an event written into EventStoreDB around the ledger', () => {
  let t: LedgerAppOverDouble;
  beforeAll(async () => {
    t = await openLedgerAppOverDouble({ port: port() });
    await t.record('/arenas', { name: 'Ekte torg', areas: [] });
    await t.record('/arenas', { name: 'Ekte torg 2', areas: [] });
    await t.ledger.runner.waitFor(await t.head(), 10_000);
  });
  afterAll(() => t?.close());

  test('a copy of a real event (metadata, seal and all) in a new stream is named by GET /audit/verify as a seal mismatch', async () => {
    expect((await t.get('/audit/verify', 'evaluator')).body).toMatchObject({ ok: true });
    const intruder = EventStoreDBClient.connectionString(t.double.connectionString);
    try {
      const [original] = t.double.log.records.filter((r) => r.streamName.startsWith('arena-'));
      expect(original).toBeDefined();
      await intruder.appendToStream(
        'arena-0190a000-0000-7000-8000-000000000001',
        jsonEvent({
          type: original!.eventType,
          data: JSON.parse(Buffer.from(original!.data).toString('utf8')) as Record<string, unknown>,
          metadata: JSON.parse(Buffer.from(original!.customMetadata).toString('utf8')) as Record<
            string,
            unknown
          >,
        }),
      );
    } finally {
      await intruder.dispose();
    }
    let verify = await t.get('/audit/verify', 'evaluator');
    for (let i = 0; i < 50 && verify.body.ok === true; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      verify = await t.get('/audit/verify', 'evaluator');
    }
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(false);
    // The copy carries a real seal, made for another place in the log: the seal check names the copy's position.
    const problems = verify.body.problems as Array<{ kind: string; position?: number }>;
    expect(problems).toContainEqual(
      expect.objectContaining({ kind: 'event-seal-mismatch', position: await t.head() }),
    );
  });
});
