/**
 * The ledger's envelope in an EventStoreDB event. ESDB keeps the event id, stream, revision, type and data itself;
 * the rest of DOMAIN.md's envelope (schema version, business date, actor, correlation, causation, data key) and the
 * writer's seal, with the dense position and recordedAt it covers, travel in the metadata under `ledger`. An event
 * without that (written around the ledger) is still read, with placeholders, so that every instance gives it the
 * same position and the seal check names it.
 */
import { z } from 'zod';
import type { SealedFields } from '../eventSeal';
import type { Actor, NewEvent, RecordedEvent } from '../eventStore';
import type { LogPosition } from './revisions';

export const ENVELOPE_VERSION = 1;

const ledgerMetadata = z.strictObject({
  v: z.literal(ENVELOPE_VERSION),
  schemaVersion: z.number().int(),
  occurredAt: z.string(),
  actor: z.strictObject({ principal: z.string(), role: z.string() }),
  correlationId: z.string(),
  causationId: z.string().nullable(),
  dataKeyId: z.string().optional(),
  recordedAt: z.string(),
  globalPosition: z.number().int().min(0),
  sealKeyId: z.string().optional(),
  seal: z.string().optional(),
});
export type LedgerMetadata = z.infer<typeof ledgerMetadata>;

/** What the writer knows before ESDB commits: the place it predicts and the time it records. */
export interface Placement {
  globalPosition: number;
  streamRevision: number;
  recordedAt: string;
}

/** The metadata of one appended event; `seal` is computed over `sealedFieldsOfNew` by the caller. */
export function metadataOf(
  event: NewEvent,
  placement: Placement,
  seal: { keyId: string; seal: Buffer } | undefined,
): { ledger: LedgerMetadata } {
  return {
    ledger: {
      v: ENVELOPE_VERSION,
      schemaVersion: event.schemaVersion,
      occurredAt: event.occurredAt,
      actor: { principal: event.actor.principal, role: event.actor.role },
      correlationId: event.correlationId,
      causationId: event.causationId,
      ...(event.dataKeyId !== undefined ? { dataKeyId: event.dataKeyId } : {}),
      recordedAt: placement.recordedAt,
      globalPosition: placement.globalPosition,
      ...(seal ? { sealKeyId: seal.keyId, seal: seal.seal.toString('base64') } : {}),
    },
  };
}

export function sealedFieldsOfNew(
  streamId: string,
  event: NewEvent,
  dataJson: string,
  p: Placement,
): SealedFields {
  return {
    globalPosition: p.globalPosition,
    eventId: event.eventId,
    streamId,
    streamRevision: p.streamRevision,
    type: event.type,
    schemaVersion: event.schemaVersion,
    recordedAt: p.recordedAt,
    occurredAt: event.occurredAt,
    actorJson: JSON.stringify({ principal: event.actor.principal, role: event.actor.role }),
    correlationId: event.correlationId,
    causationId: event.causationId,
    dataJson,
    dataKeyId: event.dataKeyId ?? null,
  };
}

/** The client's recorded event, in the shape this module reads (the client's own type is a conditional union). */
export interface EsdbEvent {
  id: string;
  streamId: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  created: Date;
  position?: LogPosition;
}

/** An ESDB event read as the ledger's: the envelope (real or placeholders) and what its seal claims. */
export interface ReadEnvelope {
  eventId: string;
  streamId: string;
  streamRevision: number;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  data: unknown;
  dataJson: string;
  dataKeyId: string | undefined;
  /** The writer's recordedAt, or the server's `created` for an event written around the ledger. */
  claimedRecordedAt: string;
  /** The position the writer sealed, when the event carries the ledger's metadata. */
  sealedPosition: number | undefined;
  seal: { keyId: string; seal: Buffer } | undefined;
  /** False for an event written around the ledger (no valid `ledger` metadata). */
  fromLedger: boolean;
}

/** Placeholder actor for an event written around the ledger: visibly nobody the ledger knows. */
const STRANGER: Actor = { principal: '(written around the ledger)', role: '(none)' };

export function readEnvelope(e: EsdbEvent): ReadEnvelope {
  const data = e.isJson ? e.data : Buffer.from(e.data as Uint8Array).toString('base64');
  const dataJson = JSON.stringify(data) ?? 'null';
  const parsed = ledgerMetadata.safeParse((e.metadata as { ledger?: unknown } | undefined)?.ledger);
  const base = {
    eventId: e.id,
    streamId: e.streamId,
    streamRevision: Number(e.revision),
    type: e.type,
    data,
    dataJson,
  };
  if (!parsed.success) {
    return {
      ...base,
      schemaVersion: 0,
      occurredAt: e.created.toISOString(),
      actor: STRANGER,
      correlationId: e.id,
      causationId: null,
      dataKeyId: undefined,
      claimedRecordedAt: e.created.toISOString(),
      sealedPosition: undefined,
      seal: undefined,
      fromLedger: false,
    };
  }
  const m = parsed.data;
  return {
    ...base,
    schemaVersion: m.schemaVersion,
    occurredAt: m.occurredAt,
    actor: m.actor,
    correlationId: m.correlationId,
    causationId: m.causationId,
    dataKeyId: m.dataKeyId,
    claimedRecordedAt: m.recordedAt,
    sealedPosition: m.globalPosition,
    seal:
      m.seal !== undefined && m.sealKeyId !== undefined
        ? { keyId: m.sealKeyId, seal: Buffer.from(m.seal, 'base64') }
        : undefined,
    fromLedger: true,
  };
}

/** The event as the port gives it, at the position and time the index gave it. */
export function recordedEventOf(r: ReadEnvelope, globalPosition: number, recordedAt: string): RecordedEvent {
  return {
    eventId: r.eventId,
    type: r.type,
    schemaVersion: r.schemaVersion,
    occurredAt: r.occurredAt,
    actor: r.actor,
    correlationId: r.correlationId,
    causationId: r.causationId,
    data: r.data,
    ...(r.dataKeyId !== undefined ? { dataKeyId: r.dataKeyId } : {}),
    streamId: r.streamId,
    streamRevision: r.streamRevision,
    globalPosition,
    recordedAt,
  };
}

/** The fields a seal covers, as this instance shows the event (its index's position and recordedAt). */
export function sealedFieldsOfRead(
  r: ReadEnvelope,
  globalPosition: number,
  recordedAt: string,
): SealedFields {
  return {
    globalPosition,
    eventId: r.eventId,
    streamId: r.streamId,
    streamRevision: r.streamRevision,
    type: r.type,
    schemaVersion: r.schemaVersion,
    recordedAt,
    occurredAt: r.occurredAt,
    actorJson: JSON.stringify(r.actor),
    correlationId: r.correlationId,
    causationId: r.causationId,
    dataJson: r.dataJson,
    dataKeyId: r.dataKeyId ?? null,
  };
}

/** What makes two events with one id "the same event": the stream, type, schema version, data key and data. */
export function fingerprintOf(
  streamId: string,
  e: { type: string; schemaVersion: number; dataKeyId?: string | undefined },
  dataJson: string,
): string {
  return `${streamId}\u0000${e.type}\u0000${e.schemaVersion}\u0000${e.dataKeyId ?? ''}\u0000${dataJson}`;
}

/** System events (`$`-prefixed types or streams: ESDB's own, projections' links, metadata) are not the ledger's. */
export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}
