/**
 * The statistics reads: the influence funnel, grouped, and participation, each computed over a whole view and so
 * kept in the answer cache.
 */
import type { Router } from 'express';
import { z } from 'zod';
import {
  influenceGroupings,
  influenceGroups,
  influenceProjection,
  participationOf,
  participationProjection,
} from '../../../../projections';
import { IsoDate } from '../../../domain/events';
import { serve, type Operation } from '../../operation';
import { fromNotAfterTo, parseQuery } from '../../queryParams';
import * as answers from '../../schemas/views';
import { byCommitteeInPeriodQuery, common, read, thresholdFor, type ViewAnswers } from './viewAnswer';

const influenceQuery = z
  .strictObject({
    ...common,
    groupBy: z.enum(influenceGroupings).default('committee'),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
  })
  .superRefine(fromNotAfterTo);

const op = {
  getInfluence: read(
    'getInfluence',
    '/influence',
    'Statistics',
    'The influence funnel, grouped',
    influenceQuery,
    answers.influenceAnswer,
  ),
  getParticipation: read(
    'getParticipation',
    '/participation',
    'Statistics',
    'Participation: participants, members by group, vote turnout, public-meeting attendance, supports',
    byCommitteeInPeriodQuery,
    answers.participationAnswer,
  ),
} satisfies Record<string, Operation>;

export const statisticsOperations = op;

export function serveStatistics(router: Router, { viewAt, send }: ViewAnswers): void {
  serve(router, op.getInfluence, async (req, res) => {
    const q = parseQuery(influenceQuery, req.query);
    const view = await viewAt(influenceProjection, q);
    await send(
      req,
      res,
      op.getInfluence,
      view,
      q,
      () => ({
        position: view.position,
        groupBy: q.groupBy,
        from: q.from ?? null,
        to: q.to ?? null,
        groups: influenceGroups(view.state, q.groupBy, { from: q.from, to: q.to }),
      }),
      true,
    );
  });

  serve(router, op.getParticipation, async (req, res) => {
    const q = parseQuery(byCommitteeInPeriodQuery, req.query);
    const view = await viewAt(participationProjection, q);
    const threshold = thresholdFor(req);
    await send(
      req,
      res,
      op.getParticipation,
      view,
      q,
      () => ({
        position: view.position,
        suppressionThreshold: threshold,
        ...participationOf(
          view.state,
          { committeeId: q.committeeId, from: q.from, to: q.to },
          { suppressBelow: threshold ?? 0 },
        ),
      }),
      true,
    );
  });
}
