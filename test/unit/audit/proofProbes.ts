/**
 * Corrupted variants of a good proof, after corruptInclusionProof and corruptConsistencyProof in
 * transparency-dev/merkle proof/verify_test.go, plus a flipped bit in every path element. Every probe must fail.
 *
 * Wrong sizes are doubled or halved, never nudged by one: the RFC 9162 verifiers read the tree's shape off the
 * sizes, and neighbouring sizes can share the shape a proof walks (proofVectors.test.ts shows one), so such a
 * probe may rightly pass. The size is bound to the root by the signed checkpoint, not by the proof.
 */
import { createHash } from 'node:crypto';
import { verifyConsistency } from '../../../src/audit/consistencyProof';
import { verifyInclusion } from '../../../src/audit/inclusionProof';
import { emptyRoot, leafHash } from '../../../src/audit/rfc9162';

/** A hash that is no node of any test tree (proof/verify_test.go sha256SomeHash). */
export const SOME_HASH = Buffer.from(
  'abacaba000000000000000000000000000000000000000000060061e00123456',
  'hex',
);
const WRONG_LEAF = leafHash(Buffer.from('WrongLeaf'));
const NOT_A_HASH = Buffer.from('WrongRoot');

export interface InclusionCase {
  leafIndex: number;
  treeSize: number;
  leafHash: Buffer;
  path: readonly Buffer[];
  root: Buffer;
}

export interface ConsistencyCase {
  size1: number;
  size2: number;
  path: readonly Buffer[];
  root1: Buffer;
  root2: Buffer;
}

/** Returns a copy of `hash` with one bit flipped, in a byte that moves with `salt` so every byte gets its turn. */
export function flipBit(hash: Buffer, salt: number): Buffer {
  const copy = Buffer.from(hash);
  const at = salt % copy.length;
  copy[at] = (copy[at] ?? 0) ^ (1 << (salt % 8));
  return copy;
}

function withFlippedElement(path: readonly Buffer[], i: number): Buffer[] {
  return path.map((hash, j) => (j === i ? flipBit(hash, i * 7 + 3) : hash));
}

export function inclusionProbes(good: InclusionCase): Array<{ desc: string; probe: InclusionCase }> {
  const { leafIndex, treeSize, path, root } = good;
  const probes: Array<{ desc: string; probe: Partial<InclusionCase> }> = [
    { desc: 'leafIndex - 1', probe: { leafIndex: leafIndex - 1 } },
    { desc: 'leafIndex + 1', probe: { leafIndex: leafIndex + 1 } },
    { desc: 'leafIndex ^ 2', probe: { leafIndex: leafIndex ^ 2 } },
    { desc: 'leafIndex = treeSize', probe: { leafIndex: treeSize } },
    { desc: 'treeSize * 2', probe: { treeSize: treeSize * 2 } },
    { desc: 'treeSize / 2', probe: { treeSize: Math.floor(treeSize / 2) } },
    { desc: 'wrong leaf', probe: { leafHash: WRONG_LEAF } },
    { desc: 'leaf not a hash', probe: { leafHash: NOT_A_HASH } },
    { desc: 'empty root', probe: { root: emptyRoot() } },
    { desc: 'random root', probe: { root: SOME_HASH } },
    { desc: 'root not a hash', probe: { root: NOT_A_HASH } },
    { desc: 'trailing garbage', probe: { path: [...path, Buffer.alloc(0)] } },
    { desc: 'trailing root', probe: { path: [...path, root] } },
    { desc: 'preceding garbage', probe: { path: [Buffer.alloc(0), ...path] } },
    { desc: 'preceding root', probe: { path: [root, ...path] } },
  ];
  path.forEach((_, i) =>
    probes.push({ desc: `flipped bit in path[${i}]`, probe: { path: withFlippedElement(path, i) } }),
  );
  if (path.length > 0) probes.push({ desc: 'truncated path', probe: { path: path.slice(0, -1) } });
  if (path.length > 1) {
    probes.push({
      desc: 'inserted component',
      probe: { path: [path[0] as Buffer, SOME_HASH, ...path.slice(1)] },
    });
  }
  return probes.map(({ desc, probe }) => ({ desc, probe: { ...good, ...probe } }));
}

export function consistencyProbes(good: ConsistencyCase): Array<{ desc: string; probe: ConsistencyCase }> {
  const { size1, size2, path, root1, root2 } = good;
  const probes: Array<{ desc: string; probe: Partial<ConsistencyCase> }> = [
    { desc: 'size1 - 1', probe: { size1: size1 - 1 } },
    { desc: 'size1 + 1', probe: { size1: size1 + 1 } },
    { desc: 'size1 ^ 2', probe: { size1: size1 ^ 2 } },
    { desc: 'size2 * 2', probe: { size2: size2 * 2 } },
    { desc: 'size2 / 2', probe: { size2: Math.floor(size2 / 2) } },
    { desc: 'wrong root1', probe: { root1: SOME_HASH } },
    { desc: 'wrong root2', probe: { root2: SOME_HASH } },
    { desc: 'root1 not a hash', probe: { root1: NOT_A_HASH } },
    { desc: 'swapped roots', probe: { root1: root2, root2: root1 } },
    { desc: 'empty path', probe: { path: [] } },
    { desc: 'trailing garbage', probe: { path: [...path, Buffer.alloc(0)] } },
    { desc: 'trailing root1', probe: { path: [...path, root1] } },
    { desc: 'trailing root2', probe: { path: [...path, root2] } },
    { desc: 'preceding garbage', probe: { path: [Buffer.alloc(0), ...path] } },
    { desc: 'preceding root1', probe: { path: [root1, ...path] } },
    { desc: 'preceding root2', probe: { path: [root2, ...path] } },
    { desc: 'preceding path[0]', probe: { path: [path[0] ?? SOME_HASH, ...path] } },
  ];
  path.forEach((_, i) =>
    probes.push({ desc: `flipped bit in path[${i}]`, probe: { path: withFlippedElement(path, i) } }),
  );
  if (path.length > 0) probes.push({ desc: 'truncated path', probe: { path: path.slice(0, -1) } });
  // For an empty path between equal sizes (1 → 1), "empty path" and "swapped roots" change nothing: they are the
  // good proof itself, not corruptions of it.
  return probes
    .map(({ desc, probe }) => ({ desc, probe: { ...good, ...probe } }))
    .filter(({ probe }) => !sameConsistencyCase(probe, good));
}

function sameConsistencyCase(a: ConsistencyCase, b: ConsistencyCase): boolean {
  const sameHashes = (x: readonly Buffer[], y: readonly Buffer[]): boolean =>
    x.length === y.length && x.every((h, i) => h.equals(y[i] as Buffer));
  return (
    a.size1 === b.size1 &&
    a.size2 === b.size2 &&
    a.root1.equals(b.root1) &&
    a.root2.equals(b.root2) &&
    sameHashes(a.path, b.path)
  );
}

/** The descriptions of the probes the verifier wrongly accepts (so a failing test names them). */
export function acceptedInclusionProbes(good: InclusionCase): string[] {
  return inclusionProbes(good)
    .filter(({ probe: p }) => verifyInclusion(p.leafIndex, p.treeSize, p.leafHash, p.path, p.root))
    .map(({ desc }) => desc);
}

export function acceptedConsistencyProbes(good: ConsistencyCase): string[] {
  return consistencyProbes(good)
    .filter(({ probe: p }) => verifyConsistency(p.size1, p.size2, p.path, p.root1, p.root2))
    .map(({ desc }) => desc);
}

/** SHA-256 of a string, for tests that need some distinct 32-byte values. */
export function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
