/**
 * Offline verification of a saved trace (GET /proposals/:id/trace) against a checkpoint: no server, no database.
 * Each event's leaf text must be the canonical form of an event (API.md "Leaf hash"); it is hashed (RFC 9162
 * §2.1.1) and checked with its inclusion proof (§2.1.3.2) against the checkpoint's signed root. The envelope
 * fields shown beside it must be that same event, except that an evaluator's trace shows pseudonyms where the leaf
 * holds person ids: each id one pseudonym, the same throughout the trace (docs/audit.md, "Pseudonymised traces").
 *
 * A trace is proved at the tree size of the checkpoint it came with; an auditor may trust another checkpoint (an
 * older one they saved, or a newer one). Then the trace's own checkpoint must be signed by the same key, and an
 * RFC 9162 consistency proof between the two (GET /audit/consistency) must show one is a prefix of the other.
 */
import { z } from 'zod';
import { eventLeafBytes } from './eventLeaf';
import { leafHash } from './rfc9162';
import { verifyConsistency } from './consistencyProof';
import { verifyInclusion } from './inclusionProof';
import { parseVerifierKey, verifyCheckpointNote, type Checkpoint } from './signedNote';
import { isPseudonym } from '../privacy/pseudonyms';
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

/** A consistency proof as GET /audit/consistency answers it. */
export const consistencyProofSchema = z.object({
  fromSize: z.number().int().min(0),
  toSize: z.number().int().min(0),
  path: z.array(base64),
});
export type TraceConsistencyProof = z.infer<typeof consistencyProofSchema>;

export interface TraceVerification {
  ok: boolean;
  events: number;
  /** The tree size the proofs lead to: the trusted checkpoint's, or the trace's own once shown consistent with it. */
  treeSize: number | null;
  /** The trusted checkpoint's tree size. */
  trustedTreeSize?: number | null;
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
  consistency?: TraceConsistencyProof,
): TraceVerification {
  const problems: string[] = [];
  const parsed = traceSchema.safeParse(traceInput);
  if (!parsed.success)
    return { ok: false, events: 0, treeSize: null, problems: ['the trace is not in the expected format'] };
  const trace = parsed.data;
  const vkeyText = pinnedKey ?? trusted.publicKey;
  let opened: { trusted: Checkpoint | null; own: Checkpoint | null } = { trusted: null, own: null };
  try {
    const vkey = parseVerifierKey(vkeyText);
    opened = {
      trusted: verifyCheckpointNote(trusted.signedNote, vkey.publicKey, vkey.keyName),
      own: verifyCheckpointNote(trace.checkpoint.signedNote, vkey.publicKey, vkey.keyName),
    };
  } catch (error) {
    problems.push(`the verifier key is malformed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!opened.trusted) {
    problems.push('the checkpoint signature does not verify with the verifier key');
    return { ok: false, events: trace.events.length, treeSize: null, problems };
  }
  // The proofs lead to the root of the checkpoint the trace was proved at; it must be the trusted one, or be
  // shown consistent with it.
  const checkpoint = provedAt(opened.trusted, opened.own, trace.checkpoint, consistency, problems);
  if (!checkpoint) return { ok: false, events: trace.events.length, treeSize: null, problems };
  let previous = -1;
  const shownAs = new Pseudonymisation();
  const revisions = new Map<string, number[]>();
  for (const event of trace.events) {
    const p = event.globalPosition;
    if (p <= previous) problems.push(`position ${p}: events are not in ledger order`);
    previous = p;
    const { leaf, leafHash: claimedHash, inclusionProof, ...envelope } = event;
    const stored = canonicalEvent(leaf);
    if (stored === undefined) {
      problems.push(`position ${p}: the leaf text is not the canonical text of an event`);
    } else {
      const { streamId, streamRevision } = stored as RecordedEvent;
      revisions.set(streamId, [...(revisions.get(streamId) ?? []), streamRevision]);
      if (!shownAs.renders(stored, shownFields(envelope as unknown as RecordedEvent)))
        problems.push(`position ${p}: the leaf text does not match the event's fields`);
    }
    const hash = leafHash(Buffer.from(leaf, 'utf8'));
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
  problems.push(...gapsIn(revisions));
  return {
    ok: problems.length === 0,
    events: trace.events.length,
    treeSize: checkpoint.treeSize,
    trustedTreeSize: opened.trusted.treeSize,
    problems,
  };
}

/**
 * A trace holds every event of each stream it shows (the proposal's, its votes', the meetings'), so each stream's
 * revisions run 0, 1, 2 … without a hole: a hole means an event was left out. (Events after the last one shown
 * cannot be missed this way: a trace is complete only up to its position.)
 */
function gapsIn(revisions: Map<string, number[]>): string[] {
  const gaps: string[] = [];
  for (const [streamId, seen] of revisions) {
    const sorted = [...seen].sort((a, b) => a - b);
    const missing = sorted.findIndex((revision, i) => revision !== i);
    if (missing >= 0) {
      gaps.push(
        `${streamId}: revision ${missing} is not in the trace, so the trace leaves out an event of it`,
      );
    }
  }
  return gaps;
}

/**
 * The signed checkpoint the trace's proofs are to lead to: the trusted one when the trace was proved at it, else the
 * trace's own, once it is signed by the trusted key and a consistency proof joins the two. Null (with the problem
 * said) when neither holds.
 */
function provedAt(
  trusted: Checkpoint,
  own: Checkpoint | null,
  shown: TraceCheckpoint,
  consistency: TraceConsistencyProof | undefined,
  problems: string[],
): Checkpoint | null {
  const sameAsTrusted =
    shown.treeSize === trusted.treeSize && shown.rootHash === trusted.rootHash.toString('base64');
  if (sameAsTrusted) return trusted;
  if (!own || own.treeSize !== shown.treeSize || own.rootHash.toString('base64') !== shown.rootHash) {
    problems.push("the trace's own checkpoint is not signed by the verifier key");
    return null;
  }
  if (own.treeSize === trusted.treeSize) {
    problems.push(
      `the trace's checkpoint and the trusted one are both of tree size ${own.treeSize} but have different roots: the log forked`,
    );
    return null;
  }
  const [older, newer] = own.treeSize < trusted.treeSize ? [own, trusted] : [trusted, own];
  if (!consistency) {
    problems.push(
      `the trace was proved at tree size ${own.treeSize}, the trusted checkpoint is of size ${trusted.treeSize}: ` +
        `give the consistency proof between them (GET /api/v1/audit/consistency?from=${older.treeSize}&to=${newer.treeSize}, ` +
        'with --consistency FILE or --server URL)',
    );
    return null;
  }
  const joins =
    consistency.fromSize === older.treeSize &&
    consistency.toSize === newer.treeSize &&
    verifyConsistency(
      older.treeSize,
      newer.treeSize,
      consistency.path.map((h) => Buffer.from(h, 'base64')),
      older.rootHash,
      newer.rootHash,
    );
  if (!joins) {
    problems.push(
      `the consistency proof does not show tree size ${older.treeSize} to be a prefix of tree size ${newer.treeSize}`,
    );
    return null;
  }
  return own;
}

/** The leaf text parsed, when it is exactly the canonical text of an event (API.md "Leaf hash"); else undefined. */
function canonicalEvent(leaf: string): unknown {
  try {
    const parsed = JSON.parse(leaf) as RecordedEvent;
    return eventLeafBytes(parsed).toString('utf8') === leaf ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The shown envelope's fields that the leaf covers, as the leaf writes them (JSON values, no undefined). */
function shownFields(envelope: RecordedEvent): unknown {
  try {
    return JSON.parse(eventLeafBytes(envelope).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const ENDS_IN_UUID = /^(.*?)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The renaming a trace's display applies to the leaves: a person id (a UUID, alone or ending a stream or key id) may
 * be shown as a pseudonym, each id always as the same one and no two ids as the same one. Anything else must be
 * shown exactly as the leaf has it.
 */
class Pseudonymisation {
  private readonly pseudonymOf = new Map<string, string>();
  private readonly idOf = new Map<string, string>();

  renders(stored: unknown, shown: unknown): boolean {
    if (typeof stored === 'string' && typeof shown === 'string') return this.sameString(stored, shown);
    if (Array.isArray(stored) || Array.isArray(shown)) {
      return (
        Array.isArray(stored) &&
        Array.isArray(shown) &&
        stored.length === shown.length &&
        stored.every((item, i) => this.renders(item, shown[i]))
      );
    }
    if (isRecord(stored) && isRecord(shown)) {
      const keys = Object.keys(stored);
      return (
        keys.length === Object.keys(shown).length &&
        keys.every((key) => Object.hasOwn(shown, key) && this.renders(stored[key], shown[key]))
      );
    }
    return stored === shown;
  }

  private sameString(stored: string, shown: string): boolean {
    if (stored === shown) return true;
    const id = ENDS_IN_UUID.exec(stored);
    if (!id) return false;
    const [, prefix = '', uuid = ''] = id;
    const pseudonym = shown.slice(prefix.length);
    if (!shown.startsWith(prefix) || !isPseudonym(pseudonym)) return false;
    const known = this.pseudonymOf.get(uuid);
    if (known !== undefined) return known === pseudonym;
    if (this.idOf.has(pseudonym)) return false;
    this.pseudonymOf.set(uuid, pseudonym);
    this.idOf.set(pseudonym, uuid);
    return true;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
