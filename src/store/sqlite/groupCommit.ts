/**
 * Group commit: appends that arrive in the same tick are written in one transaction, so 64 concurrent callers pay
 * for one fsync, not 64. The writer still checks and answers each append on its own, so one that conflicts fails
 * alone.
 */
import type { AppendObserver, AppendResult, ExpectedRevision, NewEvent } from '../eventStore';

/** An append waiting for its transaction. */
export interface PendingAppend {
  streamId: string;
  events: NewEvent[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private pending: PendingAppend[] = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;

  /**
   * `writeBatch` writes one batch in one transaction, settles every append in it and answers how many events it
   * wrote (replays and refusals write none); `maxBatchEvents` bounds a
   * transaction (one append is never split, so a larger one goes alone). `observer`, when given, is told each
   * append's latency and each transaction's size.
   */
  constructor(
    private readonly writeBatch: (batch: PendingAppend[]) => number,
    private readonly maxBatchEvents: number,
    private readonly observer?: AppendObserver,
  ) {}

  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const observer = this.observer;
    if (!observer) {
      return new Promise<AppendResult>((resolve, reject) => {
        this.pending.push({ streamId, events, expected, resolve, reject });
        this.schedule();
      });
    }
    const started = performance.now();
    const settled = (): void => observer.appendSettled((performance.now() - started) / 1000);
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({
        streamId,
        events,
        expected,
        resolve: (result) => {
          settled();
          resolve(result);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      });
      this.schedule();
    });
  }

  /** Resolves once every append accepted so far has been written or refused. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing || this.scheduled) {
      await (this.flushing ?? new Promise<void>((r) => setImmediate(r)));
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate lets every caller that is ready in this tick join the same transaction.
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
      });
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const written = this.writeBatch(this.takeBatch());
      if (this.observer && written > 0) this.observer.batchWritten(written);
      // Yield between transactions so readers and new callers get a turn.
      if (this.pending.length > 0) await new Promise<void>((r) => setImmediate(r));
    }
  }

  private takeBatch(): PendingAppend[] {
    let count = 0;
    let i = 0;
    while (i < this.pending.length) {
      const next = this.pending[i];
      if (!next || (count > 0 && count + next.events.length > this.maxBatchEvents)) break;
      count += next.events.length;
      i++;
    }
    return this.pending.splice(0, i);
  }
}
