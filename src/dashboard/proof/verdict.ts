/**
 * What the browser's check of a proposal's trace says (verifyTrace.ts): for the checkpoint, for every event, and for
 * the whole trace. Problems are stable codes; the dashboard's message catalogue words them in Norwegian and English,
 * and the descriptions below say in English what each one means (for the docs).
 */

import type { LeafEvent } from './canonicalLeaf';
import type { PolicyVerdict } from './witnessPolicy';

export type CheckpointProblem =
  | 'malformed-note'
  | 'malformed-key'
  | 'key-mismatch'
  | 'no-signature-for-key'
  | 'signature-invalid'
  | 'checkpoint-fields-mismatch';

export type EventProblem =
  | 'malformed'
  | 'out-of-order'
  | 'leaf-hash-mismatch'
  | 'tree-size-mismatch'
  | 'position-mismatch'
  | 'inclusion-proof-invalid'
  | 'no-checkpoint'
  | 'leaf-not-canonical'
  | 'leaf-envelope-mismatch';

export type TraceProblem =
  | 'no-webcrypto'
  | 'malformed'
  | 'too-many-events'
  | 'no-events'
  | 'stream-gap'
  | 'not-this-proposal'
  | 'vote-missing';

export const CHECKPOINT_PROBLEMS: Readonly<Record<CheckpointProblem, string>> = {
  'malformed-note': 'The checkpoint is not a well-formed signed note of a tree size and root hash.',
  'malformed-key': 'The verifier key is not an Ed25519 verifier key whose key id matches its name and key.',
  'key-mismatch': 'The checkpoint is not signed by the pinned key: its signer has another name or key id.',
  'no-signature-for-key': 'The checkpoint carries no signature by the key the server names as its own.',
  'signature-invalid':
    "The checkpoint's signature by the key does not verify: the note was altered or forged.",
  'checkpoint-fields-mismatch':
    'The origin, tree size or root hash shown beside the signed note differ from what the note signs.',
};

export const EVENT_PROBLEMS: Readonly<Record<EventProblem, string>> = {
  malformed:
    'The event lacks its leaf, leaf hash or inclusion proof, or one of them is not of the right form.',
  'out-of-order': 'The event does not come after the one before it in ledger order.',
  'leaf-hash-mismatch': 'SHA-256 of 0x00 and the leaf text is not the leaf hash given: the leaf was altered.',
  'tree-size-mismatch': "The inclusion proof is for another tree size than the checkpoint's.",
  'position-mismatch': "The inclusion proof's leaf index is not the event's position in the ledger.",
  'inclusion-proof-invalid':
    "The inclusion proof does not lead from the leaf to the checkpoint's signed root.",
  'no-checkpoint': 'There is no readable checkpoint to prove the event against.',
  'leaf-not-canonical': 'The leaf text is not the canonical JSON (RFC 8785) of an event.',
  'leaf-envelope-mismatch':
    'The event shown beside the leaf (id, type, revision, position or times) is not the event the leaf holds.',
};

export const TRACE_PROBLEMS: Readonly<Record<TraceProblem, string>> = {
  'no-webcrypto':
    'The browser offers no WebCrypto here (it does only on HTTPS pages and on localhost), so nothing was checked.',
  malformed: 'The answer is not a trace: it lacks its checkpoint or its list of events.',
  'too-many-events': 'The trace holds more events than the browser checks; it was not checked.',
  'no-events': 'The trace holds no events, so it proves nothing.',
  'stream-gap': 'A stream the trace shows skips a revision: the trace leaves out one of its events.',
  'not-this-proposal':
    "The trace is not the asked proposal's: its own stream from submission is missing, or it holds another proposal's stream, a vote on another proposal or a meeting without it on the agenda.",
  'vote-missing': 'A committee decision names a vote whose opening or close the trace leaves out.',
};

export interface CheckpointVerdict {
  /** True when the signed note's signature by `key` verified. */
  signatureValid: boolean;
  /** The key the signature was checked with (null when none could be read). */
  key: { name: string; keyId: string; vkey: string } | null;
  /** True when the key is the one the reader pinned; false when it was only taken from the server's answer. */
  keyPinned: boolean;
  /** What the note signs, when it could be read (even when its signature does not verify). */
  origin: string | null;
  treeSize: number | null;
  /** Base64. */
  rootHash: string | null;
  /** The note's other signature lines (witness cosignatures, other keys), unverified here: `policy` judges them. */
  otherSigners: { name: string; keyId: string }[];
  problem?: CheckpointProblem;
}

export interface EventVerdict {
  /** As the trace shows it (null when it is not a position). */
  globalPosition: number | null;
  type: string | null;
  ok: boolean;
  /** The first problem found, in the order the checks run; `problems` has them all. */
  problem?: EventProblem;
  problems: EventProblem[];
}

export interface TraceVerdict {
  /**
   * True only when the checkpoint's signature verified and every event verified, with no problem anywhere, and, when
   * the reader gave a witness policy, the checkpoint meets it.
   */
  ok: boolean;
  /** The checkpoint under the reader's witness policy (tlog-policy), when they gave one. */
  policy?: PolicyVerdict;
  checkpoint: CheckpointVerdict;
  events: EventVerdict[];
  problems: { problem: TraceProblem; streamId?: string; revision?: number }[];
  /**
   * The events the trace proves, as their leaves hold them (empty unless the checkpoint's signature holds): what a
   * page shows of the proposal can be compared with these, not with the server's rendering.
   */
  leaves: LeafEvent[];
}
