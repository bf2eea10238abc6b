/**
 * The canonical text of an event (API.md, "Leaf hash"): the RFC 8785 JSON of the envelope's fields and nothing
 * else, so that a field added to the envelope in memory never changes a hash. `dataKeyId` is left out when the event
 * has none (a store may hand back null for it: that is "none" too, not a value to hash).
 *
 * Free of Node-only APIs: the server hashes its UTF-8 (rfc9162.ts), and the dashboard checks in the browser that a
 * trace's leaf is this text (src/dashboard/proof/canonicalLeaf.ts).
 *
 * The top level has fixed names, so it is written in its sorted order directly instead of being built as an object
 * and sorted: this runs for every event the tree takes in and again on every full verify. Scalars go through
 * canonicalJson too, so a value of the wrong type is refused exactly as it would be anywhere below.
 */
import type { RecordedEvent } from '../store/eventStore';
import { canonicalJson } from './canonicalJson';

export function eventLeafText(envelope: RecordedEvent): string {
  const dataKeyId: string | null | undefined = envelope.dataKeyId;
  const members =
    member('actor', envelope.actor) +
    member('causationId', envelope.causationId) +
    member('correlationId', envelope.correlationId) +
    member('data', envelope.data) +
    member('dataKeyId', dataKeyId === null ? undefined : dataKeyId) +
    member('eventId', envelope.eventId) +
    member('globalPosition', envelope.globalPosition) +
    member('occurredAt', envelope.occurredAt) +
    member('recordedAt', envelope.recordedAt) +
    member('schemaVersion', envelope.schemaVersion) +
    member('streamId', envelope.streamId) +
    member('streamRevision', envelope.streamRevision) +
    member('type', envelope.type);
  return `{${members.slice(1)}}`;
}

/** `,"name":value`, or nothing for an undefined value (as canonicalJson leaves out undefined members). */
function member(name: string, value: unknown): string {
  return value === undefined ? '' : `,"${name}":${canonicalJson(value)}`;
}
