/**
 * P1's peer: Emmett's SQLite event store (`@event-driven-io/emmett-sqlite` 0.38.5 on `sqlite3` 5), installed on
 * demand into bench/peers/ from its committed package.json and lock file (`npm ci --prefix bench/peers`), so the
 * project does not depend on it. sqlite3 5 has no prebuilt binary reachable here, so the first install compiles
 * it with node-gyp; the bench says how long that took.
 *
 * Emmett 0.38.5 has two ways to a file (read in its sources, src/packages/emmett-sqlite/src at tag 0.38.5):
 * - its event store, `getSQLiteEventStore({ fileName })`, opens a connection for each call and closes it after
 *   (SQLiteEventStore.ts, withConnection); concurrent callers then meet each other's locks and get SQLITE_BUSY
 *   (Emmett sets no busy timeout);
 * - one connection kept open, `sqliteConnection({ fileName })` with the schema's `appendToStream` (what the event
 *   store calls inside). Appends that overlap on that connection nest into the transaction already open
 *   (connection/sqliteConnection.ts, transactionNesting): they share its commit, and an append whose transaction
 *   is still open when it returns has been answered before its commit.
 * Both are measured, each with 64 concurrent callers and with one caller, one event per append, for a fixed time.
 * Emmett sets `journal_mode = WAL` and leaves `synchronous` at SQLite's default; the bench reads what it is.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** bench/peers/ in the repository (this file's compiled copy sits in dist/bench/). */
export const PEERS_DIR = path.resolve(__dirname, '../../bench/peers');

/** The little of Emmett's API the bench uses (the project has no types for a package it does not depend on). */
interface EmmettSqlite {
  getSQLiteEventStore(options: { fileName: string }): {
    appendToStream(streamName: string, events: EmmettEvent[]): Promise<unknown>;
  };
  sqliteConnection(options: { fileName: string }): EmmettConnection;
  createEventStoreSchema(connection: EmmettConnection): Promise<void>;
  appendToStream(
    connection: EmmettConnection,
    streamName: string,
    streamType: string,
    events: EmmettEvent[],
  ): Promise<{ success: boolean }>;
}
interface EmmettConnection {
  close(): void;
  querySingle<T>(sql: string): Promise<T | null>;
}
interface EmmettEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface EmmettInstall {
  /** Seconds the install took: this run's, or the one that installed the peers (null when that is not known). */
  installSeconds: number | null;
  /** Whether this run installed them. */
  installedNow: boolean;
  /** When they were installed (ISO time), when known. */
  installedAt: string | null;
  version: string;
}

/** Where the install's duration is kept, beside what it installed, so later runs can still say it. */
const INSTALL_RECORD = path.join(PEERS_DIR, 'node_modules/.ledger-bench-install.json');

/** Installs the pinned peers into bench/peers/ when they are missing. */
export function ensureEmmett(log: (line: string) => void = console.log): EmmettInstall {
  const manifest = path.join(PEERS_DIR, 'node_modules/@event-driven-io/emmett-sqlite/package.json');
  const binding = path.join(PEERS_DIR, 'node_modules/sqlite3/build/Release/node_sqlite3.node');
  const installedNow = !fs.existsSync(manifest) || !fs.existsSync(binding);
  if (installedNow) {
    log('emmett: installing @event-driven-io/emmett-sqlite 0.38.5 and sqlite3 5.1.7 into bench/peers/ ...');
    log('emmett: (sqlite3 has no prebuilt binary reachable here, so node-gyp compiles it: a minute or more)');
    const started = Date.now();
    execFileSync('npm', ['ci', '--prefix', PEERS_DIR, '--no-audit', '--no-fund', '--loglevel=error'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const seconds = (Date.now() - started) / 1000;
    fs.writeFileSync(INSTALL_RECORD, JSON.stringify({ seconds, at: new Date().toISOString() }));
    log(`emmett: installed in ${seconds.toFixed(0)} s`);
  }
  let record: { seconds?: number; at?: string } = {};
  try {
    record = JSON.parse(fs.readFileSync(INSTALL_RECORD, 'utf8')) as typeof record;
  } catch {
    record = {};
  }
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  return { installSeconds: record.seconds ?? null, installedNow, installedAt: record.at ?? null, version };
}

function loadEmmett(): EmmettSqlite {
  return createRequire(path.join(PEERS_DIR, 'package.json'))(
    '@event-driven-io/emmett-sqlite',
  ) as EmmettSqlite;
}

export type EmmettMode = 'event store (a connection per call)' | 'one connection kept open';

export interface EmmettRun {
  mode: EmmettMode;
  callers: number;
  /** Events in the file afterwards, per second of the run: what was stored, not what was attempted. */
  eventsPerSecond: number;
  stored: number;
  failedAppends: number;
  firstError?: string;
  /** PRAGMA synchronous as Emmett's connection has it (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA). */
  synchronous: number;
}

const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
export const synchronousName = (level: number): string => SYNCHRONOUS[level] ?? String(level);

/** `callers` concurrent callers appending one event at a time to Emmett for `seconds`, in a file of its own. */
export async function emmettAppends(mode: EmmettMode, callers: number, seconds: number): Promise<EmmettRun> {
  const emmett = loadEmmett();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-emmett-'));
  const fileName = path.join(dir, 'emmett.sqlite');
  let kept: EmmettConnection | null = null;
  let append: (stream: string, event: EmmettEvent) => Promise<unknown>;
  if (mode === 'one connection kept open') {
    const connection = emmett.sqliteConnection({ fileName });
    kept = connection;
    await emmett.createEventStoreSchema(connection);
    append = (stream, event) => emmett.appendToStream(connection, stream, 'proposal', [event]);
  } else {
    const store = emmett.getSQLiteEventStore({ fileName });
    append = (stream, event) => store.appendToStream(stream, [event]);
  }
  // Emmett's transaction wrapper prints every error it rolls back; the run counts them instead.
  const print = console.log;
  console.log = () => undefined;
  let next = 0;
  let failedAppends = 0;
  let firstError: string | undefined;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (Date.now() < deadline) {
          const i = next++;
          try {
            await append(`proposal-${i % 5000}`, {
              type: 'ProposalSupported',
              data: { personId: `person-${i}`, supportedOn: '2021-05-17', n: i },
            });
          } catch (error) {
            failedAppends++;
            firstError ??= error instanceof Error ? error.message : String(error);
          }
        }
      }),
    );
  } finally {
    console.log = print;
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  kept?.close();
  const reader = emmett.sqliteConnection({ fileName });
  try {
    const count = await reader.querySingle<{ n: number }>('SELECT count(*) AS n FROM emt_messages');
    const sync = await reader.querySingle<{ synchronous: number }>('PRAGMA synchronous');
    const stored = count?.n ?? 0;
    return {
      mode,
      callers,
      eventsPerSecond: stored / elapsed,
      stored,
      failedAppends,
      ...(firstError === undefined ? {} : { firstError }),
      synchronous: sync?.synchronous ?? -1,
    };
  } finally {
    reader.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
