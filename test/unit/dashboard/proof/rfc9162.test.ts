/**
 * The browser's RFC 9162 hashes and inclusion proofs (src/dashboard/proof/rfc9162.ts), on WebCrypto: the
 * transparency-dev published vectors, the corrupted-proof probes the server's verifier is held to, and the server's
 * own code (src/audit) on random trees.
 */
import fc from 'fast-check';
import { inclusionProof, verifyInclusion } from '../../../../src/audit/inclusionProof';
import { rootFromLeafHashes, subtreeHashOver } from '../../../../src/audit/merkleTreeHash';
import * as server from '../../../../src/audit/rfc9162';
import {
  leafHash,
  MAX_PROOF_LENGTH,
  nodeHash,
  rootFromInclusionProof,
  sameHash,
} from '../../../../src/dashboard/proof/rfc9162';
import { inclusionProbes } from '../../audit/proofProbes';
import { HASHER_VECTORS, INCLUSION_PROOFS, LEAF_INPUTS, ROOTS } from '../../audit/transparencyDevVectors';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

/** What the browser code says of a proof: does it lead to `root`? */
async function verifies(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  const computed = await rootFromInclusionProof(leafIndex, treeSize, leaf, path);
  return computed !== null && sameHash(computed, root);
}

describe('the hash functions (RFC 9162 §2.1.1) against the transparency-dev hasher vectors', () => {
  test('the empty leaf, leaf "L123456" and node ("N123", "N456")', async () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(hex(await leafHash(new Uint8Array(0)))).toBe(HASHER_VECTORS.emptyLeaf);
    expect(hex(await leafHash(text('L123456')))).toBe(HASHER_VECTORS.leafL123456);
    expect(hex(await nodeHash(text('N123'), text('N456')))).toBe(HASHER_VECTORS.nodeN123N456);
  });
});

describe('inclusion proofs (RFC 9162 §2.1.3.2) against the transparency-dev published vectors', () => {
  let leaves: Uint8Array[];
  beforeAll(async () => {
    leaves = await Promise.all(LEAF_INPUTS.map((input) => leafHash(fromHex(input))));
  });

  test.each(INCLUSION_PROOFS.map((v) => [v.leafIndex, v.treeSize, v] as const))(
    'leaf %i of a tree of size %i: the published path leads to the published root; every probe is refused',
    async (leafIndex, treeSize, vector) => {
      const leaf = leaves[leafIndex] as Uint8Array;
      const root = fromHex(ROOTS[treeSize] ?? '');
      const path = vector.path.map(fromHex);
      expect(await verifies(leafIndex, treeSize, leaf, path, root)).toBe(true);
      const good = {
        leafIndex,
        treeSize,
        leafHash: Buffer.from(leaf),
        path: path.map((h) => Buffer.from(h)),
        root: Buffer.from(root),
      };
      const accepted: string[] = [];
      for (const { desc, probe } of inclusionProbes(good)) {
        if (await verifies(probe.leafIndex, probe.treeSize, probe.leafHash, probe.path, probe.root))
          accepted.push(desc);
      }
      expect(accepted).toEqual([]);
    },
  );

  test('refuses an index outside the tree, a proof longer than 64 hashes, and numbers that are not indices', async () => {
    const leaf = leaves[0] as Uint8Array;
    expect(await rootFromInclusionProof(1, 1, leaf, [])).toBeNull();
    expect(await rootFromInclusionProof(-1, 1, leaf, [])).toBeNull();
    expect(await rootFromInclusionProof(0, 0, leaf, [])).toBeNull();
    expect(await rootFromInclusionProof(0.5, 2, leaf, [leaf])).toBeNull();
    expect(await rootFromInclusionProof(Number.MAX_SAFE_INTEGER + 1, 2 ** 60, leaf, [])).toBeNull();
    const long = Array.from({ length: MAX_PROOF_LENGTH + 1 }, () => leaf);
    expect(await rootFromInclusionProof(0, Number.MAX_SAFE_INTEGER, leaf, long)).toBeNull();
    // The longest a safe-integer tree needs (53 levels) is still taken.
    const tallest = Array.from({ length: 53 }, () => leaf);
    expect(await rootFromInclusionProof(0, Number.MAX_SAFE_INTEGER, leaf, tallest)).not.toBeNull();
  });
});

describe("the server's tree and the browser's check agree (fast-check)", () => {
  const leafInputs = fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 70 });

  test("the same leaf hashes, and every proof the server gives leads the browser to the server's root", async () => {
    await fc.assert(
      fc.asyncProperty(leafInputs, fc.nat(), async (inputs, pick) => {
        const browserLeaves = await Promise.all(inputs.map((input) => leafHash(input)));
        const serverLeaves = inputs.map((input) => server.leafHash(input));
        expect(browserLeaves.map(hex)).toEqual(serverLeaves.map(hex));
        const treeSize = inputs.length;
        const leafIndex = pick % treeSize;
        const path = inclusionProof(leafIndex, treeSize, subtreeHashOver(serverLeaves));
        const root = await rootFromInclusionProof(
          leafIndex,
          treeSize,
          browserLeaves[leafIndex] as Uint8Array,
          path,
        );
        expect(hex(root ?? new Uint8Array(0))).toBe(hex(rootFromLeafHashes(serverLeaves)));
      }),
      { numRuns: 60 },
    );
  });

  test('a proof for another index or size, or with a hash removed or added, is refused by both or by neither', async () => {
    await fc.assert(
      fc.asyncProperty(
        leafInputs,
        fc.nat(),
        fc.integer({ min: -2, max: 2 }),
        fc.integer({ min: -3, max: 3 }),
        fc.constantFrom('none', 'drop', 'add'),
        async (inputs, pick, indexShift, sizeShift, pathChange) => {
          const leaves = inputs.map((input) => server.leafHash(input));
          const treeSize = inputs.length;
          const leafIndex = pick % treeSize;
          const path = inclusionProof(leafIndex, treeSize, subtreeHashOver(leaves));
          const changed =
            pathChange === 'drop'
              ? path.slice(1)
              : pathChange === 'add'
                ? [...path, leaves[0] as Buffer]
                : path;
          const [index, size] = [leafIndex + indexShift, treeSize + sizeShift];
          const leaf = leaves[leafIndex] as Buffer;
          const root = rootFromLeafHashes(leaves);
          expect(await verifies(index, size, leaf, changed, root)).toBe(
            verifyInclusion(index, size, leaf, changed, root),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
