/**
 * Offline verification of a saved trace (GET /proposals/:id/trace) against a checkpoint: no server, no database.
 * Each event's leaf is recomputed from its envelope (API.md "Leaf hash"), hashed (RFC 9162 §2.1.1) and checked
 * with its inclusion proof (§2.1.3.2) against the checkpoint's signed root.
 */
import { z } from 'zod';
import { eventLeafBytes, leafHash } from './rfc9162';
import { verifyInclusion } from './inclusionProof';
import { parseVerifierKey, verifyCheckpointNote } from './signedNote';
import type { RecordedEvent } from '../store/eventStore';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

export const traceCheckpointSchema = z.object({
  origin: z.string(),
  treeSize: z.number().int().min(0),
  rootHash: base64,
  signedNote: z.string(),
  publicKey: z.string(),
});

const traceEventSchema = z
  .object({
    globalPosition: z.number().int().min(0),
    eventId: z.string(),
    streamId: z.string(),
    streamRevision: z.number().int().min(0),
    type: z.string(),
    schemaVersion: z.number().int(),
    recordedAt: z.string(),
    occurredAt: z.string(),
    actor: z.object({ principal: z.string(), role: z.string() }),
    correlationId: z.string(),
    causationId: z.string().nullable(),
    data: z.unknown(),
    dataKeyId: z.string().optional(),
    leaf: z.string(),
    leafHash: base64,
    inclusionProof: z.object({
      leafIndex: z.number().int(),
      treeSize: z.number().int(),
      path: z.array(base64),
    }),
  })
  .loose();

export const traceSchema = z.object({
  position: z.number().int(),
  checkpoint: traceCheckpointSchema,
  events: z.array(traceEventSchema),
});

export type Trace = z.infer<typeof traceSchema>;
export type TraceCheckpoint = z.infer<typeof traceCheckpointSchema>;

export interface TraceVerification {
  ok: boolean;
  events: number;
  treeSize: number | null;
  problems: string[];
}

/**
 * `trusted` is the checkpoint the auditor holds (fetched separately and, ideally, compared with one published
 * elsewhere); `pinnedKey` the verifier key they trust. Without a pinned key the checkpoint's own key is used, which
 * proves integrity against that key only.
 */
export function verifyTrace(
  traceInput: unknown,
  trusted: TraceCheckpoint,
  pinnedKey?: string,
): TraceVerification {
  const problems: string[] = [];
  const parsed = traceSchema.safeParse(traceInput);
  if (!parsed.success)
    return { ok: false, events: 0, treeSize: null, problems: ['the trace is not in the expected format'] };
  const trace = parsed.data;
  const vkeyText = pinnedKey ?? trusted.publicKey;
  let checkpoint: { treeSize: number; rootHash: Buffer } | null = null;
  try {
    const vkey = parseVerifierKey(vkeyText);
    checkpoint = verifyCheckpointNote(trusted.signedNote, vkey.publicKey, vkey.keyName);
  } catch (error) {
    problems.push(`the verifier key is malformed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!checkpoint) {
    problems.push('the checkpoint signature does not verify with the verifier key');
    return { ok: false, events: trace.events.length, treeSize: null, problems };
  }
  if (
    trace.checkpoint.treeSize !== checkpoint.treeSize ||
    trace.checkpoint.rootHash !== checkpoint.rootHash.toString('base64')
  ) {
    problems.push(
      `the trace was proved against tree size ${trace.checkpoint.treeSize}, but the trusted checkpoint is of size ${checkpoint.treeSize} with another root`,
    );
  }
  let previous = -1;
  for (const event of trace.events) {
    const p = event.globalPosition;
    if (p <= previous) problems.push(`position ${p}: events are not in ledger order`);
    previous = p;
    const { leaf, leafHash: claimedHash, inclusionProof, ...envelope } = event;
    const recomputed = eventLeafBytes(envelope as unknown as RecordedEvent);
    if (recomputed.toString('utf8') !== leaf)
      problems.push(`position ${p}: the leaf text does not match the event's fields`);
    const hash = leafHash(recomputed);
    if (hash.toString('base64') !== claimedHash)
      problems.push(`position ${p}: the leaf hash does not match the event`);
    const ok =
      inclusionProof.leafIndex === p &&
      inclusionProof.treeSize === checkpoint.treeSize &&
      verifyInclusion(
        p,
        checkpoint.treeSize,
        hash,
        inclusionProof.path.map((s) => Buffer.from(s, 'base64')),
        checkpoint.rootHash,
      );
    if (!ok) problems.push(`position ${p}: the inclusion proof does not lead to the checkpoint's root`);
  }
  return { ok: problems.length === 0, events: trace.events.length, treeSize: checkpoint.treeSize, problems };
}
