/**
 * Writes a rebuild's states (historical snapshots and the final state) into the read model from a worker thread.
 * Serialising stays on the folding thread (a state cannot cross threads cheaper than as JSON), the SQLite writes go
 * to the worker, so a rebuild uses both cores. Parts in flight are bounded: `drain()` waits when too much is queued.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workerThread';
import { writeJsonParts } from './jsonParts';
import type { StateWriterData, StateWriterMessage, StateWriterReply } from './stateWriterWorker';

/** Characters handed over but not yet confirmed written, above which `drain()` waits. */
const MAX_IN_FLIGHT = 16 * 1024 * 1024;

export class StateWriter {
  private readonly worker: Worker;
  private failure: Error | undefined;
  private nextFlush = 0;
  private readonly flushes = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  /** Characters handed over and not yet confirmed written. */
  private inFlight = 0;
  /** Per flush id: the characters handed over before it (since the flush before), released when it is confirmed. */
  private readonly sentSince = new Map<number, number>();
  /** Characters handed over since the last flush. */
  private sent = 0;

  constructor(file: string) {
    this.worker = startWorker(__dirname, 'stateWriterWorker', { file } satisfies StateWriterData);
    this.worker.on('message', (reply: StateWriterReply) => {
      if (reply.kind === 'failed') this.fail(new Error(`writing the read model failed: ${reply.message}`));
      else {
        this.inFlight -= this.sentSince.get(reply.id) ?? 0;
        this.sentSince.delete(reply.id);
        this.flushes.get(reply.id)?.resolve();
        this.flushes.delete(reply.id);
      }
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`the read-model writer exited with code ${code}`));
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.flushes.values()) waiter.reject(this.failure);
    this.flushes.clear();
  }

  private post(message: StateWriterMessage, size: number): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(message);
    this.sent += size;
    this.inFlight += size;
  }

  snapshot(name: string, generation: number, version: number, position: number, state: unknown): void {
    let seq = 0;
    writeJsonParts(state, (part) =>
      this.post({ kind: 'snapshotPart', name, generation, version, position, seq: seq++, part }, part.length),
    );
  }

  state(name: string, generation: number, state: unknown): void {
    let seq = 0;
    writeJsonParts(state, (part) =>
      this.post({ kind: 'statePart', name, generation, seq: seq++, part }, part.length),
    );
  }

  /** Resolves once everything handed over so far is written. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextFlush++;
    this.sentSince.set(id, this.sent);
    this.sent = 0;
    const done = new Promise<void>((resolve, reject) => this.flushes.set(id, { resolve, reject }));
    this.worker.postMessage({ kind: 'flush', id } satisfies StateWriterMessage);
    return done;
  }

  /** Waits while more than MAX_IN_FLIGHT characters are queued for the worker. */
  async drain(): Promise<void> {
    if (this.inFlight > MAX_IN_FLIGHT) await this.flush();
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
