/**
 * What anonymous callers get of the views that name people (API.md "Who sees what"): aggregates only, no row per
 * person, and every count of people below the threshold hidden the way /participation hides it (suppression.ts:
 * published as null, its path listed in `suppressed`, so that a hidden count is never mistaken for zero). Each
 * function takes the full view and returns its public form; paths are those of the HTTP answer.
 */
import type { CommitteeSummary, CommitteeView, Meeting } from './committee';
import type { MeetingEntry } from './directory';
import type { ProposalStatusView } from './proposalStatus';
import type { ProposalTimeline, SupportMonth, TimelineEntry } from './proposalTimeline';
import { Suppression } from './suppression';
import type { VoteRecord } from './votes';

type Counts<K extends string> = Record<K, number | null>;
type Members = CommitteeView['members'];

export interface PublicCommitteeView extends Omit<CommitteeView, 'members' | 'meetings'> {
  members: {
    activeCount: number | null;
    formerCount: number | null;
    byActorGroup: Counts<keyof Members['byActorGroup']>;
    byRepresentationBasis: Counts<keyof Members['byRepresentationBasis']>;
    byRole: Counts<keyof Members['byRole']>;
  };
  meetings: Array<Omit<Meeting, 'attendeeCount'> & { attendeeCount: number | null }>;
  suppressed: string[];
}

export function publicCommittee(view: CommitteeView, suppressBelow: number): PublicCommitteeView {
  const s = new Suppression(suppressBelow);
  const { members, meetings, ...rest } = view;
  const breakdown = <K extends string>(name: string, counts: Record<K, number>): Counts<K> =>
    s.breakdown(`members.${name}`, Object.entries(counts) as Array<[K, number]>);
  return {
    ...rest,
    members: {
      activeCount: s.count('members.activeCount', members.activeCount),
      formerCount: s.count('members.formerCount', members.formerCount),
      byActorGroup: breakdown('byActorGroup', members.byActorGroup),
      byRepresentationBasis: breakdown('byRepresentationBasis', members.byRepresentationBasis),
      byRole: breakdown('byRole', members.byRole),
    },
    meetings: meetings.map((m, i) => ({
      ...m,
      attendeeCount: s.count(`meetings.${i}.attendeeCount`, m.attendeeCount),
    })),
    suppressed: s.paths,
  };
}

export type PublicCommitteeSummary = Omit<CommitteeSummary, 'activeMembers'> & {
  activeMembers: number | null;
};

/** The committee list (`items`), active members counted as in the committee view. */
export function publicCommitteeList(
  items: readonly CommitteeSummary[],
  suppressBelow: number,
): { items: PublicCommitteeSummary[]; suppressed: string[] } {
  const s = new Suppression(suppressBelow);
  return {
    items: items.map((c, i) => ({
      ...c,
      activeMembers: s.count(`items.${i}.activeMembers`, c.activeMembers),
    })),
    suppressed: s.paths,
  };
}

export type PublicProposalStatusView = Omit<ProposalStatusView, 'supports'> & { supports: number | null };

/** Proposal status views, their supports (a count of people) suppressed; `at` is each view's path in the answer. */
export function publicProposals(
  views: readonly ProposalStatusView[],
  suppressBelow: number,
  at: (index: number) => string,
): { views: PublicProposalStatusView[]; suppressed: string[] } {
  const s = new Suppression(suppressBelow);
  return {
    views: views.map((p, i) => ({ ...p, supports: s.count(`${at(i)}supports`, p.supports) })),
    suppressed: s.paths,
  };
}

/**
 * A vote without its ballots, nor the positions of their events (one per voter). The tally, the number eligible
 * and the result stay: they are the public outcome of a decision, as a committee's minutes record it.
 */
export type PublicVote = Omit<VoteRecord, 'ballots' | 'positions'>;

export function publicVote(vote: VoteRecord): PublicVote {
  const { ballots: _ballots, positions: _positions, ...rest } = vote;
  return rest;
}

type Hidden<T, K extends keyof T> = Omit<T, K> & { [P in K]: number | null };
export type PublicTimelineEntry =
  | Exclude<TimelineEntry, { type: 'MeetingHeld' }>
  | Hidden<Extract<TimelineEntry, { type: 'MeetingHeld' }>, 'attendeeCount'>;

export interface PublicProposalTimeline {
  entries: PublicTimelineEntry[];
  supports: Array<Hidden<SupportMonth, 'added' | 'cumulative'>>;
  suppressed: string[];
}

/**
 * A proposal's timeline with its counts of people hidden: each meeting's `attendeeCount`, and the supports per month
 * with their running totals (so that no hidden month can be had as the difference of two totals).
 */
export function publicTimeline(timeline: ProposalTimeline, suppressBelow: number): PublicProposalTimeline {
  const s = new Suppression(suppressBelow);
  const entries = timeline.entries.map((e, i): PublicTimelineEntry =>
    e.type === 'MeetingHeld'
      ? { ...e, attendeeCount: s.count(`entries.${i}.attendeeCount`, e.attendeeCount) }
      : e,
  );
  const shown = s.runningTotals(
    'supports',
    timeline.supports.map((m) => m.added),
  );
  return {
    entries,
    supports: timeline.supports.map((m, i) => ({
      month: m.month,
      ...(shown[i] as { added: number | null; cumulative: number | null }),
    })),
    suppressed: s.paths,
  };
}

export type PublicMeetingEntry = Omit<MeetingEntry, 'attendeePersonIds' | 'attendeeCount'> & {
  attendeeCount: number | null;
};

/** Meetings without their attendees by person, the attendee count hidden when small; `at` is each one's path. */
export function publicMeetings(
  meetings: readonly MeetingEntry[],
  suppressBelow: number,
  at: (index: number) => string,
): { views: PublicMeetingEntry[]; suppressed: string[] } {
  const s = new Suppression(suppressBelow);
  return {
    views: meetings.map(({ attendeePersonIds: _ids, ...m }, i) => ({
      ...m,
      attendeeCount: s.count(`${at(i)}attendeeCount`, m.attendeeCount),
    })),
    suppressed: s.paths,
  };
}
