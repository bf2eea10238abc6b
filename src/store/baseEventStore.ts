/**
 * The port's methods an adapter may leave to others: each is built from the core every adapter implements (append,
 * readStream, streamRevision, readAll, subscribe, headPosition, close). An adapter overrides the ones it can do
 * faster; callers of the port never ask which it did.
 */
import {
  EventStoreError,
  type AppendOptions,
  type AppendResult,
  type EventSeals,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadBatchesOptions,
  type ReadStreamOptions,
  type StoreStatus,
  type RecordedEvent,
  type Subscription,
  type SubscriptionMessage,
  type ViewEvent,
  type WorkerLogDescription,
} from './eventStore';

/** Events per page of the default batch readers. */
const PAGE = 1000;

/** The seals of a store that does not seal: nothing to check, and nothing an operator could seal anew. */
export const NOT_SEALING: EventSeals = {
  sealing: false,
  keyId: undefined,
  check: () => Promise.reject(new EventStoreError('this event store does not seal its events')),
  sealExisting: () => Promise.reject(new EventStoreError('this event store does not seal its events')),
};

export abstract class BaseEventStore implements EventStore {
  readonly seals: EventSeals = NOT_SEALING;

  abstract append(streamId: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  abstract readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  abstract streamRevision(streamId: string): Promise<number>;
  abstract readAll(fromPosition?: number, options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  abstract subscribe(
    fromPosition: number,
    handler: (message: SubscriptionMessage) => void | Promise<void>,
  ): Subscription;
  abstract headPosition(): Promise<number>;
  abstract close(): Promise<void>;

  /** `readAll` grouped into pages, the type filter applied here. */
  async *readAllBatches(fromPosition = 0, options: ReadBatchesOptions = {}): AsyncIterable<RecordedEvent[]> {
    const types = options.types ? new Set(options.types) : undefined;
    let page: RecordedEvent[] = [];
    for await (const event of this.readAll(fromPosition, options)) {
      if (types && !types.has(event.type)) continue;
      page.push(event);
      if (page.length >= PAGE) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  /** The batches of whole events, cut down to what views fold. */
  async *readViewBatches(fromPosition = 0, options: ReadBatchesOptions = {}): AsyncIterable<ViewEvent[]> {
    for await (const page of this.readAllBatches(fromPosition, options)) {
      yield page.map(({ globalPosition, streamId, type, data }) => ({
        globalPosition,
        streamId,
        type,
        data,
      }));
    }
  }

  /** A scan of the log: only an interrupted idempotent command asks, rarely enough to afford it. */
  async readEvent(eventId: string): Promise<RecordedEvent | undefined> {
    for await (const page of this.readAllBatches(0)) {
      const event = page.find((e) => e.eventId === eventId);
      if (event) return event;
    }
    return undefined;
  }

  /** An embedded store is there while it is open: no connection to lose. */
  status(): StoreStatus {
    return { ok: true };
  }

  /** No worker thread can open the log: verify hashes on one thread. */
  workerLog(): WorkerLogDescription | undefined {
    return undefined;
  }
}
