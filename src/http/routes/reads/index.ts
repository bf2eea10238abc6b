/**
 * The view reads of API.md: every answer says which global position it reflects, accepts `asOf` (a position or
 * an ISO timestamp) and `minPosition` (wait up to a few seconds for the views to include a write).
 *
 * Who sees what (API.md): anonymous callers get the public form of each view (publicViews.ts: no row per person,
 * small counts of people hidden, `suppressionThreshold` and `suppressed` saying which); evaluators get rows with
 * pseudonyms in place of person ids; clerks and admins get names (personDirectory.ts).
 *
 * Each route is declared once in `readOperations` and served from it: parse the query, read the view
 * (views/viewReader.ts), ask the projection's query function, shape the answer for the caller's role. A view at a
 * position never changes, so every answer carries an ETag and `If-None-Match` with it is a 304.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  arenaOf,
  committeeOf,
  committeeProjection,
  directoryProjection,
  influenceGroupings,
  influenceGroups,
  influenceProjection,
  isProposalCursor,
  listArenas,
  listCommittees,
  listMeetings,
  listPersons,
  listPoliticalBodies,
  listProcesses,
  listProposals,
  listVotes,
  meetingOf,
  participationOf,
  participationProjection,
  personOf,
  politicalBodyOf,
  positionsFor,
  processOf,
  proposalStatusProjection,
  proposalTimeline,
  PUBLIC_SUPPRESS_BELOW,
  publicCommittee,
  publicCommitteeList,
  publicMeetings,
  publicProposals,
  publicTimeline,
  publicVote,
  stages,
  statusOf,
  traceIndexProjection,
  voteOf,
  votesProjection,
  type DirectoryState,
  type MeetingEntry,
  type Projection,
  type TimelineEvent,
  type VoteRecord,
} from '../../../projections';
import { Id, IsoDate, line, ProposalOrigin, streamIdOf } from '../../domain/events';
import type { Audience, PersonDirectory } from '../../privacy/personDirectory';
import type { EventStore, RecordedEvent } from '../../store/eventStore';
import { answerOf } from '../../views/answerCache';
import type { ProjectionRunner } from '../../views/projectionRunner';
import {
  PositionNotRecorded,
  ViewReader,
  ViewsBehind,
  type ReadPoint,
  type ViewAt,
} from '../../views/viewReader';
import { serve, type Operation } from '../operation';
import { problems } from '../problem';
import { asOf, fromNotAfterTo, minPosition, parseQuery, wholeNumber } from '../queryParams';
import * as answers from '../schemas/views';

export interface ReadRouterDeps {
  runner: ProjectionRunner;
  store: EventStore;
  people: PersonDirectory;
  clock?: () => Date;
  /** How long a read with `minPosition` waits for the views before answering 503 (default 5 s). */
  minPositionWaitMs?: number;
}

// ---------- queries ----------

const common = {
  asOf: asOf
    .optional()
    .describe(
      'Answer as the ledger stood then: a global position (the events up to it), or an RFC 3339 timestamp (those recorded at or before it)',
    ),
  minPosition: minPosition
    .optional()
    .describe(
      'A position a write was answered with: wait (a few seconds) until the views include it, else 503; beyond the last position, 422',
    ),
};
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
const viewQuery = z.strictObject(common);
const influenceQuery = z
  .strictObject({
    ...common,
    groupBy: z.enum(influenceGroupings).default('committee'),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
  })
  .superRefine(fromNotAfterTo);
const byCommitteeInPeriodQuery = z
  .strictObject({
    ...common,
    committeeId: Id.optional(),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
  })
  .superRefine(fromNotAfterTo);
const voteListQuery = z.strictObject({ ...common, proposalId: Id.optional() });
const processListQuery = z.strictObject({ ...common, committeeId: Id.optional() });

// ---------- operations ----------

/** What every view read may answer besides its own: a minPosition beyond the head (422), views behind it (503). */
const viewProblems = [422, 503] as const;
const viewHeaders = ['If-None-Match'] as const;
const byIdProblems = [404, ...viewProblems] as const;

const read = (
  operationId: string,
  path: string,
  tag: string,
  summary: string,
  query: z.ZodType,
  schema: z.ZodType,
  extra: Partial<Operation> = {},
): Operation => ({
  method: 'get',
  path,
  operationId,
  tag,
  summary,
  access: 'anyone',
  query,
  answer: { status: 200, description: summary, schema },
  problems: path.endsWith('/:id') || path.includes('/:id/') ? byIdProblems : viewProblems,
  headers: viewHeaders,
  ...extra,
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
  listVotes: read(
    'listVotes',
    '/votes',
    'Votes',
    'Votes, all or those on one proposal, by opening date',
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
  listMeetings: read(
    'listMeetings',
    '/meetings',
    'Meetings',
    'Meetings held, by date, filtered by committee and date held',
    byCommitteeInPeriodQuery,
    answers.meetingListAnswer,
  ),
  getMeeting: read(
    'getMeeting',
    '/meetings/:id',
    'Meetings',
    'A meeting: its kind, date, agenda and attendees (as the role may see them)',
    viewQuery,
    answers.meetingAnswer,
  ),
  listProcesses: read(
    'listProcesses',
    '/processes',
    'Processes',
    'Co-creation processes with their phases, by start date (not in API.md: processIds appear in proposals)',
    processListQuery,
    answers.processListAnswer,
  ),
  getProcess: read(
    'getProcess',
    '/processes/:id',
    'Processes',
    'A co-creation process with its phases',
    viewQuery,
    answers.processAnswer,
  ),
  listArenas: read(
    'listArenas',
    '/arenas',
    'Directory',
    'Every arena (citizen square), by name',
    viewQuery,
    answers.arenaListAnswer,
  ),
  getArena: read('getArena', '/arenas/:id', 'Directory', 'An arena', viewQuery, answers.arenaAnswer),
  listPoliticalBodies: read(
    'listPoliticalBodies',
    '/political-bodies',
    'Directory',
    'Every political body, by name',
    viewQuery,
    answers.politicalBodyListAnswer,
  ),
  getPoliticalBody: read(
    'getPoliticalBody',
    '/political-bodies/:id',
    'Directory',
    'A political body',
    viewQuery,
    answers.politicalBodyAnswer,
  ),
  listPersons: read(
    'listPersons',
    '/persons',
    'Persons',
    'Every registered person, by id, with their name',
    viewQuery,
    answers.personListAnswer,
    { access: ['clerk'] },
  ),
  getPerson: read(
    'getPerson',
    '/persons/:id',
    'Persons',
    'A registered person',
    viewQuery,
    answers.personAnswer,
    {
      access: ['clerk'],
    },
  ),
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

/** Every view read, as served and as documented. */
export const readOperations: Operation[] = Object.values(op);

// ---------- serving ----------

function idParam(req: Request, what: string): string {
  const id = req.params.id;
  if (typeof id !== 'string' || !Id.safeParse(id).success)
    throw problems.notFound(`There is no ${what} with id "${String(id)}"`);
  return id;
}

const notFoundAt = (what: string, id: string, view: { position: number }) =>
  problems.notFound(`There is no ${what} with id "${id}" (as of position ${view.position})`);

/** The view-layer conditions a caller meets, as problems; anything else stays a fault of the server. */
function asProblem(error: unknown): unknown {
  if (error instanceof PositionNotRecorded)
    return problems.unprocessable('position-not-recorded', error.message, {
      headPosition: error.headPosition,
    });
  if (error instanceof ViewsBehind) return problems.unavailable(error.message);
  return error;
}

/** Whether `If-None-Match` names `tag` (weak comparison, RFC 9110 §13.1.2), or is `*`. */
function matchesTag(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => {
    const given = t.trim();
    return given === '*' || given.replace(/^W\//, '') === tag;
  });
}

export function readRouter(deps: ReadRouterDeps): Router {
  const router = Router();
  const reader = new ViewReader(deps);

  const audienceOf = (req: Request): Audience => req.caller?.role ?? 'anonymous';
  /** The small-count threshold of the caller's answers, as /participation states it: null when nothing is hidden. */
  const thresholdFor = (req: Request): number | null =>
    audienceOf(req) === 'anonymous' ? PUBLIC_SUPPRESS_BELOW : null;

  async function viewAt<S>(projection: Projection<S>, point: ReadPoint): Promise<ViewAt<S>> {
    try {
      return await reader.at(projection, point);
    } catch (error) {
      throw asProblem(error);
    }
  }

  /**
   * Sends a view answer with its ETag, or 304 when `If-None-Match` names it. The tag is made of the answer cache's
   * key (the operation, the view's position and date, who asks, the path's id and the rest of the query) and the
   * answer's text (answerCache.ts). `cached` keeps the answer (the aggregates, costly to compute); `compute` is then
   * synchronous.
   */
  async function send<Q extends ReadPoint>(
    req: Request,
    res: Response,
    operation: Operation,
    view: { position: number; date: string },
    q: Q,
    compute: () => unknown,
    cached = false,
  ): Promise<void> {
    const { asOf: _asOf, minPosition: _minPosition, ...rest } = q;
    const key = [
      operation.operationId,
      view.position,
      view.date,
      audienceOf(req),
      req.params.id ?? '',
      JSON.stringify(rest),
    ].join('\u0000');
    const { json, etag } = cached
      ? reader.answers.answer(key, compute)
      : answerOf(key, JSON.stringify(await compute()));
    // The client may keep the answer but must ask again (with the tag) before using it: a new write moves "now".
    res.setHeader('Cache-Control', 'private, no-cache');
    res.vary('Authorization');
    res.setHeader('ETag', etag);
    if (matchesTag(req.get('If-None-Match'), etag)) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(json);
  }

  const describe = async <M extends { personId: string }>(m: M, audience: Audience) => {
    const { personId, ...rest } = m;
    return { ...(await deps.people.describe(personId, audience)), ...rest };
  };

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
    const events = await eventsOfProposal(deps.store, id, positionsFor(view.state, id));
    if (!events.some((e) => e.type === 'ProposalSubmitted')) throw notFoundAt('proposal', id, view);
    const threshold = thresholdFor(req);
    await send(req, res, op.getProposalTimeline, view, q, () => ({
      position: view.position,
      proposalId: id,
      suppressionThreshold: threshold,
      ...publicTimeline(proposalTimeline(events), threshold ?? 0),
    }));
  });

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
    await send(req, res, op.getCommittee, view, q, async () => {
      if (audience === 'anonymous') {
        return {
          position: view.position,
          suppressionThreshold: PUBLIC_SUPPRESS_BELOW,
          ...publicCommittee(committee, PUBLIC_SUPPRESS_BELOW),
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
    const votes = listVotes(view.state, { proposalId: q.proposalId });
    const audience = audienceOf(req);
    await send(req, res, op.listVotes, view, q, async () => ({
      position: view.position,
      total: votes.length,
      items: await Promise.all(votes.map((v) => shownVote(v, audience))),
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

  /**
   * Meetings as the caller may see them, like a committee's members: anonymous callers get the attendees counted
   * (a small count hidden), tokens the attendees recorded by person too. `at` is each meeting's path in the answer.
   */
  const shownMeetings = async (meetings: MeetingEntry[], req: Request, at: (index: number) => string) => {
    const audience = audienceOf(req);
    if (audience === 'anonymous') return publicMeetings(meetings, PUBLIC_SUPPRESS_BELOW, at);
    const views = await Promise.all(
      meetings.map(async ({ attendeePersonIds, ...m }) => ({
        ...m,
        attendees: await Promise.all(attendeePersonIds.map((personId) => describe({ personId }, audience))),
      })),
    );
    return { views, suppressed: [] };
  };

  serve(router, op.listMeetings, async (req, res) => {
    const q = parseQuery(byCommitteeInPeriodQuery, req.query);
    const view = await viewAt(directoryProjection, q);
    const meetings = listMeetings(view.state, { committeeId: q.committeeId, from: q.from, to: q.to });
    await send(req, res, op.listMeetings, view, q, async () => {
      const shown = await shownMeetings(meetings, req, (i) => `items.${i}.`);
      return {
        position: view.position,
        suppressionThreshold: thresholdFor(req),
        total: shown.views.length,
        items: shown.views,
        suppressed: shown.suppressed,
      };
    });
  });

  serve(router, op.getMeeting, async (req, res) => {
    const id = idParam(req, 'meeting');
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt(directoryProjection, q);
    const meeting = meetingOf(view.state, id);
    if (!meeting) throw notFoundAt('meeting', id, view);
    await send(req, res, op.getMeeting, view, q, async () => {
      const shown = await shownMeetings([meeting], req, () => '');
      return {
        position: view.position,
        suppressionThreshold: thresholdFor(req),
        ...shown.views[0],
        suppressed: shown.suppressed,
      };
    });
  });

  /** A lookup of the directory view that names no person: the list (with its total) and one item by id. */
  const lookup = <T extends object, Q extends z.ZodType<ReadPoint>>(
    listOp: Operation,
    listQuery: Q,
    getOp: Operation,
    what: string,
    list: (state: DirectoryState, q: z.output<Q>) => T[],
    one: (state: DirectoryState, id: string) => T | undefined,
  ): void => {
    serve(router, listOp, async (req, res) => {
      const q = parseQuery(listQuery, req.query);
      const view = await viewAt(directoryProjection, q);
      const items = list(view.state, q);
      await send(req, res, listOp, view, q, () => ({ position: view.position, total: items.length, items }));
    });
    serve(router, getOp, async (req, res) => {
      const id = idParam(req, what);
      const q = parseQuery(viewQuery, req.query);
      const view = await viewAt(directoryProjection, q);
      const item = one(view.state, id);
      if (!item) throw notFoundAt(what, id, view);
      await send(req, res, getOp, view, q, () => ({ position: view.position, ...item }));
    });
  };
  lookup(op.listArenas, viewQuery, op.getArena, 'arena', listArenas, arenaOf);
  lookup(
    op.listPoliticalBodies,
    viewQuery,
    op.getPoliticalBody,
    'political body',
    listPoliticalBodies,
    politicalBodyOf,
  );
  lookup(
    op.listProcesses,
    processListQuery,
    op.getProcess,
    'process',
    (state, q) => listProcesses(state, { committeeId: q.committeeId }),
    processOf,
  );

  /** A person as a clerk or admin sees them: the name while their personal data lasts. */
  const shownPerson = async (personId: string, state: DirectoryState) => {
    const entry = personOf(state, personId);
    if (entry === undefined) return undefined;
    const personal = await deps.people.personal(personId);
    // Erasure is the person's wish to be forgotten: the lookup shows nothing of them but the id and the date.
    const erased = personal === null;
    return {
      personId,
      name: personal?.name ?? null,
      erased,
      erasedOn: entry.erasedOn,
      birthYear: erased ? null : entry.birthYear,
      area: erased ? null : entry.area,
    };
  };

  serve(router, op.listPersons, async (req, res) => {
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt(directoryProjection, q);
    const persons = listPersons(view.state);
    await send(req, res, op.listPersons, view, q, async () => {
      const items = await Promise.all(persons.map((p) => shownPerson(p.personId, view.state)));
      return { position: view.position, total: items.length, items };
    });
  });

  serve(router, op.getPerson, async (req, res) => {
    const id = idParam(req, 'person');
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt(directoryProjection, q);
    const person = await shownPerson(id, view.state);
    if (!person) throw notFoundAt('person', id, view);
    await send(req, res, op.getPerson, view, q, () => ({ position: view.position, ...person }));
  });

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

  return router;
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
