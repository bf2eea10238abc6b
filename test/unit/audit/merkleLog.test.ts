/*
 * Perf sanity check (QUALITY.md P6), deliberately not a timed test. Measured once on the 2-core shared dev machine,
 * Node 20, WAL journal: a MerkleLog of 1,000,000 leaves appended in batches of 1,000, then 2,000 random queries.
 *   inclusionProof(i, 1M)     0.24 ms each (20 path elements, ~40 primary-key lookups)
 *   consistencyProof(m, 1M)   0.22 ms each
 *   rootAt(n ≈ 1M)            0.13 ms each
 *   reopen (frontier load)    0.3 ms
 *   append                    11–16 µs per leaf (~2 inserts + 1 SHA-256), table ≈ 90 MB
 * To repeat: build a MerkleLog on a file in os.tmpdir(), append 1M leafHash(`e${i}`) in batches, and time the calls
 * above over random indices with process.hrtime.bigint().
 */
import type Database from 'better-sqlite3';
import { verifyConsistency } from '../../../src/audit/consistencyProof';
import { verifyInclusion } from '../../../src/audit/inclusionProof';
import { MerkleLog } from '../../../src/audit/merkleLog';
import { rootFromLeafHashes } from '../../../src/audit/merkleTreeHash';
import { leafHash } from '../../../src/audit/rfc9162';
import type { TemporaryDatabase } from './temporaryDatabase';
import { temporaryDatabase } from './temporaryDatabase';
import { LEAF_INPUTS, NODE_HASHES, ROOTS } from './transparencyDevVectors';

const leavesOf = (from: number, count: number): Buffer[] =>
  Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`event ${from + i}`)));

interface NodeRow {
  level: number;
  idx: number;
  hash: Buffer;
}

let file: TemporaryDatabase;
let db: Database.Database;

beforeEach(() => {
  file = temporaryDatabase();
  db = file.open();
});

afterEach(() => {
  if (db.open) db.close();
  file.remove();
});

describe('MerkleLog on the transparency-dev test tree', () => {
  const leaves = LEAF_INPUTS.map((input) => leafHash(Buffer.from(input, 'hex')));

  it('given the 8 test leaves appended one at a time, then the stored nodes are exactly the published complete subtrees', () => {
    const log = new MerkleLog(db);
    leaves.forEach((leaf) => log.appendLeafHashes([leaf]));
    const rows = db
      .prepare('SELECT level, idx, hash FROM merkle_node ORDER BY level, idx')
      .all() as NodeRow[];
    const stored = rows.map((r) => [r.level, r.idx, r.hash.toString('hex')]);
    const published = NODE_HASHES.flatMap((level, l) => level.map((hash, i) => [l, i, hash]));
    expect(stored).toEqual(published);
  });

  it('given the 8 test leaves appended in one batch, then the root at every size is the published one', () => {
    const log = new MerkleLog(db);
    log.appendLeafHashes(leaves);
    expect(ROOTS.map((_, size) => log.rootAt(size).toString('hex'))).toEqual(ROOTS);
  });
});

describe('MerkleLog persistence', () => {
  it('given a log closed and reopened between batches, when appending goes on, then roots and proofs match the reference', () => {
    const all = leavesOf(0, 100);
    const batches = [5, 1, 10, 0, 27, 1, 56];
    let appended = 0;
    for (const batch of batches) {
      const log = new MerkleLog(db); // reopening rebuilds the frontier from the table
      expect(log.size()).toBe(appended);
      log.appendLeafHashes(all.slice(appended, appended + batch));
      appended += batch;
      db.close();
      db = file.open();
    }
    const log = new MerkleLog(db);
    expect(log.size()).toBe(100);
    for (let size = 0; size <= 100; size++) {
      expect(log.rootAt(size).equals(rootFromLeafHashes(all.slice(0, size)))).toBe(true);
    }
    const root = log.rootAt(100);
    expect(verifyInclusion(42, 100, all[42] as Buffer, log.inclusionProof(42, 100), root)).toBe(true);
    expect(verifyConsistency(37, 100, log.consistencyProof(37, 100), log.rootAt(37), root)).toBe(true);
  });

  it('given leaves appended, then only complete subtrees are stored: floor(n / 2^level) nodes per level', () => {
    const log = new MerkleLog(db);
    log.appendLeafHashes(leavesOf(0, 45));
    const counts = db
      .prepare('SELECT level, COUNT(*) AS n FROM merkle_node GROUP BY level ORDER BY level')
      .all();
    expect(counts).toEqual([45, 22, 11, 5, 2, 1].map((n, level) => ({ level, n })));
  });
});

describe('MerkleLog inside the caller transaction', () => {
  it('given a caller transaction that rolls back after an append, when appending goes on, then the tree forgets the rolled-back leaves', () => {
    const log = new MerkleLog(db);
    const kept = leavesOf(0, 6);
    log.appendLeafHashes(kept);
    const failing = db.transaction(() => {
      log.appendLeafHashes(leavesOf(1000, 3));
      throw new Error('the event insert failed');
    });
    expect(() => failing()).toThrow('the event insert failed');
    expect(log.size()).toBe(6);

    const more = leavesOf(6, 5);
    db.transaction(() => log.appendLeafHashes(more))();
    expect(log.rootAt(11).equals(rootFromLeafHashes([...kept, ...more]))).toBe(true);
  });

  it('given a batch with a malformed hash, when appended, then nothing is appended', () => {
    const log = new MerkleLog(db);
    log.appendLeafHashes(leavesOf(0, 3));
    expect(() => log.appendLeafHashes([...leavesOf(3, 2), Buffer.alloc(31)])).toThrow(TypeError);
    expect(log.size()).toBe(3);
  });

  it('given a batch that fails halfway through, then none of it is stored and the next append builds on the table', () => {
    const log = new MerkleLog(db);
    const all = leavesOf(0, 7);
    log.appendLeafHashes(all.slice(0, 3));
    // A stray row where leaf 5's parent will go makes the batch fail after leaves 3 and 4 are in.
    const stray = db.prepare('INSERT INTO merkle_node (level, idx, hash) VALUES (1, 2, ?)');
    stray.run(Buffer.alloc(32));
    expect(() => log.appendLeafHashes(all.slice(3, 7))).toThrow(/UNIQUE/);
    expect(log.size()).toBe(3);
    expect(() => log.leafHashAt(3)).toThrow(RangeError);

    db.prepare('DELETE FROM merkle_node WHERE level = 1 AND idx = 2').run();
    log.appendLeafHashes(all.slice(3, 7));
    expect(log.rootAt(7).equals(rootFromLeafHashes(all))).toBe(true);
  });

  it('given a second MerkleLog appending to the same table, when the first appends again, then it builds on both', () => {
    const all = leavesOf(0, 9);
    const first = new MerkleLog(db);
    first.appendLeafHashes(all.slice(0, 3));
    new MerkleLog(db).appendLeafHashes(all.slice(3, 5));
    first.appendLeafHashes(all.slice(5, 9));
    expect(first.rootAt(9).equals(rootFromLeafHashes(all))).toBe(true);
  });

  it('given a table that lost a frontier node, when opened, then it names the missing node', () => {
    new MerkleLog(db).appendLeafHashes(leavesOf(0, 3));
    db.prepare('DELETE FROM merkle_node WHERE level = 1 AND idx = 0').run();
    expect(() => new MerkleLog(db)).toThrow('merkle_node (1, 0) is missing');
  });
});

describe('MerkleLog argument checks', () => {
  it('given a tree of 5 leaves, when asked about sizes or leaves beyond it, then it answers with a RangeError', () => {
    const log = new MerkleLog(db);
    log.appendLeafHashes(leavesOf(0, 5));
    expect(() => log.rootAt(6)).toThrow(RangeError);
    expect(() => log.rootAt(-1)).toThrow(RangeError);
    expect(() => log.leafHashAt(5)).toThrow(RangeError);
    expect(() => log.inclusionProof(5, 5)).toThrow(RangeError);
    expect(() => log.inclusionProof(0, 6)).toThrow(RangeError);
    expect(() => log.consistencyProof(3, 6)).toThrow(RangeError);
    expect(() => log.consistencyProof(4, 3)).toThrow(RangeError);
    expect(() => log.subtreeHash(3, 2)).toThrow(RangeError);
  });

  it('given an empty log, then its size is 0 and its root is the empty root', () => {
    const log = new MerkleLog(db);
    expect(log.size()).toBe(0);
    expect(log.rootAt(0).toString('hex')).toBe(ROOTS[0]);
  });

  it('given a range not aligned to any subtree, when its hash is asked, then it is the MTH of those leaves', () => {
    const all = leavesOf(0, 20);
    const log = new MerkleLog(db);
    log.appendLeafHashes(all);
    expect(log.subtreeHash(3, 17).equals(rootFromLeafHashes(all.slice(3, 17)))).toBe(true);
  });
});

describe('MerkleLog.perfectSubtreeHashes (one read for a run of perfect subtrees: a tlog tile)', () => {
  it('given a run of perfect subtrees at each height, then each is the MTH of its leaves', () => {
    const log = new MerkleLog(db);
    const leaves = leavesOf(0, 1000);
    log.appendLeafHashes(leaves);
    for (const level of [0, 1, 3, 8, 9]) {
      const width = 2 ** level;
      const count = Math.floor(1000 / width);
      const hashes = log.perfectSubtreeHashes(level, 0, count);
      expect(hashes).toHaveLength(count);
      hashes.forEach((hash, i) => {
        expect(hash.equals(rootFromLeafHashes(leaves.slice(i * width, (i + 1) * width)))).toBe(true);
      });
    }
    expect(log.perfectSubtreeHashes(2, 5, 5)).toEqual([]);
  });

  it('given a run reaching past the tree, or a bad level, then a RangeError, not a short answer', () => {
    const log = new MerkleLog(db);
    log.appendLeafHashes(leavesOf(0, 300));
    expect(() => log.perfectSubtreeHashes(8, 0, 2)).toThrow(RangeError);
    expect(() => log.perfectSubtreeHashes(0, 299, 301)).toThrow(RangeError);
    expect(() => log.perfectSubtreeHashes(-1, 0, 1)).toThrow(RangeError);
    expect(() => log.perfectSubtreeHashes(1.5, 0, 1)).toThrow(RangeError);
  });

  it('given a node deleted behind its back, then it says the stored tree is incomplete instead of serving a short run', () => {
    const log = new MerkleLog(db);
    log.appendLeafHashes(leavesOf(0, 512));
    db.prepare('DELETE FROM merkle_node WHERE level = 8 AND idx = 1').run();
    expect(() => log.perfectSubtreeHashes(8, 0, 2)).toThrow(/incomplete/);
    expect(log.perfectSubtreeHashes(8, 0, 1)).toHaveLength(1);
  });
});
