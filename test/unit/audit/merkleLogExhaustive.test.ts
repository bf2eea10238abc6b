/**
 * Every proof of every tree of 1 … 64 leaves, served by a MerkleLog on a SQLite file, against the in-memory
 * reference (RFC 9162 §2.1 as written), and every corrupted variant of each rejected.
 */
import type Database from 'better-sqlite3';
import { consistencyProof, verifyConsistency } from '../../../src/audit/consistencyProof';
import { inclusionProof, verifyInclusion } from '../../../src/audit/inclusionProof';
import { MerkleLog } from '../../../src/audit/merkleLog';
import { rootFromLeafHashes, subtreeHashOver } from '../../../src/audit/merkleTreeHash';
import { leafHash } from '../../../src/audit/rfc9162';
import { acceptedConsistencyProbes, acceptedInclusionProbes, SOME_HASH } from './proofProbes';
import type { TemporaryDatabase } from './temporaryDatabase';
import { temporaryDatabase } from './temporaryDatabase';

const MAX_SIZE = 64;
const leaves = Array.from({ length: MAX_SIZE }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
const reference = subtreeHashOver(leaves);
const referenceRoot = (size: number): Buffer => rootFromLeafHashes(leaves.slice(0, size));
const sizes = Array.from({ length: MAX_SIZE }, (_, i) => i + 1);
const hexes = (hashes: readonly Buffer[]): string[] => hashes.map((h) => h.toString('hex'));

let file: TemporaryDatabase;
let db: Database.Database;
let log: MerkleLog;

beforeAll(() => {
  file = temporaryDatabase();
  db = file.open();
  log = new MerkleLog(db);
  // Uneven batches, so that both single appends and batches that merge across levels are exercised.
  let next = 0;
  for (const batch of [1, 1, 2, 3, 1, 8, 5, 13, 30]) {
    log.appendLeafHashes(leaves.slice(next, next + batch));
    next += batch;
  }
});

afterAll(() => {
  db.close();
  file.remove();
});

it('given 64 leaves appended in uneven batches, then the log holds all of them in order', () => {
  expect(log.size()).toBe(MAX_SIZE);
  expect(sizes.map((n) => log.leafHashAt(n - 1).equals(leaves[n - 1] as Buffer))).not.toContain(false);
});

describe.each(sizes)('a tree of size %i', (n) => {
  const root = referenceRoot(n);

  it('given the stored tree, when its root at this size is taken, then it is the reference MTH', () => {
    expect(log.rootAt(n).equals(root)).toBe(true);
  });

  it('given every leaf, when its inclusion proof is served, then it equals the reference, verifies, and no corruption does', () => {
    for (let i = 0; i < n; i++) {
      const path = log.inclusionProof(i, n);
      expect(hexes(path)).toEqual(hexes(inclusionProof(i, n, reference)));
      const leaf = leaves[i] as Buffer;
      expect(verifyInclusion(i, n, leaf, path, root)).toBe(true);
      expect({
        leaf: i,
        accepted: acceptedInclusionProbes({ leafIndex: i, treeSize: n, leafHash: leaf, path, root }),
      }).toEqual({ leaf: i, accepted: [] });
    }
  });

  it('given every older size, when a consistency proof is served, then it equals the reference, verifies, and no corruption does', () => {
    for (let m = 0; m <= n; m++) {
      const path = log.consistencyProof(m, n);
      expect(hexes(path)).toEqual(hexes(consistencyProof(m, n, reference)));
      const old = referenceRoot(m);
      expect(verifyConsistency(m, n, path, old, root)).toBe(true);
      const probes =
        path.length > 0
          ? acceptedConsistencyProbes({ size1: m, size2: n, path, root1: old, root2: root })
          : trivialConsistencyProbes(m, n, old, root);
      expect({ from: m, accepted: probes }).toEqual({ from: m, accepted: [] });
    }
  });
});

/** For m = 0 or m = n the proof is empty; what can still be wrong is a root or a smuggled path element. */
function trivialConsistencyProbes(m: number, n: number, old: Buffer, root: Buffer): string[] {
  const probes: Array<[string, boolean]> = [
    ['non-empty path', verifyConsistency(m, n, [SOME_HASH], old, root)],
    ['wrong root1', verifyConsistency(m, n, [], SOME_HASH, root)],
    ['wrong sizes order', verifyConsistency(n + 1, n, [], old, root)],
  ];
  if (m === n) probes.push(['wrong root2', verifyConsistency(m, n, [], old, SOME_HASH)]);
  return probes.filter(([, accepted]) => accepted).map(([desc]) => desc);
}
