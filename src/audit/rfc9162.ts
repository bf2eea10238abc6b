/**
 * The two hash functions of RFC 9162 §2.1 (Merkle Hash Trees, SHA-256). The 0x00 / 0x01 prefixes separate leaves
 * from interior nodes, which gives second-preimage resistance. What a ledger event's leaf input is lives beside
 * this, in eventLeaf.ts.
 */
import crypto from 'node:crypto';

/** Length in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

/** True for a value that can be a tree hash: exactly one SHA-256 output. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/**
 * SHA-256 in one call where Node has crypto.hash with Buffer output (20.12+): no Hash object per call, which shows
 * when a verify hashes two million times. Older Node takes the streaming API.
 */
const sha256: (data: string | Uint8Array) => Buffer = hasOneShotHash()
  ? (data) => crypto.hash('sha256', data, 'buffer')
  : (data) => crypto.createHash('sha256').update(data).digest();

function hasOneShotHash(): boolean {
  try {
    return typeof crypto.hash === 'function' && Buffer.isBuffer(crypto.hash('sha256', '', 'buffer'));
  } catch {
    return false;
  }
}

/**
 * RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). A text stands for its UTF-8 and is hashed without being
 * encoded first (U+0000 is the single byte 0x00 in UTF-8, so "\u0000" + text is exactly 0x00 || its bytes): a
 * verify hashes every event's leaf text.
 */
export function leafHash(leafInput: Uint8Array | string): Buffer {
  return typeof leafInput === 'string'
    ? sha256(`\u0000${leafInput}`)
    : sha256(Buffer.concat([LEAF_PREFIX, leafInput]));
}

/** RFC 9162 §2.1.1: the interior node SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(Buffer.concat([NODE_PREFIX, left, right]));
}

/** RFC 9162 §2.1.1: MTH({}) = SHA-256(), the root of the empty tree. */
export function emptyRoot(): Buffer {
  return sha256(Buffer.alloc(0));
}
