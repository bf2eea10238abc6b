/**
 * Directory: the arenas (innbyggertorg), political bodies, processes, meetings and persons the ledger has registered,
 * so that every id a client receives can be resolved (API.md, lookups). It holds no personal data: a person is an id
 * with the unsealed facts of their registration, and a meeting's attendees are person ids; the HTTP layer shows
 * names, pseudonyms or counts as the caller's role allows.
 */
import type { EventData, EventType } from '../src/domain/events';
import type { LedgerEvent, Projection } from './projection';
import { idInStream } from './projection';

export interface ArenaEntry {
  arenaId: string;
  name: string;
  areas: string[];
}

export interface PoliticalBodyEntry {
  bodyId: string;
  name: string;
  kind: EventData<'PoliticalBodyRegistered'>['kind'];
  /** Null when the registration gave none. */
  seats: number | null;
}

export interface ProcessEntry {
  processId: string;
  title: string;
  committeeIds: string[];
  coCreationForm: EventData<'ProcessStarted'>['coCreationForm'];
  startedOn: string;
  /** In the order started. */
  phases: Array<{ phase: EventData<'ProcessPhaseStarted'>['phase']; startedOn: string }>;
  completedOn: string | null;
  summary: string | null;
}

export interface MeetingEntry {
  meetingId: string;
  committeeId: string | null;
  arenaId: string | null;
  kind: EventData<'MeetingHeld'>['kind'];
  heldOn: string;
  attendeeCount: number;
  /** The attendees recorded by id (often none: a public meeting is counted, not listed). */
  attendeePersonIds: string[];
  agendaProposalIds: string[];
}

export interface PersonEntry {
  personId: string;
  birthYear: number | null;
  area: string | null;
  erasedOn: string | null;
}

export interface DirectoryState {
  arenas: Record<string, ArenaEntry>;
  bodies: Record<string, PoliticalBodyEntry>;
  processes: Record<string, ProcessEntry>;
  meetings: Record<string, MeetingEntry>;
  persons: Record<string, PersonEntry>;
}

const eventTypes = [
  'ArenaRegistered',
  'PoliticalBodyRegistered',
  'ProcessStarted',
  'ProcessPhaseStarted',
  'ProcessCompleted',
  'MeetingHeld',
  'PersonRegistered',
  'PersonalDataErased',
] as const satisfies readonly EventType[];

export const directoryProjection: Projection<DirectoryState> = {
  name: 'directory',
  version: 2,
  eventTypes,
  initialState: () => ({ arenas: {}, bodies: {}, processes: {}, meetings: {}, persons: {} }),
  apply: applyToDirectory,
};

function applyToDirectory(state: DirectoryState, event: LedgerEvent): DirectoryState {
  switch (event.type) {
    case 'ArenaRegistered': {
      const { arenaId, name, areas } = event.data;
      state.arenas[arenaId] ??= { arenaId, name, areas: [...areas] };
      break;
    }
    case 'PoliticalBodyRegistered':
      registerPoliticalBody(state.bodies, event.data);
      break;
    case 'ProcessStarted': {
      const { processId, title, committeeIds, coCreationForm, startedOn } = event.data;
      state.processes[processId] ??= {
        processId,
        title,
        committeeIds: [...committeeIds],
        coCreationForm,
        startedOn,
        phases: [],
        completedOn: null,
        summary: null,
      };
      break;
    }
    case 'ProcessPhaseStarted': {
      const { phase, startedOn } = event.data;
      state.processes[idInStream(event.streamId, 'process')]?.phases.push({ phase, startedOn });
      break;
    }
    case 'ProcessCompleted': {
      const process = state.processes[idInStream(event.streamId, 'process')];
      if (process !== undefined) {
        process.completedOn = event.data.completedOn;
        process.summary = event.data.summary;
      }
      break;
    }
    case 'MeetingHeld': {
      const { meetingId, committeeId, arenaId, kind, heldOn, attendeeCount } = event.data;
      state.meetings[meetingId] ??= {
        meetingId,
        committeeId: committeeId ?? null,
        arenaId: arenaId ?? null,
        kind,
        heldOn,
        attendeeCount,
        attendeePersonIds: [...(event.data.attendeePersonIds ?? [])],
        agendaProposalIds: [...event.data.agendaProposalIds],
      };
      break;
    }
    case 'PersonRegistered': {
      const { personId, birthYear, area } = event.data;
      state.persons[personId] ??= {
        personId,
        birthYear: birthYear ?? null,
        area: area ?? null,
        erasedOn: null,
      };
      break;
    }
    case 'PersonalDataErased': {
      const person = state.persons[idInStream(event.streamId, 'person')];
      if (person !== undefined) person.erasedOn ??= event.data.erasedOn;
      break;
    }
    default:
      break; // not read by this view
  }
  return state;
}

/**
 * Adds a body to `bodies` as its registration describes it; the first registration of an id stands. Shared with the
 * influence view, which names bodies in its groups: the two can never disagree on a body's name.
 */
export function registerPoliticalBody(
  bodies: Record<string, PoliticalBodyEntry>,
  data: EventData<'PoliticalBodyRegistered'>,
): void {
  const { bodyId, name, kind, seats } = data;
  bodies[bodyId] ??= { bodyId, name, kind, seats: seats ?? null };
}

// ---------- queries ----------

export function arenaOf(state: DirectoryState, arenaId: string): ArenaEntry | undefined {
  const a = state.arenas[arenaId];
  return a === undefined ? undefined : { ...a, areas: [...a.areas] };
}

export function politicalBodyOf(state: DirectoryState, bodyId: string): PoliticalBodyEntry | undefined {
  const b = state.bodies[bodyId];
  return b === undefined ? undefined : { ...b };
}

/** Every arena, by name then id. */
export function listArenas(state: DirectoryState): ArenaEntry[] {
  return Object.values(state.arenas)
    .sort(byNameThenId((a) => a.arenaId))
    .map((a) => ({ ...a, areas: [...a.areas] }));
}

/** Every political body, by name then id. */
export function listPoliticalBodies(state: DirectoryState): PoliticalBodyEntry[] {
  return Object.values(state.bodies)
    .sort(byNameThenId((b) => b.bodyId))
    .map((b) => ({ ...b }));
}

export function processOf(state: DirectoryState, processId: string): ProcessEntry | undefined {
  const p = state.processes[processId];
  return p === undefined ? undefined : copyProcess(p);
}

/** Every process, by start date then id. */
export function listProcesses(state: DirectoryState, filter: { committeeId?: string } = {}): ProcessEntry[] {
  return Object.values(state.processes)
    .filter((p) => filter.committeeId === undefined || p.committeeIds.includes(filter.committeeId))
    .sort((a, b) => compare(a.startedOn, b.startedOn) || compare(a.processId, b.processId))
    .map(copyProcess);
}

function copyProcess(p: ProcessEntry): ProcessEntry {
  return { ...p, committeeIds: [...p.committeeIds], phases: p.phases.map((ph) => ({ ...ph })) };
}

export function meetingOf(state: DirectoryState, meetingId: string): MeetingEntry | undefined {
  const m = state.meetings[meetingId];
  return m === undefined ? undefined : copyMeeting(m);
}

/** Inclusive bounds on the date held, and the committee that met. */
export interface MeetingFilter {
  committeeId?: string;
  from?: string;
  to?: string;
}

/** Every meeting matching the filter, by date held then id. */
export function listMeetings(state: DirectoryState, filter: MeetingFilter = {}): MeetingEntry[] {
  const { committeeId, from, to } = filter;
  return Object.values(state.meetings)
    .filter(
      (m) =>
        (committeeId === undefined || m.committeeId === committeeId) &&
        (from === undefined || m.heldOn >= from) &&
        (to === undefined || m.heldOn <= to),
    )
    .sort((a, b) => compare(a.heldOn, b.heldOn) || compare(a.meetingId, b.meetingId))
    .map(copyMeeting);
}

function copyMeeting(m: MeetingEntry): MeetingEntry {
  return { ...m, attendeePersonIds: [...m.attendeePersonIds], agendaProposalIds: [...m.agendaProposalIds] };
}

export function personOf(state: DirectoryState, personId: string): PersonEntry | undefined {
  const p = state.persons[personId];
  return p === undefined ? undefined : { ...p };
}

/** Every registered person, by id (names are sealed: the view cannot sort by them). */
export function listPersons(state: DirectoryState): PersonEntry[] {
  return Object.values(state.persons)
    .sort((a, b) => compare(a.personId, b.personId))
    .map((p) => ({ ...p }));
}

function byNameThenId<T extends { name: string }>(idOf: (entry: T) => string) {
  return (a: T, b: T): number => compare(a.name, b.name) || compare(idOf(a), idOf(b));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
