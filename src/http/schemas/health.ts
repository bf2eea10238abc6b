/** The answers of the root health routes: liveness, and readiness with the checks that decide it. */
import { z } from 'zod';
import { viewReport } from './admin';
import { witnessingCheck } from './audit';

export const healthAnswer = z.strictObject({ status: z.literal('ok') });

/** A replica's distance from the store it follows: the events its views and its tree have yet to take in. */
export const replicaCheck = z.strictObject({
  ok: z.boolean().describe('true when the views and the tree hold every event the store holds'),
  headPosition: z.number().int().min(-1).describe("the store's last position, as the replica reads it"),
  viewsPosition: z.number().int().min(-1).describe('the lowest position every view has taken in'),
  auditTreeSize: z.number().int().min(0),
  eventsBehind: z
    .number()
    .int()
    .min(0)
    .describe('how many stored events the views or the tree lack, the larger'),
});

/** The writer's checkpoint as a replica follows it (src/replica/writerCheckpoints.ts). */
export const writerCheckpointCheck = z
  .strictObject({
    ok: z.boolean(),
    writerUrl: z.string(),
    served: z.strictObject({ treeSize: z.number().int().min(0), rootHash: z.string() }).nullable(),
    waitingFor: z
      .strictObject({ treeSize: z.number().int().min(0), localSize: z.number().int().min(0) })
      .nullable(),
    lastFetchAt: z.string().nullable(),
    alarm: z
      .strictObject({ cause: z.string(), detail: z.string(), at: z.string() })
      .nullable()
      .describe("ALARM: the writer's latest answer that was not served, and why"),
  })
  .describe(
    "the writer's signed checkpoint: served only when it verifies and this replica's tree has its root",
  );

export const readinessAnswer = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  ledgerRole: z
    .enum(['writer', 'replica'])
    .optional()
    .describe('LEDGER_ROLE: a writer takes commands, a replica reads'),
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
    replica: replicaCheck.optional(),
    writerCheckpoint: writerCheckpointCheck.optional(),
  }),
});
