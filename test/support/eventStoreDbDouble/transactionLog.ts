/**
 * The EventStoreDB test double's storage: one in-memory transaction log, the streams' indexes over it, and the
 * server's commit check with its best-effort event-id deduplication. Everything here follows the KurrentDB server
 * source (github.com/kurrent-io/KurrentDB, read at 44996ed05); each rule names the file it comes from.
 *
 * Log positions grow by each record's size, as byte offsets in the server's chunk files do, so they are never 0, 1,
 * 2: a reader that assumed dense positions fails against the double as it would against a server.
 */

/** `ExpectedVersion` in src/KurrentDB.Core/Data/ExpectedVersion.cs: any -2, no stream -1, stream exists -4. */
export type ExpectedVersion =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: number };

/** An event as the client proposes it (AppendReq.ProposedMessage). */
export interface ProposedEvent {
  /** Lower-case canonical UUID, as the server's Guid prints it. */
  eventId: string;
  eventType: string;
  isJson: boolean;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

/** A prepare record in the log: one event, committed implicitly (the only kind gRPC appends write). */
export interface LogRecord extends ProposedEvent {
  /** Its log position; for an implicitly committed prepare the commit and prepare positions are both this. */
  position: number;
  /** The position right after it: where the next record starts. */
  postPosition: number;
  streamName: string;
  eventNumber: number;
  /** .NET ticks (100 ns) since the Unix epoch, as the server's `created` metadata carries them. */
  createdTicks: bigint;
}

export type CommitOutcome =
  /** Written: the stream's last event number now, and the log position of the write's last event. */
  | { kind: 'written'; currentRevision: number; position: number | undefined; records: LogRecord[] }
  /** Every event was already written by an earlier append: nothing new, the earlier append's answer. */
  | { kind: 'idempotent'; currentRevision: number; position: number | undefined }
  /** The stream is not where the request expected it; `currentRevision` -1 when it has no events. */
  | { kind: 'wrongExpectedVersion'; currentRevision: number };

/**
 * The size of a LogV2 prepare record (src/KurrentDB.Core/TransactionLog/LogRecords/PrepareLogRecord.cs writes these
 * fields) with its 4-byte length prefix and suffix: close enough to the server's sizes to make positions sparse and
 * uneven, which is all a reader may rely on.
 */
function recordSize(streamName: string, eventType: string, data: Uint8Array, meta: Uint8Array): number {
  const header = 1 + 1 + 8 + 2 + 8 + 4 + 8; // record type, version, log position, flags, transaction pos/offset, expected version
  const ids = 16 + 16 + 8; // event id, correlation id, timestamp
  const strings = 1 + Buffer.byteLength(streamName) + 1 + Buffer.byteLength(eventType);
  return 4 + header + ids + strings + 4 + data.length + 4 + meta.length + 4;
}

/**
 * The server's cache of recently committed event ids (IndexWriter._committedEvents, a BoundedCache in
 * src/KurrentDB.Core/Services/Storage/ReaderIndex/BoundedCache.cs): limited by an estimate of its memory,
 * ESConsts.CommittedEventsMemCacheLimit = 8 MiB, oldest evicted first. It is all the weak idempotency check sees, so
 * a retry whose first attempt has fallen out of it is written again.
 */
class CommittedEventsCache {
  private readonly entries = new Map<string, { streamName: string; eventNumber: number; size: number }>();
  private readonly order: string[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  get(eventId: string): { streamName: string; eventNumber: number } | undefined {
    return this.entries.get(eventId);
  }

  put(eventId: string, streamName: string, eventNumber: number): void {
    // 16 + 4 + IntPtr.Size + the stream id's size: the sizer IndexWriter gives the cache (a .NET string ≈ 20 + 2n).
    const size = 16 + 4 + 8 + 20 + 2 * streamName.length;
    while (this.order.length > 0 && this.size > this.maxBytes) {
      const oldest = this.order.shift() as string;
      const old = this.entries.get(oldest);
      if (old) {
        this.size -= old.size;
        this.entries.delete(oldest);
      }
    }
    this.size += size;
    this.order.push(eventId);
    if (!this.entries.has(eventId)) this.entries.set(eventId, { streamName, eventNumber, size });
  }

  clear(): void {
    this.entries.clear();
    this.order.length = 0;
    this.size = 0;
  }
}

export const COMMITTED_EVENTS_MEM_CACHE_LIMIT = 8 * 1024 * 1024;
/** Where the first record goes: a fresh database's chunk 0 begins with the epoch record and the $epoch-information event. */
const FIRST_RECORD_POSITION = 0;
/** The client reads `created` as .NET ticks since the Unix epoch (its dist/utils/convertGrpcEvent.js). */
const TICKS_PER_MS = 10_000n;

export class TransactionLog {
  readonly records: LogRecord[] = [];
  private readonly streams = new Map<string, LogRecord[]>();
  private readonly committed: CommittedEventsCache;
  private nextPosition = FIRST_RECORD_POSITION;
  private readonly listeners = new Set<() => void>();

  constructor(options: { committedEventsCacheBytes?: number } = {}) {
    this.committed = new CommittedEventsCache(
      options.committedEventsCacheBytes ?? COMMITTED_EVENTS_MEM_CACHE_LIMIT,
    );
  }

  /** The stream's events in order (empty when it has none). */
  stream(streamName: string): readonly LogRecord[] {
    return this.streams.get(streamName) ?? [];
  }

  /** The stream's last event number, -1 when it has none (IndexWriter.GetStreamLastEventNumber). */
  lastEventNumber(streamName: string): number {
    return this.stream(streamName).length - 1;
  }

  /** Position after the last record: where the next write goes. */
  get endPosition(): number {
    return this.nextPosition;
  }

  /** Runs `listener` after every write (subscriptions wake on it). */
  onWrite(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets the recent event ids, as a server restart does (the cache lives in memory only). */
  forgetRecentEventIds(): void {
    this.committed.clear();
  }

  /**
   * Checks and, when it passes, writes one append: IndexWriter.CheckCommit
   * (src/KurrentDB.Core/Services/Storage/ReaderIndex/IndexWriter.cs) and StorageWriterService.VerifyCommitChecks
   * (src/KurrentDB.Core/Services/Storage/StorageWriterService.cs), for a single stream on a single node (every
   * write is replicated at once, so `IdempotentNotReady` never happens).
   */
  append(streamName: string, expected: ExpectedVersion, events: readonly ProposedEvent[]): CommitOutcome {
    const decision = this.checkCommit(streamName, expected, events);
    if (decision.kind !== 'ok') return decision;
    const records = this.write(streamName, events);
    const last = records.at(-1);
    return {
      kind: 'written',
      currentRevision: this.lastEventNumber(streamName),
      position: last?.position,
      records,
    };
  }

  private checkCommit(
    streamName: string,
    expected: ExpectedVersion,
    events: readonly ProposedEvent[],
  ): { kind: 'ok' } | Exclude<CommitOutcome, { kind: 'written' }> {
    const curVersion = this.lastEventNumber(streamName);
    const inconsistent = { kind: 'wrongExpectedVersion', currentRevision: curVersion } as const;

    // CheckCommitForNewStream: a stream never written to accepts `any` and `no_stream`, and nothing else.
    if (!this.streams.has(streamName) && !this.streams.has(`$$${streamName}`)) {
      return expected.kind === 'any' || expected.kind === 'no_stream' ? { kind: 'ok' } : inconsistent;
    }
    // `stream_exists` on a stream with no events passes only when its metadata stream has some.
    if (expected.kind === 'stream_exists' && curVersion < 0 && this.lastEventNumber(`$$${streamName}`) < 0)
      return inconsistent;

    // The weak check (`any`, `stream_exists`): the request names no event numbers, so only the recently committed
    // ids are looked at. The first event decides: not seen → the whole write goes ahead (even if later ones were
    // seen); seen → every one must have been, in this stream, else CorruptedIdempotency, answered as a consistency
    // failure.
    if (expected.kind === 'any' || expected.kind === 'stream_exists') {
      let endEventNumber = -1;
      for (let i = 0; i < events.length; i++) {
        const seen = this.committed.get((events[i] as ProposedEvent).eventId);
        if (seen && seen.streamName === streamName) {
          endEventNumber = seen.eventNumber;
          continue;
        }
        return i === 0 ? { kind: 'ok' } : inconsistent;
      }
      if (events.length === 0) return { kind: 'ok' };
      return {
        kind: 'idempotent',
        currentRevision: endEventNumber,
        position: this.positionOf(streamName, endEventNumber),
      };
    }

    const expectedVersion = expected.kind === 'no_stream' ? -1 : expected.revision;
    // The strong check: the request says which event numbers its events must have (an earlier revision, or no stream
    // when the stream has events). Each event must be at exactly that number, found in the cache or the index.
    if (expectedVersion < curVersion) {
      let eventNumber = expectedVersion;
      for (let i = 0; i < events.length; i++) {
        const eventId = (events[i] as ProposedEvent).eventId;
        eventNumber += 1;
        const seen = this.committed.get(eventId);
        if (seen && seen.streamName === streamName && seen.eventNumber === eventNumber) continue;
        if (this.stream(streamName)[eventNumber]?.eventId === eventId) continue;
        return inconsistent; // the first unwritten (ConsistencyCheckFailure) or a later one (CorruptedIdempotency)
      }
      if (events.length === 0) return inconsistent;
      return {
        kind: 'idempotent',
        currentRevision: eventNumber,
        position: this.positionOf(streamName, eventNumber),
      };
    }
    if (expectedVersion > curVersion) return inconsistent;
    return { kind: 'ok' };
  }

  private positionOf(streamName: string, eventNumber: number): number | undefined {
    return this.stream(streamName)[eventNumber]?.position;
  }

  /** Appends the records contiguously: nothing else runs between them (the server's writer is one thread too). */
  private write(streamName: string, events: readonly ProposedEvent[]): LogRecord[] {
    let stream = this.streams.get(streamName);
    if (!stream) {
      stream = [];
      this.streams.set(streamName, stream);
    }
    const createdTicks = BigInt(Date.now()) * TICKS_PER_MS;
    const written: LogRecord[] = [];
    for (const event of events) {
      const position = this.nextPosition;
      const postPosition =
        position + recordSize(streamName, event.eventType, event.data, event.customMetadata);
      const record: LogRecord = {
        ...event,
        position,
        postPosition,
        streamName,
        eventNumber: stream.length,
        createdTicks,
      };
      this.nextPosition = postPosition;
      stream.push(record);
      this.records.push(record);
      this.committed.put(event.eventId, streamName, record.eventNumber);
      written.push(record);
    }
    if (written.length > 0) for (const listener of this.listeners) listener();
    return written;
  }

  /** Index of the first record at or after `position` (records are sorted by position). */
  indexAtOrAfter(position: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.records[mid] as LogRecord).position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
