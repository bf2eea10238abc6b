/**
 * Full verification of the ledger against its audit trail: every leaf is recomputed from the stored events and
 * compared with the leaf the Merkle tree holds for that position; the tree is rebuilt from those leaves and its
 * root compared with every signed checkpoint; every checkpoint's signature is checked, and so are the
 * consistency proofs the server serves between successive checkpoints.
 *
 * It streams: one page of leaf hashes at a time (hashed on worker threads for large ledgers, leafPages.ts), an
 * O(log n) compact range for the rebuilt tree, and the stored leaves fetched a page at a time. What it finds wrong
 * is named by `diagnose` (tamperDiagnosis.ts).
 */
import type { EventStore, RecordedEvent } from '../store/eventStore';
import type { StoredCheckpoint } from './checkpointStore';
import { verifyConsistency } from './consistencyProof';
import {
  PARALLEL_FROM,
  defaultWorkerCount,
  parallelLeafPages,
  serialLeafPages,
  type LeafPage,
  type RangeSummary,
} from './leafPages';
import type { MerkleLog } from './merkleLog';
import { verifyCheckpointNote, type Checkpoint } from './signedNote';
import { RebuiltTree } from './rebuiltTree';
import type { VerifyProblem } from './verifyProblem';
import { diagnose, type Discrepancy, type FoundDiscrepancy } from './tamperDiagnosis';
import { storedSealProblems, type TrailComparison, type TrailProblem } from './trailIntegrity';

export interface VerifyResult {
  ok: boolean;
  /** The tree size verified: the larger of the stored tree's size and the newest checkpoint's. */
  treeSize: number;
  /** Base64 of the root rebuilt from the events (equal to the stored root when ok). */
  rootHash: string;
  eventsVerified: number;
  checkpointsVerified: number;
  /**
   * Events stored when the verify began that the tree does not hold (the follower had not taken them in): they are
   * not verified, so the result is not ok.
   */
  eventsBeyondTree: number;
  /** Events whose writer's seal was checked (every stored event, when the store seals). */
  eventsSealChecked: number;
  /**
   * The problems, named (at most MAX_PROBLEMS; `problemCount` says how many there were). Only the first
   * discrepancies are named one by one: after an insertion every later position differs.
   */
  problems: VerifyProblem[];
  problemCount: number;
  /** How many positions (or extra events) disagree with the tree, named or not. */
  positionsAffected: number;
  /** The smallest position at which the events and the tree part ways. */
  firstBadPosition?: number;
}

/** What verify reads of the audit log: its tree, its checkpoints and the key they are signed with. */
export interface AuditTrail {
  merkle: MerkleLog;
  checkpoints(): StoredCheckpoint[];
  publicKey: Buffer;
  /** The audit database file, for worker threads to open; without it verify hashes on this thread. */
  file?: string;
  /** The trail's consistency (journal, database, store length, seal key); absent, it is not judged. */
  compareTrail?(): Promise<TrailComparison>;
  /** Why the audit log refused while it followed the store (a gap, an unsealed event), when it did. */
  integrity?(): { state: string; problems?: TrailProblem[] };
}

export interface VerifyOptions {
  /** Called after each page with the positions done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** The last position to judge: the head the caller made sure the tree reached (default: the store's head). */
  head?: number;
  /**
   * Worker threads to hash with (stores that describe a workerLog only). Default: one per core for ledgers of
   * PARALLEL_FROM events or more, none below (starting workers costs more than hashing a small ledger); 0: none.
   */
  workers?: number;
}

const MAX_PROBLEMS = 100;

export async function verifyLedger(
  store: EventStore,
  audit: AuditTrail,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const head = options.head ?? (await store.headPosition());
  const storedSize = audit.merkle.size();
  const checkpoints = audit.checkpoints();
  const treeSize = checkpoints.reduce((size, c) => Math.max(size, c.treeSize), storedSize);
  const treeProblems: VerifyProblem[] = [];
  const signed = checkSignatures(checkpoints, audit.publicKey, treeProblems);

  // Rebuild the tree from the events, comparing leaves as they go and keeping the root at every checkpoint size.
  const rootSizes = [...new Set(checkpoints.map((c) => c.treeSize))].sort((a, b) => a - b);
  const tree = new RebuiltTree(new Set(rootSizes));
  for await (const page of leafPages(store, audit, { end: treeSize, storedSize, rootSizes }, options)) {
    if (page.kind === 'summary') tree.takeSummary(page);
    else if (page.hashes.length > 0) {
      const first = page.positions[0] as number;
      const last = page.positions[page.hashes.length - 1] as number;
      const stored = storedLeafPage(audit.merkle, storedSize, first, last + 1);
      if (stored instanceof Error && !treeProblems.some((p) => p.kind === 'stored-tree')) {
        treeProblems.push({ kind: 'stored-tree', detail: stored.message }); // once: every page would say it
      }
      tree.takeLeaves(page, stored instanceof Error ? undefined : stored);
    }
    options.onProgress?.(tree.size, treeSize);
    // Let the server answer other requests between pages.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  tree.fillGapTo(treeSize);
  options.onProgress?.(treeSize, treeSize);

  checkRoots(signed, tree.roots, audit.merkle, storedSize, treeProblems);
  if (storedSize < treeSize) {
    treeProblems.push({
      kind: 'stored-tree',
      detail: `the stored tree has ${storedSize} leaves but a checkpoint covers ${treeSize}`,
    });
  }
  const { discrepancies } = tree;
  const named = diagnose(
    await withEvents(store, discrepancies.kept),
    await eventsFrom(store, treeSize, 16),
    audit.merkle,
    storedSize,
  );
  const trailProblems = await checkTrail(store, audit, head);
  const eventsBeyondTree = Math.max(0, head + 1 - treeSize);
  if (eventsBeyondTree > 0) {
    trailProblems.problems.push({
      kind: 'beyond-tree',
      position: treeSize,
      detail: `${eventsBeyondTree} event${eventsBeyondTree === 1 ? '' : 's'} (from position ${treeSize} on) ${eventsBeyondTree === 1 ? 'is' : 'are'} not in the Merkle tree, so ${eventsBeyondTree === 1 ? 'it was' : 'they were'} not verified`,
    });
  }
  const problems = [...named, ...treeProblems, ...trailProblems.problems];
  const firstBadPosition = [discrepancies.firstPosition, trailProblems.firstPosition].reduce<
    number | undefined
  >((first, p) => (p === undefined ? first : first === undefined ? p : Math.min(first, p)), undefined);
  return {
    ok: problems.length === 0 && discrepancies.count === 0,
    treeSize,
    rootHash: tree.root().toString('base64'),
    eventsVerified: tree.eventsTaken,
    checkpointsVerified: checkpoints.length,
    eventsBeyondTree,
    eventsSealChecked: trailProblems.sealChecked,
    problems: problems.slice(0, MAX_PROBLEMS),
    problemCount: problems.length,
    positionsAffected: discrepancies.count,
    ...(firstBadPosition !== undefined ? { firstBadPosition } : {}),
  };
}

/**
 * The trail's consistency and every stored event's seal, as problems: what makes the audit log refuse to sign
 * (auditLog.ts) is also what makes a verify fail. Seals are checked for every event stored when the verify began.
 */
async function checkTrail(
  store: EventStore,
  audit: AuditTrail,
  head: number,
): Promise<{ problems: VerifyProblem[]; sealChecked: number; firstPosition?: number }> {
  const problems: VerifyProblem[] = [];
  const trail = audit.compareTrail ? await audit.compareTrail() : undefined;
  const followed = audit.integrity?.().problems ?? [];
  // Checkpoint signatures are verify's own first check (checkSignatures), and seals come below: not said twice.
  const said = new Set<string>();
  const trailProblems = [...(trail?.problems ?? []), ...followed].filter((p) => {
    const key = `${p.cause}\u0000${p.position ?? ''}`;
    if (p.cause === 'checkpoint-signature' || p.cause.startsWith('event-') || said.has(key)) return false;
    said.add(key);
    return true;
  });
  for (const p of trailProblems) {
    // A missing key is one problem, said once, whatever else cannot be checked because of it.
    problems.push({
      kind: p.cause,
      detail: p.detail,
      ...(p.position !== undefined ? { position: p.position } : {}),
    });
  }
  const seals = await storedSealProblems(store, head, MAX_PROBLEMS);
  for (const p of seals.problems) {
    problems.push({
      kind: p.cause,
      detail: p.detail,
      ...(p.position !== undefined ? { position: p.position } : {}),
    });
  }
  const sealChecked = seals.checked;
  const positions = problems.map((p) => p.position).filter((p): p is number => p !== undefined);
  return {
    problems,
    sealChecked,
    ...(positions.length > 0 ? { firstPosition: Math.min(...positions) } : {}),
  };
}

interface Extent {
  end: number;
  storedSize: number;
  rootSizes: number[];
}

/** The pages to verify: from worker threads for a large ledger whose store they can open, else from this thread. */
function leafPages(
  store: EventStore,
  audit: AuditTrail,
  { end, storedSize, rootSizes }: Extent,
  options: VerifyOptions,
): AsyncGenerator<LeafPage | RangeSummary> {
  const log = store.workerLog();
  const threads = options.workers ?? (end >= PARALLEL_FROM ? defaultWorkerCount() : 0);
  if (log === undefined || audit.file === undefined || threads === 0) return serialLeafPages(store, end);
  return parallelLeafPages({ log, auditFile: audit.file, storedSize, rootSizes }, end, threads);
}

/** Up to `limit` events from `position` on. */
async function eventsFrom(store: EventStore, position: number, limit: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll(position, { limit })) events.push(event);
  return events;
}

/** The discrepancies with their events read back, for those a parallel page did not carry. */
async function withEvents(store: EventStore, found: readonly FoundDiscrepancy[]): Promise<Discrepancy[]> {
  const resolved: Discrepancy[] = [];
  for (const d of found) {
    if (d.kind === 'missing') resolved.push(d);
    else {
      const event = d.event ?? (await eventsFrom(store, d.position, 1))[0];
      if (event) resolved.push({ ...d, event });
    }
  }
  return resolved;
}

/** The stored leaves for positions [start, end) ∩ the stored tree (none past it), or why they cannot be read. */
function storedLeafPage(merkle: MerkleLog, storedSize: number, start: number, end: number): Buffer[] | Error {
  if (start >= storedSize) return [];
  try {
    return merkle.leafHashes(start, Math.min(end, storedSize));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The checkpoints whose note verifies with the key and agrees with its record; the others become problems. */
function checkSignatures(
  checkpoints: StoredCheckpoint[],
  publicKey: Buffer,
  problems: VerifyProblem[],
): Checkpoint[] {
  const signed: Checkpoint[] = [];
  for (const stored of checkpoints) {
    const note = verifyCheckpointNote(stored.note, publicKey, stored.origin);
    if (note === null) {
      problems.push({
        kind: 'checkpoint-signature',
        detail: `the checkpoint of tree size ${stored.treeSize} is not a note signed by the log's key`,
      });
    } else if (note.treeSize !== stored.treeSize || !note.rootHash.equals(stored.rootHash)) {
      problems.push({
        kind: 'checkpoint-signature',
        detail: `the checkpoint recorded for tree size ${stored.treeSize} differs from the note it keeps`,
      });
    } else signed.push(note);
  }
  return signed;
}

/**
 * Each signed root must equal the root rebuilt from the events at that size (which also makes all checkpoints
 * prefixes of one log) and the stored tree's root; and the consistency proof the stored tree serves between
 * successive checkpoints must verify, as an auditor holding both would check it.
 */
function checkRoots(
  signed: Checkpoint[],
  rebuiltRoots: Map<number, Buffer>,
  merkle: MerkleLog,
  storedSize: number,
  problems: VerifyProblem[],
): void {
  let previous: Checkpoint | undefined;
  for (const checkpoint of signed) {
    const size = checkpoint.treeSize;
    const rebuilt = rebuiltRoots.get(size);
    if (rebuilt === undefined || !rebuilt.equals(checkpoint.rootHash)) {
      problems.push({
        kind: 'checkpoint-root',
        detail: `the root rebuilt from the events at tree size ${size} is not the checkpoint's signed root`,
      });
    }
    if (size <= storedSize) {
      try {
        if (!merkle.rootAt(size).equals(checkpoint.rootHash)) {
          problems.push({
            kind: 'stored-tree',
            detail: `the stored tree's root at size ${size} is not the checkpoint's signed root`,
          });
        }
        if (previous && !consistent(merkle, previous, checkpoint)) {
          problems.push({
            kind: 'checkpoint-consistency',
            detail: `the consistency proof from tree size ${previous.treeSize} to ${size} does not verify`,
          });
        }
      } catch (error) {
        problems.push({ kind: 'stored-tree', detail: (error as Error).message });
      }
    }
    previous = checkpoint;
  }
}

function consistent(merkle: MerkleLog, older: Checkpoint, newer: Checkpoint): boolean {
  const path = merkle.consistencyProof(older.treeSize, newer.treeSize);
  return verifyConsistency(older.treeSize, newer.treeSize, path, older.rootHash, newer.rootHash);
}
