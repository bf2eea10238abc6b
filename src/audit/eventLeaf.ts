/**
 * The leaf of a ledger event in the Merkle tree (API.md, "Leaf hash"): its leaf input is the UTF-8 of the event's
 * canonical text (eventLeafText.ts, kept free of Node-only APIs for the dashboard), hashed with RFC 9162's leafHash.
 */
import type { RecordedEvent } from '../store/eventStore';
import { eventLeafText } from './eventLeafText';
import { HASH_SIZE, leafHash } from './rfc9162';

/** The canonical bytes of an event: the leaf input a trace hands out and an auditor hashes. */
export function eventLeafBytes(envelope: RecordedEvent): Buffer {
  return Buffer.from(eventLeafText(envelope), 'utf8');
}

/** The Merkle leaf hash of an event: leafHash(eventLeafBytes(envelope)). */
export function eventLeafHash(envelope: RecordedEvent): Buffer {
  return leafHash(eventLeafText(envelope));
}

/** A leaf no event has: what a stored row that is not an event (a field of the wrong type) hashes to in a verify. */
const NOT_AN_EVENT = Buffer.alloc(HASH_SIZE);

/**
 * eventLeafHash, for events read back from a store that may have been edited by hand: one that cannot be hashed (a
 * BLOB where text belongs, say) gets a leaf that matches nothing, so verify names its position instead of stopping.
 */
export function storedEventLeafHash(envelope: RecordedEvent): Buffer {
  try {
    return eventLeafHash(envelope);
  } catch {
    return NOT_AN_EVENT;
  }
}
