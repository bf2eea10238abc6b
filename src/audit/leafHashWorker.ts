/**
 * A worker thread of a parallel verify. For a range of positions it reads the events through its own reader of the
 * log (store/workerLog.ts opens what the store described) and hashes them (canonical JSON and SHA-256 are most of
 * a verify's cost, hence the threads, P6).
 *
 * When the range is dense (one event per position, as in any sound log) it does the rest of the work too, so that
 * the thread that gathers the answers does almost nothing per event: it compares the leaves with the stored ones
 * and answers with the mismatching positions and the range's compact range — at its end, and at each size inside
 * it where a checkpoint needs a root. A range that is not dense (or whose stored leaves cannot be read) is answered
 * leaf by leaf, for the caller to examine and report.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { WorkerLogDescription } from '../store/eventStore';
import { openWorkerLog } from '../store/workerLog';
import { storedEventLeafHash } from './eventLeaf';
import { MerkleLog } from './merkleLog';
import { summariseRange, type RangeSummaryData } from './rangeSummary';
import { HASH_SIZE } from './rfc9162';

/** Positions [from, to) to hash; `id` puts the answers back in order; `rootSizes`: sizes in (from, to). */
export interface LeafHashJob {
  id: number;
  from: number;
  to: number;
  rootSizes: number[];
}

export type LeafHashResult =
  | ({ id: number; dense: true } & RangeSummaryData)
  | {
      id: number;
      dense: false;
      positions: Float64Array;
      /** 32 bytes per event, in order. */
      hashes: Uint8Array;
    };

export interface LeafHashWorkerData {
  log: WorkerLogDescription;
  auditFile: string;
  /** Leaves the stored tree had when the verify began; positions past it have none to compare with. */
  storedSize: number;
}

function serve(): void {
  const port = parentPort;
  if (port === null) throw new Error('leafHashWorker must run as a worker thread');
  const { log, auditFile, storedSize } = workerData as LeafHashWorkerData;
  const events = openWorkerLog(log);
  const stored = new MerkleLog(new Database(auditFile, { readonly: true, fileMustExist: true }));
  port.on('message', (job: LeafHashJob) => {
    const range = events.readRange(job.from, job.to);
    const hashes = range.map(storedEventLeafHash);
    const dense =
      range.length === job.to - job.from && range.every((event, i) => event.globalPosition === job.from + i);
    const storedLeaves = dense ? storedLeavesOf(stored, job.from, Math.min(job.to, storedSize)) : undefined;
    if (storedLeaves === undefined) {
      const positions = Float64Array.from(range, (event) => event.globalPosition);
      // Its own ArrayBuffer (not a pooled slice), so it can be transferred instead of copied.
      const bytes = new Uint8Array(hashes.length * HASH_SIZE);
      hashes.forEach((hash, i) => bytes.set(hash, i * HASH_SIZE));
      const result: LeafHashResult = { id: job.id, dense: false, positions, hashes: bytes };
      port.postMessage(result, [positions.buffer, bytes.buffer]);
      return;
    }
    const result: LeafHashResult = {
      id: job.id,
      dense: true,
      ...summariseRange(job.from, hashes, storedLeaves, job.rootSizes),
    };
    port.postMessage(result);
  });
}

/** The stored leaves [from, to), none when to ≤ from; undefined when the stored tree lacks some (the caller says). */
function storedLeavesOf(stored: MerkleLog, from: number, to: number): Buffer[] | undefined {
  if (to <= from) return [];
  try {
    return stored.leafHashes(from, to);
  } catch {
    return undefined;
  }
}

serve();
