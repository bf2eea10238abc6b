/**
 * The committee reads: every committee counted, and one committee with its members (counted for anonymous
 * callers, by pseudonym or name for tokens), budget, meetings and proposals by stage.
 */
import type { Router } from 'express';
import {
  committeeOf,
  committeeProjection,
  listCommittees,
  publicCommittee,
  publicCommitteeList,
} from '../../../../projections';
import { serve, type Operation } from '../../operation';
import { parseQuery } from '../../queryParams';
import * as answers from '../../schemas/views';
import {
  audienceOf,
  idParam,
  notFoundAt,
  read,
  thresholdFor,
  viewQuery,
  type ViewAnswers,
} from './viewAnswer';

const op = {
  listCommittees: read(
    'listCommittees',
    '/committees',
    'Committees',
    'Every committee with its members counted, proposals by stage and budget',
    viewQuery,
    answers.committeeListAnswer,
  ),
  getCommittee: read(
    'getCommittee',
    '/committees/:id',
    'Committees',
    'A committee view: members, budget per year, meetings, proposals by stage',
    viewQuery,
    answers.committeeAnswer,
  ),
} satisfies Record<string, Operation>;

export const committeeOperations = op;

export function serveCommittees(router: Router, { viewAt, send, describe }: ViewAnswers): void {
  serve(router, op.listCommittees, async (req, res) => {
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt(committeeProjection, q);
    const threshold = thresholdFor(req);
    await send(req, res, op.listCommittees, view, q, () => {
      const shown = publicCommitteeList(listCommittees(view.state), threshold ?? 0);
      return {
        position: view.position,
        suppressionThreshold: threshold,
        total: shown.items.length,
        ...shown,
      };
    });
  });

  serve(router, op.getCommittee, async (req, res) => {
    const id = idParam(req, 'committee');
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt(committeeProjection, q);
    const committee = committeeOf(view.state, id);
    if (!committee) throw notFoundAt('committee', id, view);
    const audience = audienceOf(req);
    const threshold = thresholdFor(req);
    await send(req, res, op.getCommittee, view, q, async () => {
      if (threshold !== null) {
        return {
          position: view.position,
          suppressionThreshold: threshold,
          ...publicCommittee(committee, threshold),
        };
      }
      return {
        position: view.position,
        suppressionThreshold: null,
        ...committee,
        members: {
          ...committee.members,
          active: await Promise.all(committee.members.active.map((m) => describe(m, audience))),
          former: await Promise.all(committee.members.former.map((m) => describe(m, audience))),
        },
        suppressed: [],
      };
    });
  });
}
