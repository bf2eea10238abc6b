/**
 * The leaf hashes of the stored events, in global order, page by page: what verify compares with the tree.
 * Two sources give the same pages: the serial one reads the store's pages (readAllBatches) and hashes on this
 * thread; the parallel one hands position ranges to worker threads that open the log themselves (the store's
 * workerLog), and puts their answers back in order.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { EventStore, RecordedEvent, WorkerLogDescription } from '../store/eventStore';
import { startWorker } from '../workerThread';
import type { Subtree } from './compactRange';
import { storedEventLeafHash } from './eventLeaf';
import type { LeafHashJob, LeafHashResult, LeafHashWorkerData } from './leafHashWorker';
import type { RangeSummaryData } from './rangeSummary';
import { HASH_SIZE } from './rfc9162';

/** Leaf hashes of consecutive events, one by one, for the caller to compare and fold into its tree. */
export interface LeafPage {
  kind: 'leaves';
  /** Global positions, ascending (a gap or a repeat is what verify looks for). */
  positions: ArrayLike<number>;
  hashes: Buffer[];
  /** The events themselves, when this source has them at hand; verify reads the few it needs otherwise. */
  events?: RecordedEvent[];
}

/** A dense range [from, to), already compared and folded by a worker (leafHashWorker.ts). */
export interface RangeSummary extends RangeSummaryData {
  kind: 'summary';
  from: number;
  to: number;
}

const CHUNK = 4096;
/** Jobs handed out ahead of the reader, per worker: enough to keep every worker busy, few enough to bound memory. */
const AHEAD_PER_WORKER = 4;

/** Below this many leaves, starting worker threads costs more than the hashing they share. */
export const PARALLEL_FROM = 50_000;

/** Worker threads worth starting: one per core the scheduler offers, at most four. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

/** Pages of positions [0, end), hashed on this thread. */
export async function* serialLeafPages(store: EventStore, end: number): AsyncGenerator<LeafPage> {
  if (end === 0) return;
  for await (const events of store.readAllBatches(0, { toPosition: end - 1 })) {
    yield {
      kind: 'leaves',
      positions: events.map((e) => e.globalPosition),
      hashes: events.map(storedEventLeafHash),
      events,
    };
  }
}

export interface ParallelSource {
  /** The log as the store describes it to worker threads. */
  log: WorkerLogDescription;
  auditFile: string;
  storedSize: number;
  /** Tree sizes a root is wanted at (the checkpoints'). */
  rootSizes: readonly number[];
}

/**
 * Positions [0, end) of the log, hashed by `workers` worker threads in chunks of CHUNK positions. CHUNK
 * is a power of two, so a dense chunk is a perfect subtree aligned in the tree and its summary appends as such.
 */
export async function* parallelLeafPages(
  source: ParallelSource,
  end: number,
  workers: number,
): AsyncGenerator<LeafPage | RangeSummary> {
  const jobCount = Math.ceil(end / CHUNK);
  const results = new Map<number, LeafHashResult>();
  const idle: Worker[] = []; // free job slots
  let nextJob = 0;
  let consumed = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const dispatch = (): void => {
    while (idle.length > 0 && nextJob < jobCount && nextJob < consumed + workers * AHEAD_PER_WORKER) {
      const id = nextJob++;
      const from = id * CHUNK;
      const to = Math.min(end, from + CHUNK);
      const rootSizes = source.rootSizes.filter((size) => from < size && size < to);
      const job: LeafHashJob = { id, from, to, rootSizes };
      idle.pop()?.postMessage(job);
    }
  };

  const workerData: LeafHashWorkerData = {
    log: source.log,
    auditFile: source.auditFile,
    storedSize: source.storedSize,
  };
  const pool = Array.from({ length: workers }, () => {
    const worker = startWorker(__dirname, 'leafHashWorker', workerData);
    worker.on('message', (result: LeafHashResult) => {
      results.set(result.id, result);
      idle.push(worker);
      dispatch();
      notify();
    });
    worker.on('error', (error) => {
      failure ??= error;
      notify();
    });
    worker.on('exit', (code) => {
      if (code !== 0) failure ??= new Error(`a verify worker exited with code ${code}`);
      notify();
    });
    return worker;
  });
  // Each worker has two job slots, so none waits for the reader between jobs.
  idle.push(...pool, ...pool);
  dispatch();
  try {
    for (let id = 0; id < jobCount; id++) {
      let result = results.get(id);
      while (result === undefined) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        result = results.get(id);
      }
      results.delete(id);
      consumed++;
      dispatch();
      yield pageOf(result, id * CHUNK, Math.min(end, (id + 1) * CHUNK));
    }
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}

/** A worker's answer as a page; hashes that crossed the thread boundary arrive as Uint8Array: make them Buffers. */
function pageOf(result: LeafHashResult, from: number, to: number): LeafPage | RangeSummary {
  if (!result.dense)
    return { kind: 'leaves', positions: result.positions, hashes: splitHashes(result.hashes) };
  const buffers = (subtrees: Subtree[]): Subtree[] =>
    subtrees.map(({ level, hash }) => ({
      level,
      hash: Buffer.from(hash.buffer, hash.byteOffset, hash.length),
    }));
  return {
    kind: 'summary',
    from,
    to,
    mismatches: result.mismatches,
    prefixes: result.prefixes.map(({ size, subtrees }) => ({ size, subtrees: buffers(subtrees) })),
    subtrees: buffers(result.subtrees),
  };
}

function splitHashes(bytes: Uint8Array): Buffer[] {
  const hashes: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += HASH_SIZE) {
    hashes.push(Buffer.from(bytes.buffer, bytes.byteOffset + offset, HASH_SIZE));
  }
  return hashes;
}
