import { consistencyProof, verifyConsistency } from '../../../src/audit/consistencyProof';
import { inclusionProof, verifyInclusion } from '../../../src/audit/inclusionProof';
import { subtreeHashOver } from '../../../src/audit/merkleTreeHash';
import { emptyRoot, leafHash } from '../../../src/audit/rfc9162';
import {
  acceptedConsistencyProbes,
  acceptedInclusionProbes,
  consistencyProbes,
  SOME_HASH,
} from './proofProbes';
import { CONSISTENCY_PROOFS, INCLUSION_PROOFS, LEAF_INPUTS, ROOTS } from './transparencyDevVectors';

const leafHashes = LEAF_INPUTS.map((input) => leafHash(Buffer.from(input, 'hex')));
const fromHex = (hashes: readonly string[]): Buffer[] => hashes.map((h) => Buffer.from(h, 'hex'));
const rootOf = (size: number): Buffer => Buffer.from(ROOTS[size] ?? '', 'hex');
const hexes = (hashes: readonly Buffer[]): string[] => hashes.map((h) => h.toString('hex'));

describe('inclusion proofs against the transparency-dev published vectors (RFC 9162 §2.1.3)', () => {
  describe.each(INCLUSION_PROOFS.map((v) => [v.leafIndex, v.treeSize, v] as const))(
    'leaf %i of a tree of size %i',
    (leafIndex, treeSize, vector) => {
      it('given the test tree, when the proof is generated, then it is the published path', () => {
        const tree = subtreeHashOver(leafHashes.slice(0, treeSize));
        expect(hexes(inclusionProof(leafIndex, treeSize, tree))).toEqual(vector.path);
      });

      it('given the published path, when verified against the published root, then it holds', () => {
        const leaf = leafHashes[leafIndex] as Buffer;
        expect(verifyInclusion(leafIndex, treeSize, leaf, fromHex(vector.path), rootOf(treeSize))).toBe(true);
      });

      it('given corrupted variants of the path, when verified, then every one is rejected', () => {
        const good = {
          leafIndex,
          treeSize,
          leafHash: leafHashes[leafIndex] as Buffer,
          path: fromHex(vector.path),
          root: rootOf(treeSize),
        };
        expect(acceptedInclusionProbes(good)).toEqual([]);
      });
    },
  );

  it('given the path of leaf 1 of 2, when presented as leaf 0 of a tree of 1, then it is rejected (§2.1.3.2 step 4a)', () => {
    // Read naively the path would climb past the root: H(leaf 0 || leaf 1) is the root of size 2.
    const [leaf0, leaf1] = leafHashes as [Buffer, Buffer];
    expect(verifyInclusion(1, 2, leaf1, [leaf0], rootOf(2))).toBe(true);
    expect(verifyInclusion(0, 1, leaf1, [leaf0], rootOf(2))).toBe(false);
  });

  it.each([
    [0, 0],
    [0, 1],
    [1, 0],
    [2, 1],
  ])(
    'given index %i and size %i with an empty path and mismatched hashes, then it is rejected',
    (index, size) => {
      expect(verifyInclusion(index, size, SOME_HASH, [], new Uint8Array())).toBe(false);
      expect(verifyInclusion(index, size, new Uint8Array(), [], emptyRoot())).toBe(false);
      expect(verifyInclusion(index, size, SOME_HASH, [], emptyRoot())).toBe(false);
    },
  );

  it('given nonsense numbers, when verified, then the answer is false rather than an exception', () => {
    const leaf = leafHashes[0] as Buffer;
    for (const [index, size] of [
      [-1, 1],
      [0.5, 1],
      [0, Number.NaN],
      [0, Infinity],
      [2 ** 53, 2 ** 53 + 2],
    ] as const) {
      expect(verifyInclusion(index, size, leaf, [], leaf)).toBe(false);
    }
  });
});

describe('consistency proofs against the transparency-dev published vectors (RFC 9162 §2.1.4)', () => {
  describe.each(CONSISTENCY_PROOFS.map((v) => [v.size1, v.size2, v] as const))(
    'from size %i to size %i',
    (size1, size2, vector) => {
      it('given the test tree, when the proof is generated, then it is the published path', () => {
        const tree = subtreeHashOver(leafHashes.slice(0, size2));
        expect(hexes(consistencyProof(size1, size2, tree))).toEqual(vector.path);
      });

      it('given the published path, when verified against the published roots, then it holds', () => {
        expect(verifyConsistency(size1, size2, fromHex(vector.path), rootOf(size1), rootOf(size2))).toBe(
          true,
        );
      });

      it('given corrupted variants of the path and roots, when verified, then every one is rejected', () => {
        const good = { size1, size2, path: fromHex(vector.path), root1: rootOf(size1), root2: rootOf(size2) };
        // Also for the empty path (1 → 1): other sizes, wrong roots and a non-empty path must all fail.
        expect(consistencyProbes(good).length).toBeGreaterThan(10);
        expect(acceptedConsistencyProbes(good)).toEqual([]);
      });
    },
  );

  // proof/verify_test.go TestVerifyConsistency, with two deliberate differences noted inline.
  const r1 = rootOf(1);
  const r2 = rootOf(2);
  it.each([
    ['size 0 to 0, different roots', 0, 0, emptyRoot(), r2, [], false],
    ['size 1 to 1, different roots', 1, 1, r1, r2, [], false],
    ['size 0 to 0, empty roots', 0, 0, emptyRoot(), emptyRoot(), [], true],
    // transparency-dev accepts any root1 for size 0; we insist on the empty tree's root.
    ['size 0 to 1 from the empty root', 0, 1, emptyRoot(), r1, [], true],
    ['size 0 to 1 from a non-empty root', 0, 1, r2, r1, [], false],
    ['size 1 to 1, same roots', 1, 1, r2, r2, [], true],
    ['time travel 1 to 0', 1, 0, r1, r2, [], false],
    ['time travel 2 to 1', 2, 1, r1, r2, [], false],
    ['size 1 to 2, empty path', 1, 2, r1, r2, [], false],
    ['size 0 to 0, equal roots, non-empty path', 0, 0, emptyRoot(), emptyRoot(), [emptyRoot()], false],
    ['size 0 to 1, non-empty path', 0, 1, emptyRoot(), r1, [emptyRoot()], false],
    ['size 1 to 1, equal roots, non-empty path', 1, 1, r1, r1, [emptyRoot()], false],
  ] as const)('given %s, then verification says %s', (_desc, size1, size2, root1, root2, path, expected) => {
    expect(verifyConsistency(size1, size2, [...path], root1, root2)).toBe(expected);
  });

  it('given a neighbouring size2 whose tree has the same shape, then the proof checks out: the size is bound by the checkpoint', () => {
    // 2 → 5 walks MTH(2:4) then leaf 4; 2 → 6 walks MTH(2:4) then MTH(4:6): the same steps, so the same root.
    const path = fromHex(CONSISTENCY_PROOFS.find((v) => v.size1 === 2 && v.size2 === 5)?.path ?? []);
    expect(verifyConsistency(2, 6, path, rootOf(2), rootOf(5))).toBe(true);
  });

  it('given sizes out of order, when a proof is asked for, then it is a RangeError', () => {
    expect(() => consistencyProof(3, 2, subtreeHashOver(leafHashes))).toThrow(RangeError);
    expect(() => inclusionProof(3, 3, subtreeHashOver(leafHashes))).toThrow(RangeError);
  });
});
