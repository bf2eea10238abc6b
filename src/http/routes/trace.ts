/**
 * GET /proposals/:id/trace: every event that touched the proposal (its own, its votes' and ballots', the meetings
 * that had it on the agenda), in ledger order, each with its canonical leaf, leaf hash and an inclusion proof
 * against the checkpoint returned with it. Saved to a file, it verifies offline (`ledger verify-trace`).
 *
 * The envelope fields are shown as the caller may see them (person ids pseudonymised for evaluators); `leaf` and
 * `leafHash` are always the stored bytes, since the proof is over those (docs/audit.md, "Pseudonymised traces").
 */
import { Router } from 'express';
import { positionsFor, traceIndexProjection } from '../../../projections';
import type { AuditLog } from '../../audit/auditLog';
import type { StoredCheckpoint } from '../../audit/checkpointStore';
import type { Witnessing } from '../../audit/witnessSubmitter';
import type { PersonDirectory } from '../../privacy/personDirectory';
import { eventLeafBytes } from '../../audit/eventLeaf';
import { leafHash } from '../../audit/rfc9162';
import { pathId } from '../queryParams';
import type { EventStore, RecordedEvent } from '../../store/eventStore';
import type { ProjectionRunner } from '../../views/projectionRunner';
import { serve, type Operation } from '../operation';
import { auditTrailProblem, problems } from '../problem';
import { traceAnswer } from '../schemas/trace';

const TREE_WAIT_MS = 5_000;
/** How long a trace waits for the witnesses to cosign a checkpoint signed for it, before answering without. */
const QUORUM_WAIT_MS = 3_000;
/**
 * How long a replica's trace waits for the writer to sign a checkpoint covering its events (the writer signs on its
 * own schedule: within LEDGER_CHECKPOINT_EVERY_SECONDS of an append, at once for a trace asked of it).
 */
const WRITER_CHECKPOINT_WAIT_MS = 3_000;

const getProposalTrace: Operation = {
  method: 'get',
  path: '/proposals/:id/trace',
  operationId: 'getProposalTrace',
  tag: 'Audit',
  summary: 'Every event that touched the proposal, each with its inclusion proof',
  description:
    "The proposal's own events, its votes and ballots, and the meetings that had it on the agenda, in ledger order, against the checkpoint returned with them; saved to a file it verifies offline (`ledger verify-trace`). Person ids are pseudonymised for evaluators; `leaf` and `leafHash` are the stored bytes for every role.",
  access: ['evaluator'],
  answer: { status: 200, description: 'The trace', schema: traceAnswer },
  problems: [404, 503],
};

export const traceOperations: Operation[] = [getProposalTrace];

export function traceRouter(deps: {
  runner: ProjectionRunner;
  audit: AuditLog;
  store: EventStore;
  people: PersonDirectory;
  witnesses?: Witnessing | undefined;
  /** A replica's: the writer's checkpoints it serves. A replica proves only against those, never signing one. */
  writerCheckpoints?:
    { covering(size: number, timeoutMs: number): Promise<StoredCheckpoint | undefined> } | undefined;
  /** The writer's signing interval, which a replica's 503 gives as Retry-After. */
  checkpointEverySeconds?: number;
}): Router {
  const router = Router();

  /**
   * The checkpoint a trace of events up to position `last` is proved against: the newest that covers them and meets
   * the witnesses' quorum; else one covering them (signed now if none does), after a bounded wait for its quorum.
   */
  const checkpointFor = async (last: number): Promise<StoredCheckpoint> => {
    if (deps.writerCheckpoints) return writerCheckpointFor(deps.writerCheckpoints, last);
    const latest = deps.audit.latestCheckpoint();
    const witnesses = deps.witnesses;
    if (witnesses === undefined) {
      return latest && latest.treeSize > last ? latest : deps.audit.checkpointNow();
    }
    if (latest && latest.treeSize > last && witnesses.isWitnessed(latest)) return latest;
    const witnessed = witnesses.newestWitnessed();
    if (witnessed && witnessed.treeSize > last && witnesses.isWitnessed(witnessed)) return witnessed;
    const covering = latest && latest.treeSize > last ? latest : await deps.audit.checkpointNow();
    await witnesses.waitForQuorum(covering, QUORUM_WAIT_MS);
    return covering;
  };

  /** On a replica: the newest writer checkpoint covering the events, after a short wait for one; else a 503. */
  const writerCheckpointFor = async (
    writer: NonNullable<typeof deps.writerCheckpoints>,
    last: number,
  ): Promise<StoredCheckpoint> => {
    const covering = await writer.covering(last + 1, WRITER_CHECKPOINT_WAIT_MS);
    if (covering) return covering;
    if (deps.audit.integrity().state === 'refusing') throw auditTrailProblem();
    const retryAfter = deps.checkpointEverySeconds ?? 60;
    throw problems.unavailable(
      `No checkpoint signed by the writer covers these events yet (this server is a read replica and signs none); the writer signs within ${retryAfter} s of an append: try again then`,
      retryAfter,
    );
  };

  serve(router, getProposalTrace, async (req, res) => {
    const id = pathId(req.params.id, 'proposal');
    const { position, state } = deps.runner.current(traceIndexProjection);
    const positions = positionsFor(state, id);
    if (positions.length === 0) throw problems.notFound(`There is no proposal with id "${id}"`);
    const last = positions[positions.length - 1] as number;
    if (!(await deps.audit.waitForSize(last + 1, TREE_WAIT_MS))) {
      if (deps.audit.integrity().state === 'refusing') throw auditTrailProblem();
      throw problems.unavailable('The audit log has not yet taken in the latest events; try again shortly');
    }
    const checkpoint = await checkpointFor(last);
    const treeSize = checkpoint.treeSize;
    const audience = req.caller?.role ?? 'anonymous';
    const events: unknown[] = [];
    for (const p of positions) {
      let event: RecordedEvent | undefined;
      for await (const e of deps.store.readAll(p, { limit: 1 })) event = e;
      if (!event) continue;
      const leaf = eventLeafBytes(event);
      const proof = deps.audit.inclusion(p, treeSize);
      events.push({
        ...deps.people.event(event, audience),
        leaf: leaf.toString('utf8'),
        leafHash: leafHash(leaf).toString('base64'),
        inclusionProof: {
          leafIndex: proof.leafIndex,
          treeSize: proof.treeSize,
          path: proof.path.map((h) => h.toString('base64')),
        },
      });
    }
    res.json({
      position,
      checkpoint: {
        origin: checkpoint.origin,
        treeSize,
        rootHash: checkpoint.rootHash.toString('base64'),
        signedNote: deps.audit.cosignedNote(checkpoint),
        publicKey: deps.audit.verifierKey,
      },
      events,
    });
  });
  return router;
}
