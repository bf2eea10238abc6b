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

/** Bumped when the tables change: an older file is emptied (its views are rebuilt from the log). */
const SCHEMA_VERSION = 2;

export class ReadModelDb {
  readonly db: Database.Database;
  private readonly stmt: {
    generation: Database.Statement<[string], { generation: number }>;
    insertPart: Database.Statement<[string, number, string]>;
    insertSnapshotPart: Database.Statement<[string, number, number, number, number, string]>;
  };

  constructor(file: string) {
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
          name TEXT NOT NULL,
          seq  INTEGER NOT NULL,
          part TEXT NOT NULL,
          PRIMARY KEY (name, seq)
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
      insertPart: this.db.prepare('INSERT INTO view_state_parts(name, seq, part) VALUES (?, ?, ?)'),
      insertSnapshotPart: this.db.prepare(
        'INSERT OR REPLACE INTO view_snapshots(name, generation, version, position, seq, part) VALUES (?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  /** The snapshot generation the view's current state uses (0 before it was ever saved). */
  private generationOf(name: string): number {
    return this.stmt.generation.get(name)?.generation ?? 0;
  }

  /** The view's state and checkpoint move together: one transaction. */
  saveCurrent(name: string, version: number, position: number, state: unknown): void {
    this.db.transaction(() => this.writeCurrent(name, version, position, state, this.generationOf(name)))();
  }

  private writeCurrent(
    name: string,
    version: number,
    position: number,
    state: unknown,
    generation: number,
  ): void {
    this.db.prepare('DELETE FROM view_state_parts WHERE name = ?').run(name);
    let seq = 0;
    writeJsonParts(state, (part) => this.stmt.insertPart.run(name, seq++, part));
    this.db
      .prepare(
        'INSERT INTO view_state(name, version, position, generation) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version, position = excluded.position, generation = excluded.generation',
      )
      .run(name, version, position, generation);
  }

  loadCurrent(name: string): StoredState | undefined {
    const row = this.db.prepare('SELECT version, position FROM view_state WHERE name = ?').get(name) as
      { version: number; position: number } | undefined;
    if (!row) return undefined;
    const parts = this.db
      .prepare('SELECT part FROM view_state_parts WHERE name = ? ORDER BY seq')
      .pluck()
      .all(name) as string[];
    return { version: row.version, position: row.position, state: JSON.parse(parts.join('')) as unknown };
  }

  /** A historical snapshot of the live generation. */
  saveSnapshot(name: string, version: number, position: number, state: unknown): void {
    this.db.transaction(() => this.writeSnapshot(name, this.generationOf(name), version, position, state))();
  }

  private writeSnapshot(
    name: string,
    generation: number,
    version: number,
    position: number,
    state: unknown,
  ): void {
    let seq = 0;
    writeJsonParts(state, (part) =>
      this.stmt.insertSnapshotPart.run(name, generation, version, position, seq++, part),
    );
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
   * rebuild writes its snapshots to.
   */
  beginRebuild(name: string): number {
    const live = this.generationOf(name);
    this.db.prepare('DELETE FROM view_snapshots WHERE name = ? AND generation > ?').run(name, live);
    return live + 1;
  }

  /** A snapshot taken by a rebuild: invisible to readers until `replaceView` swaps its generation in. */
  stageSnapshot(name: string, generation: number, version: number, position: number, state: unknown): void {
    this.db.transaction(() => this.writeSnapshot(name, generation, version, position, state))();
  }

  /**
   * Swaps a rebuilt view in, atomically: its state and checkpoint, and the generation of snapshots the rebuild
   * staged; the old generation's snapshots go.
   */
  replaceView(
    name: string,
    version: number,
    generation: number,
    current: { position: number; state: unknown },
  ): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM view_snapshots WHERE name = ? AND generation <> ?').run(name, generation);
      this.writeCurrent(name, version, current.position, current.state, generation);
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
