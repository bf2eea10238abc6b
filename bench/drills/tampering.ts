/**
 * R4, tampering: a ledger of a few hundred events with its audit log and checkpoints, then random tamperings, each
 * on a fresh copy of the files, done the way an attacker with file access would (a plain SQLite connection, the
 * immutability triggers dropped first). Every one must be caught, at the position tampered with, under a name that
 * fits what was done. `npm run drill -- tamper` and test/drills/tamper.test.ts both run it.
 *
 * An event appended after the end of the log has no place in the tree to betray, so the tree cannot catch it; its
 * missing seal (store/eventSeal.ts) does.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { AuditLog } from '../../src/audit/auditLog';
import { CheckpointJournal } from '../../src/audit/checkpointJournal';
import { verifyLedger, type VerifyResult } from '../../src/audit/verify';
import type { VerifyProblemKind } from '../../src/audit/verifyProblem';
import type { EventRow } from '../../src/store/sqlite/schema';
import { EVENT_COLUMNS } from '../../src/store/sqlite/schema';
import {
  buildAuditedLedger,
  idFrom,
  sealedStore,
  seededRandom,
  type AuditedLedgerFiles,
} from './auditedLedger';

export interface Tamper {
  kind: string;
  /** The smallest position the tampering touched: what verify must name first. */
  position: number;
  /** What verify may call it. */
  names: VerifyProblemKind[];
  detail: string;
  apply(db: Database.Database): void;
}

/** Every kind of tampering randomTamper draws. */
export const TAMPER_KINDS = [
  'append a forged event',
  'change a field',
  'delete',
  'delete and renumber',
  'insert and renumber',
  'move past the end',
  'swap',
  'truncate',
] as const;

/** The tampering that changes nothing: the check that the drill starts from a good ledger. */
export const NO_TAMPER: Tamper = {
  kind: 'none',
  position: -1,
  names: [],
  detail: '',
  apply: () => undefined,
};

type Random = () => number;
const below = (random: Random, n: number): number => Math.floor(random() * n);

const COLUMNS = EVENT_COLUMNS.split(', ') as Array<keyof EventRow>;
const insertRow = (db: Database.Database, row: EventRow): void => {
  db.prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`).run(
    row,
  );
};
/** Moves every row at or after `from` by `by` places, through negative positions so no two rows ever collide. */
const shift = (db: Database.Database, from: number, by: number): void => {
  db.prepare('UPDATE events SET global_position = -(global_position + ?) - 1 WHERE global_position >= ?').run(
    by,
    from,
  );
  db.exec('UPDATE events SET global_position = -(global_position + 1) WHERE global_position < 0');
};

/** A change to one value somewhere inside a JSON document: a string, number, boolean, null, array or object. */
function mutateJson(document: unknown, random: Random): unknown {
  const changes: Array<() => void> = [];
  const visit = (value: unknown, set: (v: unknown) => void): void => {
    if (Array.isArray(value)) {
      changes.push(() => set([...value, 1]));
      value.forEach((item, i) => visit(item, (v) => (value[i] = v)));
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      changes.push(() => set({ ...record, extra: true }));
      for (const name of Object.keys(record)) visit(record[name], (v) => (record[name] = v));
    } else if (typeof value === 'string') changes.push(() => set(`${value}ø`));
    else if (typeof value === 'number') changes.push(() => set(value + 1));
    else if (typeof value === 'boolean') changes.push(() => set(!value));
    else changes.push(() => set(0));
  };
  const root = { document };
  visit(document, (v) => (root.document = v));
  changes[below(random, changes.length)]?.();
  return root.document;
}

/** A new value for one column of a row; never equal to the old one, never colliding with a unique index. */
function alteredField(row: EventRow, random: Random): Partial<EventRow> {
  const actor = JSON.parse(row.actor) as { principal: string; role: string };
  const fields: Array<() => Partial<EventRow>> = [
    () => ({ data: JSON.stringify(mutateJson(JSON.parse(row.data), random)) }),
    () => ({ data: JSON.stringify(mutateJson(JSON.parse(row.data), random)) }),
    () => ({ type: row.type === 'ProposalWithdrawn' ? 'ProposalSubmitted' : 'ProposalWithdrawn' }),
    () => ({ stream_id: `proposal-${idFrom(random)}` }),
    () => ({ stream_revision: row.stream_revision + 1000 + below(random, 1000) }),
    () => ({ schema_version: row.schema_version + 1 }),
    () => ({ recorded_at: new Date(Date.parse(row.recorded_at) + 1 + below(random, 1000)).toISOString() }),
    () => ({ occurred_at: row.occurred_at === '1999-12-31' ? '2000-01-01' : '1999-12-31' }),
    () => ({ actor: JSON.stringify({ ...actor, role: actor.role === 'admin' ? 'clerk' : 'admin' }) }),
    () => ({ actor: JSON.stringify({ ...actor, principal: `${actor.principal}x` }) }),
    () => ({ event_id: idFrom(random) }),
    () => ({ correlation_id: idFrom(random) }),
    () => ({ causation_id: row.causation_id === null ? idFrom(random) : null }),
    () => ({ data_key_id: row.data_key_id === null ? `person-key-${idFrom(random)}` : null }),
  ];
  return (fields[below(random, fields.length)] as () => Partial<EventRow>)();
}

export function randomTamper(rows: readonly EventRow[], random: Random): Tamper {
  const n = rows.length;
  const p = below(random, n);
  const row = rows[p] as EventRow;
  const roll = random();
  if (roll < 0.4) {
    const change = alteredField(row, random);
    const sets = Object.keys(change).map((c) => `${c} = @${c}`);
    return {
      kind: 'change a field',
      position: p,
      names: ['altered'],
      detail: JSON.stringify(change),
      apply: (db) =>
        db.prepare(`UPDATE events SET ${sets.join(', ')} WHERE global_position = ${p}`).run(change),
    };
  }
  if (roll < 0.5) {
    return {
      kind: 'delete',
      position: p,
      names: ['missing'],
      detail: '',
      apply: (db) => db.prepare('DELETE FROM events WHERE global_position = ?').run(p),
    };
  }
  if (roll < 0.6) {
    return {
      kind: 'delete and renumber',
      position: p,
      names: ['missing'],
      detail: '',
      apply: (db) => {
        db.prepare('DELETE FROM events WHERE global_position = ?').run(p);
        shift(db, p + 1, -1);
      },
    };
  }
  if (roll < 0.75) {
    const q = (p + 1 + below(random, n - 1)) % n;
    const [first, second] = p < q ? [p, q] : [q, p];
    return {
      kind: 'swap',
      position: first,
      names: ['reordered'],
      detail: `${first} <-> ${second}`,
      apply: (db) => {
        const a = rows[first] as EventRow;
        const b = rows[second] as EventRow;
        db.prepare('DELETE FROM events WHERE global_position IN (?, ?)').run(first, second);
        insertRow(db, { ...b, global_position: first });
        insertRow(db, { ...a, global_position: second });
      },
    };
  }
  if (roll < 0.85) {
    return {
      kind: 'insert and renumber',
      position: p,
      names: ['inserted'],
      detail: '',
      apply: (db) => {
        shift(db, p, +1);
        insertRow(db, {
          ...row,
          global_position: p,
          event_id: idFrom(random),
          stream_id: `proposal-${idFrom(random)}`,
          stream_revision: 0,
          type: 'ProposalSubmitted',
          data: JSON.stringify({ title: 'Et forslag som aldri ble fremmet', submittedOn: row.occurred_at }),
        });
      },
    };
  }
  if (roll < 0.92) {
    const to = n + 2 + below(random, 10);
    return {
      kind: 'move past the end',
      position: p,
      names: ['reordered', 'missing'],
      detail: `${p} -> ${to}`,
      apply: (db) => db.prepare('UPDATE events SET global_position = ? WHERE global_position = ?').run(to, p),
    };
  }
  if (roll < 0.96) {
    return {
      kind: 'truncate',
      position: p,
      names: ['missing'],
      detail: '',
      apply: (db) => db.prepare('DELETE FROM events WHERE global_position >= ?').run(p),
    };
  }
  // A forged event after the end, copied from a real one (its seal cannot be forged without the writer's key).
  return {
    kind: 'append a forged event',
    position: n,
    names: ['event-unsealed'],
    detail: `a copy of ${p} with new ids`,
    apply: (db) =>
      insertRow(db, {
        ...row,
        global_position: n,
        event_id: idFrom(random),
        stream_id: `proposal-${idFrom(random)}`,
        stream_revision: 0,
      }),
  };
}

/** A golden audited ledger in `dir`/golden, tampered on fresh copies in `dir`/copy and verified as the CLI would. */
export class TamperBench {
  private constructor(
    private readonly dir: string,
    readonly golden: AuditedLedgerFiles,
    readonly rows: readonly EventRow[],
    /** Closed cleanly, each database was one file: its write-ahead log folded in and removed. */
    readonly goldenFilesStoodAlone: boolean,
  ) {}

  static async create(
    dir: string,
    options: { events: number; checkpointEvery: number },
  ): Promise<TamperBench> {
    fs.mkdirSync(path.join(dir, 'golden'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'copy'), { recursive: true });
    const golden = await buildAuditedLedger(path.join(dir, 'golden'), options);
    // Looked at before the rows are read: a reader of a WAL database leaves its own side files.
    const standAlone = !fs.existsSync(`${golden.events}-wal`) && !fs.existsSync(`${golden.audit}-wal`);
    const db = new Database(golden.events, { readonly: true });
    const rows = db
      .prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY global_position`)
      .all() as EventRow[];
    db.close();
    return new TamperBench(dir, golden, rows, standAlone);
  }

  /** A fresh copy of the golden files, tampered, then verified as the CLI would. */
  async tamperAndVerify(tamper: Tamper): Promise<VerifyResult> {
    const { golden } = this;
    const dir = path.join(this.dir, 'copy');
    for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name));
    const events = path.join(dir, 'events.sqlite');
    const auditFile = path.join(dir, 'audit.sqlite');
    fs.copyFileSync(golden.events, events);
    fs.copyFileSync(golden.audit, auditFile);
    fs.copyFileSync(golden.journal, path.join(dir, 'checkpoint-journal.ndjson'));

    const attacker = new Database(events);
    attacker.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;');
    attacker.transaction(() => tamper.apply(attacker))();
    attacker.close();

    const store = sealedStore({ ...golden, dir, events });
    const audit = new AuditLog({
      store,
      file: auditFile,
      signingKey: golden.key,
      origin: golden.origin,
      journal: new CheckpointJournal(path.join(dir, 'checkpoint-journal.ndjson')),
      requireSeals: true,
    });
    try {
      return await verifyLedger(store, audit, { workers: 0 });
    } finally {
      await audit.close();
      await store.close();
    }
  }
}

/** Why verify's answer misses the tampering (not caught, another first position, a name that does not fit), or null. */
export function missed(tamper: Tamper, result: VerifyResult): string | null {
  const named = result.problems.find((p) => p.position === result.firstBadPosition);
  if (
    !result.ok &&
    result.firstBadPosition === tamper.position &&
    named !== undefined &&
    tamper.names.includes(named.kind)
  )
    return null;
  return (
    `${tamper.kind} at ${tamper.position} ${tamper.detail} -> ok=${result.ok}, ` +
    `first bad ${result.firstBadPosition}, problems ${JSON.stringify(result.problems.slice(0, 3))}`
  );
}

export interface TamperDrillResult {
  runs: number;
  /** One line per tampering verify missed, with the seed that replays it. */
  failures: string[];
  byKind: Map<string, number>;
  seconds: number;
}

/** `runs` random tamperings, the n-th drawn from seed + n (so one can be replayed alone). */
export async function runTamperings(
  bench: TamperBench,
  options: { runs: number; seed: number; onProgress?: (done: number, caught: number) => void },
): Promise<TamperDrillResult> {
  const started = Date.now();
  const failures: string[] = [];
  const byKind = new Map<string, number>();
  for (let run = 0; run < options.runs; run++) {
    const seed = options.seed + run;
    const tamper = randomTamper(bench.rows, seededRandom(seed));
    byKind.set(tamper.kind, (byKind.get(tamper.kind) ?? 0) + 1);
    const why = missed(tamper, await bench.tamperAndVerify(tamper));
    if (why !== null) failures.push(`seed ${seed}: ${why}`);
    options.onProgress?.(run + 1, run + 1 - failures.length);
  }
  return { runs: options.runs, failures, byKind, seconds: (Date.now() - started) / 1000 };
}
