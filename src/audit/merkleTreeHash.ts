/**
 * RFC 9162 §2.1.1, the Merkle Tree Hash (MTH) of a list of leaf hashes, written as the RFC states it. This is the
 * reference the stored tree and the proofs are checked against; it costs O(n), so it is not for serving.
 */
import { emptyRoot, nodeHash } from './rfc9162';

/** The MTH range function both proof generators take: MTH of leaves [start, end). */
export type SubtreeHash = (start: number, end: number) => Buffer;

/** RFC 9162 §2.1.1: "k be the largest power of two smaller than n" (n > 1), where a tree splits. */
export function splitPoint(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2)
    throw new RangeError(`splitPoint: n must be an integer > 1, got ${n}`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** True when n is 2^i for some i ≥ 0 (plain numbers, not 32-bit ints: sizes may pass 2^31). */
export function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 1) return false;
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}

/** LSB(x) of RFC 9162 §2.1.3.2 and §2.1.4.2. */
export function isOdd(x: number): boolean {
  return x % 2 === 1;
}

/** "Right-shift by one" of RFC 9162 §2.1.3.2 and §2.1.4.2. */
export function half(x: number): number {
  return Math.floor(x / 2);
}

/** MTH(D[n]) for the given leaf hashes (already leafHash'ed), recursively as in RFC 9162 §2.1.1. */
export function rootFromLeafHashes(leafHashes: readonly Buffer[]): Buffer {
  return mth(leafHashes, 0, leafHashes.length);
}

function mth(leafHashes: readonly Buffer[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 0) return emptyRoot();
  if (n === 1) return leafAt(leafHashes, start);
  const k = splitPoint(n);
  return nodeHash(mth(leafHashes, start, start + k), mth(leafHashes, start + k, end));
}

function leafAt(leafHashes: readonly Buffer[], index: number): Buffer {
  const hash = leafHashes[index];
  if (hash === undefined) throw new RangeError(`no leaf hash at index ${index}`);
  return hash;
}

/** An in-memory SubtreeHash over a leaf list: the reference backing for the proof generators. */
export function subtreeHashOver(leafHashes: readonly Buffer[]): SubtreeHash {
  return (start, end) => {
    if (!(0 <= start && start <= end && end <= leafHashes.length)) {
      throw new RangeError(`subtree [${start}, ${end}) is outside a tree of ${leafHashes.length} leaves`);
    }
    return mth(leafHashes, start, end);
  };
}
