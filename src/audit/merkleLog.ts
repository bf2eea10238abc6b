/**
 * The ledger's Merkle tree (RFC 9162 §2.1), stored in SQLite beside the log it covers.
 *
 * Every complete (perfect) subtree is stored: node (level, idx) is MTH of leaves [idx·2^level, (idx+1)·2^level),
 * level 0 being the leaf hashes. Any range the RFC's proofs and roots ask for is either such a node or splits into
 * O(log n) of them (only ranges that end at the tree size are ragged), so a root or a proof costs O(log n) lookups.
 *
 * Appending keeps the right frontier (the compact range of [0, size): one perfect subtree per set bit of the size)
 * in memory, so a leaf costs O(1) amortised inserts and hashes. The caller owns the database and the transaction.
 * Writes the frontier did not see (a rolled-back transaction, another MerkleLog on the table) change the leaf count
 * and are caught by it; nothing else should write the table.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SubtreeHash } from './merkleTreeHash';
import { splitPoint } from './merkleTreeHash';
import { consistencyProof } from './consistencyProof';
import { inclusionProof } from './inclusionProof';
import { emptyRoot, isHash, nodeHash } from './rfc9162';

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS merkle_node (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB    NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
`;

/** A perfect subtree on the right frontier. */
interface FrontierNode {
  level: number;
  hash: Buffer;
}

export class MerkleLog {
  private readonly selectNode: BetterSqlite3.Statement<[number, number], unknown>;
  private readonly insertNode: BetterSqlite3.Statement<[number, number, Buffer]>;
  private readonly selectLastLeafIndex: BetterSqlite3.Statement<[], unknown>;
  private readonly selectLeafRange: BetterSqlite3.Statement<[number, number], unknown>;
  private readonly selectNodeRange: BetterSqlite3.Statement<[number, number, number], unknown>;
  /** The compact range of [0, frontierSize), largest subtree first. */
  private frontier: FrontierNode[] = [];
  private frontierSize = 0;

  constructor(private readonly db: BetterSqlite3.Database) {
    db.exec(SCHEMA_SQL);
    this.selectNode = db
      .prepare<[number, number]>('SELECT hash FROM merkle_node WHERE level = ? AND idx = ?')
      .pluck();
    this.insertNode = db.prepare<[number, number, Buffer]>(
      'INSERT INTO merkle_node (level, idx, hash) VALUES (?, ?, ?)',
    );
    this.selectLastLeafIndex = db
      .prepare<[]>('SELECT idx FROM merkle_node WHERE level = 0 ORDER BY idx DESC LIMIT 1')
      .pluck();
    this.selectLeafRange = db
      .prepare<[number, number]>(
        'SELECT hash FROM merkle_node WHERE level = 0 AND idx >= ? AND idx < ? ORDER BY idx',
      )
      .pluck();
    this.selectNodeRange = db
      .prepare<[number, number, number]>(
        'SELECT hash FROM merkle_node WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx',
      )
      .pluck();
    this.loadFrontier();
  }

  /** The number of leaves stored, as the current transaction sees it. */
  size(): number {
    const last = this.selectLastLeafIndex.get();
    return typeof last === 'number' ? last + 1 : 0;
  }

  /**
   * Appends leaf hashes (RFC 9162 leafHash outputs) in order. Atomic: inside the caller's transaction it runs in a
   * savepoint, outside one in its own transaction.
   */
  appendLeafHashes(hashes: readonly Uint8Array[]): void {
    if (!hashes.every(isHash)) throw new TypeError('appendLeafHashes: every leaf hash must be 32 bytes');
    if (hashes.length === 0) return;
    // A failed batch, or a caller transaction rolled back after our append, leaves the frontier ahead of the
    // table; it always shows in the size, so check that before building on the frontier.
    if (this.size() !== this.frontierSize) this.loadFrontier();
    this.db.transaction(() => hashes.forEach((hash) => this.appendLeaf(Buffer.from(hash))))();
  }

  /** The leaf hash at a 0-based index (the event at that global position). */
  leafHashAt(index: number): Buffer {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`leafHashAt: bad index ${index}`);
    const hash = this.selectNode.get(0, index);
    if (!Buffer.isBuffer(hash))
      throw new RangeError(`leafHashAt: no leaf ${index} in a tree of size ${this.size()}`);
    return hash;
  }

  /** The leaf hashes [start, end) in one query, for bulk readers (verify) that would pay per leafHashAt call. */
  leafHashes(start: number, end: number): Buffer[] {
    this.checkRange(start, end);
    const hashes = this.selectLeafRange.all(start, end).filter(Buffer.isBuffer);
    if (hashes.length !== end - start) {
      throw new Error(`leaves [${start}, ${end}) are not all stored: the stored Merkle tree is incomplete`);
    }
    return hashes;
  }

  /**
   * The stored perfect subtrees of height `level` numbered [first, end): the hashes of leaves
   * [i·2^level, (i+1)·2^level) for each i, in one query. A hash tile above level 0 is 256 of them (tlog-tiles), which
   * one lookup each would make cost a quarter of a millisecond more.
   */
  perfectSubtreeHashes(level: number, first: number, end: number): Buffer[] {
    if (!Number.isInteger(level) || level < 0 || level > 52) {
      throw new RangeError(`perfectSubtreeHashes: bad level ${level}`);
    }
    const width = 2 ** level;
    this.checkRange(first * width, end * width);
    const hashes = this.selectNodeRange.all(level, first, end).filter(Buffer.isBuffer);
    if (hashes.length !== end - first) {
      throw new Error(
        `merkle_node level ${level} [${first}, ${end}) is not all stored: the stored Merkle tree is incomplete`,
      );
    }
    return hashes;
  }

  /** RFC 9162 §2.1.1 MTH of the first `treeSize` leaves: the root a checkpoint of that size signs. */
  rootAt(treeSize: number): Buffer {
    this.checkRange(0, treeSize);
    return this.mth(0, treeSize);
  }

  /**
   * MTH of leaves [start, end). O(log n) lookups for the ranges RFC 9162 asks for (start a multiple of the split);
   * any other range is still right, just dearer.
   */
  subtreeHash(start: number, end: number): Buffer {
    this.checkRange(start, end);
    return this.mth(start, end);
  }

  /** RFC 9162 §2.1.3.1 audit path of leaf `leafIndex` in the tree of size `treeSize`. */
  inclusionProof(leafIndex: number, treeSize: number): Buffer[] {
    this.checkRange(0, treeSize);
    return inclusionProof(leafIndex, treeSize, this.storedSubtreeHash);
  }

  /** RFC 9162 §2.1.4.1 consistency proof from the tree of size `size1` to that of size `size2`. */
  consistencyProof(size1: number, size2: number): Buffer[] {
    this.checkRange(0, size2);
    return consistencyProof(size1, size2, this.storedSubtreeHash);
  }

  private readonly storedSubtreeHash: SubtreeHash = (start, end) => this.mth(start, end);

  /** MTH of [start, end) from stored nodes, splitting as §2.1.1 does until each part is a stored node. */
  private mth(start: number, end: number): Buffer {
    const n = end - start;
    if (n === 0) return emptyRoot();
    const level = perfectLevel(n);
    if (level !== null && start % n === 0) return this.node(level, start / n);
    const k = splitPoint(n);
    return nodeHash(this.mth(start, start + k), this.mth(start + k, end));
  }

  private node(level: number, index: number): Buffer {
    const hash = this.selectNode.get(level, index);
    if (!Buffer.isBuffer(hash)) {
      throw new Error(`merkle_node (${level}, ${index}) is missing: the stored Merkle tree is incomplete`);
    }
    return hash;
  }

  private appendLeaf(hash: Buffer): void {
    this.insertNode.run(0, this.frontierSize, hash);
    this.frontierSize += 1;
    let right: FrontierNode = { level: 0, hash };
    // Two frontier subtrees of equal height are siblings: merge them into their (now complete) parent.
    for (let left = this.frontier.at(-1); left?.level === right.level; left = this.frontier.at(-1)) {
      this.frontier.pop();
      const level = right.level + 1;
      right = { level, hash: nodeHash(left.hash, right.hash) };
      this.insertNode.run(level, this.frontierSize / 2 ** level - 1, right.hash);
    }
    this.frontier.push(right);
  }

  /** Rebuilds the frontier from the table: one stored node per set bit of the size, largest first. */
  private loadFrontier(): void {
    const size = this.size();
    const frontier: FrontierNode[] = [];
    let start = 0;
    for (let level = highestLevel(size); level >= 0; level--) {
      const width = 2 ** level;
      if (size - start >= width) {
        frontier.push({ level, hash: this.node(level, start / width) });
        start += width;
      }
    }
    this.frontier = frontier;
    this.frontierSize = size;
  }

  private checkRange(start: number, end: number): void {
    const size = this.size();
    if (!(
      Number.isSafeInteger(start) &&
      Number.isSafeInteger(end) &&
      0 <= start &&
      start <= end &&
      end <= size
    )) {
      throw new RangeError(`range [${start}, ${end}) is outside the tree of size ${size}`);
    }
  }
}

/** log2(n) when n is a power of two, else null. */
function perfectLevel(n: number): number | null {
  let level = 0;
  let width = 1;
  while (width < n) {
    width *= 2;
    level += 1;
  }
  return width === n ? level : null;
}

/** The level of the tallest perfect subtree that fits in `size` leaves (−1 for an empty tree). */
function highestLevel(size: number): number {
  let level = -1;
  while (2 ** (level + 1) <= size) level += 1;
  return level;
}
