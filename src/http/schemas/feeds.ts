/** The answers of the event feeds: the envelope of DOMAIN.md as a role may see it, and one stream's events. */
import { z } from 'zod';

/** A stored event: person ids pseudonymised for evaluators, as stored for admins (personal data encrypted). */
export const envelopeAnswer = z.strictObject({
  eventId: z.string(),
  type: z.string(),
  schemaVersion: z.number().int(),
  occurredAt: z.string(),
  actor: z.strictObject({ principal: z.string(), role: z.string() }),
  correlationId: z.string(),
  causationId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  dataKeyId: z.string().optional(),
  streamId: z.string(),
  streamRevision: z.number().int().min(0),
  globalPosition: z.number().int().min(0),
  recordedAt: z.string(),
});

export const streamAnswer = z.strictObject({
  streamId: z.string(),
  events: z.array(envelopeAnswer),
});

/** The data of a `position` message of GET /positions/live: that the ledger moved, and nothing about the event. */
export const positionMessage = z.strictObject({
  globalPosition: z.number().int().min(0),
  recordedAt: z.string(),
  category: z.string().nullable().describe("the stream's category ('proposal', 'vote' …)"),
});
