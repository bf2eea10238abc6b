/** The answers of the audit routes (API.md "Reads", /audit/*): checkpoints, RFC 9162 proofs and a full verify. */
import { z } from 'zod';
import { WITNESS_STATES } from '../../audit/witnessSubmitter';

const base64 = z.string().describe('base64');
const size = z.number().int().min(0);

/** A signed checkpoint as the history lists it: a C2SP signed note over the tree of `treeSize` leaves. */
export const checkpointAnswer = z.strictObject({
  origin: z.string(),
  treeSize: size,
  rootHash: base64,
  signedNote: z
    .string()
    .describe(
      "the C2SP signed note, as signed, with the witnesses' cosignature lines (tlog-cosignature) appended",
    ),
  createdAt: z.string().describe('when it was signed (ISO timestamp)'),
});

export const latestCheckpointAnswer = checkpointAnswer.extend({
  publicKey: z.string().describe('the verifier key, in the C2SP note verifier format'),
  publicKeyRaw: base64.describe('the raw Ed25519 public key, base64'),
});

export const checkpointHistoryAnswer = z.strictObject({
  publicKey: z.string(),
  items: z.array(checkpointAnswer),
  nextFromSize: size.nullable().describe('the fromSize of the next page; null on the last'),
});

export const inclusionProofAnswer = z.strictObject({
  leafIndex: size,
  treeSize: size,
  leafHash: base64,
  path: z.array(base64),
});

export const consistencyProofAnswer = z.strictObject({
  fromSize: size,
  toSize: size,
  path: z.array(base64),
});

export const verifyAnswer = z.strictObject({
  ok: z.boolean(),
  treeSize: size,
  rootHash: base64.describe('the root rebuilt from the events'),
  eventsVerified: size,
  checkpointsVerified: size,
  eventsBeyondTree: size,
  eventsSealChecked: size,
  problems: z.array(z.strictObject({ position: size.optional(), kind: z.string(), detail: z.string() })),
  problemCount: size,
  positionsAffected: size,
  firstBadPosition: size.optional(),
});

/** Readiness's report of the witnesses (LEDGER_WITNESS_POLICY_FILE); it never makes the server not ready. */
export const witnessingCheck = z
  .strictObject({
    ok: z.boolean().describe('the latest checkpoint meets the quorum and no witness raised an alarm'),
    quorum: z.string().describe("the policy's quorum name"),
    latest: z
      .strictObject({
        treeSize: size,
        quorumMet: z.boolean(),
        cosigned: z.array(z.string()),
        missing: z.array(z.string()),
      })
      .nullable()
      .describe('the latest checkpoint and its cosigners under the policy; null before the first'),
    witnesses: z.array(
      z.strictObject({
        name: z.string(),
        url: z.string().nullable(),
        state: z.enum(WITNESS_STATES),
        lastSizeCosigned: size.nullable(),
        lastError: z.string().nullable(),
        alarm: z.string().nullable().describe('the last refusal as inconsistent (a forked history), if any'),
        lastAttemptAt: z.string().nullable(),
        lastSuccessAt: z.string().nullable(),
      }),
    ),
  })
  .describe('the witnesses asked to cosign each checkpoint, reported only: a failing witness stops nothing');
