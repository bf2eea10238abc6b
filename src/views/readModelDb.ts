/**
 * The read-model database: a SQLite file apart from the event log. It holds each view's latest state with its
 * checkpoint (written together, in one transaction) and periodic historical snapshots for "as of" reads.
 * Deleting the file loses nothing: the views are rebuilt from the log on the next start.
 *
 * States are plain JSON stored in parts of about 1 MB (see jsonParts.ts), so that writing a large view never holds
 * its whole serialisation. Snapshots belong to a generation of their view: a rebuild writes the next generation
 * beside the live one, and the swap is one small transaction that points the view at it (nothing is copied).
 */
import Database from 'better-sqlite3';
import { writeJsonParts } from './jsonParts';

export interface StoredState {
  version: number;
  position: number;
  state: unknown;
}

/** The inserts of state parts, shared with the rebuild's writer thread (stateWriterWorker.ts). */
export const INSERT_STATE_PART =
  'INSERT OR REPLACE INTO view_state_parts(name, generation, seq, part) VALUES (?, ?, ?, ?)';
export const INSERT_SNAPSHOT_PART =
  'INSERT OR REPLACE INTO view_snapshots(name, generation, version, position, seq, part) VALUES (?, ?, ?, ?, ?, ?)';

/** Bumped when the tables change: an older file is emptied (its views are rebuilt from the log). */
const SCHEMA_VERSION = 3;

export class ReadModelDb {
  readonly db: Database.Database;
  /** The file, for a worker thread to open its own connection (StateWriter). */
  readonly file: string;
  private readonly stmt: {
    generation: Database.Statement<[string], { generation: number }>;
    insertPart: Database.Statement<[string, number, number, string]>;
    insertSnapshotPart: Database.Statement<[string, number, number, number, number, string]>;
  };

  constructor(file: string) {
    this.file = file;
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // The read model is derived data: losing the last second on power loss only means replaying it.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // Snapshots are written in bulk; checkpointing the WAL every 4 MB would write each of them twice as often.
    this.db.pragma('wal_autocheckpoint = 16384');
    if ((this.db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) {
      this.db.exec(`
        DROP TABLE IF EXISTS view_state;
        DROP TABLE IF EXISTS view_state_parts;
        DROP TABLE IF EXISTS view_snapshots;
        DROP TABLE IF EXISTS view_snapshots_staging;
        CREATE TABLE view_state (
          name       TEXT PRIMARY KEY,
          version    INTEGER NOT NULL,
          position   INTEGER NOT NULL,
          -- The generation of snapshots that belongs to this state.
          generation INTEGER NOT NULL
        );
        CREATE TABLE view_state_parts (
          name       TEXT NOT NULL,
          generation INTEGER NOT NULL,
          seq        INTEGER NOT NULL,
          part       TEXT NOT NULL,
          PRIMARY KEY (name, generation, seq)
        );
        CREATE TABLE view_snapshots (
          name       TEXT NOT NULL,
          generation INTEGER NOT NULL,
          version    INTEGER NOT NULL,
          position   INTEGER NOT NULL,
          seq        INTEGER NOT NULL,
          part       TEXT NOT NULL,
          PRIMARY KEY (name, generation, position, seq)
        );
        PRAGMA user_version = ${SCHEMA_VERSION};`);
    }
    this.stmt = {
      generation: this.db.prepare('SELECT generation FROM view_state WHERE name = ?'),
      insertPart: this.db.prepare(INSERT_STATE_PART),
      insertSnapshotPart: this.db.prepare(INSERT_SNAPSHOT_PART),
    };
  }

  /** The snapshot generation the view's current state uses (0 before it was ever saved). */
  private generationOf(name: string): number {
    return this.stmt.generation.get(name)?.generation ?? 0;
  }

  /** The view's state and checkpoint move together: one transaction. */
  saveCurrent(name: string, version: number, position: number, state: unknown): void {
    this.db.transaction(() => {
      const generation = this.generationOf(name);
      this.db.prepare('DELETE FROM view_state_parts WHERE name = ? AND generation = ?').run(name, generation);
      this.writeStateParts(name, generation, state);
      this.point(name, version, position, generation);
    })();
  }

  private writeStateParts(name: string, generation: number, state: unknown): void {
    let seq = 0;
    writeJsonParts(state, (part) => this.stmt.insertPart.run(name, generation, seq++, part));
  }

  /** Points the view at a generation of parts and snapshots, with its version and checkpoint. */
  private point(name: string, version: number, position: number, generation: number): void {
    this.db
      .prepare(
        'INSERT INTO view_state(name, version, position, generation) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version, position = excluded.position, generation = excluded.generation',
      )
      .run(name, version, position, generation);
  }

  loadCurrent(name: string): StoredState | undefined {
    const row = this.db
      .prepare('SELECT version, position, generation FROM view_state WHERE name = ?')
      .get(name) as { version: number; position: number; generation: number } | undefined;
    if (!row) return undefined;
    const parts = this.db
      .prepare('SELECT part FROM view_state_parts WHERE name = ? AND generation = ? ORDER BY seq')
      .pluck()
      .all(name, row.generation) as string[];
    return { version: row.version, position: row.position, state: JSON.parse(parts.join('')) as unknown };
  }

  /** A historical snapshot of the live generation. */
  saveSnapshot(name: string, version: number, position: number, state: unknown): void {
    this.db.transaction(() => this.stageSnapshot(name, this.generationOf(name), version, position, state))();
  }

  /** The latest snapshot at or before `position` of the given version. */
  nearestSnapshot(name: string, version: number, position: number): StoredState | undefined {
    const generation = this.generationOf(name);
    const at = this.db
      .prepare(
        'SELECT max(position) FROM view_snapshots WHERE name = ? AND generation = ? AND version = ? AND position <= ?',
      )
      .pluck()
      .get(name, generation, version, position) as number | null;
    if (at === null) return undefined;
    const parts = this.db
      .prepare(
        'SELECT part FROM view_snapshots WHERE name = ? AND generation = ? AND position = ? ORDER BY seq',
      )
      .pluck()
      .all(name, generation, at) as string[];
    return { version, position: at, state: JSON.parse(parts.join('')) as unknown };
  }

  /**
   * Starts a rebuild of a view: forgets what an interrupted rebuild left behind and returns the generation the
   * rebuild writes to (its snapshots and final state, here or through a StateWriter).
   */
  beginRebuild(name: string): number {
    const live = this.generationOf(name);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM view_snapshots WHERE name = ? AND generation > ?').run(name, live);
      this.db.prepare('DELETE FROM view_state_parts WHERE name = ? AND generation > ?').run(name, live);
    })();
    return live + 1;
  }

  /** A snapshot written into a generation; invisible to readers until `swapIn` points the view at it. */
  stageSnapshot(name: string, generation: number, version: number, position: number, state: unknown): void {
    let seq = 0;
    writeJsonParts(state, (part) =>
      this.stmt.insertSnapshotPart.run(name, generation, version, position, seq++, part),
    );
  }

  /** A rebuilt state written into a generation; invisible to readers until `swapIn`. */
  stageState(name: string, generation: number, state: unknown): void {
    this.writeStateParts(name, generation, state);
  }

  /**
   * Swaps a rebuilt view in, atomically and without copying: points it at the generation the rebuild wrote (state,
   * checkpoint and snapshots), and lets the old generation go.
   */
  swapIn(name: string, version: number, generation: number, position: number): void {
    this.db.transaction(() => {
      this.point(name, version, position, generation);
      this.db.prepare('DELETE FROM view_snapshots WHERE name = ? AND generation <> ?').run(name, generation);
      this.db
        .prepare('DELETE FROM view_state_parts WHERE name = ? AND generation <> ?')
        .run(name, generation);
    })();
  }

  dropView(name: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM view_snapshots WHERE name = ?').run(name);
      this.db.prepare('DELETE FROM view_state_parts WHERE name = ?').run(name);
      this.db.prepare('DELETE FROM view_state WHERE name = ?').run(name);
    })();
  }

  close(): void {
    this.db.close();
  }
}
