/**
 * Every operation the app serves, in one list: the OpenAPI document is generated from it, and the route-by-role,
 * fuzz and contract tests walk it. Each router declares its own and registers its handlers from them.
 */
import { z } from 'zod';
import { influenceGroupings, stages } from '../../projections';
import { Id, ProposalOrigin } from '../domain/events';
import { serviceOperations } from './app';
import type { Operation } from './operation';
import { openApiOperations } from './openapiOperations';
import { adminOperations } from './routes/admin';
import { auditOperations } from './routes/audit';
import { bodySchemaOf } from './routes/commands';
import { commandRoutes } from './routes/commandRoutes';
import { exportOperations } from './routes/exports';
import { feedOperations } from './routes/feeds';
import { traceOperations } from './routes/trace';

/** The path an operation is served at: under /api/v1 unless it is a root route. */
export const API_BASE = '/api/v1';
export const servedPathOf = (operation: Operation): string =>
  operation.root ? operation.path : `${API_BASE}${operation.path}`;

// ---------------------------------------------------------------------------------------------------------------
// Until the commands branch declares `commandOperations`: the command routes' table, read as operations.
const commandResult = z.object({
  id: Id.describe('the id of what the command recorded (the created id, or the target)'),
  streamId: z.string(),
  streamRevision: z.number().int().min(0),
  globalPosition: z.number().int().min(0),
  tally: z
    .strictObject({ yes: z.number().int(), no: z.number().int(), abstain: z.number().int() })
    .optional(),
  eligible: z.number().int().optional(),
  result: z.string().optional(),
});
const commandOperations: Operation[] = commandRoutes.map((route) => ({
  method: 'post',
  path: route.path,
  operationId: route.command,
  tag: 'Commands',
  summary: route.summary,
  access: ['clerk'],
  body: bodySchemaOf(route),
  answer: { status: 201, description: 'Recorded', schema: commandResult },
  problems: [404, 409, 413, 422, 503],
  headers: ['If-Match', 'Idempotency-Key'],
}));

// ---------------------------------------------------------------------------------------------------------------
// Until the reads branch declares `readOperations` (with answer schemas): the view reads of reads.ts, as the
// hand-written table described them, each answer said to carry the position it reflects and no more.
const asOf = z.string().describe('global position (or -1), or RFC 3339 timestamp with Z or an offset');
const minPosition = z.string().describe('wait (≤ 5 s) until views include this global position');
const viewQuery = z.strictObject({ asOf: asOf.optional(), minPosition: minPosition.optional() });
const period = {
  from: z.iso.date().optional().describe('YYYY-MM-DD'),
  to: z.iso.date().optional().describe('YYYY-MM-DD'),
};
const someView = z.looseObject({ position: z.number().int().min(-1) });
const interimRead = (
  path: string,
  operationId: string,
  tag: string,
  summary: string,
  query: z.ZodType = viewQuery,
): Operation => ({
  method: 'get',
  path,
  operationId,
  tag,
  summary,
  access: 'anyone',
  query,
  answer: { status: 200, description: 'The view, at the position it reflects', schema: someView },
  problems: path.includes(':') ? [404, 422, 503] : [422, 503],
});
const readOperations: Operation[] = [
  interimRead(
    '/proposals',
    'listProposals',
    'Proposals',
    'Proposal status views, filtered and paginated, with the total matching on every page',
    viewQuery.extend({
      committeeId: z.string().optional(),
      stage: z.enum(stages).optional(),
      origin: ProposalOrigin.optional(),
      theme: z.string().optional(),
      q: z.string().optional().describe('text the title contains: 1–200 characters, literal'),
      limit: z.string().optional().describe('1–500 (default 50)'),
      cursor: z.string().optional().describe('opaque cursor from nextCursor'),
    }),
  ),
  interimRead('/proposals/:id', 'getProposal', 'Proposals', 'One proposal status view'),
  interimRead('/proposals/:id/timeline', 'getProposalTimeline', 'Proposals', "The proposal's public path"),
  interimRead('/committees', 'listCommittees', 'Committees', 'Every committee'),
  interimRead('/committees/:id', 'getCommittee', 'Committees', 'One committee view'),
  interimRead('/votes/:id', 'getVote', 'Votes', 'A vote with its ballots and tally'),
  interimRead('/arenas', 'listArenas', 'Directory', 'Every arena (citizen square), by name'),
  interimRead('/arenas/:id', 'getArena', 'Directory', 'One arena'),
  interimRead('/political-bodies', 'listPoliticalBodies', 'Directory', 'Every political body, by name'),
  interimRead('/political-bodies/:id', 'getPoliticalBody', 'Directory', 'One political body'),
  interimRead(
    '/influence',
    'getInfluence',
    'Statistics',
    'The influence funnel, grouped',
    viewQuery.extend({ groupBy: z.enum(influenceGroupings).optional(), ...period }),
  ),
  interimRead(
    '/participation',
    'getParticipation',
    'Statistics',
    'Participation breakdown',
    viewQuery.extend({ committeeId: z.string().optional(), ...period }),
  ),
];
// ---------------------------------------------------------------------------------------------------------------

export const operations: readonly Operation[] = [
  ...commandOperations,
  ...readOperations,
  ...traceOperations,
  ...feedOperations,
  ...auditOperations,
  ...exportOperations,
  ...adminOperations,
  ...serviceOperations,
  ...openApiOperations,
];
