/**
 * RFC 9162 §2.1.3: Merkle inclusion proofs (audit paths), generation (§2.1.3.1) and verification (§2.1.3.2).
 * Indices and sizes are plain numbers; the bit operations of the RFC are written with arithmetic because
 * JavaScript's bitwise operators truncate to 32 bits.
 */
import type { SubtreeHash } from './merkleTreeHash';
import { half, isOdd, splitPoint } from './merkleTreeHash';
import { isHash, nodeHash } from './rfc9162';

/**
 * §2.1.3.1 PATH(m, D[n]): the sibling hashes from the leaf up to the root, leaf-level first.
 * `subtreeHash(start, end)` must return MTH of leaves [start, end) of the tree the proof is for.
 */
export function inclusionProof(leafIndex: number, treeSize: number, subtreeHash: SubtreeHash): Buffer[] {
  if (!isIndexInTree(leafIndex, treeSize)) {
    throw new RangeError(`inclusion proof: leaf ${leafIndex} is not in a tree of size ${treeSize}`);
  }
  // Walk down from the root; the RFC appends each sibling after the deeper part, so collect and reverse.
  const rootDown: Buffer[] = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (leafIndex < start + k) {
      rootDown.push(subtreeHash(start + k, end)); // PATH(m, D[0:k]) : MTH(D[k:n])
      end = start + k;
    } else {
      rootDown.push(subtreeHash(start, start + k)); // PATH(m - k, D[k:n]) : MTH(D[0:k])
      start += k;
    }
  }
  return rootDown.reverse();
}

/**
 * §2.1.3.2: true when `path` proves that `leafHash` is leaf `leafIndex` of the tree of `treeSize` leaves whose root
 * is `rootHash`. Never throws: a malformed input is simply not a proof.
 */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  path: readonly Uint8Array[],
  rootHash: Uint8Array,
): boolean {
  if (!isIndexInTree(leafIndex, treeSize)) return false; // step 1: leaf_index >= tree_size fails
  if (!isHash(leafHash) || !isHash(rootHash) || !path.every(isHash)) return false;
  const computed = rootFromInclusionPath(leafIndex, treeSize, leafHash, path);
  return computed !== null && computed.equals(rootHash);
}

/** Steps 2–5 of §2.1.3.2: the root the path leads to, or null when the path has the wrong length. */
function rootFromInclusionPath(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  path: readonly Uint8Array[],
): Buffer | null {
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of path) {
    if (sn === 0) return null; // 4a: the path is longer than the tree is high
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // 4b.ii: skip the levels where this node has no right sibling (the right edge of an unbalanced tree)
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null; // 5: a path that stops short leaves sn > 0
}

function isIndexInTree(leafIndex: number, treeSize: number): boolean {
  return (
    Number.isSafeInteger(leafIndex) &&
    Number.isSafeInteger(treeSize) &&
    0 <= leafIndex &&
    leafIndex < treeSize
  );
}
