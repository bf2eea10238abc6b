/**
 * What every view read shares, so each area's file holds only its own reads: the query parts every read accepts
 * (`asOf`, `minPosition`), the paging of the lookup lists (`limit`, `cursor`, one page of a sorted list), the shape
 * of a read's declaration, the path's id and the not-found problem, the caller's audience and small-count
 * threshold, and reading a view and sending its answer (the view layer's conditions as problems, the ETag and
 * `If-None-Match`).
 *
 * A view at a position never changes, so every answer carries an ETag and `If-None-Match` with it is a 304.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { PUBLIC_SUPPRESS_BELOW, type Projection } from '../../../../projections';
import { Id, IsoDate } from '../../../domain/events';
import type { Audience, PersonDirectory } from '../../../privacy/personDirectory';
import type { EventStore } from '../../../store/eventStore';
import { answerOf } from '../../../views/answerCache';
import type { ProjectionRunner } from '../../../views/projectionRunner';
import {
  PositionNotRecorded,
  ViewReader,
  ViewsBehind,
  type ReadPoint,
  type ViewAt,
} from '../../../views/viewReader';
import type { Operation } from '../../operation';
import { problems } from '../../problem';
import { asOf, fromNotAfterTo, minPosition, pathId, wholeNumber } from '../../queryParams';

export interface ReadRouterDeps {
  runner: ProjectionRunner;
  store: EventStore;
  people: PersonDirectory;
  clock?: () => Date;
  /** How long a read with `minPosition` waits for the views before answering 503 (default 5 s). */
  minPositionWaitMs?: number;
}

// ---------- queries ----------

export const common = {
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
export const viewQuery = z.strictObject(common);
/** The meetings' and the participation's filter: one committee, a period. */
export const byCommitteeInPeriod = {
  committeeId: Id.optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
};
export const byCommitteeInPeriodQuery = z
  .strictObject({ ...common, ...byCommitteeInPeriod })
  .superRefine(fromNotAfterTo);

/** The largest page a lookup list gives, and the page it gives when `limit` is not given. */
export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 100;

/**
 * The query parts of a paged lookup list (meetings, processes, arenas, political bodies, persons, votes). The
 * lists are sorted in total orders ending in the id and their items never disappear, so the cursor is the id of
 * the previous page's last item and the next page starts after it.
 */
export const paging = {
  limit: wholeNumber
    .refine((n) => n >= 1 && n <= MAX_PAGE, { message: `must be between 1 and ${MAX_PAGE}` })
    .default(DEFAULT_PAGE)
    .describe(`How many items the page holds: 1–${MAX_PAGE}, ${DEFAULT_PAGE} when not given`),
  cursor: Id.optional().describe(
    "The previous page's `nextCursor` (the id of its last item): this page starts after it. Items recorded " +
      'later with an earlier place in the order are not revisited: keep `asOf` with the cursor to page one fixed state',
  ),
};
export const pagedViewQuery = z.strictObject({ ...common, ...paging });

/** One page of a list: the whole (filtered) list's size, the page's items, the cursor of the next page or null. */
export interface Page<T> {
  total: number;
  items: T[];
  nextCursor: string | null;
}

/**
 * The page of `sorted` (a total order ending in the id) that `cursor` and `limit` ask for: the `limit` items after
 * the item whose id is `cursor` (from the start without one). A cursor naming no item of this list is a 400. Page
 * before any per-item work (names, pseudonyms, suppression), so a page costs what its items cost.
 */
export function pageOf<T>(
  sorted: readonly T[],
  idOf: (item: T) => string,
  { limit, cursor }: { limit: number; cursor?: string | undefined },
): Page<T> {
  let start = 0;
  if (cursor !== undefined) {
    const at = sorted.findIndex((item) => idOf(item) === cursor);
    if (at < 0)
      throw problems.badRequest('cursor is not one this service gave out for this list', [
        { path: 'cursor', message: 'unknown cursor' },
      ]);
    start = at + 1;
  }
  const items = sorted.slice(start, start + limit);
  const last = items[items.length - 1];
  const more = start + items.length < sorted.length;
  return { total: sorted.length, items, nextCursor: more && last !== undefined ? idOf(last) : null };
}

// ---------- operations ----------

/** What every view read may answer besides its own: a minPosition beyond the head (422), views behind it (503). */
const viewProblems = [422, 503] as const;
const viewHeaders = ['If-None-Match'] as const;
const byIdProblems = [404, ...viewProblems] as const;

export const read = (
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

// ---------- serving ----------

export const idParam = (req: Request, what: string): string => pathId(req.params.id, what);

export const notFoundAt = (what: string, id: string, view: { position: number }) =>
  problems.notFound(`There is no ${what} with id "${id}" (as of position ${view.position})`);

export const audienceOf = (req: Request): Audience => req.caller?.role ?? 'anonymous';
/** The small-count threshold of the caller's answers, as /participation states it: null when nothing is hidden. */
export const thresholdFor = (req: Request): number | null =>
  audienceOf(req) === 'anonymous' ? PUBLIC_SUPPRESS_BELOW : null;

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

/** A router's views and their answers: one ViewReader, so one answer cache, for all its reads. */
export type ViewAnswers = ReturnType<typeof viewAnswers>;

export function viewAnswers(deps: ReadRouterDeps) {
  const reader = new ViewReader(deps);

  /** The view at the query's point, the view layer's conditions thrown as problems. */
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

  /** A row naming a person, with the person as `audience` may see them (pseudonym or name) in place of the id. */
  const describe = async <M extends { personId: string }>(m: M, audience: Audience) => {
    const { personId, ...rest } = m;
    return { ...(await deps.people.describe(personId, audience)), ...rest };
  };

  return { viewAt, send, describe };
}
