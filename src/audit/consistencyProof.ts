/**
 * RFC 9162 §2.1.4: Merkle consistency proofs between two tree sizes of one append-only log, generation (§2.1.4.1)
 * and verification (§2.1.4.2).
 */
import type { SubtreeHash } from './merkleTreeHash';
import { half, isOdd, isPowerOfTwo, splitPoint } from './merkleTreeHash';
import { emptyRoot, isHash, nodeHash } from './rfc9162';

/**
 * §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true). The RFC defines it for 0 < m < n; for m = 0 or m = n the
 * proof is empty (the empty tree is a prefix of every tree, and a tree of itself), as verifyConsistency expects.
 */
export function consistencyProof(size1: number, size2: number, subtreeHash: SubtreeHash): Buffer[] {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2) && 0 <= size1 && size1 <= size2)) {
    throw new RangeError(
      `consistency proof: sizes must satisfy 0 <= size1 <= size2, got ${size1} and ${size2}`,
    );
  }
  if (size1 === 0 || size1 === size2) return [];
  // Walk down from the root; the RFC appends each node after the deeper sub-proof, so collect and reverse.
  const rootDown: Buffer[] = [];
  let start = 0;
  let end = size2;
  let m = size1; // relative to start
  let wholeTreeIsOld = true; // the RFC's flag b: is D[start:end] still the whole old tree?
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      rootDown.push(subtreeHash(start + k, end)); // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      end = start + k;
    } else {
      rootDown.push(subtreeHash(start, start + k)); // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      start += k;
      m -= k;
      wholeTreeIsOld = false;
    }
  }
  // SUBPROOF(m, D[m], true) = {} (the verifier holds that root); SUBPROOF(m, D[m], false) = {MTH(D[m])}.
  if (!wholeTreeIsOld) rootDown.push(subtreeHash(start, end));
  return rootDown.reverse();
}

/**
 * §2.1.4.2: true when `path` proves that the tree of `size1` leaves with root `root1` is a prefix of the tree of
 * `size2` leaves with root `root2`. Never throws: a malformed input is simply not a proof.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  path: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2) && 0 <= size1 && size1 <= size2))
    return false;
  if (!isHash(root1) || !isHash(root2) || !path.every(isHash)) return false;
  // The two cases outside the RFC's 0 < first < second: nothing to prove, so the proof must be empty.
  if (size1 === size2) return path.length === 0 && Buffer.from(root1).equals(root2);
  if (size1 === 0) return path.length === 0 && emptyRoot().equals(root1);
  return verifyConsistencyPath(size1, size2, path, root1, root2);
}

/** The numbered steps of §2.1.4.2, for 0 < size1 < size2. */
function verifyConsistencyPath(
  first: number,
  second: number,
  consistencyPath: readonly Uint8Array[],
  firstHash: Uint8Array,
  secondHash: Uint8Array,
): boolean {
  if (consistencyPath.length === 0) return false; // 1
  const path = isPowerOfTwo(first) ? [firstHash, ...consistencyPath] : consistencyPath; // 2
  let fn = first - 1; // 3
  let sn = second - 1;
  while (isOdd(fn)) {
    // 4: climb to the first level where the old tree's last node is a left child
    fn = half(fn);
    sn = half(sn);
  }
  const [seed, ...rest] = path;
  if (seed === undefined) return false;
  let fr: Buffer = Buffer.from(seed); // 5
  let sr: Buffer = Buffer.from(seed);
  for (const c of rest) {
    if (sn === 0) return false; // 6a: the path is longer than the tree is high
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr); // 6b.i
      sr = nodeHash(c, sr); // 6b.ii
      while (!isOdd(fn) && fn !== 0) {
        // 6b.iii
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn); // 6c
    sn = half(sn);
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0; // 7
}
