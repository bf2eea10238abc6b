/** The answers of the root health routes: liveness, and readiness with the checks that decide it. */
import { z } from 'zod';
import { viewReport } from './admin';
import { witnessingCheck } from './audit';

export const healthAnswer = z.strictObject({ status: z.literal('ok') });

export const readinessAnswer = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.strictObject({
    eventStore: z.strictObject({
      ok: z.boolean(),
      headPosition: z.number().int().min(-1),
      connection: z
        .enum(['connecting', 'connected', 'reconnecting', 'closed'])
        .optional()
        .describe("a store with a server (EventStoreDB): its connection; ok only while 'connected'"),
    }),
    views: z.array(viewReport).optional(),
    audit: z
      .looseObject({ ok: z.boolean(), state: z.enum(['checking', 'ok', 'refusing']) })
      .describe('the audit trail: ok, or why it refuses (its problems)')
      .optional(),
    witnesses: witnessingCheck.optional(),
  }),
});
