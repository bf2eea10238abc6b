/**
 * A row of the events table (schema.ts) read back as the port's events: whole, lean for views, or as the fields
 * its seal covers. Only this adapter's folder knows the rows.
 */
import type { SealedFields } from '../eventSeal';
import { UnreadableEventError, type RecordedEvent, type ViewEvent } from '../eventStore';
import type { EventRow } from './schema';

const actors = new Map<string, RecordedEvent['actor']>();

/** Actors repeat across the whole log (a handful of tokens), so each distinct one is parsed once. */
function actorOf(json: string, position: number): RecordedEvent['actor'] {
  const known = actors.get(json);
  if (known) return { ...known };
  const actor = parsed(json, position, 'actor') as RecordedEvent['actor'];
  if (actors.size < 10_000) actors.set(json, actor);
  return { ...actor };
}

export function rowToEvent(row: EventRow): RecordedEvent {
  const event: RecordedEvent = {
    globalPosition: row.global_position,
    eventId: row.event_id,
    streamId: row.stream_id,
    streamRevision: row.stream_revision,
    type: row.type,
    schemaVersion: row.schema_version,
    recordedAt: row.recorded_at,
    occurredAt: row.occurred_at,
    actor: actorOf(row.actor, row.global_position),
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    data: parsed(row.data, row.global_position, 'data'),
  };
  if (row.data_key_id !== null) event.dataKeyId = row.data_key_id;
  return event;
}

/** The columns views fold, read as arrays (no row objects): a rebuild spends most of its time reading them. */
export const VIEW_COLUMNS = 'global_position, stream_id, type, data';
export type ViewRow = [number, string, string, string];

export function viewEventOf([globalPosition, streamId, type, data]: ViewRow): ViewEvent {
  return { globalPosition, streamId, type, data: parsed(data, globalPosition, 'data') };
}

/** JSON.parse, failing with the position and field of the row rather than a bare SyntaxError. */
function parsed(json: string, position: number, field: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new UnreadableEventError(position, field, (error as Error).message);
  }
}

/**
 * Whether every field has the type the store writes. SQLite keeps what it is given, so a BLOB put where text belongs
 * would seal like the text (same bytes) yet not be found by `stream_id = ?`: such a row is no event.
 */
export function wellTyped(row: EventRow): boolean {
  const text = (v: unknown): boolean => typeof v === 'string';
  const whole = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v);
  return (
    whole(row.global_position) &&
    whole(row.stream_revision) &&
    whole(row.schema_version) &&
    [
      row.event_id,
      row.stream_id,
      row.type,
      row.recorded_at,
      row.occurred_at,
      row.actor,
      row.correlation_id,
      row.data,
    ].every(text) &&
    (row.causation_id === null || text(row.causation_id)) &&
    (row.data_key_id === null || text(row.data_key_id))
  );
}

/** A stored row's fields in the form the seal covers. */
export function sealedFieldsOf(row: EventRow): SealedFields {
  return {
    globalPosition: row.global_position,
    eventId: row.event_id,
    streamId: row.stream_id,
    streamRevision: row.stream_revision,
    type: row.type,
    schemaVersion: row.schema_version,
    recordedAt: row.recorded_at,
    occurredAt: row.occurred_at,
    actorJson: row.actor,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    dataJson: row.data,
    dataKeyId: row.data_key_id,
  };
}
