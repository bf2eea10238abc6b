/**
 * The directory's lookups: meetings (attendees counted, or by person for tokens), processes, arenas, political
 * bodies and, for clerks, persons with their names while their personal data lasts.
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
  PUBLIC_SUPPRESS_BELOW,
  publicMeetings,
  type DirectoryState,
  type MeetingEntry,
} from '../../../../projections';
import { Id } from '../../../domain/events';
import type { PersonDirectory } from '../../../privacy/personDirectory';
import type { ReadPoint } from '../../../views/viewReader';
import { serve, type Operation } from '../../operation';
import { parseQuery } from '../../queryParams';
import * as answers from '../../schemas/views';
import {
  audienceOf,
  byCommitteeInPeriodQuery,
  common,
  idParam,
  notFoundAt,
  read,
  thresholdFor,
  viewQuery,
  type ViewAnswers,
} from './viewAnswer';

const processListQuery = z.strictObject({ ...common, committeeId: Id.optional() });

const op = {
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
}
