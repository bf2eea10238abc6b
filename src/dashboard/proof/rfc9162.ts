/**
 * RFC 9162 §2.1 (Merkle Hash Trees, SHA-256) in the browser, through WebCrypto: the two hash functions and the
 * root an inclusion proof leads to. The same tree as the server's (src/audit/rfc9162.ts, inclusionProof.ts); this
 * copy exists because those use node:crypto and hash synchronously, and WebCrypto only hashes asynchronously.
 */
import type { Bytes } from './base64';

/** Length in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

/**
 * The longest inclusion proof taken: a tree of 2^64 leaves needs 64 hashes, and no ledger gets near it, so a longer
 * path is hostile input and is refused before any hashing.
 */
export const MAX_PROOF_LENGTH = 64;

async function sha256(...parts: readonly Uint8Array[]): Promise<Bytes> {
  const input = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let at = 0;
  for (const part of parts) {
    input.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(leafBytes: Uint8Array): Promise<Bytes> {
  return sha256(LEAF_PREFIX, leafBytes);
}

/** §2.1.1: the interior node SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Bytes> {
  return sha256(NODE_PREFIX, left, right);
}

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * §2.1.3.2: the root hash that `path` leads to from leaf `leafIndex` (whose hash is `leaf`) of a tree of `treeSize`
 * leaves, or null when it is no proof for that leaf and size: an index outside the tree (step 1), a path of the
 * wrong length (steps 4a and 5), or an element that is not a hash. The caller compares the root with a signed one.
 */
export async function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
): Promise<Bytes | null> {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize)) return null;
  if (leafIndex < 0 || leafIndex >= treeSize) return null; // step 1
  if (path.length > MAX_PROOF_LENGTH || leaf.length !== HASH_SIZE) return null;
  if (!path.every((hash) => hash.length === HASH_SIZE)) return null;
  // Bit operations written with arithmetic: JavaScript's bitwise operators truncate to 32 bits.
  const isOdd = (x: number): boolean => x % 2 === 1;
  const half = (x: number): number => Math.floor(x / 2);
  let fn = leafIndex; // step 2
  let sn = treeSize - 1;
  let r: Bytes = Uint8Array.from(leaf);
  for (const p of path) {
    if (sn === 0) return null; // step 4a: the path is longer than the tree is high
    if (isOdd(fn) || fn === sn) {
      r = await nodeHash(p, r); // step 4b.i
      // step 4b.ii: skip the levels where this node has no right sibling (the right edge of an unbalanced tree)
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p); // step 4c
    }
    fn = half(fn); // step 4d
    sn = half(sn);
  }
  return sn === 0 ? r : null; // step 5: a path that stops short leaves sn > 0
}
