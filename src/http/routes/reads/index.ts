/**
 * The view reads of API.md, gathered: every read operation in one list (as served and as documented) and the
 * router that serves them all over one view reader. Every answer says which global position it reflects, accepts
 * `asOf` (a position or an ISO timestamp) and `minPosition` (wait up to a few seconds for the views to include a
 * write).
 *
 * Who sees what (API.md): anonymous callers get the public form of each view (publicViews.ts: no row per person,
 * small counts of people hidden, `suppressionThreshold` and `suppressed` saying which); evaluators get rows with
 * pseudonyms in place of person ids; clerks and admins get names (personDirectory.ts).
 *
 * Each route is declared once in its area's file and served from it: parse the query, read the view
 * (views/viewReader.ts), ask the projection's query function, shape the answer for the caller's role
 * (viewAnswer.ts holds what the areas share).
 */
import { Router } from 'express';
import type { Operation } from '../../operation';
import { committeeOperations, serveCommittees } from './committees';
import { directoryOperations, serveDirectory } from './directory';
import { proposalOperations, serveProposals } from './proposals';
import { serveStatistics, statisticsOperations } from './statistics';
import { viewAnswers, type ReadRouterDeps } from './viewAnswer';
import { serveVotes, voteOperations } from './votes';

export type { ReadRouterDeps } from './viewAnswer';

/** Every view read, as served and as documented. */
export const readOperations: Operation[] = [
  ...Object.values(proposalOperations),
  ...Object.values(committeeOperations),
  ...Object.values(voteOperations),
  ...Object.values(directoryOperations),
  ...Object.values(statisticsOperations),
];

export function readRouter(deps: ReadRouterDeps): Router {
  const router = Router();
  // One reader for every area, so one answer cache.
  const views = viewAnswers(deps);
  serveProposals(router, views, deps.store);
  serveCommittees(router, views);
  serveVotes(router, views);
  serveDirectory(router, views, deps.people);
  serveStatistics(router, views);
  return router;
}
