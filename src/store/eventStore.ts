/**
 * The event store port. Everything else (command handling, projections, audit, HTTP, CLI) depends on this
 * interface, never on an adapter. Each adapter has its folder beside it (`sqlite/`, the embedded default).
 */

/** Who caused an event: the authenticated principal and the role it acted in. */
export interface Actor {
  principal: string;
  role: string;
}

/** An event as the application hands it to the store, before it has a place in the log. */
export interface NewEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  /** The business date the data names (ISO date or timestamp). */
  occurredAt: string;
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  data: unknown;
  /** Id of the key that encrypts personal data inside `data`, when it has any. */
  dataKeyId?: string;
}

/** The envelope of DOMAIN.md: a stored event with its place in its stream and in the whole ledger. */
export interface RecordedEvent<D = unknown> extends NewEvent {
  data: D;
  streamId: string;
  /** 0-based within its stream. */
  streamRevision: number;
  /** 0-based, dense, the order of the whole ledger. */
  globalPosition: number;
  /** Server clock (ISO timestamp); never decreases along the global order. */
  recordedAt: string;
}

/**
 * What the caller believes about the stream before appending:
 * `any` (no check), `no_stream` (must not exist), `stream_exists` (must exist), or the revision of its last event.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream (pass it as the next expectedRevision). */
  nextExpectedRevision: number;
  /** Global position of each appended event, in order. */
  positions: number[];
  /** True when every event was already stored (idempotent re-append): nothing was written. */
  alreadyStored: boolean;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: Direction;
  /** Inclusive revision to start from (default: the start, or the end when reading backwards). */
  fromRevision?: number;
  limit?: number;
}

export interface ReadAllOptions {
  /** Stop after this many events. */
  limit?: number;
  /** Inclusive upper bound on the global position. */
  toPosition?: number;
}

export interface ReadBatchesOptions extends ReadAllOptions {
  /** Only events of these types (a reader that folds one view skips the rest without decoding them). */
  types?: readonly string[];
}

/**
 * The part of a recorded event that views fold: where it stands in the ledger, its stream, its type and its business
 * data. Who recorded it, when, and its ids are for the audit and the API, not for views; leaving them out lets a
 * rebuild read a quarter of the columns.
 */
export type ViewEvent = Pick<RecordedEvent, 'globalPosition' | 'streamId' | 'type' | 'data'>;

export type SubscriptionMessage =
  | { kind: 'event'; event: RecordedEvent }
  /** Sent once, when the subscription has delivered everything that was in the log; live events follow. */
  | { kind: 'caughtUp'; position: number };

export interface Subscription {
  /** Stops delivery; resolves when the handler is no longer running. */
  close(): Promise<void>;
  /** Resolves when the subscription ends (closed, or the handler threw: then it rejects). */
  readonly done: Promise<void>;
}

/** An event whose seal does not authenticate it: none under the current key, or one that does not match. */
export interface SealFailure {
  position: number;
  /** `gap`: no event at this position though one follows (a row removed, or a later one put there by hand). */
  kind: 'unsealed' | 'mismatch' | 'gap';
}

/**
 * The writer's seals (store/eventSeal.ts): an adapter given a seal key stores one with every event it appends, and
 * tells which stored events do not carry a matching one (inserted or altered behind the ledger's back).
 */
export interface EventSeals {
  /**
   * Whether the store seals what it appends. The production composition always does; a store opened without a seal
   * key file (tests and benchmarks of the store) does not, and then `check` and `sealExisting` reject.
   */
  readonly sealing: boolean;
  /** The current key's id; undefined when the key is missing (appends are then refused, nothing authenticates). */
  readonly keyId: string | undefined;
  /**
   * Checks the events at positions [from, to]: how many were checked, and the first `limit` (default 100) that fail
   * with the number of failures in all. Rejects with SealKeyMissingError when there is no key.
   */
  check(
    fromPosition: number,
    toPosition: number,
    limit?: number,
  ): Promise<{ checked: number; failures: SealFailure[]; failureCount: number }>;
  /**
   * Seals, under the current key, the events in [from, to] that have no seal under it; answers how many. Only an
   * operator's recovery calls this (`ledger audit recover`), after it has authenticated those events otherwise.
   */
  sealExisting(fromPosition: number, toPosition: number): Promise<number>;
}

/**
 * Where a worker thread can open the same log read-only for itself (store/workerLog.ts opens it): a parallel
 * verify hashes leaves on several threads, each reading its own range. One member per adapter that can.
 */
export type WorkerLogDescription = { adapter: 'sqlite'; file: string };

/** A log opened on a worker thread (store/workerLog.ts): synchronous, since the thread does nothing else meanwhile. */
export interface WorkerLogReader {
  /** The events at positions [from, to), in order. */
  readRange(fromPosition: number, toPosition: number): RecordedEvent[];
  close(): void;
}

/** How the store stands with its server, for `/readyz` and `/metrics`. */
export interface StoreStatus {
  /** False while the store cannot serve: not yet connected, reconnecting, or closed. */
  ok: boolean;
  /** The connection to a server; absent for an embedded store (SQLite), which has none. */
  connection?: 'connecting' | 'connected' | 'reconnecting' | 'closed';
}

/**
 * Every method is required; an adapter that has nothing faster than `readAll` for some of them extends
 * BaseEventStore (store/baseEventStore.ts), which gives them from the others.
 */
export interface EventStore {
  /** The writer's seals; a store that does not seal says so (`sealing` false). */
  readonly seals: EventSeals;
  /** Appends atomically; all events go to `streamId` with consecutive revisions. */
  append(streamId: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Events of one stream; an unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The last revision of the stream, or -1 when it does not exist. */
  streamRevision(streamId: string): Promise<number>;
  /** The whole log from a global position (inclusive), in order. */
  readAll(fromPosition?: number, options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * The same, a page at a time (never an empty page): bulk readers (rebuilds, verify, as-of replays) avoid a
   * promise per event.
   */
  readAllBatches(fromPosition?: number, options?: ReadBatchesOptions): AsyncIterable<RecordedEvent[]>;
  /** As `readAllBatches`, but only what views fold (an adapter that can read fewer columns does). */
  readViewBatches(fromPosition?: number, options?: ReadBatchesOptions): AsyncIterable<ViewEvent[]>;
  /**
   * The event with this id, or undefined. Lets the command service find what an interrupted attempt of an
   * idempotent command wrote (see application/idempotentIds.ts).
   */
  readEvent(eventId: string): Promise<RecordedEvent | undefined>;
  /**
   * Delivers every event from `fromPosition` (inclusive), then `caughtUp`, then live appends, with no gap and no
   * duplicate. The handler is awaited: the next message waits for it.
   */
  subscribe(
    fromPosition: number,
    handler: (message: SubscriptionMessage) => void | Promise<void>,
  ): Subscription;
  /** Global position of the last event, or -1 when the log is empty. */
  headPosition(): Promise<number>;
  /** The store's connection state; answers at once, without asking a server. */
  status(): StoreStatus;
  /** Where a worker thread can open this log, or undefined when none can (then verify hashes on one thread). */
  workerLog(): WorkerLogDescription | undefined;
  close(): Promise<void>;
}

/**
 * What an adapter tells an observer about its appends (the metrics, src/metrics/): passed in by the composition root,
 * optional, and called synchronously, so it must be cheap.
 */
export interface AppendObserver {
  /** An append was answered (written, replayed or refused), `seconds` after it was called. */
  appendSettled(seconds: number): void;
  /** One transaction wrote this many events (group commit: the appends of one tick share it). */
  batchWritten(events: number): void;
}

/** The base of the errors the store raises; the HTTP layer maps each to a problem type in one place. */
export class EventStoreError extends Error {
  override name = 'EventStoreError';
}

/** The stream was not at the expected revision. */
export class WrongExpectedRevisionError extends EventStoreError {
  override name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number,
  ) {
    super(`stream ${streamId} expected at revision ${String(expected)} but is at ${actual}`);
  }
}

/** An event id is already stored, but not as the same event of the same stream. */
export class DuplicateEventIdError extends EventStoreError {
  override name = 'DuplicateEventIdError';
  constructor(readonly eventId: string) {
    super(`event id ${eventId} is already stored with other content or in another stream`);
  }
}

/** Sealing is required but the seal key is missing: nothing may be appended that could not be authenticated. */
export class SealKeyMissingError extends EventStoreError {
  override name = 'SealKeyMissingError';
  constructor(readonly file: string) {
    super(`the event seal key is missing (${file}): appends are refused until an operator resolves it`);
  }
}

/**
 * A stored row cannot be read as an event (its JSON does not parse): the file was changed behind the ledger's back,
 * since the store writes only what JSON.stringify gave it.
 */
export class UnreadableEventError extends EventStoreError {
  override name = 'UnreadableEventError';
  constructor(
    readonly position: number,
    readonly field: string,
    cause: string,
  ) {
    super(
      `the event at position ${position} cannot be read: its ${field} is not JSON (${cause}); the event file was ` +
        "changed behind the ledger's back (`ledger audit status`)",
    );
  }
}

/**
 * The store's server cannot be reached (or an append's outcome is unknown because the connection broke): the caller
 * may retry; an append retried with the same event ids is answered exactly (alreadyStored) if the first one landed.
 */
export class StoreUnavailableError extends EventStoreError {
  override name = 'StoreUnavailableError';
  constructor(detail: string) {
    super(`the event store's server is unavailable: ${detail}`);
  }
}

/** The store was used after close(). */
export class StoreClosedError extends EventStoreError {
  override name = 'StoreClosedError';
  constructor() {
    super('the event store is closed');
  }
}

/** An append to a store opened read-only: a replica's, which follows the writer's log and never writes to it. */
export class StoreReadOnlyError extends EventStoreError {
  override name = 'StoreReadOnlyError';
  constructor() {
    super('the event store is open read-only (a replica): only the writer appends');
  }
}

export function checkExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === -1) ||
    (expected === 'stream_exists' && actual >= 0) ||
    expected === actual;
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
}
