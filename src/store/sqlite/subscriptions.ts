/**
 * The SQLite adapter's subscriptions: each reads the log from its position in pages, says when it has caught up,
 * then sleeps until this process appends (signalled at once) or another process may have (polled).
 */
import type { RecordedEvent, Subscription, SubscriptionMessage } from '../eventStore';

/** What a subscription reads: up to `limit` events from `fromPosition` on, and whether the store has closed. */
export interface SubscribedLog {
  readFrom(fromPosition: number, limit: number): RecordedEvent[];
  isClosed(): boolean;
}

const READ_PAGE = 1000;

export class Subscriptions {
  private appendedSignal = newSignal();
  private readonly open = new Set<Subscription>();

  constructor(
    private readonly log: SubscribedLog,
    private readonly pollIntervalMs: number,
  ) {}

  /** Wakes every sleeping subscription: this process appended, or the store is closing. */
  appended(): void {
    const previous = this.appendedSignal;
    this.appendedSignal = newSignal();
    previous.resolve();
  }

  subscribe(
    fromPosition: number,
    handler: (message: SubscriptionMessage) => void | Promise<void>,
  ): Subscription {
    let closed = false;
    let wake: (() => void) | null = null;
    const sleep = (): Promise<void> =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.pollIntervalMs);
        const signal = this.appendedSignal.promise;
        function done(): void {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
        void signal.then(done);
      });
    const run = async (): Promise<void> => {
      let next = fromPosition;
      let caughtUp = false;
      while (!closed && !this.log.isClosed()) {
        const events = this.log.readFrom(next, READ_PAGE);
        for (const event of events) {
          if (closed) return;
          await handler({ kind: 'event', event });
          next = event.globalPosition + 1;
        }
        if (events.length > 0) continue;
        if (!caughtUp) {
          caughtUp = true;
          await handler({ kind: 'caughtUp', position: next - 1 });
          continue;
        }
        await sleep();
      }
    };
    const done = run();
    const subscription: Subscription = {
      done,
      close: async (): Promise<void> => {
        closed = true;
        wake?.();
        this.open.delete(subscription);
        await done.catch(() => undefined);
      },
    };
    this.open.add(subscription);
    return subscription;
  }

  /** Ends every subscription; resolves when no handler is running. */
  async closeAll(): Promise<void> {
    this.appended();
    await Promise.all([...this.open].map((s) => s.close()));
  }
}

function newSignal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
