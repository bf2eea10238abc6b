/**
 * What a witness remembers, in one SQLite file: per log origin, the latest checkpoint it cosigned (size and root
 * hash, the record tlog-witness requires) and that checkpoint with its cosignature (for the monitoring retrieval).
 *
 * add-checkpoint's "check the old size, then persist the new head" is one IMMEDIATE transaction with synchronous =
 * FULL: the write lock is taken before the row is read, so two requests with the same old size, from this process or
 * another one on the same file, cannot both be cosigned (tlog-witness's race of requests A and B), and the commit is
 * on disk before the cosignature leaves. The file identifies itself (application_id, user_version) and every row is
 * checked when the file is opened and again whenever it is read: a file that is not this witness's state is
 * refused, never taken for an empty history, since a witness that forgets a log's head cannot see it fork.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { syncFolder } from '../dataDir';
import {
  decideAddCheckpoint,
  requestOrigin,
  type AddCheckpointOutcome,
  type KnownLogs,
  type WitnessKey,
  type WitnessLogState,
} from '../audit/witness';
import { isNoteSafe, parseCheckpointBody, splitNote } from '../audit/signedNote';
import { HASH_SIZE } from '../audit/rfc9162';

/** "tlwt" in the SQLite header's application_id: this file is a witness state. */
export const WITNESS_STATE_APPLICATION_ID = 0x746c7774;
export const WITNESS_STATE_VERSION = 1;

const SCHEMA_SQL = `
CREATE TABLE log_heads (
  origin              TEXT    PRIMARY KEY NOT NULL,
  tree_size           INTEGER NOT NULL,
  root_hash           BLOB    NOT NULL,
  cosigned_checkpoint TEXT    NOT NULL,
  updated_at          INTEGER NOT NULL
) STRICT;
`;
const COLUMNS = ['origin', 'tree_size', 'root_hash', 'cosigned_checkpoint', 'updated_at'];

interface HeadRow {
  origin: unknown;
  tree_size: unknown;
  root_hash: unknown;
  cosigned_checkpoint: unknown;
  updated_at: unknown;
}

/** One log's record: the head and the cosigned checkpoint note that carries it. */
export interface WitnessedHead extends WitnessLogState {
  cosignedCheckpoint: string;
  /** POSIX seconds of the cosignature. */
  updatedAt: number;
}

/** An add-checkpoint answer and the head it was decided against (for the alarm of a 422 with evidence). */
export interface AddCheckpointDecision {
  outcome: AddCheckpointOutcome;
  stored: WitnessedHead | null;
}

/** A state file that cannot be trusted as this witness's memory; the CLI refuses to start (exit 2) with it. */
export class WitnessStateError extends Error {
  override readonly name = 'WitnessStateError';
}

export class WitnessState {
  /**
   * The newest head this process has seen per origin: the file may be changed while the witness runs (a row deleted,
   * an older copy put in its place, a trigger that undoes writes), and a head that goes back is refused, not believed.
   */
  private readonly highWater = new Map<string, { treeSize: number; rootHash: Buffer }>();
  private readonly stmt: {
    head: Database.Statement<[string], HeadRow>;
    all: Database.Statement<[], HeadRow>;
    upsert: Database.Statement<[string, number, Buffer, string, number]>;
  };

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    /** The file's inode when opened: another file put at the path (or none) is not the memory this process holds. */
    private readonly inode: number,
  ) {
    const columns = COLUMNS.join(', ');
    this.stmt = {
      head: db.prepare<[string], HeadRow>(`SELECT ${columns} FROM log_heads WHERE origin = ?`).safeIntegers(),
      all: db.prepare<[], HeadRow>(`SELECT ${columns} FROM log_heads ORDER BY origin`).safeIntegers(),
      upsert: db.prepare(
        `INSERT INTO log_heads (${columns}) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (origin) DO UPDATE SET tree_size = excluded.tree_size, root_hash = excluded.root_hash,
           cosigned_checkpoint = excluded.cosigned_checkpoint, updated_at = excluded.updated_at`,
      ),
    };
  }

  /**
   * Opens the state at `file`, creating it when no file is there (`created`: the witness starts with no history).
   * Throws a WitnessStateError for anything else that is not a witness state of this version with valid rows: an
   * empty or garbage file, another SQLite database, a missing or changed table, a row whose size is not a size,
   * whose root is not 32 bytes, or whose cosigned checkpoint is not the note of that head. Rows of origins the
   * policy no longer lists are kept (the log may come back).
   */
  static open(file: string): { state: WitnessState; created: boolean } {
    const created = !fs.existsSync(file);
    if (!created && fs.statSync(file).size === 0)
      throw new WitnessStateError(`${file} is empty, not a witness state`);
    let db: Database.Database;
    try {
      db = new Database(file, { fileMustExist: !created });
    } catch (error) {
      throw new WitnessStateError(`cannot open the witness state ${file}: ${message(error)}`);
    }
    try {
      // Per connection only: nothing is written to a file before it is known to be a witness state.
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.transaction(() => initialise(db, file, created)).immediate();
      if (created) syncFolder(path.dirname(path.resolve(file)));
      const state = new WitnessState(db, file, fs.statSync(file).ino);
      for (const head of state.heads()) state.remember(head);
      return { state, created };
    } catch (error) {
      db.close();
      if (error instanceof WitnessStateError) throw error;
      throw new WitnessStateError(`${file} is not a witness state: ${message(error)}`);
    }
  }

  /** The head cosigned for `origin`, or null when none was; a row changed behind the witness's back throws. */
  head(origin: string): WitnessedHead | null {
    const row = this.stmt.head.get(origin);
    return row === undefined ? null : checkRow(row, this.file);
  }

  /** Every head, by origin. */
  heads(): WitnessedHead[] {
    return this.stmt.all.all().map((row) => checkRow(row, this.file));
  }

  /**
   * Decides an add-checkpoint request against the stored head and, when it is cosigned, stores the new head, all in
   * one IMMEDIATE transaction that commits before this returns. A body that names no known log takes no lock.
   */
  addCheckpoint(body: string, logs: KnownLogs, key: WitnessKey, now: number): AddCheckpointDecision {
    const origin = requestOrigin(body);
    if (origin === null || !logs.has(origin))
      return { outcome: decideAddCheckpoint(null, body, logs, key, now), stored: null };
    return this.db
      .transaction((): AddCheckpointDecision => {
        this.assertSameFile();
        const stored = this.head(origin);
        this.assertNotBehind(origin, stored);
        const outcome = decideAddCheckpoint(stored, body, logs, key, now);
        if (outcome.status === 200) {
          const { treeSize, rootHash } = outcome.state;
          this.stmt.upsert.run(origin, treeSize, rootHash, outcome.cosignedCheckpoint, now);
          // Read back before the cosignature may leave: what is on disk must be the head just cosigned.
          const written = this.head(origin);
          if (written === null || written.treeSize !== treeSize || !written.rootHash.equals(rootHash))
            throw new WitnessStateError(
              `${this.file}: the head of ${JSON.stringify(origin)} did not stay as written; the witness state was changed behind its back`,
            );
          this.remember(written);
        }
        return { outcome, stored };
      })
      .immediate();
  }

  private remember(head: WitnessLogState): void {
    this.highWater.set(head.origin, { treeSize: head.treeSize, rootHash: Buffer.from(head.rootHash) });
  }

  /** The stored head is at least the newest this process saw for the origin, and the same there. */
  private assertNotBehind(origin: string, stored: WitnessedHead | null): void {
    const seen = this.highWater.get(origin);
    if (seen === undefined) return;
    const behind =
      stored === null ||
      stored.treeSize < seen.treeSize ||
      (stored.treeSize === seen.treeSize && !stored.rootHash.equals(seen.rootHash));
    if (behind)
      throw new WitnessStateError(
        `${this.file}: the head of ${JSON.stringify(origin)} went back from size ${seen.treeSize} to ${stored === null ? 'none' : stored.treeSize}; the witness state was changed behind its back (restore it from a backup no older than what it cosigned, then restart)`,
      );
  }

  private assertSameFile(): void {
    let inode: number | null = null;
    try {
      inode = fs.statSync(this.file).ino;
    } catch {
      // no file at the path
    }
    if (inode !== this.inode)
      throw new WitnessStateError(
        `${this.file} was ${inode === null ? 'removed' : 'replaced by another file'} while the witness ran; it stops cosigning until restarted on a state it can trust`,
      );
  }

  /**
   * tlog-witness monitoring retrieval: the cosigned checkpoint of the log whose origin hashes (SHA-256, lowercase
   * hex) to `originHash`, or null when this witness never cosigned one.
   */
  cosignedCheckpointOf(originHash: string): string | null {
    const head = this.heads().find((h) => originHashOf(h.origin) === originHash);
    return head?.cosignedCheckpoint ?? null;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The origin hash of the monitoring path: SHA-256 of the origin line's text, lowercase hex. */
export function originHashOf(origin: string): string {
  return createHash('sha256').update(origin, 'utf8').digest('hex');
}

/** A new file gets the schema; any file must then be one: its header ids, its one table, its columns. */
function initialise(db: Database.Database, file: string, created: boolean): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const tables = db
    .prepare<[], { name: string }>(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
    .all()
    .map((t) => t.name);
  if (created && applicationId === 0 && tables.length === 0) {
    db.exec(SCHEMA_SQL);
    db.pragma(`application_id = ${WITNESS_STATE_APPLICATION_ID}`);
    db.pragma(`user_version = ${WITNESS_STATE_VERSION}`);
    return;
  }
  if (applicationId !== WITNESS_STATE_APPLICATION_ID)
    throw new WitnessStateError(`${file} is an SQLite database, but not a witness state`);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== WITNESS_STATE_VERSION)
    throw new WitnessStateError(
      `${file} is a witness state of version ${version}; this witness reads version ${WITNESS_STATE_VERSION}`,
    );
  const columns = db
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('log_heads') ORDER BY cid`)
    .all()
    .map((c) => c.name);
  if (tables.join() !== 'log_heads' || columns.join() !== COLUMNS.join())
    throw new WitnessStateError(`${file}: the witness state's table was changed`);
  // Exactly the objects the witness creates: a trigger or view added to the file could undo or fake its writes.
  const objects = db
    .prepare<[], { type: string; name: string; sql: string | null }>(
      'SELECT type, name, sql FROM sqlite_schema ORDER BY type, name',
    )
    .all();
  const expected = [
    { type: 'index', name: 'sqlite_autoindex_log_heads_1', sql: null },
    { type: 'table', name: 'log_heads', sql: SCHEMA_SQL.trim().replace(/;$/, '') },
  ];
  if (JSON.stringify(objects) !== JSON.stringify(expected))
    throw new WitnessStateError(
      `${file}: the witness state holds other schema objects than its table (${
        objects
          .filter((o) => !expected.some((e) => e.type === o.type && e.name === o.name))
          .map((o) => `${o.type} ${o.name}`)
          .join(', ') || 'its table was redefined'
      })`,
    );
}

/** A stored row, held to what the witness itself writes. */
function checkRow(row: HeadRow, file: string): WitnessedHead {
  const where = `${file}: the row of ${JSON.stringify(row.origin)}`;
  const fail = (what: string): never => {
    throw new WitnessStateError(`${where} ${what}; the witness state was changed behind its back`);
  };
  const { origin, tree_size: size, root_hash: root, cosigned_checkpoint: note, updated_at: at } = row;
  if (typeof origin !== 'string' || origin === '' || origin.includes('\n') || !isNoteSafe(origin))
    fail('has no valid origin');
  if (typeof size !== 'bigint' || size < 0n || size > BigInt(Number.MAX_SAFE_INTEGER))
    fail('has a tree size that is not a size');
  if (!Buffer.isBuffer(root) || root.length !== HASH_SIZE)
    fail(`has a root hash that is not ${HASH_SIZE} bytes`);
  if (typeof at !== 'bigint' || at <= 0n) fail('has no cosignature time');
  const parts = typeof note === 'string' ? splitNote(note) : null;
  const head = parts === null ? null : parseCheckpointBody(parts.text);
  if (head === null) return fail('has a cosigned checkpoint that is not a checkpoint note');
  const treeSize = Number(size);
  const rootHash = root as Buffer;
  if (head.origin !== origin || head.treeSize !== treeSize || !head.rootHash.equals(rootHash))
    fail('has a cosigned checkpoint of another head');
  return {
    origin: origin as string,
    treeSize,
    rootHash: Buffer.from(rootHash),
    cosignedCheckpoint: note as string,
    updatedAt: Number(at),
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
