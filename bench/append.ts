/**
 * P1, durable append: single-event appends from 64 concurrent callers through the store port (synchronous=FULL),
 * each sealed as in service, against a raw better-sqlite3 insert of the same rows, in transactions of 100, into the
 * same schema. Also: how fast the stored seals are checked, which is what the audit log does at every start.
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
import { report } from './report';

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

export async function benchAppend(args: { events?: number }): Promise<void> {
  const total = args.events ?? 200_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-append-'));
  try {
    // Alternate the two so that neither always gets the warmer disk cache.
    const raw1 = rawBatches(path.join(dir, 'raw1.sqlite'), total, 100);
    const port1 = await throughStorePort(path.join(dir, 'port1.sqlite'), total, 64);
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
        {
          what: 'vs Emmett SQLite (QUALITY.md: 180–890 events/s here)',
          value: port / 890,
          unit: '× its best',
        },
      ],
      checks: [
        { target: 'P1 ≥ 0.6 × raw batches of 100', measured: `${ratio.toFixed(2)} ×`, ok: ratio >= 0.6 },
        {
          target: 'P1 ≥ 10 × Emmett SQLite best (890/s)',
          measured: `${(port / 890).toFixed(1)} ×`,
          ok: port / 890 >= 10,
        },
      ],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
