/**
 * A trace's `leaf` must be the canonical text of an event (API.md, "Leaf hash": RFC 8785 over exactly the envelope's
 * fields), else the bytes the proof covers could be read two ways. The text is written again with the server's own
 * code (src/audit/eventLeafText.ts, free of Node-only APIs) and must come out the same.
 */
import { eventLeafText } from '../../audit/eventLeafText';
import type { RecordedEvent } from '../../store/eventStore';

/** The event a canonical leaf holds, as stored: person ids and sealed personal data as they are in the log. */
export type LeafEvent = RecordedEvent;

/** API.md "Leaf hash": the fields every event's leaf has (`dataKeyId` only when the event has one). */
const EVENT_FIELDS = [
  'globalPosition',
  'eventId',
  'streamId',
  'streamRevision',
  'type',
  'schemaVersion',
  'recordedAt',
  'occurredAt',
  'actor',
  'correlationId',
  'causationId',
  'data',
] as const;

/** The event the leaf text holds, or null when the text is not exactly an event's canonical text. */
export function canonicalLeaf(leaf: string): LeafEvent | null {
  try {
    const parsed: unknown = JSON.parse(leaf);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const event = parsed as LeafEvent;
    if (EVENT_FIELDS.some((field) => event[field] === undefined)) return null;
    return eventLeafText(event) === leaf ? event : null;
  } catch {
    return null; // not JSON, a value canonical JSON refuses, or nesting too deep to write
  }
}
