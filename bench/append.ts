/**
 * P1, durable append: single-event appends from 64 concurrent callers through the store port (synchronous=FULL),
 * each sealed as in service, against a raw better-sqlite3 insert of the same rows, in transactions of 100, into the
 * same schema. Also: how fast the stored seals are checked, which is what the audit log does at every start, and
 * Emmett's SQLite store in the same run (bench/emmett.ts: installed on demand into bench/peers/).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import type { EventStore, NewEvent } from '../src/store/eventStore';
import { SealKey } from '../src/store/eventSeal';
import { SqliteEventStore } from '../src/store/sqlite/sqliteEventStore';
import { EVENT_COLUMNS, eventsSchemaSql } from '../src/store/sqlite/schema';
import { emmettAppends, ensureEmmett, synchronousName, type EmmettMode, type EmmettRun } from './emmett';
import { report, type BenchRow } from './report';

function makeEvent(i: number): NewEvent {
  return {
    eventId: uuidv7(),
    type: 'ProposalSupported',
    schemaVersion: 1,
    occurredAt: '2021-05-17',
    actor: { principal: 'bench', role: 'clerk' },
    correlationId: uuidv7(),
    causationId: null,
    data: { personId: uuidv7(), supportedOn: '2021-05-17', n: i },
  };
}

/** The store as the server opens it: every append sealed (store/eventSeal.ts). */
function sealingStore(file: string): SqliteEventStore {
  return new SqliteEventStore({
    file,
    synchronous: 'FULL',
    seal: { key: SEAL_KEY, keyFile: `${file}.seal-key` },
  });
}
const SEAL_KEY = SealKey.generate();

/** P1's load: `total` single-event appends through the port from `callers` concurrent callers, each awaiting its own. */
export async function appendConcurrently(store: EventStore, total: number, callers: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        await store.append(`proposal-${i % 5000}`, [makeEvent(i)]);
      }
    }),
  );
}

async function throughStorePort(file: string, total: number, callers: number): Promise<number> {
  const store = sealingStore(file);
  const started = process.hrtime.bigint();
  await appendConcurrently(store, total, callers);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await store.close();
  return total / seconds;
}

function rawBatches(file: string, total: number, batch: number): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(eventsSchemaSql);
  const insert = db.prepare(
    `INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const revisions = new Map<string, number>();
  const started = process.hrtime.bigint();
  for (let start = 0; start < total; start += batch) {
    db.transaction(() => {
      for (let i = start; i < Math.min(total, start + batch); i++) {
        const e = makeEvent(i);
        const stream = `proposal-${i % 5000}`;
        const revision = (revisions.get(stream) ?? -1) + 1;
        revisions.set(stream, revision);
        insert.run(
          i,
          e.eventId,
          stream,
          revision,
          e.type,
          e.schemaVersion,
          new Date().toISOString(),
          e.occurredAt,
          JSON.stringify(e.actor),
          e.correlationId,
          e.causationId,
          JSON.stringify(e.data),
          null,
        );
      }
    })();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return total / seconds;
}

/** Checking every stored event's seal, as the audit log does at start: events/s. */
async function sealCheckRate(file: string): Promise<{ rate: number; failures: number }> {
  const store = sealingStore(file);
  try {
    const head = await store.headPosition();
    const started = process.hrtime.bigint();
    const { checked, failureCount } = await store.seals.check(0, head);
    return { rate: checked / (Number(process.hrtime.bigint() - started) / 1e9), failures: failureCount };
  } finally {
    await store.close();
  }
}

/** Seconds each Emmett run appends for: four runs, so the peer's part stays under a minute. */
const EMMETT_SECONDS = 10;

/** Emmett's two connection modes, each with P1's 64 callers and with one: the rows, and its best rate (or why none). */
async function emmettRows(): Promise<{
  rows: BenchRow[];
  best: EmmettRun | null;
  durable: EmmettRun | null;
  why?: string;
}> {
  let install: ReturnType<typeof ensureEmmett>;
  try {
    install = ensureEmmett();
  } catch (error) {
    const why = `Emmett could not be installed: ${error instanceof Error ? error.message : String(error)}`;
    console.error(why);
    return { rows: [], best: null, durable: null, why };
  }
  const runs: EmmettRun[] = [];
  const modes: EmmettMode[] = ['event store (a connection per call)', 'one connection kept open'];
  for (const mode of modes)
    for (const callers of [64, 1]) {
      console.log(`emmett: ${mode}, ${callers} caller(s), ${EMMETT_SECONDS} s ...`);
      runs.push(await emmettAppends(mode, callers, EMMETT_SECONDS));
    }
  const best = runs.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
  // With one caller no append overlaps another, so each is committed before it is answered, as P1's are; with 64,
  // overlapping appends share a transaction that may still be open when they are answered (bench/emmett.ts).
  const durable = runs
    .filter((r) => r.callers === 1)
    .reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
  const took =
    install.installSeconds === null
      ? 'took an unknown time'
      : `took ${install.installSeconds.toFixed(0)} s (sqlite3 compiled by node-gyp)`;
  const installNote = install.installedNow
    ? `installed into bench/peers/ by this run: ${took}`
    : `already in bench/peers/; its install${install.installedAt ? ` (${install.installedAt.slice(0, 16)})` : ''} ${took}`;
  const rows = runs.map((r) => ({
    what: `Emmett ${install.version}, ${r.mode}, ${r.callers} caller${r.callers === 1 ? '' : 's'}`,
    value: r.eventsPerSecond,
    unit: 'events/s',
    note:
      `${r.stored} stored, ${r.failedAppends} appends failed${r.firstError ? ` (${r.firstError})` : ''}, ` +
      `synchronous=${synchronousName(r.synchronous)}`,
  }));
  rows.push({
    what: `Emmett's first install`,
    value: install.installSeconds ?? Number.NaN,
    unit: 's',
    note: installNote,
  });
  return { rows, best, durable };
}

export async function benchAppend(args: { events?: number }): Promise<void> {
  const total = args.events ?? 200_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-append-'));
  try {
    // Alternate the two so that neither always gets the warmer disk cache; Emmett runs between the two rounds, so
    // that a machine busy with other work for a while weighs on both sides of its ratio.
    const raw1 = rawBatches(path.join(dir, 'raw1.sqlite'), total, 100);
    const port1 = await throughStorePort(path.join(dir, 'port1.sqlite'), total, 64);
    const emmett = await emmettRows();
    const raw2 = rawBatches(path.join(dir, 'raw2.sqlite'), total, 100);
    const port2 = await throughStorePort(path.join(dir, 'port2.sqlite'), total, 64);
    const raw = Math.max(raw1, raw2);
    const port = Math.max(port1, port2);
    const ratio = port / raw;
    const seals = await sealCheckRate(path.join(dir, 'port2.sqlite'));
    if (seals.failures > 0) throw new Error(`${seals.failures} seals did not check out`);
    report({
      name: 'append',
      command: `npm run bench -- append --events ${total}`,
      rows: [
        {
          what: 'store port, 64 concurrent single-event appends',
          value: port,
          unit: 'events/s',
          note: `runs ${Math.round(port1)} / ${Math.round(port2)}`,
        },
        {
          what: 'raw better-sqlite3, batches of 100',
          value: raw,
          unit: 'events/s',
          note: `runs ${Math.round(raw1)} / ${Math.round(raw2)}`,
        },
        { what: 'ratio port / raw', value: ratio, unit: '×' },
        {
          what: 'checking every stored seal (what the audit log does at start)',
          value: seals.rate,
          unit: 'events/s',
          note: `${total} events`,
        },
        ...emmett.rows,
        ...(emmett.best
          ? [
              {
                what: `ratio port / Emmett's fastest (${emmett.best.mode}, ${emmett.best.callers} callers)`,
                value: port / emmett.best.eventsPerSecond,
                unit: '×',
              },
              ...(emmett.durable
                ? [
                    {
                      what: `ratio port / Emmett's fastest committed before answered (${emmett.durable.mode})`,
                      value: port / emmett.durable.eventsPerSecond,
                      unit: '×',
                    },
                  ]
                : []),
            ]
          : []),
      ],
      checks: [
        { target: 'P1 ≥ 0.6 × raw batches of 100', measured: `${ratio.toFixed(2)} ×`, ok: ratio >= 0.6 },
        {
          target: "P1 ≥ 10 × Emmett's SQLite store at its fastest, same run",
          measured: emmett.best
            ? `${(port / emmett.best.eventsPerSecond).toFixed(1)} × (${Math.round(emmett.best.eventsPerSecond)} events/s)`
            : (emmett.why ?? 'not measured'),
          ok: emmett.best !== null && port / emmett.best.eventsPerSecond >= 10,
        },
      ],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
