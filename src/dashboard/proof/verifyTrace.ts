/**
 * Checks a proposal's trace (GET /api/v1/proposals/:id/trace) in the browser, so that a reader need not trust the
 * server: the checkpoint's Ed25519 signature (C2SP signed note) by the key the reader pinned, or else by the key
 * the answer names (then marked as not pinned), and for every event its leaf hash, its RFC 9162 inclusion proof to
 * the checkpoint's signed root, and that the event shown is the one the leaf holds (docs/audit.md, "Pseudonymised
 * traces"). The same checks as `ledger verify-trace` and scripts/verify-audit-proof.js.
 *
 * Hostile input gives a verdict with problems, never an exception, and the work is bounded: at most
 * MAX_TRACE_EVENTS events, MAX_PROOF_LENGTH hashes per proof, MAX_LEAF_LENGTH characters per leaf.
 */
import { decodeBase64, encodeBase64, type Bytes } from './base64';
import { canonicalLeaf, type LeafEvent } from './canonicalLeaf';
import { HASH_SIZE, MAX_PROOF_LENGTH, leafHash, rootFromInclusionProof, sameHash } from './rfc9162';
import {
  parseCheckpointBody,
  parseSignedNote,
  parseVerifierKey,
  verifyNoteSignature,
  type Checkpoint,
} from './signedNote';
import type { CheckpointVerdict, EventProblem, EventVerdict, TraceVerdict } from './verdict';
import { checkUnderPolicy, type BrowserPolicy } from './witnessPolicy';

export const MAX_TRACE_EVENTS = 10_000;
export const MAX_LEAF_LENGTH = 1_000_000;

/**
 * The envelope fields shown beside the leaf that must equal the leaf's. The others may show a pseudonym where the
 * leaf holds a person id (data, a person's streamId and dataKeyId), so they are not compared: read facts from the
 * leaf.
 */
const ENVELOPE_FIELDS = [
  'eventId',
  'type',
  'streamRevision',
  'globalPosition',
  'recordedAt',
  'occurredAt',
] as const;

/**
 * With a `policy` (the reader's own, never the server's), the checkpoint note, with the cosignature lines the server
 * appended to it, must also be signed by one of the policy's logs (when it lists any) and meet its quorum.
 */
export async function verifyTrace(
  trace: unknown,
  options: { pinnedKey?: string; proposalId?: string; policy?: BrowserPolicy } = {},
): Promise<TraceVerdict> {
  // Browsers give crypto.subtle to secure contexts only: a dashboard served over plain HTTP from another host has none.
  if (typeof globalThis.crypto?.subtle?.digest !== 'function')
    return unverified(options.pinnedKey !== undefined, 'no-webcrypto');
  try {
    const verdict = await verifyWholeTrace(trace, options.pinnedKey, options.proposalId);
    if (options.policy === undefined) return verdict;
    const checkpoint = isRecord(trace) && isRecord(trace.checkpoint) ? trace.checkpoint : {};
    const policy = await checkUnderPolicy(options.policy, checkpoint.signedNote);
    return { ...verdict, ok: verdict.ok && policy.met, policy };
  } catch {
    // Not expected for any input; if it happens, the trace is simply not verified rather than the page broken.
    return unverified(options.pinnedKey !== undefined, 'malformed');
  }
}

async function verifyWholeTrace(
  trace: unknown,
  pinnedKey: string | undefined,
  proposalId: string | undefined,
): Promise<TraceVerdict> {
  if (!isRecord(trace) || !isRecord(trace.checkpoint) || !Array.isArray(trace.events))
    return unverified(pinnedKey !== undefined, 'malformed');
  const { verdict: checkpoint, signed } = await checkCheckpoint(trace.checkpoint, pinnedKey);
  const events: unknown[] = trace.events;
  if (events.length > MAX_TRACE_EVENTS)
    return { ok: false, checkpoint, events: [], problems: [{ problem: 'too-many-events' }], leaves: [] };
  if (events.length === 0)
    return { ok: false, checkpoint, events: [], problems: [{ problem: 'no-events' }], leaves: [] };

  const verdicts: EventVerdict[] = [];
  const leaves: LeafEvent[] = [];
  const proven: LeafEvent[] = [];
  let previousPosition: number | null = null;
  for (const event of events) {
    const { verdict, leaf } = await checkEvent(event, signed, previousPosition);
    verdicts.push(verdict);
    if (leaf) leaves.push(leaf);
    if (leaf && verdict.ok) proven.push(leaf);
    if (verdict.globalPosition !== null) previousPosition = verdict.globalPosition;
  }
  const problems = [
    ...streamGaps(leaves),
    ...(proposalId === undefined ? [] : belongsTo(leaves, proposalId)),
    ...votesDecidedOn(leaves),
  ];
  const ok =
    checkpoint.signatureValid &&
    checkpoint.problem === undefined &&
    verdicts.every((v) => v.ok) &&
    problems.length === 0;
  return { ok, checkpoint, events: verdicts, problems, leaves: checkpoint.signatureValid ? proven : [] };
}

/** The verdict on a trace that could not be checked at all. */
function unverified(keyPinned: boolean, problem: 'malformed' | 'no-webcrypto'): TraceVerdict {
  const checkpoint: CheckpointVerdict = {
    signatureValid: false,
    key: null,
    keyPinned,
    origin: null,
    treeSize: null,
    rootHash: null,
    otherSigners: [],
    ...(problem === 'malformed' ? { problem: 'malformed-note' as const } : {}),
  };
  return { ok: false, checkpoint, events: [], problems: [{ problem }], leaves: [] };
}

// ---- the checkpoint ---------------------------------------------------------------------------------------------

/**
 * The checkpoint's verdict, and the tree head its note signs (null when the note cannot be read). The head is
 * returned even when the signature fails, so that each event's own verdict still says whether it agrees with it;
 * the trace as a whole is not ok then.
 */
async function checkCheckpoint(
  shown: Record<string, unknown>,
  pinnedKey: string | undefined,
): Promise<{ verdict: CheckpointVerdict; signed: Checkpoint | null }> {
  const keyPinned = pinnedKey !== undefined;
  const key = await parseVerifierKey(keyPinned ? pinnedKey : shown.publicKey);
  const note = parseSignedNote(shown.signedNote);
  const signed = note ? parseCheckpointBody(note.text) : null;
  const verdict: CheckpointVerdict = {
    signatureValid: false,
    key: key && { name: key.name, keyId: key.keyId, vkey: key.text },
    keyPinned,
    origin: signed?.origin ?? null,
    treeSize: signed?.treeSize ?? null,
    rootHash: signed ? encodeBase64(signed.rootHash) : null,
    otherSigners: (note?.signatures ?? [])
      .filter((s) => !(key && s.name === key.name && s.keyId === key.keyId))
      .map(({ name, keyId }) => ({ name, keyId })),
  };
  if (key === null) return { verdict: { ...verdict, problem: 'malformed-key' }, signed };
  if (note === null || signed === null) return { verdict: { ...verdict, problem: 'malformed-note' }, signed };
  const signature = await verifyNoteSignature(note, key);
  if (signature === 'invalid') return { verdict: { ...verdict, problem: 'signature-invalid' }, signed };
  if (signature === 'absent') {
    // Pinned: the note is signed by someone else. Not pinned: the server names a key it did not sign with.
    return { verdict: { ...verdict, problem: keyPinned ? 'key-mismatch' : 'no-signature-for-key' }, signed };
  }
  const fieldsAsSigned =
    shown.origin === signed.origin &&
    shown.treeSize === signed.treeSize &&
    shown.rootHash === verdict.rootHash;
  return {
    verdict: {
      ...verdict,
      signatureValid: true,
      ...(fieldsAsSigned ? {} : { problem: 'checkpoint-fields-mismatch' }),
    },
    signed,
  };
}

// ---- each event -------------------------------------------------------------------------------------------------

interface ProofParts {
  leaf: string;
  leafHash: Bytes;
  leafIndex: number;
  treeSize: number;
  path: Bytes[];
}

/**
 * One event's verdict, and the event its leaf holds when the leaf is canonical (for the stream-gap check: an event
 * that is there but fails is named by its own verdict, not counted as left out).
 * The checks run in this order, so that `problem` names the cause before its consequences (an altered leaf also
 * fails its proof).
 */
async function checkEvent(
  event: unknown,
  checkpoint: Checkpoint | null,
  previousPosition: number | null,
): Promise<{ verdict: EventVerdict; leaf: LeafEvent | null }> {
  const shown = isRecord(event) ? event : {};
  const globalPosition = isPosition(shown.globalPosition) ? shown.globalPosition : null;
  const type = typeof shown.type === 'string' ? shown.type : null;
  const proof = proofPartsOf(shown);
  const problems: EventProblem[] = [];
  const verdictOf = (): EventVerdict => ({
    globalPosition,
    type,
    ok: problems.length === 0,
    ...(problems[0] === undefined ? {} : { problem: problems[0] }),
    problems,
  });
  if (proof === null || globalPosition === null) {
    problems.push('malformed');
    return { verdict: verdictOf(), leaf: null };
  }

  if (previousPosition !== null && globalPosition <= previousPosition) problems.push('out-of-order');
  const hash = await leafHash(new TextEncoder().encode(proof.leaf));
  if (!sameHash(hash, proof.leafHash)) problems.push('leaf-hash-mismatch');
  const stored = canonicalLeaf(proof.leaf);
  if (stored === null) problems.push('leaf-not-canonical');
  else if (!shownAsStored(shown, stored)) problems.push('leaf-envelope-mismatch');
  if (proof.leafIndex !== globalPosition || (stored !== null && stored.globalPosition !== proof.leafIndex))
    problems.push('position-mismatch');
  if (checkpoint === null) {
    problems.push('no-checkpoint');
  } else {
    if (proof.treeSize !== checkpoint.treeSize) problems.push('tree-size-mismatch');
    if (!(await leadsToSignedRoot(proof, hash, checkpoint))) problems.push('inclusion-proof-invalid');
  }
  return { verdict: verdictOf(), leaf: stored };
}

/** The leaf, leaf hash and inclusion proof of a shown event, when each is of the right form and size. */
function proofPartsOf(shown: Record<string, unknown>): ProofParts | null {
  const { leaf, leafHash: claimedHash, inclusionProof } = shown;
  if (typeof leaf !== 'string' || leaf.length > MAX_LEAF_LENGTH || !isRecord(inclusionProof)) return null;
  const hash = decodeBase64(claimedHash, HASH_SIZE);
  const { leafIndex, treeSize, path } = inclusionProof;
  if (hash?.length !== HASH_SIZE || !isPosition(leafIndex) || !isPosition(treeSize)) return null;
  if (!Array.isArray(path) || path.length > MAX_PROOF_LENGTH) return null;
  const hashes = path.map((h: unknown) => decodeBase64(h, HASH_SIZE));
  if (!hashes.every((h): h is Bytes => h?.length === HASH_SIZE)) return null;
  return { leaf, leafHash: hash, leafIndex, treeSize, path: hashes };
}

/** RFC 9162 §2.1.3.2 against the signed tree head: the proof leads from the leaf's hash to the signed root. */
async function leadsToSignedRoot(proof: ProofParts, hash: Bytes, checkpoint: Checkpoint): Promise<boolean> {
  const root = await rootFromInclusionProof(proof.leafIndex, checkpoint.treeSize, hash, proof.path);
  return root !== null && sameHash(root, checkpoint.rootHash);
}

/** The envelope fields shown are the leaf's own (those that are never pseudonymised). */
function shownAsStored(shown: Record<string, unknown>, stored: LeafEvent): boolean {
  return ENVELOPE_FIELDS.every((field) => shown[field] === stored[field]);
}

// ---- the whole trace --------------------------------------------------------------------------------------------

/**
 * A trace holds every event of each stream it shows (the proposal's, its votes', the meetings'), so each stream's
 * revisions run 0, 1, 2 … without a hole: a hole means an event was left out (as `ledger verify-trace` checks).
 */
function streamGaps(leaves: readonly LeafEvent[]): TraceVerdict['problems'] {
  const revisions = new Map<string, Set<number>>();
  for (const { streamId, streamRevision } of leaves) {
    if (typeof streamId !== 'string' || !isPosition(streamRevision)) continue;
    revisions.set(streamId, (revisions.get(streamId) ?? new Set()).add(streamRevision));
  }
  const gaps: TraceVerdict['problems'] = [];
  for (const [streamId, seen] of revisions) {
    const sorted = [...seen].sort((a, b) => a - b);
    const revision = sorted.findIndex((r, i) => r !== i);
    if (revision >= 0) gaps.push({ problem: 'stream-gap', streamId, revision });
  }
  return gaps;
}

/**
 * The trace is the asked proposal's: its own stream from its submission (revision 0), no other proposal's stream,
 * votes that decide this proposal and meetings that had it on the agenda. Otherwise another proposal's genuine,
 * signed trace would verify on this proposal's page.
 */
function belongsTo(leaves: readonly LeafEvent[], proposalId: string): TraceVerdict['problems'] {
  const own = `proposal-${proposalId}`;
  const problems: TraceVerdict['problems'] = [];
  if (!leaves.some((l) => l.streamId === own && l.streamRevision === 0))
    problems.push({ problem: 'not-this-proposal', streamId: own });
  for (const leaf of leaves) {
    const data = isRecord(leaf.data) ? leaf.data : {};
    const foreign =
      (typeof leaf.streamId === 'string' && leaf.streamId.startsWith('proposal-') && leaf.streamId !== own) ||
      (leaf.type === 'VoteOpened' && data.proposalId !== proposalId) ||
      (leaf.type === 'MeetingHeld' &&
        !(Array.isArray(data.agendaProposalIds) && data.agendaProposalIds.includes(proposalId)));
    if (foreign) problems.push({ problem: 'not-this-proposal', streamId: String(leaf.streamId) });
  }
  return problems;
}

/**
 * A committee decision that names a vote comes with that vote's opening and close: a trace that left the vote
 * out (its last event has no later revision to show the gap) would hide how the decision was reached.
 */
function votesDecidedOn(leaves: readonly LeafEvent[]): TraceVerdict['problems'] {
  const types = new Map<string, Set<string>>();
  for (const leaf of leaves)
    if (typeof leaf.streamId === 'string')
      types.set(leaf.streamId, (types.get(leaf.streamId) ?? new Set()).add(String(leaf.type)));
  const problems: TraceVerdict['problems'] = [];
  for (const leaf of leaves) {
    const voteId =
      leaf.type === 'CommitteeDecisionRecorded' && isRecord(leaf.data) ? leaf.data.voteId : undefined;
    if (typeof voteId !== 'string') continue;
    const stream = `vote-${voteId}`;
    const seen = types.get(stream);
    if (!seen?.has('VoteOpened') || !seen.has('VoteClosed'))
      problems.push({ problem: 'vote-missing', streamId: stream });
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isPosition(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
