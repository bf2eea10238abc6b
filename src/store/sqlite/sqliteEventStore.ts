import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { SealKey, SealedFields } from '../eventSeal';
import { BaseEventStore, NOT_SEALING } from '../baseEventStore';
import {
  checkExpectedRevision,
  DuplicateEventIdError,
  SealKeyMissingError,
  StoreClosedError,
  StoreReadOnlyError,
  type EventSeals,
  type SealFailure,
  type AppendObserver,
  type AppendOptions,
  type AppendResult,
  type NewEvent,
  type ReadAllOptions,
  type ReadBatchesOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
  type SubscriptionMessage,
  type ViewEvent,
  type WorkerLogDescription,
} from '../eventStore';
import { rowToEvent, sealedFieldsOf, VIEW_COLUMNS, viewEventOf, wellTyped } from './eventRows';
import { GroupCommit, type PendingAppend } from './groupCommit';
import { EVENT_COLUMNS, eventsSchemaSql, SEAL_COLUMNS_SQL, type EventRow } from './schema';
import { Subscriptions } from './subscriptions';

export interface SqliteEventStoreOptions {
  /** Path of the database file. */
  file: string;
  /** `FULL` (default) makes every acknowledged append survive power loss. */
  synchronous?: 'FULL' | 'NORMAL';
  /**
   * Position of the first event of an empty log. Always 0 in service; the contract tests set it past 2^31 to
   * exercise 64-bit positions without writing two billion rows.
   */
  genesisPosition?: number;
  /** How often subscriptions look for appends made by another process (ms). */
  pollIntervalMs?: number;
  /** Most events written in one group-commit transaction. */
  maxBatchEvents?: number;
  /**
   * Seal every appended event (store/eventSeal.ts). `key` undefined means sealing is required but the key file is
   * missing: appends are then refused. Without this option nothing is sealed (tests and benchmarks of the store).
   */
  seal?: { key: SealKey | undefined; keyFile: string };
  /**
   * A replica's view of the writer's file: opened read-only (the file must exist), no schema created, every append
   * refused. What the writer appends is seen by polling (subscriptions.ts), as any other process's appends are.
   */
  readOnly?: boolean;
  clock?: () => Date;
  /** Told each append's latency and each group-commit transaction's size (the metrics). */
  observer?: AppendObserver;
}

interface StoredIdentity {
  streamId: string;
  streamRevision: number;
  globalPosition: number;
  fingerprint: string;
}

/** Events per page of readAllBatches: bulk readers take pages this size. */
const BATCH_PAGE = 5000;
/** Rows per page when checking seals: a page takes a few milliseconds, then other work gets a turn. */
const SEAL_PAGE = 2000;

/** Small pages: a page that outlives a young-generation collection is promoted, and a rebuild would then leave
 * hundreds of MB of dead events in the old generation. */
const VIEW_PAGE = 500;
const REVISION_CACHE_LIMIT = 200_000;

function fingerprintOf(streamId: string, e: NewEvent, dataJson: string): string {
  return `${streamId}\u0000${e.type}\u0000${e.schemaVersion}\u0000${e.dataKeyId ?? ''}\u0000${dataJson}`;
}

/**
 * The embedded event store: one SQLite file in WAL mode. Appends go through a group commit (groupCommit.ts) and
 * subscriptions read the file (subscriptions.ts); this class holds the connection, the transaction that writes a
 * batch, the readers and the seals.
 */
export class SqliteEventStore extends BaseEventStore {
  readonly db: Database.Database;
  private readonly clock: () => Date;
  private readonly genesis: number;
  private readonly groupCommit: GroupCommit;
  private readonly subscriptions: Subscriptions;
  private closed = false;
  private readonly readOnly: boolean;
  /** Head as this connection last saw it; another writer moving it invalidates the caches below. */
  private head: number;
  private lastRecordedAt: string;
  private readonly revisions = new Map<string, number>();
  private readonly sealKey: SealKey | undefined;
  private readonly sealKeyFile: string | undefined;
  override readonly seals: EventSeals;

  private readonly stmt: {
    insert: Database.Statement;
    byEventId: Database.Statement<
      [string],
      {
        stream_id: string;
        stream_revision: number;
        global_position: number;
        type: string;
        schema_version: number;
        data_key_id: string | null;
        data: string;
      }
    >;
    streamRevision: Database.Statement<[string], { r: number | null }>;
    head: Database.Statement<[], { p: number | null }>;
    lastRecordedAt: Database.Statement<[], { recorded_at: string } | undefined>;
    readStreamForwards: Database.Statement<[string, number, number], EventRow>;
    readStreamBackwards: Database.Statement<[string, number, number], EventRow>;
    readAll: Database.Statement<[number, number, number], EventRow>;
    eventById: Database.Statement<[string], EventRow>;
    insertReseal: Database.Statement<[string, number, Buffer]>;
    sealedPage: Database.Statement<
      [string, string, number, number, number],
      EventRow & { seal: Buffer | null }
    >;
  };

  constructor(options: SqliteEventStoreOptions) {
    super();
    this.clock = options.clock ?? (() => new Date());
    this.genesis = options.genesisPosition ?? 0;
    this.groupCommit = new GroupCommit(
      (batch) => this.writeBatch(batch),
      options.maxBatchEvents ?? 5000,
      options.observer,
    );
    this.subscriptions = new Subscriptions(
      {
        readFrom: (fromPosition, limit) =>
          this.stmt.readAll.all(fromPosition, Number.MAX_SAFE_INTEGER, limit).map(rowToEvent),
        isClosed: () => this.closed,
      },
      options.pollIntervalMs ?? 500,
    );
    this.readOnly = options.readOnly ?? false;
    if (this.readOnly) {
      this.db = new Database(options.file, { readonly: true, fileMustExist: true });
      this.db.pragma('busy_timeout = 5000');
    } else {
      this.db = new Database(options.file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      this.db.pragma('busy_timeout = 5000');
      this.addSealColumns();
      this.db.exec(eventsSchemaSql);
      this.db
        .prepare("INSERT OR IGNORE INTO ledger_meta(key, value) VALUES ('genesis_position', ?)")
        .run(String(this.genesis));
    }
    // Only rows at a place in the log are events: a row put below the genesis position (by hand, into the file) is
    // never read as part of a stream; the seal check names it (see seals).
    const inLog = `global_position >= ${Math.trunc(this.genesis)}`;
    this.stmt = {
      insert: this.db.prepare(
        `INSERT INTO events (${EVENT_COLUMNS}, seal_key_id, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      byEventId: this.db.prepare(
        `SELECT stream_id, stream_revision, global_position, type, schema_version, data_key_id, data FROM events WHERE event_id = ? AND ${inLog}`,
      ),
      streamRevision: this.db.prepare(
        `SELECT max(stream_revision) AS r FROM events WHERE stream_id = ? AND ${inLog}`,
      ),
      head: this.db.prepare('SELECT max(global_position) AS p FROM events'),
      lastRecordedAt: this.db.prepare('SELECT recorded_at FROM events ORDER BY global_position DESC LIMIT 1'),
      readStreamForwards: this.db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND stream_revision >= ? AND ${inLog} ORDER BY stream_revision LIMIT ?`,
      ),
      readStreamBackwards: this.db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND stream_revision <= ? AND ${inLog} ORDER BY stream_revision DESC LIMIT ?`,
      ),
      readAll: this.db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE global_position >= ? AND global_position <= ? ORDER BY global_position LIMIT ?`,
      ),
      eventById: this.db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ? AND ${inLog}`),
      insertReseal: this.db.prepare(
        'INSERT INTO event_reseals (key_id, global_position, seal) VALUES (?, ?, ?)',
      ),
      // The seal under a key: the one stored with the event, else one an operator added later.
      sealedPage: this.db.prepare(
        `SELECT ${EVENT_COLUMNS.split(', ')
          .map((c) => `e.${c}`)
          .join(', ')}, CASE WHEN e.seal_key_id = ? THEN e.seal ELSE r.seal END AS seal
         FROM events e LEFT JOIN event_reseals r ON r.key_id = ? AND r.global_position = e.global_position
         WHERE e.global_position >= ? AND e.global_position <= ? ORDER BY e.global_position LIMIT ?`,
      ),
    };
    this.sealKey = options.seal?.key;
    this.sealKeyFile = options.seal?.keyFile;
    this.seals = options.seal ? this.sealsView() : NOT_SEALING;
    this.head = this.readHead();
    this.lastRecordedAt = this.stmt.lastRecordedAt.get()?.recorded_at ?? '';
  }

  // ---------- writing ----------

  append(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    if (this.readOnly) return Promise.reject(new StoreReadOnlyError());
    if (events.length === 0) return Promise.reject(new RangeError('append needs at least one event'));
    if (this.sealKeyFile !== undefined && this.sealKey === undefined) {
      return Promise.reject(new SealKeyMissingError(this.sealKeyFile));
    }
    return this.groupCommit.append(streamId, events, options.expectedRevision ?? 'any');
  }

  /** Writes the batch in one transaction and settles each append; answers the number of events written. */
  private writeBatch(batch: PendingAppend[]): number {
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    const batchRevisions = new Map<string, number>();
    const batchIds = new Map<string, StoredIdentity>();
    let appended = 0;
    try {
      this.db
        .transaction(() => {
          this.syncWithDisk();
          let nextPosition = this.head + 1;
          let recordedAt = this.lastRecordedAt;
          for (const request of batch) {
            try {
              const prepared = this.prepareRequest(request, batchRevisions, batchIds);
              if (prepared.kind === 'replay') {
                outcomes.push({ ok: true, result: prepared.result });
                continue;
              }
              const now = this.clock().toISOString();
              // recordedAt never decreases along the global order, so "as of T" is always a prefix of the log.
              if (now > recordedAt) recordedAt = now;
              const positions: number[] = [];
              let revision = prepared.currentRevision;
              for (const [i, e] of request.events.entries()) {
                revision++;
                const fields: SealedFields = {
                  globalPosition: nextPosition,
                  eventId: e.eventId,
                  streamId: request.streamId,
                  streamRevision: revision,
                  type: e.type,
                  schemaVersion: e.schemaVersion,
                  recordedAt,
                  occurredAt: e.occurredAt,
                  actorJson: JSON.stringify(e.actor),
                  correlationId: e.correlationId,
                  causationId: e.causationId,
                  dataJson: prepared.dataJson[i] as string,
                  dataKeyId: e.dataKeyId ?? null,
                };
                // The seal is stored with its event, in the same row: no event is ever stored unsealed. Positional
                // parameters: binding fifteen by name costs more than the seal's hashing.
                this.stmt.insert.run(
                  fields.globalPosition,
                  fields.eventId,
                  fields.streamId,
                  fields.streamRevision,
                  fields.type,
                  fields.schemaVersion,
                  fields.recordedAt,
                  fields.occurredAt,
                  fields.actorJson,
                  fields.correlationId,
                  fields.causationId,
                  fields.dataJson,
                  fields.dataKeyId,
                  this.sealKey?.id ?? null,
                  this.sealKey ? this.sealKey.seal(fields) : null,
                );
                batchIds.set(e.eventId, {
                  streamId: request.streamId,
                  streamRevision: revision,
                  globalPosition: nextPosition,
                  fingerprint: fingerprintOf(request.streamId, e, fields.dataJson),
                });
                positions.push(nextPosition);
                nextPosition++;
                appended++;
              }
              batchRevisions.set(request.streamId, revision);
              outcomes.push({
                ok: true,
                result: { nextExpectedRevision: revision, positions, alreadyStored: false },
              });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
          this.head = nextPosition - 1;
          this.lastRecordedAt = recordedAt;
        })
        .immediate();
    } catch (error) {
      // The transaction rolled back: nothing of this batch is stored. Forget what we believed about the disk.
      this.revisions.clear();
      this.head = this.readHead();
      this.lastRecordedAt = this.stmt.lastRecordedAt.get()?.recorded_at ?? '';
      for (const request of batch) request.reject(error);
      return 0;
    }
    if (this.revisions.size + batchRevisions.size > REVISION_CACHE_LIMIT) this.revisions.clear();
    for (const [streamId, revision] of batchRevisions) this.revisions.set(streamId, revision);
    batch.forEach((request, i) => {
      const outcome = outcomes[i];
      if (!outcome) request.reject(new Error('internal: no outcome for append'));
      else if (outcome.ok) request.resolve(outcome.result);
      else request.reject(outcome.error);
    });
    if (appended > 0) this.subscriptions.appended();
    return appended;
  }

  /** If another connection appended since we last looked, our cached revisions may be stale. */
  private syncWithDisk(): void {
    const diskHead = this.readHead();
    if (diskHead !== this.head) {
      this.revisions.clear();
      this.head = diskHead;
      this.lastRecordedAt = this.stmt.lastRecordedAt.get()?.recorded_at ?? '';
    }
  }

  private prepareRequest(
    request: PendingAppend,
    batchRevisions: Map<string, number>,
    batchIds: Map<string, StoredIdentity>,
  ):
    | { kind: 'replay'; result: AppendResult }
    | { kind: 'write'; currentRevision: number; dataJson: string[] } {
    const dataJson = request.events.map((e) => JSON.stringify(e.data));
    const seen: StoredIdentity[] = [];
    for (const [i, e] of request.events.entries()) {
      const stored = batchIds.get(e.eventId) ?? this.storedIdentity(e.eventId);
      if (stored) seen.push(stored);
      else if (seen.length > 0) throw new DuplicateEventIdError(e.eventId);
      if (stored && stored.fingerprint !== fingerprintOf(request.streamId, e, dataJson[i] as string)) {
        throw new DuplicateEventIdError(e.eventId);
      }
    }
    if (seen.length > 0) {
      const first = seen[0] as StoredIdentity;
      const contiguous =
        seen.length === request.events.length &&
        seen.every((s, i) => s.streamRevision === first.streamRevision + i);
      if (!contiguous) throw new DuplicateEventIdError(request.events[seen.length - 1]?.eventId ?? '');
      return {
        kind: 'replay',
        result: {
          nextExpectedRevision: first.streamRevision + seen.length - 1,
          positions: seen.map((s) => s.globalPosition),
          alreadyStored: true,
        },
      };
    }
    const currentRevision = batchRevisions.get(request.streamId) ?? this.cachedRevision(request.streamId);
    checkExpectedRevision(request.streamId, request.expected, currentRevision);
    return { kind: 'write', currentRevision, dataJson };
  }

  private storedIdentity(eventId: string): StoredIdentity | undefined {
    const row = this.stmt.byEventId.get(eventId);
    if (!row) return undefined;
    return {
      streamId: row.stream_id,
      streamRevision: row.stream_revision,
      globalPosition: row.global_position,
      fingerprint: fingerprintOf(
        row.stream_id,
        {
          type: row.type,
          schemaVersion: row.schema_version,
          ...(row.data_key_id !== null ? { dataKeyId: row.data_key_id } : {}),
        } as NewEvent,
        row.data,
      ),
    };
  }

  private cachedRevision(streamId: string): number {
    const cached = this.revisions.get(streamId);
    if (cached !== undefined) return cached;
    const revision = this.stmt.streamRevision.get(streamId)?.r ?? -1;
    return revision;
  }

  private readHead(): number {
    const p = this.stmt.head.get()?.p;
    return p === null || p === undefined ? this.genesis - 1 : p;
  }

  // ---------- reading ----------

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    const rows =
      options.direction === 'backwards'
        ? this.stmt.readStreamBackwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.stmt.readStreamForwards.all(streamId, options.fromRevision ?? 0, limit);
    return rows.map(rowToEvent);
  }

  async streamRevision(streamId: string): Promise<number> {
    this.assertOpen();
    return this.stmt.streamRevision.get(streamId)?.r ?? -1;
  }

  async *readAll(fromPosition = 0, options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    for await (const page of this.readAllBatches(fromPosition, options)) yield* page;
  }

  override async *readAllBatches(
    fromPosition = 0,
    options: ReadBatchesOptions = {},
  ): AsyncGenerator<RecordedEvent[]> {
    yield* this.pages(EVENT_COLUMNS, false, rowToEvent, BATCH_PAGE, fromPosition, options);
  }

  /**
   * What views fold, read lean: four columns of each row as arrays (no row objects), decoded into `ViewEvent`s. A
   * rebuild of every view spends most of its time here, and the other nine columns are most of the row.
   */
  override async *readViewBatches(
    fromPosition = 0,
    options: ReadBatchesOptions = {},
  ): AsyncGenerator<ViewEvent[]> {
    yield* this.pages(VIEW_COLUMNS, true, viewEventOf, VIEW_PAGE, fromPosition, options);
  }

  /** Pages of the log in global order from `fromPosition`, each row of `columns` decoded by `decode`. */
  private *pages<R, E extends { globalPosition: number }>(
    columns: string,
    raw: boolean,
    decode: (row: R) => E,
    pageSize: number,
    fromPosition: number,
    options: ReadBatchesOptions,
  ): Generator<E[]> {
    const types = options.types ?? [];
    // With a type filter SQLite skips the other rows itself, so they are never decoded. `+type` keeps it on the
    // rowid range: through an index on the type it would sort every remaining match again for each page.
    const statement = this.db
      .prepare<unknown[], R>(
        `SELECT ${columns} FROM events WHERE global_position >= ? AND global_position <= ?${
          types.length > 0 ? ` AND +type IN (${types.map(() => '?').join(',')})` : ''
        } ORDER BY global_position LIMIT ?`,
      )
      .raw(raw);
    let next = fromPosition;
    let remaining = options.limit ?? Number.MAX_SAFE_INTEGER;
    const to = options.toPosition ?? Number.MAX_SAFE_INTEGER;
    while (remaining > 0) {
      this.assertOpen();
      const rows = statement.all(next, to, ...types, Math.min(pageSize, remaining));
      if (rows.length === 0) return;
      const page = rows.map(decode);
      next = (page[page.length - 1] as E).globalPosition + 1;
      remaining -= rows.length;
      yield page;
    }
  }

  override async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    const row = this.stmt.eventById.get(eventId);
    return row ? rowToEvent(row) : undefined;
  }

  /** The file itself, for worker threads to open read-only; an in-memory database has none. */
  override workerLog(): WorkerLogDescription | undefined {
    return this.db.memory ? undefined : { adapter: 'sqlite', file: this.db.name };
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.readHead();
  }

  // ---------- seals ----------

  /** An events table from before seals gets their two columns (no row changes; old rows have none). */
  private addSealColumns(): void {
    const columns = this.db.prepare("SELECT name FROM pragma_table_info('events')").pluck().all();
    if (columns.length > 0 && !columns.includes('seal')) {
      for (const sql of SEAL_COLUMNS_SQL) this.db.exec(sql);
    }
  }

  private sealsView(): EventSeals {
    const keyId = this.sealKey?.id;
    const requireKey = (): SealKey => {
      if (!this.sealKey) throw new SealKeyMissingError(this.sealKeyFile ?? '');
      return this.sealKey;
    };
    return {
      sealing: true,
      keyId,
      check: async (fromPosition, toPosition, limit = 100) => {
        const key = requireKey();
        let expected = Math.max(fromPosition, this.genesis);
        // From the start of the log, the check takes in rows below it too: none belongs there.
        if (fromPosition <= this.genesis) fromPosition = Number.MIN_SAFE_INTEGER;
        const failures: SealFailure[] = [];
        let failureCount = 0;
        let checked = 0;
        for (const rows of this.sealedPages(key.id, fromPosition, toPosition)) {
          for (const row of rows) {
            checked++;
            // Positions are dense: a hole before this row is a row removed, or this one put further on by hand.
            if (row.global_position >= this.genesis && row.global_position > expected) {
              failureCount++;
              if (failures.length < limit) failures.push({ position: expected, kind: 'gap' });
            }
            if (row.global_position >= this.genesis) expected = row.global_position + 1;
            const kind =
              row.seal === null
                ? 'unsealed'
                : wellTyped(row) && key.matches(sealedFieldsOf(row), row.seal)
                  ? null
                  : 'mismatch';
            if (kind === null) continue;
            failureCount++;
            if (failures.length < limit) failures.push({ position: row.global_position, kind });
          }
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        return { checked, failures, failureCount };
      },
      sealExisting: async (fromPosition, toPosition) => {
        if (this.readOnly) throw new StoreReadOnlyError();
        const key = requireKey();
        let sealed = 0;
        for (const rows of this.sealedPages(key.id, fromPosition, toPosition)) {
          this.db.transaction(() => {
            for (const row of rows) {
              if (row.seal !== null) continue;
              this.stmt.insertReseal.run(key.id, row.global_position, key.seal(sealedFieldsOf(row)));
              sealed++;
            }
          })();
        }
        return sealed;
      },
    };
  }

  /** Pages of rows in [from, to] with their seal under `keyId` (null where they have none). */
  private *sealedPages(
    keyId: string,
    fromPosition: number,
    toPosition: number,
  ): Generator<Array<EventRow & { seal: Buffer | null }>> {
    let next = fromPosition;
    while (next <= toPosition) {
      this.assertOpen();
      const rows = this.stmt.sealedPage.all(keyId, keyId, next, toPosition, SEAL_PAGE);
      const last = rows[rows.length - 1];
      if (last === undefined) return;
      yield rows;
      next = last.global_position + 1;
    }
  }

  // ---------- subscriptions ----------

  subscribe(
    fromPosition: number,
    handler: (message: SubscriptionMessage) => void | Promise<void>,
  ): Subscription {
    return this.subscriptions.subscribe(fromPosition, handler);
  }

  // ---------- lifecycle ----------

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let appends already accepted reach the disk before closing.
    await this.groupCommit.drain();
    this.closed = true;
    await this.subscriptions.closeAll();
    this.db.close();
  }
}

/**
 * True when the event file holds no event (or does not exist yet): the composition root creates a seal key only for
 * a log that has nothing unsealed in it. Read-only, so it never creates the file it asks about.
 */
export function eventFileIsEmpty(file: string): boolean {
  if (!fs.existsSync(file)) return true;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    return table === undefined || db.prepare('SELECT 1 FROM events LIMIT 1').get() === undefined;
  } finally {
    db.close();
  }
}
