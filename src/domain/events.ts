/**
 * The ledger's events: one zod schema per event type, declared in its aggregate's folder (<aggregate>/events.ts) and
 * gathered here. They are the single source of truth for the events' TypeScript types, for validating what is read
 * back, and (through the commands built from them) for the OpenAPI document. Every event type has a
 * schemaVersion; bump it when its data shape changes. A stream category holds exactly its folder's events.
 */
import type { z } from 'zod';
import { arenaEvents } from './arena/events';
import { committeeEvents } from './committee/events';
import { meetingEvents } from './meeting/events';
import { personEvents } from './person/events';
import { politicalBodyEvents } from './politicalBody/events';
import { processEvents } from './process/events';
import { proposalEvents } from './proposal/events';
import { voteEvents } from './vote/events';

import { Id } from './values';

export * from './values';

/** Each stream category's events, in the order of DOMAIN.md. */
const eventsOfCategory = {
  arena: arenaEvents,
  'political-body': politicalBodyEvents,
  person: personEvents,
  committee: committeeEvents,
  process: processEvents,
  meeting: meetingEvents,
  proposal: proposalEvents,
  vote: voteEvents,
} as const satisfies { readonly [C in StreamCategory]: object };

export const eventDataSchemas = {
  ...arenaEvents,
  ...politicalBodyEvents,
  ...personEvents,
  ...committeeEvents,
  ...processEvents,
  ...meetingEvents,
  ...proposalEvents,
  ...voteEvents,
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const eventTypes = Object.keys(eventDataSchemas) as EventType[];

/** Every event type is at schema version 1 so far. */
export const eventSchemaVersions: Record<EventType, number> = Object.fromEntries(
  eventTypes.map((t) => [t, 1]),
) as Record<EventType, number>;

export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;

/** A domain event: what a decider returns and what evolve/reducers take. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];
export type DomainEventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** Stream ids: `<category>-<uuid>`, as DOMAIN.md names them. */
export const streamCategories = [
  'arena',
  'political-body',
  'person',
  'committee',
  'process',
  'meeting',
  'proposal',
  'vote',
] as const;
export type StreamCategory = (typeof streamCategories)[number];

export function streamIdOf(category: StreamCategory, id: string): string {
  return `${category}-${id}`;
}

/**
 * The record id of a stream `<category>-<id>` of a known category (streamIdOf backwards). Events such as
 * `BallotCast` or `ProposalSupported` name their vote or proposal only through the stream. No UUID check: the store
 * only holds stream ids the service built.
 */
export function idInStream(streamId: string, category: StreamCategory): string {
  return streamId.slice(category.length + 1);
}

/** The record id of a stream of any category: every record id is a UUID, the stream id's last 36 characters. */
export function recordIdOf(streamId: string): string {
  return streamId.slice(-36);
}

/** Splits `political-body-<uuid>` into its category and id, or returns undefined. */
export function parseStreamId(streamId: string): { category: StreamCategory; id: string } | undefined {
  for (const category of streamCategories) {
    const prefix = `${category}-`;
    if (streamId.startsWith(prefix)) {
      const id = streamId.slice(prefix.length);
      // "political-body-…" also starts with neither "person-" nor "process-", so the first match is the right one.
      if (Id.safeParse(id).success) return { category, id };
    }
  }
  return undefined;
}

/** The stream category each event type belongs to: the one whose folder declares it. */
export const categoryOfEvent = Object.fromEntries(
  streamCategories.flatMap((category) =>
    Object.keys(eventsOfCategory[category]).map((type) => [type, category]),
  ),
) as Record<EventType, StreamCategory>;

/** The business date an event names: the envelope's `occurredAt`. */
export function businessDateOf(event: DomainEvent): string {
  const d = event.data as Record<string, unknown>;
  for (const key of [
    'submittedOn',
    'amendedOn',
    'supportedOn',
    'withdrawnOn',
    'decidedOn',
    'referredOn',
    'reportedOn',
    'openedOn',
    'castOn',
    'closedOn',
    'heldOn',
    'appointedOn',
    'leftOn',
    'dissolvedOn',
    'startedOn',
    'completedOn',
    'erasedOn',
  ]) {
    const v = d[key];
    if (typeof v === 'string') return v;
  }
  if (event.type === 'CommitteeEstablished') return event.data.period.from;
  if (event.type === 'BudgetAllocated') return `${event.data.year}-01-01`;
  // Registrations (arena, body, person) name no business date: they are as of when they are recorded.
  return '';
}
