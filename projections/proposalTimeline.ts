/**
 * A proposal's public path (GET /proposals/:id/timeline): the events the trace index lists for it, as entries in
 * ledger order with the fields a reader of the path needs, and its supports counted per month. Nothing in it names a
 * person: each entry's fields are chosen, never copied wholesale, and the acts of single people (a support, a
 * ballot) are not entries; supports are counted, ballots show only through the vote's close.
 */
import type { DomainEvent, EventData, EventType } from '../src/domain/events';
import type { RecordedEvent } from '../src/store/eventStore';
import { idInStream } from './projection';

/** What the timeline reads of a stored event: its place and times, its type and data typed together. */
export type TimelineEvent = Pick<RecordedEvent, 'globalPosition' | 'recordedAt' | 'occurredAt' | 'streamId'> &
  DomainEvent;

/** The event types that are entries, each with the data fields it shows. */
const entryFields = {
  ProposalSubmitted: ['title', 'description', 'origin', 'theme', 'area', 'submittedOn'],
  ProposalAmended: ['title', 'description', 'amendedOn', 'reason'],
  ProposalWithdrawn: ['withdrawnOn', 'reason'],
  CommitteeDecisionRecorded: ['decisionId', 'outcome', 'kind', 'text', 'voteId', 'grantNok', 'decidedOn'],
  ProposalReferred: ['referralId', 'toBodyId', 'kind', 'caseNumber', 'referredOn'],
  PoliticalDecisionRecorded: [
    'referralId',
    'bodyId',
    'caseNumber',
    'outcome',
    'summary',
    'decidedOn',
    'votesFor',
    'votesAgainst',
  ],
  ImplementationReported: ['status', 'progressPct', 'note', 'reportedOn'],
  VoteOpened: ['voteId', 'question', 'rule', 'openedOn'],
  VoteClosed: ['voteId', 'closedOn', 'eligible', 'tally', 'result'],
  MeetingHeld: ['meetingId', 'kind', 'heldOn', 'attendeeCount'],
} as const satisfies { [T in EventType]?: ReadonlyArray<keyof EventData<T> | 'voteId'> };

export type TimelineEntryType = keyof typeof entryFields;

/** A vote's close names its vote through its stream; the entry names it in its fields. */
type EntrySource<T extends TimelineEntryType> = T extends 'VoteClosed'
  ? EventData<T> & { voteId: string }
  : EventData<T>;
type EntryData<T extends TimelineEntryType> = Pick<
  EntrySource<T>,
  Extract<(typeof entryFields)[T][number], keyof EntrySource<T>>
>;

/** One entry: where and when it was recorded, the business date it names, its type, and its chosen fields. */
export type TimelineEntry = {
  [T in TimelineEntryType]: {
    globalPosition: number;
    recordedAt: string;
    occurredAt: string;
    type: T;
  } & EntryData<T>;
}[TimelineEntryType];

/** Supports given in one month (by `supportedOn`), and all given up to its end. */
export interface SupportMonth {
  /** YYYY-MM. */
  month: string;
  added: number;
  cumulative: number;
}

export interface ProposalTimeline {
  entries: TimelineEntry[];
  /** Months with at least one support, ascending. */
  supports: SupportMonth[];
}

function isEntryType(type: EventType): type is TimelineEntryType {
  return Object.hasOwn(entryFields, type);
}

/**
 * The timeline of the events given (those the trace index lists for the proposal, in ledger order). A vote's close
 * names its vote only through its stream, so the vote id is taken from there.
 */
export function proposalTimeline(events: readonly TimelineEvent[]): ProposalTimeline {
  const entries: TimelineEntry[] = [];
  const perMonth = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'ProposalSupported') {
      const month = event.data.supportedOn.slice(0, 7);
      perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
      continue;
    }
    if (!isEntryType(event.type)) continue; // a ballot: one person's act
    const data: Record<string, unknown> =
      event.type === 'VoteClosed'
        ? { ...event.data, voteId: idInStream(event.streamId, 'vote') }
        : { ...event.data };
    const fields: Record<string, unknown> = {};
    for (const field of entryFields[event.type]) if (data[field] !== undefined) fields[field] = data[field];
    entries.push({
      globalPosition: event.globalPosition,
      recordedAt: event.recordedAt,
      occurredAt: event.occurredAt,
      type: event.type,
      ...fields,
    } as TimelineEntry);
  }
  let cumulative = 0;
  const supports = [...perMonth.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([month, added]) => ({ month, added, cumulative: (cumulative += added) }));
  return { entries, supports };
}
