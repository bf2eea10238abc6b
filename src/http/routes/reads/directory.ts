/**
 * The directory's lookups: meetings (attendees counted, or by person for tokens), processes, arenas, political
 * bodies and, for clerks, persons with their names while their personal data lasts. Each list is answered a page
 * at a time (viewAnswer.ts's `paging`), the page taken before its items are shown.
 */
import type { Request, Router } from 'express';
import { z } from 'zod';
import {
  arenaOf,
  directoryProjection,
  listArenas,
  listMeetings,
  listPersons,
  listPoliticalBodies,
  listProcesses,
  meetingOf,
  personOf,
  politicalBodyOf,
  processOf,
  publicMeetings,
  type DirectoryState,
  type MeetingEntry,
} from '../../../../projections';
import { Id } from '../../../domain/events';
import type { PersonDirectory } from '../../../privacy/personDirectory';
import type { ReadPoint } from '../../../views/viewReader';
import { serve, type Operation } from '../../operation';
import { fromNotAfterTo, parseQuery } from '../../queryParams';
import * as answers from '../../schemas/views';
import {
  audienceOf,
  byCommitteeInPeriod,
  common,
  idParam,
  notFoundAt,
  pagedViewQuery,
  pageOf,
  paging,
  read,
  thresholdFor,
  viewQuery,
  type ViewAnswers,
} from './viewAnswer';

const meetingListQuery = z
  .strictObject({ ...common, ...byCommitteeInPeriod, ...paging })
  .superRefine(fromNotAfterTo);
const processListQuery = z.strictObject({ ...common, committeeId: Id.optional(), ...paging });

const op = {
  listMeetings: read(
    'listMeetings',
    '/meetings',
    'Meetings',
    'Meetings held, by date (then id), filtered by committee and date held, a page at a time',
    meetingListQuery,
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
    'Co-creation processes with their phases, by start date (then id), a page at a time (not in API.md: processIds appear in proposals)',
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
    'Arenas',
    'Every arena (citizen square), by name (then id), a page at a time',
    pagedViewQuery,
    answers.arenaListAnswer,
  ),
  getArena: read('getArena', '/arenas/:id', 'Arenas', 'An arena', viewQuery, answers.arenaAnswer),
  listPoliticalBodies: read(
    'listPoliticalBodies',
    '/political-bodies',
    'Political bodies',
    'Every political body, by name (then id), a page at a time',
    pagedViewQuery,
    answers.politicalBodyListAnswer,
  ),
  getPoliticalBody: read(
    'getPoliticalBody',
    '/political-bodies/:id',
    'Political bodies',
    'A political body',
    viewQuery,
    answers.politicalBodyAnswer,
  ),
  listPersons: read(
    'listPersons',
    '/persons',
    'Persons',
    'Every registered person, by id, with their name, a page at a time',
    pagedViewQuery,
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
} satisfies Record<string, Operation>;

export const directoryOperations = op;

export function serveDirectory(
  router: Router,
  { viewAt, send, describe }: ViewAnswers,
  people: PersonDirectory,
): void {
  /**
   * Meetings as the caller may see them, like a committee's members: anonymous callers get the attendees counted
   * (a small count hidden), tokens the attendees recorded by person too. `at` is each meeting's path in the answer.
   */
  const shownMeetings = async (meetings: MeetingEntry[], req: Request, at: (index: number) => string) => {
    const audience = audienceOf(req);
    const threshold = thresholdFor(req);
    if (threshold !== null) return publicMeetings(meetings, threshold, at);
    const views = await Promise.all(
      meetings.map(async ({ attendeePersonIds, ...m }) => ({
        ...m,
        attendees: await Promise.all(attendeePersonIds.map((personId) => describe({ personId }, audience))),
      })),
    );
    return { views, suppressed: [] };
  };

  serve(router, op.listMeetings, async (req, res) => {
    const q = parseQuery(meetingListQuery, req.query);
    const view = await viewAt(directoryProjection, q);
    const page = pageOf(
      listMeetings(view.state, { committeeId: q.committeeId, from: q.from, to: q.to }),
      (m) => m.meetingId,
      q,
    );
    await send(req, res, op.listMeetings, view, q, async () => {
      // The suppressed paths name the page's items.
      const shown = await shownMeetings(page.items, req, (i) => `items.${i}.`);
      return {
        position: view.position,
        suppressionThreshold: thresholdFor(req),
        total: page.total,
        items: shown.views,
        nextCursor: page.nextCursor,
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

  /**
   * A lookup of the directory view that names no person: the list a page at a time (with its total) and one item
   * by id.
   */
  const lookup = <T extends object, Q extends z.ZodType<ReadPoint & { limit: number; cursor?: string }>>(
    listOp: Operation,
    listQuery: Q,
    getOp: Operation,
    what: string,
    list: (state: DirectoryState, q: z.output<Q>) => T[],
    idOf: (item: T) => string,
    one: (state: DirectoryState, id: string) => T | undefined,
  ): void => {
    serve(router, listOp, async (req, res) => {
      const q = parseQuery(listQuery, req.query);
      const view = await viewAt(directoryProjection, q);
      const page = pageOf(list(view.state, q), idOf, q);
      await send(req, res, listOp, view, q, () => ({ position: view.position, ...page }));
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
  lookup(op.listArenas, pagedViewQuery, op.getArena, 'arena', listArenas, (a) => a.arenaId, arenaOf);
  lookup(
    op.listPoliticalBodies,
    pagedViewQuery,
    op.getPoliticalBody,
    'political body',
    listPoliticalBodies,
    (b) => b.bodyId,
    politicalBodyOf,
  );
  lookup(
    op.listProcesses,
    processListQuery,
    op.getProcess,
    'process',
    (state, q) => listProcesses(state, { committeeId: q.committeeId }),
    (p) => p.processId,
    processOf,
  );

  /** A person as a clerk or admin sees them: the name while their personal data lasts. */
  const shownPerson = async (personId: string, state: DirectoryState) => {
    const entry = personOf(state, personId);
    if (entry === undefined) return undefined;
    const personal = await people.personal(personId);
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
    const q = parseQuery(pagedViewQuery, req.query);
    const view = await viewAt(directoryProjection, q);
    const page = pageOf(listPersons(view.state), (p) => p.personId, q);
    await send(req, res, op.listPersons, view, q, async () => {
      // Names are unsealed for the page's persons only.
      const items = await Promise.all(page.items.map((p) => shownPerson(p.personId, view.state)));
      return { position: view.position, total: page.total, items, nextCursor: page.nextCursor };
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
}
