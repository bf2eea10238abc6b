/**
 * The local index: the ledger's dense 0-based global positions over EventStoreDB's `$all`, whose positions are byte
 * offsets. It follows `$all` in commit order and numbers the ledger's events (not system events, not a second copy of
 * an id already numbered) 0, 1, 2, …; the rule is deterministic, so every instance that follows the same `$all` derives
 * the same positions. It also knows every event id (exact idempotency on top of ESDB's best-effort dedup) and each
 * event's recordedAt, made non-decreasing along the order.
 *
 * It holds no event bodies: ESDB stays the one source of truth. The file is derived, so a missing file is rebuilt
 * from `$all`; a file that does not match `$all` is refused (see EventStoreDbEventStore.open).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { isSystemEvent, type ReadEnvelope } from './envelope';
import { isAfter, positionFromText, positionText, type LogPosition } from './revisions';

export const INDEX_FORMAT = 'participation-ledger eventstoredb index v1';

const schemaSql = `
CREATE TABLE IF NOT EXISTS index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS indexed_events (
  global_position  INTEGER PRIMARY KEY,
  event_id         TEXT NOT NULL UNIQUE,
  stream_id        TEXT NOT NULL,
  stream_revision  INTEGER NOT NULL,
  type             TEXT NOT NULL,
  commit_position  TEXT NOT NULL,
  prepare_position TEXT NOT NULL,
  fingerprint      TEXT NOT NULL,
  recorded_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS indexed_events_stream ON indexed_events(stream_id, stream_revision);
-- The last revision ESDB gave each stream, counting what the ledger does not number (second copies, system types):
-- an append's exact expected revision is this, or the server refuses it.
CREATE TABLE IF NOT EXISTS stream_heads (stream_id TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;
-- A second event with an id already numbered (ESDB's dedup is best-effort): kept for the audit, given no position.
CREATE TABLE IF NOT EXISTS duplicate_copies (
  commit_position  TEXT NOT NULL,
  prepare_position TEXT NOT NULL,
  event_id         TEXT NOT NULL,
  stream_id        TEXT NOT NULL,
  stream_revision  INTEGER NOT NULL,
  PRIMARY KEY (commit_position, prepare_position)
) WITHOUT ROWID;
`;

export interface IndexRow {
  globalPosition: number;
  eventId: string;
  streamId: string;
  streamRevision: number;
  type: string;
  position: LogPosition;
  fingerprint: string;
  recordedAt: string;
}

interface RawRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_revision: number;
  type: string;
  commit_position: string;
  prepare_position: string;
  fingerprint: string;
  recorded_at: string;
}

export type IngestOutcome =
  | { kind: 'indexed'; row: IndexRow }
  /** Already behind the followed position (another reader of `$all` got there first). */
  | { kind: 'alreadyFollowed' }
  | { kind: 'system' }
  | { kind: 'duplicateCopy'; original: IndexRow };

/** One ESDB event at its `$all` position, read as the ledger's. */
export interface FollowedEvent {
  position: LogPosition;
  envelope: ReadEnvelope;
}

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

/** The stored fingerprint: a hash of what makes two events with one id the same event (envelope.fingerprintOf). */
export function fingerprintHash(fingerprint: string): string {
  return createHash('sha256').update(fingerprint).digest('base64url');
}

function rowOf(r: RawRow): IndexRow {
  return {
    globalPosition: r.global_position,
    eventId: r.event_id,
    streamId: r.stream_id,
    streamRevision: r.stream_revision,
    type: r.type,
    position: { commit: positionFromText(r.commit_position), prepare: positionFromText(r.prepare_position) },
    fingerprint: r.fingerprint,
    recordedAt: r.recorded_at,
  };
}

const COLUMNS =
  'global_position, event_id, stream_id, stream_revision, type, commit_position, prepare_position, fingerprint, recorded_at';

export class EventIndex {
  private readonly db: Database.Database;
  /** Whether the file held an index when opened (else this one is new and is built from the start of `$all`). */
  readonly existed: boolean;
  private headPosition: number;
  private lastRecordedAt: string;
  private followedPosition: LogPosition | undefined;
  private readonly stmt;

  constructor(
    readonly file: string,
    private readonly fingerprintOfEnvelope: (e: ReadEnvelope) => string,
  ) {
    this.existed = file !== ':memory:' && fs.existsSync(file) && fs.statSync(file).size > 0;
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // The index is derived from `$all`: a transaction lost to a power cut is derived again, identically.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(schemaSql);
    this.db.prepare('INSERT OR IGNORE INTO index_meta(key, value) VALUES (?, ?)').run('format', INDEX_FORMAT);
    this.stmt = {
      meta: this.db.prepare<[string], { value: string }>('SELECT value FROM index_meta WHERE key = ?'),
      setMeta: this.db.prepare('INSERT OR REPLACE INTO index_meta(key, value) VALUES (?, ?)'),
      insert: this.db.prepare(`INSERT INTO indexed_events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertCopy: this.db.prepare(
        'INSERT OR IGNORE INTO duplicate_copies (commit_position, prepare_position, event_id, stream_id, stream_revision) VALUES (?, ?, ?, ?, ?)',
      ),
      byId: this.db.prepare<[string], RawRow>(`SELECT ${COLUMNS} FROM indexed_events WHERE event_id = ?`),
      at: this.db.prepare<[number], RawRow>(
        `SELECT ${COLUMNS} FROM indexed_events WHERE global_position = ?`,
      ),
      from: this.db.prepare<[number, number, number], RawRow>(
        `SELECT ${COLUMNS} FROM indexed_events WHERE global_position >= ? AND global_position <= ? ORDER BY global_position LIMIT ?`,
      ),
      streamRevision: this.db.prepare<[string], { r: number | null }>(
        'SELECT max(stream_revision) AS r FROM indexed_events WHERE stream_id = ?',
      ),
      streamHead: this.db.prepare<[string], { revision: number }>(
        'SELECT revision FROM stream_heads WHERE stream_id = ?',
      ),
      setStreamHead: this.db.prepare(
        'INSERT INTO stream_heads(stream_id, revision) VALUES (?, ?) ON CONFLICT(stream_id) DO UPDATE SET revision = max(revision, excluded.revision)',
      ),
      head: this.db.prepare<[], { p: number | null; n: number; lo: number | null }>(
        'SELECT max(global_position) AS p, count(*) AS n, min(global_position) AS lo FROM indexed_events',
      ),
      last: this.db.prepare<[], { recorded_at: string }>(
        'SELECT recorded_at FROM indexed_events ORDER BY global_position DESC LIMIT 1',
      ),
      copies: this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM duplicate_copies'),
    };
    const head = this.stmt.head.get();
    this.headPosition = head?.p ?? -1;
    this.lastRecordedAt = this.stmt.last.get()?.recorded_at ?? '';
    const commit = this.stmt.meta.get('followed_commit')?.value;
    const prepare = this.stmt.meta.get('followed_prepare')?.value;
    this.followedPosition =
      commit !== undefined && prepare !== undefined
        ? { commit: positionFromText(commit), prepare: positionFromText(prepare) }
        : undefined;
  }

  /** Why this file cannot be the index (another format, or positions not dense from 0), or undefined. */
  structuralProblem(): string | undefined {
    const format = this.stmt.meta.get('format')?.value;
    if (format !== INDEX_FORMAT) return `its format is ${JSON.stringify(format)}, not ${INDEX_FORMAT}`;
    const head = this.stmt.head.get();
    const n = head?.n ?? 0;
    if (n > 0 && (head?.lo !== 0 || head.p !== n - 1)) {
      return `its positions are not dense from 0 (${n} rows from ${head?.lo} to ${head?.p})`;
    }
    if (n > 0 && this.followedPosition === undefined) return 'it has events but no followed $all position';
    return undefined;
  }

  head(): number {
    return this.headPosition;
  }

  lastRecorded(): string {
    return this.lastRecordedAt;
  }

  /** The last `$all` position taken in (an event of any kind, or a checkpoint of a filtered read). */
  followed(): LogPosition | undefined {
    return this.followedPosition;
  }

  /**
   * Takes in events read from `$all` in order, in one transaction: each after the followed position is numbered, or
   * passed over as a system event or a second copy of an id. Returns one outcome per event.
   */
  ingest(events: readonly FollowedEvent[]): IngestOutcome[] {
    if (events.length === 0) return [];
    let head = this.headPosition;
    let recordedAt = this.lastRecordedAt;
    let followed = this.followedPosition;
    const outcomes: IngestOutcome[] = [];
    const batchIds = new Map<string, IndexRow>();
    this.db.transaction(() => {
      for (const { position, envelope: e } of events) {
        if (followed !== undefined && !isAfter(position, followed)) {
          outcomes.push({ kind: 'alreadyFollowed' });
          continue;
        }
        followed = position;
        if (!e.streamId.startsWith('$')) this.stmt.setStreamHead.run(e.streamId, e.streamRevision);
        if (isSystemEvent(e.streamId, e.type)) {
          outcomes.push({ kind: 'system' });
          continue;
        }
        const original = batchIds.get(e.eventId) ?? this.byEventId(e.eventId);
        const commitText = positionText(position.commit);
        const prepareText = positionText(position.prepare);
        if (original) {
          this.stmt.insertCopy.run(commitText, prepareText, e.eventId, e.streamId, e.streamRevision);
          outcomes.push({ kind: 'duplicateCopy', original });
          continue;
        }
        // recordedAt never decreases along the order, so "as of T" is a prefix; a writer's own times already do.
        const claimed = ISO_INSTANT.test(e.claimedRecordedAt) ? e.claimedRecordedAt : '';
        if (claimed > recordedAt) recordedAt = claimed;
        head++;
        const row: IndexRow = {
          globalPosition: head,
          eventId: e.eventId,
          streamId: e.streamId,
          streamRevision: e.streamRevision,
          type: e.type,
          position,
          fingerprint: fingerprintHash(this.fingerprintOfEnvelope(e)),
          recordedAt,
        };
        this.stmt.insert.run(
          row.globalPosition,
          row.eventId,
          row.streamId,
          row.streamRevision,
          row.type,
          commitText,
          prepareText,
          row.fingerprint,
          row.recordedAt,
        );
        batchIds.set(row.eventId, row);
        outcomes.push({ kind: 'indexed', row });
      }
      if (followed !== undefined) this.writeFollowed(followed);
    })();
    this.headPosition = head;
    this.lastRecordedAt = recordedAt;
    this.followedPosition = followed;
    return outcomes;
  }

  /** A checkpoint of a filtered read: nothing the ledger numbers lies between the followed position and this one. */
  advanceTo(position: LogPosition): void {
    if (this.followedPosition !== undefined && !isAfter(position, this.followedPosition)) return;
    this.writeFollowed(position);
    this.followedPosition = position;
  }

  private writeFollowed(p: LogPosition): void {
    this.stmt.setMeta.run('followed_commit', positionText(p.commit));
    this.stmt.setMeta.run('followed_prepare', positionText(p.prepare));
  }

  byEventId(eventId: string): IndexRow | undefined {
    const r = this.stmt.byId.get(eventId);
    return r ? rowOf(r) : undefined;
  }

  at(globalPosition: number): IndexRow | undefined {
    const r = this.stmt.at.get(globalPosition);
    return r ? rowOf(r) : undefined;
  }

  /** Up to `limit` rows in [from, to], in order. */
  rows(fromPosition: number, toPosition: number, limit: number): IndexRow[] {
    return this.stmt.from.all(fromPosition, toPosition, limit).map(rowOf);
  }

  /** The last revision of the stream among the events the ledger numbers, -1 when none. */
  streamRevision(streamId: string): number {
    return this.stmt.streamRevision.get(streamId)?.r ?? -1;
  }

  /** The last revision ESDB gave the stream, whatever the ledger numbers; -1 when it has none. */
  streamHead(streamId: string): number {
    return this.stmt.streamHead.get(streamId)?.revision ?? -1;
  }

  duplicateCopies(): number {
    return this.stmt.copies.get()?.n ?? 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
