/**
 * The store port on EventStoreDB (@eventstore/db-client 6, servers 23.10/24.x). ESDB holds the events; the local
 * index (eventIndex.ts) gives them the ledger's dense global positions by following `$all`. The writer appends one
 * command at a time: it catches the index up with `$all`, predicts the positions its events will take, seals them
 * with those positions and its recordedAt (both in the metadata, envelope.ts), appends with the exact stream revision
 * it sealed, and answers once the index has numbered them (read-your-writes). An event that lands elsewhere than
 * predicted (a second writer, an event written around the ledger) carries a seal that does not match its place, and
 * the seal check names it. A replica (`readOnly`) only follows and keeps its own index, identical to the writer's.
 */
import {
  END,
  BACKWARDS,
  FORWARDS,
  START,
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  StreamNotFoundError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamSubscription,
  type JSONType,
  type ReadRevision,
} from '@eventstore/db-client';
import type { Logger } from 'pino';
import { BaseEventStore, NOT_SEALING } from '../baseEventStore';
import type { SealKey } from '../eventSeal';
import {
  checkExpectedRevision,
  DuplicateEventIdError,
  EventStoreError,
  StoreReadOnlyError,
  SealKeyMissingError,
  StoreClosedError,
  StoreUnavailableError,
  type AppendOptions,
  type AppendResult,
  type EventSeals,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadBatchesOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SealFailure,
  type StoreStatus,
  type Subscription,
  type SubscriptionMessage,
} from '../eventStore';
import {
  fingerprintOf,
  isSystemEvent,
  metadataOf,
  readEnvelope,
  recordedEventOf,
  sealedFieldsOfNew,
  sealedFieldsOfRead,
  type EsdbEvent,
  type ReadEnvelope,
} from './envelope';
import { EventIndex, fingerprintHash, type FollowedEvent, type IndexRow } from './eventIndex';
import {
  exactClientRevision,
  isAfter,
  toClientRevision,
  toPortConflict,
  type LogPosition,
} from './revisions';

export interface EventStoreDbEventStoreOptions {
  /** `esdb://host:2113?tls=false` and the like (EVENTSTORE_CONNECTION_STRING). */
  connectionString: string;
  /** The local index's SQLite file (`eventstoredb-index.sqlite` in the data directory, or ':memory:'). */
  indexFile: string;
  /** A replica: follows `$all`, keeps its own index, refuses appends (StoreReadOnlyError). */
  readOnly?: boolean;
  /** As the SQLite store's: `key` undefined means sealing is required but the key file is missing. */
  seal?: { key: SealKey | undefined; keyFile: string };
  clock?: () => Date;
  logger?: Logger;
  /** Backoff between reconnection attempts: doubling from `initialMs` up to `maxMs`. */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** How long an append waits for its events to be numbered before answering StoreUnavailableError (ms). */
  indexWaitMs?: number;
  /** Told of each answered append and each ESDB write (the metrics); the shape of the port's append observer. */
  observer?: { appendSettled(seconds: number): void; batchWritten(events: number): void };
}

/** The stream of seals an operator adds later (`ledger audit recover`): `$`-prefixed, so never part of the log. */
export const RESEAL_STREAM = '$ledger-event-reseals';
const RESEAL_TYPE = 'EventResealed';

/** The index file does not describe this `$all`: refused rather than trusted or silently replaced. */
export class EventIndexMismatchError extends EventStoreError {
  override name = 'EventIndexMismatchError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      `the EventStoreDB index ${file} does not match the server's $all: ${reason}. It was changed behind the ` +
        "ledger's back or belongs to another server; move it aside and the ledger rebuilds it from $all",
    );
  }
}

/** `$all` events read per request while catching up. */
const PULL_PAGE = 512;
/** Index rows resolved per page by the readers. */
const READ_PAGE = 500;
const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Connection = NonNullable<StoreStatus['connection']>;

function keyOf(p: LogPosition): string {
  return `${p.commit}:${p.prepare}`;
}

function newSignal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class EventStoreDbEventStore extends BaseEventStore {
  private readonly client: EventStoreDBClient;
  private readonly index: EventIndex;
  private readonly readOnly: boolean;
  private readonly clock: () => Date;
  private readonly logger: Logger | undefined;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly indexWaitMs: number;
  private readonly observer: EventStoreDbEventStoreOptions['observer'];
  private readonly sealKey: SealKey | undefined;
  private readonly sealKeyFile: string | undefined;
  override readonly seals: EventSeals;
  /** Resolves once the index is checked against `$all` and caught up; rejects when the index is refused. */
  private readonly ready: Promise<void>;
  private connection: Connection = 'connecting';
  private closed = false;
  private appendQueue: Promise<unknown> = Promise.resolve();
  private indexedSignal = newSignal();
  private follower: AllStreamSubscription | undefined;
  private reconnecting = false;
  /** True after an append that ended caught up with `$all`; any failure clears it (the next append reads first). */
  private indexCurrent = false;
  private readonly open = new Set<{ close(): Promise<void> }>();

  constructor(options: EventStoreDbEventStoreOptions) {
    super();
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.readOnly = options.readOnly ?? false;
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger;
    this.backoff = {
      initialMs: options.reconnect?.initialMs ?? 100,
      maxMs: options.reconnect?.maxMs ?? 5000,
    };
    this.indexWaitMs = options.indexWaitMs ?? 10_000;
    this.observer = options.observer;
    this.index = new EventIndex(options.indexFile, (e) => fingerprintOf(e.streamId, e, e.dataJson));
    this.sealKey = options.seal?.key;
    this.sealKeyFile = options.seal?.keyFile;
    this.seals = options.seal ? this.sealsView() : NOT_SEALING;
    this.ready = this.start();
    // A refused index is reported to every caller; this keeps it from also being an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** Resolves when the store is caught up with `$all` and following it; rejects if the index is refused. */
  opened(): Promise<void> {
    return this.ready;
  }

  override status(): StoreStatus {
    return { ok: this.connection === 'connected', connection: this.connection };
  }

  // ---------- following $all ----------

  private async start(): Promise<void> {
    let delay = this.backoff.initialMs;
    for (;;) {
      if (this.closed) throw new StoreClosedError();
      try {
        await this.checkIndexAgainstLog();
        await this.pull();
        break;
      } catch (error) {
        if (error instanceof EventIndexMismatchError) {
          this.connection = 'closed';
          throw error;
        }
        this.logger?.warn({ err: error, retryInMs: delay }, 'EventStoreDB not reachable; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, this.backoff.maxMs);
      }
    }
    if (this.closed) throw new StoreClosedError();
    this.startFollower();
    this.connection = 'connected';
  }

  /**
   * An index that was there before must describe this `$all`: dense from 0, and its first, middle and last events
   * where it says, with the ids and content it says. Deeper changes show as seal failures (seals cover positions).
   */
  private async checkIndexAgainstLog(): Promise<void> {
    if (!this.index.existed) return;
    const problem = this.index.structuralProblem();
    if (problem !== undefined) throw new EventIndexMismatchError(this.index.file, problem);
    const head = this.index.head();
    if (head < 0) return;
    for (const position of new Set([0, Math.floor(head / 2), head])) {
      const row = this.index.at(position);
      if (!row) throw new EventIndexMismatchError(this.index.file, `position ${position} is missing`);
      const [resolved] = await this.resolve([row]);
      const e = resolved?.envelope;
      if (
        !e ||
        e.streamId !== row.streamId ||
        e.streamRevision !== row.streamRevision ||
        fingerprintHash(fingerprintOf(e.streamId, e, e.dataJson)) !== row.fingerprint
      ) {
        throw new EventIndexMismatchError(
          this.index.file,
          `position ${position} (event ${row.eventId}) is not that event on the server`,
        );
      }
    }
  }

  /** Reads `$all` from the followed position to its end and numbers what it finds. */
  private async pull(): Promise<void> {
    for (;;) {
      const from = this.index.followed();
      const batch: FollowedEvent[] = [];
      try {
        const read = this.client.readAll({
          fromPosition: from ?? START,
          maxCount: PULL_PAGE,
          direction: FORWARDS,
        });
        for await (const resolved of read) {
          const e = resolved.event as EsdbEvent | undefined;
          if (e?.position) batch.push({ position: e.position, envelope: readEnvelope(e) });
        }
      } catch (error) {
        throw new StoreUnavailableError(`reading $all failed (${(error as Error).message})`);
      }
      this.take(batch);
      if (batch.length < PULL_PAGE) return;
    }
  }

  /** Numbers followed events and wakes the subscriptions when any got a position. */
  private take(batch: FollowedEvent[]): void {
    const outcomes = this.index.ingest(batch);
    let indexed = false;
    outcomes.forEach((o, i) => {
      if (o.kind === 'indexed') {
        indexed = true;
        const claimed = batch[i]?.envelope.sealedPosition;
        if (claimed !== undefined && claimed !== o.row.globalPosition) {
          // A second writer, or an event written around the ledger, took the place this one was sealed for.
          this.logger?.warn(
            { eventId: o.row.eventId, sealedPosition: claimed, position: o.row.globalPosition },
            'an event took another position than its seal names; the seal check will report it',
          );
        }
      } else if (o.kind === 'duplicateCopy') {
        this.logger?.warn(
          { eventId: o.original.eventId, position: o.original.globalPosition },
          'EventStoreDB stored a second copy of an event id; it has no position in the ledger',
        );
      }
    });
    if (indexed) {
      const previous = this.indexedSignal;
      this.indexedSignal = newSignal();
      previous.resolve();
    }
  }

  /**
   * The live follower: `$all` from the followed position without system events (server filter; streams with a `$`
   * are dropped by the index). Its checkpoints only say the connection lives: the index advances by the events it
   * takes in, so a checkpoint delivered ahead of buffered events can never skip one.
   */
  private startFollower(): void {
    const from = this.index.followed();
    const subscription = this.client.subscribeToAll({
      fromPosition: from ?? START,
      filter: excludeSystemEvents({
        checkpointReached: () => {
          if (this.connection === 'reconnecting' && !this.reconnecting) this.connection = 'connected';
        },
      }),
    });
    this.follower = subscription;
    subscription.on('data', (resolved) => {
      const e = resolved.event as EsdbEvent | undefined;
      if (!e?.position || this.closed) return;
      try {
        this.take([{ position: e.position, envelope: readEnvelope(e) }]);
      } catch (error) {
        this.logger?.error({ err: error }, 'the EventStoreDB index could not take in an event');
        this.followerLost(subscription, error);
      }
    });
    subscription.on('error', (error) => this.followerLost(subscription, error));
    subscription.on('end', () => this.followerLost(subscription, new Error('the subscription ended')));
  }

  private followerLost(subscription: AllStreamSubscription, error: unknown): void {
    if (this.closed || this.follower !== subscription) return;
    this.follower = undefined;
    void subscription.unsubscribe().catch(() => undefined);
    this.connection = 'reconnecting';
    this.logger?.warn({ err: error }, 'lost the EventStoreDB subscription; reconnecting');
    void this.reconnect();
  }

  /** Catches up, then resubscribes from the last indexed position; doubling waits between failed attempts. */
  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    let delay = this.backoff.initialMs;
    try {
      while (!this.closed) {
        await sleep(delay);
        if (this.closed) return;
        try {
          await this.pull();
          this.startFollower();
          this.connection = 'connected';
          this.logger?.info('reconnected to EventStoreDB');
          return;
        } catch (error) {
          this.logger?.warn({ err: error, retryInMs: delay }, 'EventStoreDB still not reachable');
          delay = Math.min(delay * 2, this.backoff.maxMs);
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  // ---------- writing ----------

  append(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    if (this.readOnly) return Promise.reject(new StoreReadOnlyError());
    if (events.length === 0) return Promise.reject(new RangeError('append needs at least one event'));
    if (this.sealKeyFile !== undefined && this.sealKey === undefined) {
      return Promise.reject(new SealKeyMissingError(this.sealKeyFile));
    }
    // ESDB's own names start with `$`; the index never numbers them, so such an append could never be answered.
    const system = isSystemEvent(streamId, '') || events.find((e) => isSystemEvent('', e.type));
    if (system) {
      return Promise.reject(
        new RangeError(
          'a stream or event type starting with $ is EventStoreDB’s own and not part of the ledger',
        ),
      );
    }
    const badId = events.find((e) => !LOWERCASE_UUID.test(e.eventId));
    if (badId) {
      return Promise.reject(
        new RangeError(
          `EventStoreDB needs event ids as lowercase UUIDs, not ${JSON.stringify(badId.eventId)}`,
        ),
      );
    }
    const expected = options.expectedRevision ?? 'any';
    try {
      // What the caller expects must be one the client could send; the append itself sends the exact revision.
      toClientRevision(expected);
    } catch (error) {
      return Promise.reject(error);
    }
    // One command at a time: the positions a writer seals are predicted from an index nothing else is moving.
    const started = performance.now();
    const run = this.appendQueue.then(() => this.appendNow(streamId, events, expected));
    this.appendQueue = run.catch(() => undefined);
    const observer = this.observer;
    if (!observer) return run;
    const settled = (): void => observer.appendSettled((performance.now() - started) / 1000);
    return run.then(
      (result) => {
        settled();
        return result;
      },
      (error: unknown) => {
        settled();
        throw error;
      },
    );
  }

  private async appendNow(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    await this.ready;
    if (this.closed) throw new StoreClosedError();
    const dataJson = events.map((e) => JSON.stringify(e.data) ?? 'null');
    // Caught up, the index knows every id committed so far: a retry after a lost ack is answered exactly here. The
    // last append ended with a catch-up and the follower takes in the rest live, so only after a failure, or while
    // the follower is away, does this read `$all` first.
    if (!this.indexCurrent || this.connection !== 'connected') await this.pull();
    this.indexCurrent = false;
    for (let attempt = 0; ; attempt++) {
      const replay = this.replayOf(streamId, events, dataJson);
      if (replay) return replay;
      const current = this.index.streamRevision(streamId);
      checkExpectedRevision(streamId, expected, current);
      // ESDB's own count, which an event the ledger does not number (a second copy) also moves.
      const serverRevision = this.index.streamHead(streamId);
      const first = this.index.head() + 1;
      const now = this.clock().toISOString();
      const last = this.index.lastRecorded();
      const recordedAt = now > last ? now : last;
      const payload = events.map((e, i) => {
        const placement = { globalPosition: first + i, streamRevision: serverRevision + 1 + i, recordedAt };
        const seal = this.sealKey
          ? {
              keyId: this.sealKey.id,
              seal: this.sealKey.seal(sealedFieldsOfNew(streamId, e, dataJson[i] as string, placement)),
            }
          : undefined;
        return jsonEvent({
          id: e.eventId,
          type: e.type,
          data: e.data as JSONType,
          metadata: metadataOf(e, placement, seal),
        });
      });
      try {
        // The exact revision sealed, whatever the caller expected: ESDB then refuses rather than store a revision
        // other than the one in the seal.
        await this.client.appendToStream(streamId, payload, {
          expectedRevision: exactClientRevision(serverRevision),
        });
      } catch (error) {
        if (error instanceof MaxAppendSizeExceededError) {
          // A definite refusal, nothing written: the server's MaxAppendSize (1 MiB by default) is below this command.
          throw new EventStoreError(
            `the server refuses appends over ${error.maxAppendSize} bytes (its MaxAppendSize); raise it for events this large`,
          );
        }
        const conflict = toPortConflict(error, streamId, expected);
        if (!conflict) {
          // The outcome is unknown (the ack may be lost): a retry with the same ids is answered exactly.
          throw new StoreUnavailableError(`the append's outcome is unknown (${(error as Error).message})`);
        }
        // Someone wrote to the stream after the catch-up: catch up again and decide again.
        if (attempt >= 3) throw conflict;
        await this.pull();
        continue;
      }
      // One ESDB append is one write of the whole command: the batch the metrics count.
      this.observer?.batchWritten(events.length);
      const rows = await this.numbered(events.map((e) => e.eventId));
      this.indexCurrent = true;
      return {
        nextExpectedRevision: (rows[rows.length - 1] as IndexRow).streamRevision,
        positions: rows.map((r) => r.globalPosition),
        alreadyStored: false,
      };
    }
  }

  /** The stored result when every event is already stored as these events; a refusal when only some, or others. */
  private replayOf(streamId: string, events: NewEvent[], dataJson: string[]): AppendResult | undefined {
    const seen: IndexRow[] = [];
    for (const [i, e] of events.entries()) {
      const stored = this.index.byEventId(e.eventId);
      if (stored) seen.push(stored);
      else if (seen.length > 0) throw new DuplicateEventIdError(e.eventId);
      if (
        stored &&
        stored.fingerprint !== fingerprintHash(fingerprintOf(streamId, e, dataJson[i] as string))
      ) {
        throw new DuplicateEventIdError(e.eventId);
      }
    }
    if (seen.length === 0) return undefined;
    const first = seen[0] as IndexRow;
    const contiguous =
      seen.length === events.length && seen.every((s, i) => s.streamRevision === first.streamRevision + i);
    if (!contiguous) throw new DuplicateEventIdError(events[seen.length - 1]?.eventId ?? '');
    return {
      nextExpectedRevision: first.streamRevision + seen.length - 1,
      positions: seen.map((s) => s.globalPosition),
      alreadyStored: true,
    };
  }

  /** Waits until the index has numbered these ids (they are committed): the answer comes after its events are. */
  private async numbered(eventIds: string[]): Promise<IndexRow[]> {
    const deadline = Date.now() + this.indexWaitMs;
    for (;;) {
      const rows = eventIds.map((id) => this.index.byEventId(id));
      if (rows.every((r) => r !== undefined)) return rows as IndexRow[];
      if (Date.now() > deadline) {
        throw new StoreUnavailableError('the append was acknowledged but $all does not show it yet');
      }
      try {
        await this.pull();
      } catch {
        await sleep(50);
      }
    }
  }

  // ---------- reading ----------

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    await this.opened();
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    let remaining = options.limit ?? Number.MAX_SAFE_INTEGER;
    if (remaining <= 0) return [];
    let from: ReadRevision;
    if (options.fromRevision === undefined) from = backwards ? END : START;
    else if (options.fromRevision < 0) {
      if (backwards) return [];
      from = START;
    } else from = BigInt(options.fromRevision);
    const out: RecordedEvent[] = [];
    // Events ESDB has but the ledger does not number (system types, second copies) are passed over, so a limited
    // read may take more than one request.
    for (;;) {
      const want = Math.min(remaining, 4096);
      let read = 0;
      let lastRevision: bigint | undefined;
      try {
        for await (const resolved of this.client.readStream(streamId, {
          fromRevision: from,
          maxCount: want,
          direction: backwards ? BACKWARDS : FORWARDS,
        })) {
          const e = resolved.event as EsdbEvent | undefined;
          if (!e) continue;
          read++;
          lastRevision = e.revision;
          const row = this.index.byEventId(e.id);
          // Read to the end of the page: leaving a client read early leaves a call that dispose() waits for.
          if (remaining === 0) continue;
          if (!row || row.streamId !== e.streamId || row.streamRevision !== Number(e.revision)) continue;
          out.push(recordedEventOf(readEnvelope(e), row.globalPosition, row.recordedAt));
          remaining--;
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return out;
        throw new StoreUnavailableError(`reading stream ${streamId} failed (${(error as Error).message})`);
      }
      if (remaining === 0 || read < want || lastRevision === undefined) return out;
      if (backwards && lastRevision === 0n) return out;
      from = backwards ? lastRevision - 1n : lastRevision + 1n;
    }
  }

  async streamRevision(streamId: string): Promise<number> {
    await this.opened();
    this.assertOpen();
    return this.index.streamRevision(streamId);
  }

  async *readAll(fromPosition = 0, options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    for await (const page of this.readAllBatches(fromPosition, options)) yield* page;
  }

  override async *readAllBatches(
    fromPosition = 0,
    options: ReadBatchesOptions = {},
  ): AsyncGenerator<RecordedEvent[]> {
    await this.opened();
    const types = options.types ? new Set(options.types) : undefined;
    let next = Math.max(0, fromPosition);
    let remaining = options.limit ?? Number.MAX_SAFE_INTEGER;
    const to = options.toPosition ?? Number.MAX_SAFE_INTEGER;
    while (remaining > 0) {
      this.assertOpen();
      const rows = this.index.rows(next, to, Math.min(READ_PAGE, remaining));
      const lastRow = rows[rows.length - 1];
      if (lastRow === undefined) return;
      next = lastRow.globalPosition + 1;
      remaining -= rows.length;
      const wanted = types ? rows.filter((r) => types.has(r.type)) : rows;
      if (wanted.length === 0) continue;
      const page: RecordedEvent[] = [];
      for (const { row, envelope } of await this.resolve(wanted)) {
        if (envelope) page.push(recordedEventOf(envelope, row.globalPosition, row.recordedAt));
      }
      if (page.length > 0) yield page;
    }
  }

  override async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    await this.opened();
    this.assertOpen();
    const row = this.index.byEventId(eventId);
    if (!row) return undefined;
    const [resolved] = await this.resolve([row]);
    return resolved?.envelope
      ? recordedEventOf(resolved.envelope, row.globalPosition, row.recordedAt)
      : undefined;
  }

  /**
   * The ESDB events of index rows (in order), read as one range of `$all`; a row whose event the server no longer
   * has comes back without one (the seal check calls that a gap).
   */
  private async resolve(
    rows: IndexRow[],
  ): Promise<Array<{ row: IndexRow; envelope: ReadEnvelope | undefined }>> {
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) return [];
    const wanted = new Map(rows.map((r) => [keyOf(r.position), r]));
    const found = new Map<number, ReadEnvelope>();
    let from: LogPosition = first.position;
    const maxCount = Math.min(rows.length * 2 + 16, 4096);
    try {
      for (;;) {
        let read = 0;
        let passedLast = false;
        for await (const resolved of this.client.readAll({
          fromPosition: from,
          maxCount,
          direction: FORWARDS,
        })) {
          const e = resolved.event as EsdbEvent | undefined;
          read++;
          if (!e?.position || passedLast) continue;
          from = e.position;
          // The page is read to its end (see readStream), bounded by maxCount.
          if (isAfter(e.position, last.position)) {
            passedLast = true;
            continue;
          }
          const row = wanted.get(keyOf(e.position));
          if (row && row.eventId === e.id) found.set(row.globalPosition, readEnvelope(e));
        }
        if (passedLast || read < maxCount) break;
      }
    } catch (error) {
      throw new StoreUnavailableError(`reading $all failed (${(error as Error).message})`);
    }
    return rows.map((row) => ({ row, envelope: found.get(row.globalPosition) }));
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.index.head();
  }

  // ---------- subscriptions ----------

  /** Reads the index's positions from `fromPosition`, then wakes whenever the follower numbers more. */
  subscribe(
    fromPosition: number,
    handler: (message: SubscriptionMessage) => void | Promise<void>,
  ): Subscription {
    let closed = false;
    let wake: (() => void) | undefined;
    const run = async (): Promise<void> => {
      await this.opened();
      let next = fromPosition;
      let caughtUp = false;
      while (!closed && !this.closed) {
        const signal = this.indexedSignal.promise;
        let delivered = 0;
        for await (const page of this.readAllBatches(next, { limit: READ_PAGE })) {
          for (const event of page) {
            if (closed) return;
            await handler({ kind: 'event', event });
            next = event.globalPosition + 1;
            delivered++;
          }
        }
        // A row whose event the server lost is skipped; delivery goes on after it rather than stalling.
        if (delivered === 0 && this.index.head() >= next) {
          next = Math.min(this.index.head() + 1, next + READ_PAGE);
          continue;
        }
        if (delivered > 0) continue;
        if (!caughtUp) {
          caughtUp = true;
          await handler({ kind: 'caughtUp', position: next - 1 });
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          void signal.then(resolve);
        });
        wake = undefined;
      }
    };
    const done = run();
    const entry = {
      close: async (): Promise<void> => {
        closed = true;
        wake?.();
        this.open.delete(entry);
        await done.catch(() => undefined);
      },
    };
    this.open.add(entry);
    return { done, close: entry.close };
  }

  // ---------- seals ----------

  private sealsView(): EventSeals {
    const requireKey = (): SealKey => {
      if (!this.sealKey) throw new SealKeyMissingError(this.sealKeyFile ?? '');
      return this.sealKey;
    };
    return {
      sealing: true,
      keyId: this.sealKey?.id,
      check: async (fromPosition, toPosition, limit = 100) => {
        const key = requireKey();
        await this.opened();
        const reseals = await this.reseals(key.id);
        const failures: SealFailure[] = [];
        let failureCount = 0;
        let checked = 0;
        const fail = (position: number, kind: SealFailure['kind']): void => {
          failureCount++;
          if (failures.length < limit) failures.push({ position, kind });
        };
        await this.forEachResolved(fromPosition, toPosition, (row, e) => {
          checked++;
          if (!e) return fail(row.globalPosition, 'gap');
          const seal =
            e.seal?.keyId === key.id ? e.seal.seal : reseals.get(`${row.globalPosition}:${row.eventId}`);
          if (!seal) return fail(row.globalPosition, 'unsealed');
          if (!key.matches(sealedFieldsOfRead(e, row.globalPosition, row.recordedAt), seal)) {
            fail(row.globalPosition, 'mismatch');
          }
        });
        return { checked, failures, failureCount };
      },
      sealExisting: async (fromPosition, toPosition) => {
        const key = requireKey();
        if (this.readOnly) throw new StoreReadOnlyError();
        await this.opened();
        const reseals = await this.reseals(key.id);
        const fresh: Array<{ globalPosition: number; eventId: string; seal: string }> = [];
        await this.forEachResolved(fromPosition, toPosition, (row, e) => {
          if (!e || e.seal?.keyId === key.id || reseals.has(`${row.globalPosition}:${row.eventId}`)) return;
          const seal = key.seal(sealedFieldsOfRead(e, row.globalPosition, row.recordedAt));
          fresh.push({
            globalPosition: row.globalPosition,
            eventId: row.eventId,
            seal: seal.toString('base64'),
          });
        });
        for (let i = 0; i < fresh.length; i += 500) {
          await this.client.appendToStream(
            RESEAL_STREAM,
            fresh
              .slice(i, i + 500)
              .map((r) => jsonEvent({ type: RESEAL_TYPE, data: { keyId: key.id, ...r } })),
          );
        }
        return fresh.length;
      },
    };
  }

  private async forEachResolved(
    fromPosition: number,
    toPosition: number,
    visit: (row: IndexRow, envelope: ReadEnvelope | undefined) => void,
  ): Promise<void> {
    let next = Math.max(0, fromPosition);
    while (next <= toPosition) {
      this.assertOpen();
      const rows = this.index.rows(next, toPosition, READ_PAGE);
      const lastRow = rows[rows.length - 1];
      if (!lastRow) return;
      for (const { row, envelope } of await this.resolve(rows)) visit(row, envelope);
      next = lastRow.globalPosition + 1;
    }
  }

  /**
   * Seals an operator added under `keyId`, by position and event id. They live in ESDB (a `$` stream, outside the
   * log) rather than in the index file, so a rebuilt index and every replica see them too.
   */
  private async reseals(keyId: string): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    try {
      for await (const resolved of this.client.readStream(RESEAL_STREAM)) {
        const d = resolved.event?.data as
          { keyId?: unknown; globalPosition?: unknown; eventId?: unknown; seal?: unknown } | undefined;
        if (
          d?.keyId === keyId &&
          typeof d.globalPosition === 'number' &&
          typeof d.eventId === 'string' &&
          typeof d.seal === 'string'
        ) {
          out.set(`${d.globalPosition}:${d.eventId}`, Buffer.from(d.seal, 'base64'));
        }
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return out;
  }

  // ---------- lifecycle ----------

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Appends already accepted finish first (each is answered or refused), then nothing new starts.
    await this.appendQueue;
    this.closed = true;
    this.connection = 'closed';
    const previous = this.indexedSignal;
    this.indexedSignal = newSignal();
    previous.resolve();
    await Promise.all([...this.open].map((s) => s.close()));
    const follower = this.follower;
    this.follower = undefined;
    await follower?.unsubscribe().catch(() => undefined);
    await this.ready.catch(() => undefined);
    const disposed = this.client.dispose().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 5000)));
    if ((await Promise.race([disposed, late])) === 'late') {
      this.logger?.warn('the EventStoreDB client did not close its calls within 5 s; closing anyway');
    }
    clearTimeout(timer);
    this.index.close();
  }
}
