/**
 * The two hash functions of RFC 9162 §2.1 (Merkle Hash Trees, SHA-256), and the leaf input of a ledger event.
 * The 0x00 / 0x01 prefixes separate leaves from interior nodes, which gives second-preimage resistance.
 */
import crypto from 'node:crypto';
import type { RecordedEvent } from '../store/eventStore';
import { eventLeafText } from './eventLeafText';

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

/** RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(leafBytes: Uint8Array): Buffer {
  return sha256(Buffer.concat([LEAF_PREFIX, leafBytes]));
}

/** RFC 9162 §2.1.1: the interior node SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(Buffer.concat([NODE_PREFIX, left, right]));
}

/** RFC 9162 §2.1.1: MTH({}) = SHA-256(), the root of the empty tree. */
export function emptyRoot(): Buffer {
  return sha256(Buffer.alloc(0));
}

/** The canonical bytes of an event (API.md, "Leaf hash"): the UTF-8 of its canonical text (eventLeafText.ts). */
export function eventLeafBytes(envelope: RecordedEvent): Buffer {
  return Buffer.from(eventLeafText(envelope), 'utf8');
}

/**
 * The Merkle leaf hash of an event: leafHash(eventLeafBytes(envelope)), hashed straight from the text (U+0000 is
 * the single byte 0x00 in UTF-8, so "\u0000" + text is exactly 0x00 || canonical bytes).
 */
export function eventLeafHash(envelope: RecordedEvent): Buffer {
  return sha256(`\u0000${eventLeafText(envelope)}`);
}

/** A leaf no event has: what a stored row that is not an event (a field of the wrong type) hashes to in a verify. */
const NOT_AN_EVENT = Buffer.alloc(HASH_SIZE);

/**
 * eventLeafHash, for rows read back from a store that may have been edited by hand: a row that cannot be hashed (a
 * BLOB where text belongs, say) gets a leaf that matches nothing, so verify names its position instead of stopping.
 */
export function storedEventLeafHash(envelope: RecordedEvent): Buffer {
  try {
    return eventLeafHash(envelope);
  } catch {
    return NOT_AN_EVENT;
  }
}
