/**
 * An event store double that implements only the port's core and takes every other method from BaseEventStore:
 * running the contract suite over it is what proves the defaults (batch readers, readEvent, seals, workerLog) keep
 * the contract for an adapter that has nothing faster.
 */
import { BaseEventStore } from '../../src/store/baseEventStore';
import {
  checkExpectedRevision,
  DuplicateEventIdError,
  StoreClosedError,
  type AppendOptions,
  type AppendResult,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
  type SubscriptionMessage,
} from '../../src/store/eventStore';

const sameContent = (a: RecordedEvent, streamId: string, e: NewEvent): boolean =>
  a.streamId === streamId &&
  a.type === e.type &&
  a.schemaVersion === e.schemaVersion &&
  (a.dataKeyId ?? null) === (e.dataKeyId ?? null) &&
  JSON.stringify(a.data) === JSON.stringify(e.data);

export class MemoryEventStore extends BaseEventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly streams = new Map<string, RecordedEvent[]>();
  private lastRecordedAt = '';
  private closed = false;
  private wake = new Set<() => void>();

  constructor(private readonly genesis = 0) {
    super();
  }

  async append(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) throw new RangeError('append needs at least one event');
    const stored = events.map((e) => this.byId.get(e.eventId));
    if (stored.some((s) => s !== undefined)) return this.replay(streamId, events, stored);
    const stream = this.streams.get(streamId) ?? [];
    checkExpectedRevision(streamId, options.expectedRevision ?? 'any', stream.length - 1);
    const now = new Date().toISOString();
    if (now > this.lastRecordedAt) this.lastRecordedAt = now;
    const positions: number[] = [];
    for (const e of events) {
      const recorded: RecordedEvent = structuredClone({
        ...e,
        streamId,
        streamRevision: stream.length,
        globalPosition: this.genesis + this.log.length,
        recordedAt: this.lastRecordedAt,
      });
      this.log.push(recorded);
      stream.push(recorded);
      this.byId.set(e.eventId, recorded);
      positions.push(recorded.globalPosition);
    }
    this.streams.set(streamId, stream);
    for (const wake of this.wake) wake();
    return { nextExpectedRevision: stream.length - 1, positions, alreadyStored: false };
  }

  /** Stored before: the same events of the same stream, in a row, answer as they did; anything else is refused. */
  private replay(
    streamId: string,
    events: NewEvent[],
    stored: Array<RecordedEvent | undefined>,
  ): AppendResult {
    const first = stored[0];
    const whole = stored.every(
      (s, i) =>
        s !== undefined &&
        first !== undefined &&
        s.streamRevision === first.streamRevision + i &&
        sameContent(s, streamId, events[i] as NewEvent),
    );
    if (!whole || first === undefined) {
      const bad = events.find((e, i) => {
        const s = stored[i];
        return s === undefined || !sameContent(s, streamId, e);
      });
      throw new DuplicateEventIdError(bad?.eventId ?? '');
    }
    return {
      nextExpectedRevision: first.streamRevision + events.length - 1,
      positions: stored.map((s) => (s as RecordedEvent).globalPosition),
      alreadyStored: true,
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    const picked =
      options.direction === 'backwards'
        ? stream.filter((e) => e.streamRevision <= (options.fromRevision ?? Infinity)).reverse()
        : stream.filter((e) => e.streamRevision >= (options.fromRevision ?? 0));
    return structuredClone(picked.slice(0, limit));
  }

  async streamRevision(streamId: string): Promise<number> {
    this.assertOpen();
    return (this.streams.get(streamId)?.length ?? 0) - 1;
  }

  async *readAll(fromPosition = 0, options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    let remaining = options.limit ?? Number.MAX_SAFE_INTEGER;
    const to = options.toPosition ?? Number.MAX_SAFE_INTEGER;
    for (let i = Math.max(0, fromPosition - this.genesis); i < this.log.length && remaining > 0; i++) {
      this.assertOpen();
      const event = this.log[i] as RecordedEvent;
      if (event.globalPosition > to) return;
      remaining--;
      yield structuredClone(event);
    }
  }

  subscribe(
    fromPosition: number,
    handler: (message: SubscriptionMessage) => void | Promise<void>,
  ): Subscription {
    let closed = false;
    let wake: () => void = () => undefined;
    const run = async (): Promise<void> => {
      let next = Math.max(fromPosition, this.genesis);
      let caughtUp = false;
      while (!closed && !this.closed) {
        const event = this.log[next - this.genesis];
        if (event) {
          await handler({ kind: 'event', event: structuredClone(event) });
          next++;
        } else if (!caughtUp) {
          caughtUp = true;
          await handler({ kind: 'caughtUp', position: next - 1 });
        } else {
          await new Promise<void>((resolve) => {
            wake = resolve;
            this.wake.add(resolve);
          });
          this.wake.delete(wake);
        }
      }
    };
    const done = run();
    return {
      done,
      close: async () => {
        closed = true;
        wake();
        await done.catch(() => undefined);
      },
    };
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.genesis + this.log.length - 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.wake) wake();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}
