/**
 * The read-model database: a SQLite file apart from the event log. It holds each view's latest state with its
 * checkpoint (written together, in one transaction) and periodic historical snapshots for "as of" reads.
 * Deleting the file loses nothing: the views are rebuilt from the log on the next start.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import Database from 'better-sqlite3';

export interface StoredState {
  version: number;
  position: number;
  state: unknown;
}

export class ReadModelDb {
  readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // The read model is derived data: losing the last second on power loss only means replaying it.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS view_state (
        name     TEXT PRIMARY KEY,
        version  INTEGER NOT NULL,
        position INTEGER NOT NULL,
        state    BLOB NOT NULL
      );
      CREATE TABLE IF NOT EXISTS view_snapshots (
        name     TEXT NOT NULL,
        version  INTEGER NOT NULL,
        position INTEGER NOT NULL,
        state    BLOB NOT NULL,
        PRIMARY KEY (name, position)
      );
      -- A rebuild writes its snapshots here as it goes (not held in memory), then swaps them in at once.
      CREATE TABLE IF NOT EXISTS view_snapshots_staging (
        name     TEXT NOT NULL,
        version  INTEGER NOT NULL,
        position INTEGER NOT NULL,
        state    BLOB NOT NULL,
        PRIMARY KEY (name, position)
      );`);
  }

  private static encode(state: unknown): Buffer {
    return deflateSync(Buffer.from(JSON.stringify(state), 'utf8'), { level: 1 });
  }

  private static decode(blob: Buffer): unknown {
    return JSON.parse(inflateSync(blob).toString('utf8')) as unknown;
  }

  /** The view's state and checkpoint move together: one row, one statement. */
  saveCurrent(name: string, version: number, position: number, state: unknown): void {
    this.db
      .prepare(
        'INSERT INTO view_state(name, version, position, state) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version, position = excluded.position, state = excluded.state',
      )
      .run(name, version, position, ReadModelDb.encode(state));
  }

  loadCurrent(name: string): StoredState | undefined {
    const row = this.db
      .prepare('SELECT version, position, state FROM view_state WHERE name = ?')
      .get(name) as { version: number; position: number; state: Buffer } | undefined;
    return row
      ? { version: row.version, position: row.position, state: ReadModelDb.decode(row.state) }
      : undefined;
  }

  saveSnapshot(name: string, version: number, position: number, state: unknown): void {
    this.db
      .prepare('INSERT OR REPLACE INTO view_snapshots(name, version, position, state) VALUES (?, ?, ?, ?)')
      .run(name, version, position, ReadModelDb.encode(state));
  }

  /** The latest snapshot at or before `position` of the given version. */
  nearestSnapshot(name: string, version: number, position: number): StoredState | undefined {
    const row = this.db
      .prepare(
        'SELECT version, position, state FROM view_snapshots WHERE name = ? AND version = ? AND position <= ? ORDER BY position DESC LIMIT 1',
      )
      .get(name, version, position) as { version: number; position: number; state: Buffer } | undefined;
    return row
      ? { version: row.version, position: row.position, state: ReadModelDb.decode(row.state) }
      : undefined;
  }

  lastSnapshotPosition(name: string, version: number): number | undefined {
    const row = this.db
      .prepare('SELECT max(position) AS p FROM view_snapshots WHERE name = ? AND version = ?')
      .get(name, version) as { p: number | null };
    return row.p ?? undefined;
  }

  /** Starts a rebuild of a view: forgets snapshots an interrupted rebuild left in staging. */
  clearStaging(name: string): void {
    this.db.prepare('DELETE FROM view_snapshots_staging WHERE name = ?').run(name);
  }

  stageSnapshot(name: string, version: number, position: number, state: unknown): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO view_snapshots_staging(name, version, position, state) VALUES (?, ?, ?, ?)',
      )
      .run(name, version, position, ReadModelDb.encode(state));
  }

  /** Replaces everything stored for a view with the rebuilt state and its staged snapshots, atomically. */
  replaceView(name: string, version: number, current: { position: number; state: unknown }): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM view_snapshots WHERE name = ?').run(name);
      this.db
        .prepare(
          'INSERT INTO view_snapshots(name, version, position, state) SELECT name, version, position, state FROM view_snapshots_staging WHERE name = ?',
        )
        .run(name);
      this.clearStaging(name);
      this.saveCurrent(name, version, current.position, current.state);
    })();
  }

  dropView(name: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM view_snapshots WHERE name = ?').run(name);
      this.db.prepare('DELETE FROM view_state WHERE name = ?').run(name);
    })();
  }

  close(): void {
    this.db.close();
  }
}
