/**
 * The proposal reads: the list (filtered, a page at a time), one proposal's status and its public timeline, with
 * the events of a proposal gathered from the log for the timeline.
 */
import type { Router } from 'express';
import { z } from 'zod';
import {
  isProposalCursor,
  listProposals,
  positionsFor,
  proposalStatusProjection,
  proposalTimeline,
  publicProposals,
  publicTimeline,
  stages,
  statusOf,
  traceIndexProjection,
  type TimelineEvent,
} from '../../../../projections';
import { Id, line, ProposalOrigin, streamIdOf } from '../../../domain/events';
import type { EventStore, RecordedEvent } from '../../../store/eventStore';
import { serve, type Operation } from '../../operation';
import { problems } from '../../problem';
import { parseQuery, wholeNumber } from '../../queryParams';
import * as answers from '../../schemas/views';
import { common, idParam, notFoundAt, read, thresholdFor, viewQuery, type ViewAnswers } from './viewAnswer';

/** Title search: plain text of 1–200 characters (code points), without the characters no title may hold. */
const titleQuery = line(
  z.string({ message: 'must be given once, as text' }).min(1, { message: 'must not be empty' }),
).refine((text) => [...text].length <= 200, { message: 'must be at most 200 characters' });
const proposalListQuery = z.strictObject({
  ...common,
  q: titleQuery.optional(),
  committeeId: Id.optional(),
  stage: z.enum(stages).optional(),
  origin: ProposalOrigin.optional(),
  theme: z.string().max(200).optional(),
  limit: wholeNumber.refine((n) => n >= 1 && n <= 500, { message: 'must be between 1 and 500' }).default(50),
  cursor: z.string().max(500).optional(),
});

const op = {
  listProposals: read(
    'listProposals',
    '/proposals',
    'Proposals',
    'Proposals matching the filters, a page at a time, with their status',
    proposalListQuery,
    answers.proposalListAnswer,
  ),
  getProposal: read(
    'getProposal',
    '/proposals/:id',
    'Proposals',
    "A proposal's status view",
    viewQuery,
    answers.proposalAnswer,
  ),
  getProposalTimeline: read(
    'getProposalTimeline',
    '/proposals/:id/timeline',
    'Proposals',
    "A proposal's public path: its events in ledger order, supports per month",
    viewQuery,
    answers.timelineAnswer,
  ),
} satisfies Record<string, Operation>;

export const proposalOperations = op;

export function serveProposals(router: Router, { viewAt, send }: ViewAnswers, store: EventStore): void {
  serve(router, op.listProposals, async (req, res) => {
    const q = parseQuery(proposalListQuery, req.query);
    if (q.cursor !== undefined && !isProposalCursor(q.cursor)) {
      throw problems.badRequest('cursor is not one this service gave out', [
        { path: 'cursor', message: 'unknown cursor' },
      ]);
    }
    const view = await viewAt(proposalStatusProjection, q);
    const threshold = thresholdFor(req);
    await send(
      req,
      res,
      op.listProposals,
      view,
      q,
      () => {
        const page = listProposals(
          view.state,
          {
            committeeId: q.committeeId,
            stage: q.stage,
            origin: q.origin,
            theme: q.theme,
            titleContains: q.q,
          },
          view.date,
          { limit: q.limit, cursor: q.cursor },
        );
        const shown = publicProposals(page.items, threshold ?? 0, (i) => `items.${i}.`);
        return {
          position: view.position,
          suppressionThreshold: threshold,
          total: page.total,
          items: shown.views,
          nextCursor: page.nextCursor,
          suppressed: shown.suppressed,
        };
      },
      true,
    );
  });

  serve(router, op.getProposal, async (req, res) => {
    const id = idParam(req, 'proposal');
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt(proposalStatusProjection, q);
    const status = statusOf(view.state, id, view.date);
    if (!status) throw notFoundAt('proposal', id, view);
    const threshold = thresholdFor(req);
    const shown = publicProposals([status], threshold ?? 0, () => '');
    await send(req, res, op.getProposal, view, q, () => ({
      position: view.position,
      suppressionThreshold: threshold,
      ...shown.views[0],
      suppressed: shown.suppressed,
    }));
  });

  serve(router, op.getProposalTimeline, async (req, res) => {
    const id = idParam(req, 'proposal');
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt(traceIndexProjection, q);
    const events = await eventsOfProposal(store, id, positionsFor(view.state, id));
    if (!events.some((e) => e.type === 'ProposalSubmitted')) throw notFoundAt('proposal', id, view);
    const threshold = thresholdFor(req);
    await send(req, res, op.getProposalTimeline, view, q, () => ({
      position: view.position,
      proposalId: id,
      suppressionThreshold: threshold,
      ...publicTimeline(proposalTimeline(events), threshold ?? 0),
    }));
  });
}

/**
 * The events at `positions` (ascending; the trace index's for the proposal), in that order. The proposal's own
 * stream and each vote's stream are read whole, in one query each; only the rest (meetings) one position at a time.
 */
async function eventsOfProposal(
  store: EventStore,
  proposalId: string,
  positions: readonly number[],
): Promise<TimelineEvent[]> {
  const wanted = new Set(positions);
  const found = new Map<number, RecordedEvent>();
  const keep = (events: readonly RecordedEvent[]): void => {
    for (const e of events) if (wanted.has(e.globalPosition)) found.set(e.globalPosition, e);
  };
  if (positions.length > 0) keep(await store.readStream(streamIdOf('proposal', proposalId)));
  for (const p of positions) {
    if (found.has(p)) continue;
    for await (const e of store.readAll(p, { limit: 1 })) {
      keep([e]);
      if (e.type === 'VoteOpened') keep(await store.readStream(e.streamId));
    }
  }
  // Stored events passed their schema when they were appended: their type and data agree.
  return positions.flatMap((p) => {
    const e = found.get(p);
    return e === undefined ? [] : [e as unknown as TimelineEvent];
  });
}
