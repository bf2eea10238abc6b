/**
 * The audit routes (API.md): the latest signed checkpoint and its history, RFC 9162 inclusion and consistency
 * proofs — public, so that anyone can hold the ledger to its checkpoints — and a full verify for evaluators.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../../audit/auditLog';
import type { StoredCheckpoint } from '../../audit/checkpointStore';
import { verifyLedger, type VerifyResult } from '../../audit/verify';
import type { EventStore } from '../../store/eventStore';
import { serve, type Operation } from '../operation';
import { auditTrailProblem, noCheckpointYet, problems } from '../problem';
import { fromNotAfterTo, parseQuery, wholeNumber } from '../queryParams';
import {
  checkpointHistoryAnswer,
  consistencyProofAnswer,
  inclusionProofAnswer,
  latestCheckpointAnswer,
  verifyAnswer,
} from '../schemas/audit';

export interface AuditRouterDeps {
  audit: AuditLog;
  store: EventStore;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
/** How long a verify waits for the follower to take in the events stored when it was asked. */
const CATCH_UP_MS = 10_000;

const inclusionQuery = z.object({
  position: wholeNumber.describe('the leaf index (global position)'),
  treeSize: wholeNumber.optional().describe("the tree size; the latest checkpoint's if absent"),
});
const consistencyQuery = z
  .object({
    from: wholeNumber.describe('the older tree size'),
    to: wholeNumber.optional().describe("the newer tree size; the latest checkpoint's if absent"),
  })
  .superRefine(fromNotAfterTo);
const historyQuery = z.object({
  fromSize: wholeNumber.optional().describe('the first tree size of the page'),
  limit: wholeNumber
    .refine((n) => n >= 1 && n <= MAX_PAGE, { message: `must be between 1 and ${MAX_PAGE}` })
    .optional()
    .describe(`1–${MAX_PAGE} (default ${DEFAULT_PAGE})`),
});

const getCheckpoint: Operation = {
  method: 'get',
  path: '/audit/checkpoint',
  operationId: 'getLatestCheckpoint',
  tag: 'Audit',
  summary: 'The latest signed checkpoint (C2SP signed note)',
  access: 'anyone',
  answer: {
    status: 200,
    description: 'The checkpoint with the key it verifies under',
    schema: latestCheckpointAnswer,
  },
  problems: [503],
};
const listCheckpoints: Operation = {
  method: 'get',
  path: '/audit/checkpoints',
  operationId: 'listCheckpoints',
  tag: 'Audit',
  summary: 'Every signed checkpoint, oldest first, a page at a time',
  access: 'anyone',
  query: historyQuery,
  answer: { status: 200, description: 'A page of checkpoints', schema: checkpointHistoryAnswer },
};
const getInclusionProof: Operation = {
  method: 'get',
  path: '/audit/inclusion',
  operationId: 'getInclusionProof',
  tag: 'Audit',
  summary: 'RFC 9162 inclusion proof of one leaf in a tree',
  access: 'anyone',
  query: inclusionQuery,
  answer: { status: 200, description: 'The proof (RFC 9162 §2.1.3)', schema: inclusionProofAnswer },
  problems: [422, 503],
};
const getConsistencyProof: Operation = {
  method: 'get',
  path: '/audit/consistency',
  operationId: 'getConsistencyProof',
  tag: 'Audit',
  summary: 'RFC 9162 consistency proof between two tree sizes',
  access: 'anyone',
  query: consistencyQuery,
  answer: { status: 200, description: 'The proof (RFC 9162 §2.1.4)', schema: consistencyProofAnswer },
  problems: [422, 503],
};
const verifyAuditTrail: Operation = {
  method: 'get',
  path: '/audit/verify',
  operationId: 'verifyLedger',
  tag: 'Audit',
  summary: 'Recompute every leaf and the root from the log, and check every checkpoint against them',
  access: ['evaluator'],
  answer: { status: 200, description: 'The verdict, with the problems found', schema: verifyAnswer },
};

export const auditOperations: Operation[] = [
  getCheckpoint,
  listCheckpoints,
  getInclusionProof,
  getConsistencyProof,
  verifyAuditTrail,
];

const base64 = (bytes: Buffer): string => bytes.toString('base64');

export function auditRouter({ audit, store }: AuditRouterDeps): Router {
  const router = Router();

  const latest = (): StoredCheckpoint => {
    const checkpoint = audit.latestCheckpoint();
    if (!checkpoint) {
      // With the audit trail broken no checkpoint is coming: say that, not "starting".
      if (audit.integrity().state === 'refusing') throw auditTrailProblem();
      throw noCheckpointYet(audit.signsCheckpoints);
    }
    return checkpoint;
  };
  /** A size a proof may be asked for: within the tree as it stands now. */
  const checkTreeSize = (size: number, name: string): void => {
    const current = audit.treeSize();
    if (size > current) {
      if (audit.integrity().state === 'refusing') throw auditTrailProblem();
      throw problems.unprocessable(
        'beyond-tree',
        `${name} ${size} is beyond the tree, which holds ${holds(current)}`,
      );
    }
  };

  serve(router, getCheckpoint, (_req, res) => {
    const checkpoint = latest();
    res.json({
      ...checkpointJson(checkpoint, audit.cosignedNote(checkpoint)),
      publicKey: audit.verifierKey,
      publicKeyRaw: base64(audit.publicKey),
    });
  });

  serve(router, listCheckpoints, (req, res) => {
    const query = parseQuery(historyQuery, req.query);
    const limit = query.limit ?? DEFAULT_PAGE;
    const page = audit.checkpointPage(query.fromSize ?? 0, limit + 1);
    const next = page.length > limit ? page[limit] : undefined;
    const items = page.slice(0, limit);
    const notes = audit.cosignedNotes(items);
    res.json({
      publicKey: audit.verifierKey,
      items: items.map((checkpoint, i) => checkpointJson(checkpoint, notes[i] as string)),
      nextFromSize: next?.treeSize ?? null,
    });
  });

  serve(router, getInclusionProof, (req, res) => {
    const query = parseQuery(inclusionQuery, req.query);
    const treeSize = query.treeSize ?? latest().treeSize;
    checkTreeSize(treeSize, 'treeSize');
    if (query.position >= treeSize) {
      throw problems.unprocessable(
        'not-in-tree',
        `position ${query.position} is not in the tree of size ${treeSize}, which holds ${holds(treeSize)}`,
      );
    }
    const proof = audit.inclusion(query.position, treeSize);
    res.json({
      leafIndex: proof.leafIndex,
      treeSize: proof.treeSize,
      leafHash: base64(proof.leafHash),
      path: proof.path.map(base64),
    });
  });

  serve(router, getConsistencyProof, (req, res) => {
    const query = parseQuery(consistencyQuery, req.query);
    const to = query.to ?? latest().treeSize;
    checkTreeSize(to, 'to');
    // With `to` given, a reversed pair is a bad query (400 above); without it, from is beyond the latest checkpoint.
    if (query.from > to) {
      throw problems.unprocessable(
        'sizes-reversed',
        `from (${query.from}) must not be larger than to (${to})`,
      );
    }
    const proof = audit.consistency(query.from, to);
    res.json({ fromSize: proof.fromSize, toSize: proof.toSize, path: proof.path.map(base64) });
  });

  // A verify reads the whole ledger: callers who ask while one runs share its answer instead of starting another.
  let running: Promise<VerifyResult> | undefined;
  serve(router, verifyAuditTrail, async (_req, res) => {
    running ??= (async () => {
      // Let the follower take in what is stored now, so that the newest events are judged too.
      const head = await store.headPosition();
      await audit.waitForSize(head + 1, CATCH_UP_MS);
      return verifyLedger(store, audit, { head });
    })().finally(() => {
      running = undefined;
    });
    res.json(await running);
  });

  return router;
}

/** "no events" / "the event at position 0" / "positions 0 … n − 1", for problem details. */
function holds(size: number): string {
  if (size === 0) return 'no events';
  return size === 1 ? 'the event at position 0' : `positions 0 … ${size - 1}`;
}

/** `signedNote` is the note as signed with the witnesses' cosignature lines received for it appended. */
function checkpointJson(checkpoint: StoredCheckpoint, cosignedNote: string) {
  return {
    origin: checkpoint.origin,
    treeSize: checkpoint.treeSize,
    rootHash: base64(checkpoint.rootHash),
    signedNote: cosignedNote,
    createdAt: checkpoint.createdAt,
  };
}
