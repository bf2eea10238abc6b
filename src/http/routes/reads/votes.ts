/**
 * The vote reads: votes (all, or those on one proposal) and one vote, each with its outcome for anyone and its
 * ballots by pseudonym or name for tokens. The list is answered a page at a time (viewAnswer.ts's `paging`), the
 * page taken before its ballots are shown.
 */
import type { Router } from 'express';
import { z } from 'zod';
import { listVotes, publicVote, voteOf, votesProjection, type VoteRecord } from '../../../../projections';
import { Id } from '../../../domain/events';
import type { Audience } from '../../../privacy/personDirectory';
import { serve, type Operation } from '../../operation';
import { parseQuery } from '../../queryParams';
import * as answers from '../../schemas/views';
import {
  audienceOf,
  common,
  idParam,
  notFoundAt,
  pageOf,
  paging,
  read,
  viewQuery,
  type ViewAnswers,
} from './viewAnswer';

const voteListQuery = z.strictObject({ ...common, proposalId: Id.optional(), ...paging });

const op = {
  listVotes: read(
    'listVotes',
    '/votes',
    'Votes',
    'Votes, all or those on one proposal, by opening date (then id), a page at a time',
    voteListQuery,
    answers.voteListAnswer,
  ),
  getVote: read(
    'getVote',
    '/votes/:id',
    'Votes',
    'A vote with its ballots (as the role may see them) and tally',
    viewQuery,
    answers.voteAnswer,
  ),
} satisfies Record<string, Operation>;

export const voteOperations = op;

export function serveVotes(router: Router, { viewAt, send, describe }: ViewAnswers): void {
  /** A vote as the caller may see it: its outcome for anyone, its ballots by pseudonym or name for tokens. */
  const shownVote = async (vote: VoteRecord, audience: Audience) => {
    const outcome = {
      tally: vote.closed?.tally ?? null,
      eligible: vote.closed?.eligible ?? null,
      result: vote.closed?.result ?? null,
    };
    if (audience === 'anonymous') return { ...publicVote(vote), ...outcome };
    const ballots = await Promise.all(vote.ballots.map((b) => describe(b, audience)));
    return { ...vote, ballots, ...outcome };
  };

  serve(router, op.listVotes, async (req, res) => {
    const q = parseQuery(voteListQuery, req.query);
    const view = await viewAt(votesProjection, q);
    const page = pageOf(listVotes(view.state, { proposalId: q.proposalId }), (v) => v.voteId, q);
    const audience = audienceOf(req);
    await send(req, res, op.listVotes, view, q, async () => ({
      position: view.position,
      total: page.total,
      // The ballots are described for the page's votes only.
      items: await Promise.all(page.items.map((v) => shownVote(v, audience))),
      nextCursor: page.nextCursor,
    }));
  });

  serve(router, op.getVote, async (req, res) => {
    const id = idParam(req, 'vote');
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt(votesProjection, q);
    const vote = voteOf(view.state, id);
    if (!vote) throw notFoundAt('vote', id, view);
    const audience = audienceOf(req);
    await send(req, res, op.getVote, view, q, async () => ({
      position: view.position,
      ...(await shownVote(vote, audience)),
    }));
  });
}
