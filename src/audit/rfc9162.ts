/**
 * The two hash functions of RFC 9162 §2.1 (Merkle Hash Trees, SHA-256), and the leaf input of a ledger event.
 * The 0x00 / 0x01 prefixes separate leaves from interior nodes, which gives second-preimage resistance.
 */
import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../store/eventStore';
import { canonicalJson } from './canonicalJson';

/** Length in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

/** True for a value that can be a tree hash: exactly one SHA-256 output. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(leafBytes: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leafBytes).digest();
}

/** RFC 9162 §2.1.1: the interior node SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** RFC 9162 §2.1.1: MTH({}) = SHA-256(), the root of the empty tree. */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}

/**
 * The canonical bytes of an event (API.md, "Leaf hash"): the UTF-8 of the RFC 8785 JSON of the envelope's fields
 * and nothing else, so that a field added to the envelope in memory never changes a hash. `dataKeyId` is left out
 * when the event has none (a store may hand back null for it: that is "none" too, not a value to hash).
 */
export function eventLeafBytes(envelope: RecordedEvent): Buffer {
  const leaf: Record<string, unknown> = {
    globalPosition: envelope.globalPosition,
    eventId: envelope.eventId,
    streamId: envelope.streamId,
    streamRevision: envelope.streamRevision,
    type: envelope.type,
    schemaVersion: envelope.schemaVersion,
    recordedAt: envelope.recordedAt,
    occurredAt: envelope.occurredAt,
    actor: envelope.actor,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    data: envelope.data,
  };
  const dataKeyId: string | null | undefined = envelope.dataKeyId;
  if (dataKeyId !== undefined && dataKeyId !== null) leaf.dataKeyId = dataKeyId;
  return Buffer.from(canonicalJson(leaf), 'utf8');
}

/** The Merkle leaf hash of an event: leafHash(eventLeafBytes(envelope)). */
export function eventLeafHash(envelope: RecordedEvent): Buffer {
  return leafHash(eventLeafBytes(envelope));
}
