/**
 * The view reads of API.md: every answer says which global position it reflects, accepts `asOf` (a position or
 * an ISO timestamp) and `minPosition` (wait up to a few seconds for the views to include a write).
 *
 * Who sees what (API.md): anonymous callers get the public form of each view (publicViews.ts: no row per person,
 * small counts of people hidden, `suppressionThreshold` and `suppressed` saying which); evaluators get rows with
 * pseudonyms in place of person ids; clerks and admins get names (personDirectory.ts).
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  arenaOf,
  committeeOf,
  influenceGroupings,
  influenceGroups,
  isProposalCursor,
  listArenas,
  listCommittees,
  listPoliticalBodies,
  listProposals,
  participationOf,
  politicalBodyOf,
  positionsFor,
  proposalTimeline,
  PUBLIC_SUPPRESS_BELOW,
  publicCommittee,
  publicCommitteeList,
  publicProposals,
  publicTimeline,
  publicVote,
  stages,
  statusOf,
  voteOf,
  type CommitteeViewState,
  type DirectoryState,
  type InfluenceState,
  type ParticipationState,
  type ProposalStatusState,
  type TimelineEvent,
  type TraceIndexState,
  type VotesState,
} from '../../../projections';
import { Id, IsoDate, line, ProposalOrigin, streamIdOf } from '../../domain/events';
import type { PersonDirectory } from '../../privacy/personDirectory';
import type { EventStore, RecordedEvent } from '../../store/eventStore';
import { dateAtPosition, resolveAsOf, type AsOf } from '../../views/asOf';
import { asOf, fromNotAfterTo, minPosition, parseQuery, wholeNumber } from '../queryParams';
import type { ProjectionRunner } from '../../views/projectionRunner';
import { problems } from '../problem';

export interface ReadRouterDeps {
  runner: ProjectionRunner;
  store: EventStore;
  people: PersonDirectory;
  clock?: () => Date;
  /** How long a read with `minPosition` waits for the views before answering 503 (default 5 s). */
  minPositionWaitMs?: number;
}

const common = { asOf: asOf.optional(), minPosition: minPosition.optional() };
/** Title search: plain text of 1–200 characters (code points), without the characters no title may hold. */
const titleQuery = line(
  z.string({ message: 'must be given once, as text' }).min(1, { message: 'must not be empty' }),
).refine((text) => [...text].length <= 200, { message: 'must be at most 200 characters' });
const listQuery = z.strictObject({
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
const participationQuery = z
  .strictObject({
    ...common,
    committeeId: Id.optional(),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
  })
  .superRefine(fromNotAfterTo);

function idParam(req: Request, what: string): string {
  const id = req.params.id;
  if (typeof id !== 'string' || !Id.safeParse(id).success)
    throw problems.notFound(`There is no ${what} with id "${String(id)}"`);
  return id;
}

/**
 * Answers of the aggregate reads, by the view position and date they were computed at and the query: a view at a
 * given position never changes, so neither does the answer. At 1M events computing one takes 0.1–0.2 s (every
 * proposal or vote is visited), serving it again well under a millisecond; dashboards ask the same questions over
 * and over between writes. Bounded by total size; the least recently used go first.
 */
class AnswerCache {
  private readonly answers = new Map<string, string>();
  private size = 0;

  constructor(private readonly maxChars = 32 * 1024 * 1024) {}

  json(key: string, compute: () => unknown): string {
    const known = this.answers.get(key);
    if (known !== undefined) {
      this.answers.delete(key);
      this.answers.set(key, known);
      return known;
    }
    const json = JSON.stringify(compute());
    if (json.length <= this.maxChars / 4) {
      this.answers.set(key, json);
      this.size += json.length;
      for (const [oldest, answer] of this.answers) {
        if (this.size <= this.maxChars) break;
        this.answers.delete(oldest);
        this.size -= answer.length;
      }
    }
    return json;
  }
}

export function readRouter(deps: ReadRouterDeps): Router {
  const router = Router();
  const clock = deps.clock ?? (() => new Date());
  const minPositionWaitMs = deps.minPositionWaitMs ?? 5_000;
  const answers = new AnswerCache();
  /** The cache key of an answer: the route, the view's position and date, who asks, and the rest of the query. */
  const answerKey = (
    route: string,
    view: { position: number; date: string },
    audience: string,
    q: Record<string, unknown>,
  ): string => {
    const { asOf: _asOf, minPosition: _minPosition, ...rest } = q;
    return `${route}\u0000${view.position}\u0000${view.date}\u0000${audience}\u0000${JSON.stringify(rest)}`;
  };

  /** The view's state at the requested point, the position it reflects, and the date deadlines are judged at. */
  async function viewAt<S>(
    name: string,
    q: { asOf?: AsOf; minPosition?: number },
  ): Promise<{ position: number; state: S; date: string }> {
    if (q.minPosition !== undefined) {
      // A position the store does not hold yet was never acknowledged to anyone: waiting for it would only delay a
      // mistake. One it holds is a write the views are taking in: that is worth a short wait.
      const head = await deps.store.headPosition();
      if (q.minPosition > head) {
        throw problems.unprocessable(
          'position-not-recorded',
          `minPosition ${q.minPosition} is beyond the ledger's last position (${head}): no write has been answered with it`,
          { headPosition: head },
        );
      }
      if (!(await deps.runner.waitFor(q.minPosition, minPositionWaitMs))) {
        throw problems.unavailable(
          `The views have not reached position ${q.minPosition} yet; try again shortly`,
        );
      }
    }
    const at = await resolveAsOf(deps.store, q.asOf, clock());
    if (at.position === undefined) return { ...deps.runner.current<S>(name), date: at.date };
    const { position, state } = await deps.runner.asOf<S>(name, at.position);
    // A position past the head answers at the head: the date is then the head's.
    const date =
      position === at.position ? at.date : ((await dateAtPosition(deps.store, position)) ?? at.date);
    return { position, state, date };
  }

  const audienceOf = (req: Request) => req.caller?.role ?? 'anonymous';
  /** The small-count threshold of the caller's answers, as /participation states it: null when nothing is hidden. */
  const thresholdFor = (req: Request): number | null =>
    audienceOf(req) === 'anonymous' ? PUBLIC_SUPPRESS_BELOW : null;

  router.get('/proposals', async (req, res) => {
    const q = parseQuery(listQuery, req.query);
    if (q.cursor !== undefined && !isProposalCursor(q.cursor)) {
      throw problems.badRequest('cursor is not one this service gave out', [
        { path: 'cursor', message: 'unknown cursor' },
      ]);
    }
    const view = await viewAt<ProposalStatusState>('proposalStatus', q);
    const threshold = thresholdFor(req);
    const json = answers.json(answerKey('proposals', view, String(threshold), q), () => {
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
    });
    res.type('application/json').send(json);
  });

  router.get('/proposals/:id', async (req, res) => {
    const id = idParam(req, 'proposal');
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt<ProposalStatusState>('proposalStatus', q);
    const status = statusOf(view.state, id, view.date);
    if (!status)
      throw problems.notFound(`There is no proposal with id "${id}" (as of position ${view.position})`);
    const threshold = thresholdFor(req);
    const shown = publicProposals([status], threshold ?? 0, () => '');
    res.json({
      position: view.position,
      suppressionThreshold: threshold,
      ...shown.views[0],
      suppressed: shown.suppressed,
    });
  });

  router.get('/proposals/:id/timeline', async (req, res) => {
    const id = idParam(req, 'proposal');
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt<TraceIndexState>('traceIndex', q);
    const events = await eventsOfProposal(deps.store, id, positionsFor(view.state, id));
    if (!events.some((e) => e.type === 'ProposalSubmitted'))
      throw problems.notFound(`There is no proposal with id "${id}" (as of position ${view.position})`);
    const threshold = thresholdFor(req);
    res.json({
      position: view.position,
      proposalId: id,
      suppressionThreshold: threshold,
      ...publicTimeline(proposalTimeline(events), threshold ?? 0),
    });
  });

  router.get('/committees', async (req, res) => {
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt<CommitteeViewState>('committee', q);
    const threshold = thresholdFor(req);
    const shown = publicCommitteeList(listCommittees(view.state), threshold ?? 0);
    res.json({ position: view.position, suppressionThreshold: threshold, ...shown });
  });

  router.get('/committees/:id', async (req, res) => {
    const id = idParam(req, 'committee');
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt<CommitteeViewState>('committee', q);
    const committee = committeeOf(view.state, id);
    if (!committee)
      throw problems.notFound(`There is no committee with id "${id}" (as of position ${view.position})`);
    const audience = audienceOf(req);
    if (audience === 'anonymous') {
      res.json({
        position: view.position,
        suppressionThreshold: PUBLIC_SUPPRESS_BELOW,
        ...publicCommittee(committee, PUBLIC_SUPPRESS_BELOW),
      });
      return;
    }
    const describe = async <M extends { personId: string }>(m: M) => {
      const { personId, ...rest } = m;
      return { ...(await deps.people.describe(personId, audience)), ...rest };
    };
    res.json({
      position: view.position,
      suppressionThreshold: null,
      ...committee,
      members: {
        ...committee.members,
        active: await Promise.all(committee.members.active.map(describe)),
        former: await Promise.all(committee.members.former.map(describe)),
      },
      suppressed: [],
    });
  });

  router.get('/votes/:id', async (req, res) => {
    const id = idParam(req, 'vote');
    const q = parseQuery(viewQuery, req.query);
    const view = await viewAt<VotesState>('votes', q);
    const vote = voteOf(view.state, id);
    if (!vote) throw problems.notFound(`There is no vote with id "${id}" (as of position ${view.position})`);
    const audience = audienceOf(req);
    const outcome = {
      tally: vote.closed?.tally ?? null,
      eligible: vote.closed?.eligible ?? null,
      result: vote.closed?.result ?? null,
    };
    if (audience === 'anonymous') {
      res.json({ position: view.position, ...publicVote(vote), ...outcome });
      return;
    }
    const ballots = await Promise.all(
      vote.ballots.map(async ({ personId, ...rest }) => ({
        ...(await deps.people.describe(personId, audience)),
        ...rest,
      })),
    );
    res.json({ position: view.position, ...vote, ballots, ...outcome });
  });

  /** A lookup of the directory view: the list (with its total) and one item by id, both at the asked point. */
  const lookup = <T extends object>(
    path: string,
    what: string,
    list: (state: DirectoryState) => T[],
    one: (state: DirectoryState, id: string) => T | undefined,
  ): void => {
    router.get(path, async (req, res) => {
      const q = parseQuery(viewQuery, req.query);
      const view = await viewAt<DirectoryState>('directory', q);
      const items = list(view.state);
      res.json({ position: view.position, total: items.length, items });
    });
    router.get(`${path}/:id`, async (req, res) => {
      const id = idParam(req, what);
      const q = parseQuery(viewQuery, req.query);
      const view = await viewAt<DirectoryState>('directory', q);
      const item = one(view.state, id);
      if (!item)
        throw problems.notFound(`There is no ${what} with id "${id}" (as of position ${view.position})`);
      res.json({ position: view.position, ...item });
    });
  };
  lookup('/arenas', 'arena', listArenas, arenaOf);
  lookup('/political-bodies', 'political body', listPoliticalBodies, politicalBodyOf);

  router.get('/influence', async (req, res) => {
    const q = parseQuery(influenceQuery, req.query);
    const view = await viewAt<InfluenceState>('influence', q);
    const json = answers.json(answerKey('influence', view, '', q), () => ({
      position: view.position,
      groupBy: q.groupBy,
      from: q.from ?? null,
      to: q.to ?? null,
      groups: influenceGroups(view.state, q.groupBy, { from: q.from, to: q.to }),
    }));
    res.type('application/json').send(json);
  });

  router.get('/participation', async (req, res) => {
    const q = parseQuery(participationQuery, req.query);
    const view = await viewAt<ParticipationState>('participation', q);
    const threshold = thresholdFor(req);
    const json = answers.json(answerKey('participation', view, String(threshold), q), () => ({
      position: view.position,
      suppressionThreshold: threshold,
      ...participationOf(
        view.state,
        { committeeId: q.committeeId, from: q.from, to: q.to },
        { suppressBelow: threshold ?? 0 },
      ),
    }));
    res.type('application/json').send(json);
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
