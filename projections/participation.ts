/**
 * Participation: who took part, how members are composed, vote turnout, public-meeting attendance and supports,
 * per committee and period. A public aggregate: the query output holds counts only, never names or person ids, and
 * hides small counts of people on request (see suppression.ts).
 *
 * The state keeps, per committee, the memberships (intervals) and, per business date, who took part that day, so
 * that "distinct participants in a period" can be answered for any period. Persons are numbered in the order first
 * seen: the day lists hold those small numbers, which are compact in JSON and quick to compare.
 */
import type { EventData, EventType } from '../src/domain/events';
import { ActorGroup, MemberRole, RepresentationBasis } from '../src/domain/events';
import { isWithin } from './calendar';
import type { LedgerEvent, Projection } from './projection';
import { idInStream } from './projection';
import type { PublicRate } from './suppression';
import { Suppression } from './suppression';

type MemberAppointedData = EventData<'MemberAppointed'>;
type ActorGroupName = MemberAppointedData['actorGroup'];
type RepresentationBasisName = MemberAppointedData['representationBasis'];
type RoleName = MemberAppointedData['role'];

/** The small-count threshold for anonymous and public callers. */
export const PUBLIC_SUPPRESS_BELOW = 5;
/** Where activity without a committee goes (public meetings of an arena alone). */
export const NO_COMMITTEE = '-';
/** The `byArea` key of members whose person record names no area. */
export const UNKNOWN_AREA = 'unknown';

export interface Membership {
  personId: string;
  role: RoleName;
  actorGroup: ActorGroupName;
  representationBasis: RepresentationBasisName;
  appointedOn: string;
  leftOn: string | null;
}

export interface ClosedVote {
  voteId: string;
  closedOn: string;
  eligible: number;
  ballotsCast: number;
}

export interface PublicMeeting {
  heldOn: string;
  attendeeCount: number;
}

export interface CommitteeActivity {
  memberships: Membership[];
  /**
   * Business date → the persons (by number) who submitted, supported, cast a ballot or attended by name that day,
   * each once. Keyed by day rather than by person: a day's list stays short, so recording a day is O(1) in practice.
   */
  activity: Record<string, number[]>;
  /** Business date → supports given that day to the committee's proposals. */
  supportsByDay: Record<string, number>;
  closedVotes: ClosedVote[];
  publicMeetings: PublicMeeting[];
}

export interface ParticipationState {
  /** Person id → area, for persons registered with one. */
  personAreas: Record<string, string>;
  /** Person id → its number in this view, in order of first appearance; `personCount` numbers so far. */
  personNumbers: Record<string, number>;
  personCount: number;
  proposalCommittee: Record<string, string>;
  voteCommittee: Record<string, string>;
  /** Committee id (or NO_COMMITTEE) → its activity. */
  committees: Record<string, CommitteeActivity>;
}

const eventTypes = [
  'PersonRegistered',
  'MemberAppointed',
  'MemberLeft',
  'MeetingHeld',
  'ProposalSubmitted',
  'ProposalSupported',
  'VoteOpened',
  'BallotCast',
  'VoteClosed',
] as const satisfies readonly EventType[];

export const participationProjection: Projection<ParticipationState> = {
  name: 'participation',
  version: 1,
  eventTypes,
  initialState: () => ({
    personAreas: {},
    personNumbers: {},
    personCount: 0,
    proposalCommittee: {},
    voteCommittee: {},
    committees: {},
  }),
  apply: applyToParticipation,
};

function applyToParticipation(state: ParticipationState, event: LedgerEvent): ParticipationState {
  switch (event.type) {
    case 'PersonRegistered':
      if (event.data.area !== undefined) state.personAreas[event.data.personId] ??= event.data.area;
      break;
    case 'MemberAppointed':
      numberOf(state, event.data.personId);
      appoint(activityOf(state, idInStream(event.streamId, 'committee')), event.data);
      break;
    case 'MemberLeft': {
      const active = state.committees[idInStream(event.streamId, 'committee')]?.memberships.findLast(
        (m) => m.personId === event.data.personId && m.leftOn === null,
      );
      if (active !== undefined) active.leftOn = event.data.leftOn;
      break;
    }
    case 'MeetingHeld':
      addMeeting(state, event.data);
      break;
    case 'ProposalSubmitted': {
      const { proposalId, committeeId, submittedBy, submittedOn } = event.data;
      if (state.proposalCommittee[proposalId] !== undefined) break;
      state.proposalCommittee[proposalId] = committeeId;
      if (submittedBy !== undefined)
        tookPart(state, activityOf(state, committeeId), submittedBy, submittedOn);
      break;
    }
    case 'ProposalSupported': {
      const committeeId = state.proposalCommittee[idInStream(event.streamId, 'proposal')];
      if (committeeId === undefined) break;
      const activity = activityOf(state, committeeId);
      const { personId, supportedOn } = event.data;
      activity.supportsByDay[supportedOn] = (activity.supportsByDay[supportedOn] ?? 0) + 1;
      tookPart(state, activity, personId, supportedOn);
      break;
    }
    case 'VoteOpened':
      state.voteCommittee[event.data.voteId] ??= event.data.committeeId;
      break;
    case 'BallotCast': {
      const committeeId = state.voteCommittee[idInStream(event.streamId, 'vote')];
      if (committeeId === undefined) break;
      tookPart(state, activityOf(state, committeeId), event.data.personId, event.data.castOn);
      break;
    }
    case 'VoteClosed': {
      const voteId = idInStream(event.streamId, 'vote');
      const committeeId = state.voteCommittee[voteId];
      if (committeeId === undefined) break;
      const { closedOn, eligible, tally } = event.data;
      const ballotsCast = tally.yes + tally.no + tally.abstain;
      activityOf(state, committeeId).closedVotes.push({ voteId, closedOn, eligible, ballotsCast });
      break;
    }
    default:
      break; // not read by this view
  }
  return state;
}

function activityOf(state: ParticipationState, committeeId: string): CommitteeActivity {
  return (state.committees[committeeId] ??= {
    memberships: [],
    activity: {},
    supportsByDay: {},
    closedVotes: [],
    publicMeetings: [],
  });
}

function appoint(activity: CommitteeActivity, data: MemberAppointedData): void {
  const { personId, role, actorGroup, representationBasis, appointedOn } = data;
  activity.memberships.push({ personId, role, actorGroup, representationBasis, appointedOn, leftOn: null });
}

function addMeeting(state: ParticipationState, data: EventData<'MeetingHeld'>): void {
  const activity = activityOf(state, data.committeeId ?? NO_COMMITTEE);
  if (data.kind === 'public_meeting') {
    activity.publicMeetings.push({ heldOn: data.heldOn, attendeeCount: data.attendeeCount });
  }
  for (const personId of data.attendeePersonIds ?? []) tookPart(state, activity, personId, data.heldOn);
}

function numberOf(state: ParticipationState, personId: string): number {
  return (state.personNumbers[personId] ??= state.personCount++);
}

function tookPart(
  state: ParticipationState,
  activity: CommitteeActivity,
  personId: string,
  date: string,
): void {
  const person = numberOf(state, personId);
  const persons = activity.activity[date];
  if (persons === undefined) activity.activity[date] = [person];
  else if (!persons.includes(person)) persons.push(person);
}

// ---------- query ----------

/** Inclusive bounds on business dates; no committee means every committee (and arena-only meetings). */
export interface ParticipationQuery {
  committeeId?: string;
  from?: string;
  to?: string;
}

export interface ParticipationOptions {
  /** Hide positive counts of people below this (PUBLIC_SUPPRESS_BELOW for anonymous callers); default: none. */
  suppressBelow?: number;
}

export interface VoteTurnout {
  voteId: string;
  closedOn: string;
  ballotsCast: number | null;
  eligible: number | null;
  rate: PublicRate;
}

export interface ParticipationView {
  committeeId: string | null;
  from: string | null;
  to: string | null;
  /** Distinct persons who were members or took part in any other way in the period. */
  participants: number | null;
  /** Memberships in the period (a person counts once per committee, by their latest appointment in it). */
  members: {
    total: number | null;
    byActorGroup: Record<ActorGroupName, number | null>;
    byRepresentationBasis: Record<RepresentationBasisName, number | null>;
    byRole: Record<RoleName, number | null>;
    byArea: Record<string, number | null>;
  };
  /** Closed votes in the period (by closing date): ballots cast against members eligible. */
  turnout: {
    closedVotes: number;
    ballotsCast: number | null;
    eligible: number | null;
    rate: PublicRate;
    perVote: VoteTurnout[];
  };
  publicMeetings: { meetings: number; attendees: number | null };
  supports: number | null;
  /** Paths of the counts hidden as too small to publish. */
  suppressed: string[];
}

export function participationOf(
  state: ParticipationState,
  query: ParticipationQuery = {},
  options: ParticipationOptions = {},
): ParticipationView {
  const { from, to } = query;
  const activities = selectedActivities(state, query.committeeId);
  const suppression = new Suppression(options.suppressBelow ?? 0);

  const members = membersInPeriod(activities, from, to);
  // Every member has a number: numberOf runs on appointment.
  const participants = new Set(members.map((m) => state.personNumbers[m.personId] ?? -1));
  let supports = 0;
  let meetings = 0;
  let attendees = 0;
  const votes: ClosedVote[] = [];
  for (const a of activities) {
    for (const [day, persons] of Object.entries(a.activity)) {
      if (isWithin(day, from, to)) for (const person of persons) participants.add(person);
    }
    for (const [day, n] of Object.entries(a.supportsByDay)) if (isWithin(day, from, to)) supports += n;
    for (const m of a.publicMeetings) {
      if (!isWithin(m.heldOn, from, to)) continue;
      meetings += 1;
      attendees += m.attendeeCount;
    }
    for (const v of a.closedVotes) if (isWithin(v.closedOn, from, to)) votes.push(v);
  }

  return {
    committeeId: query.committeeId ?? null,
    from: from ?? null,
    to: to ?? null,
    participants: suppression.count('participants', participants.size),
    members: memberBreakdown(state, members, suppression),
    turnout: turnoutOf(votes, suppression),
    publicMeetings: { meetings, attendees: suppression.count('publicMeetings.attendees', attendees) },
    supports: suppression.count('supports', supports),
    suppressed: suppression.paths,
  };
}

function selectedActivities(state: ParticipationState, committeeId: string | undefined): CommitteeActivity[] {
  if (committeeId === undefined) return Object.values(state.committees);
  const one = state.committees[committeeId];
  return one === undefined ? [] : [one];
}

/** Per committee and person, the latest membership that overlaps the period (a member until the day they left). */
function membersInPeriod(
  activities: readonly CommitteeActivity[],
  from: string | undefined,
  to: string | undefined,
): Membership[] {
  const out: Membership[] = [];
  for (const a of activities) {
    const latest = new Map<string, Membership>();
    for (const m of a.memberships) {
      const started = to === undefined || m.appointedOn <= to;
      const stillThere = from === undefined || m.leftOn === null || m.leftOn > from;
      if (started && stillThere) latest.set(m.personId, m);
    }
    out.push(...latest.values());
  }
  return out;
}

function memberBreakdown(
  state: ParticipationState,
  members: readonly Membership[],
  suppression: Suppression,
): ParticipationView['members'] {
  const tally = <K extends string>(keys: readonly K[], keyOf: (m: Membership) => K): Array<[K, number]> => {
    const counts = new Map<K, number>(keys.map((k) => [k, 0]));
    for (const m of members) counts.set(keyOf(m), (counts.get(keyOf(m)) ?? 0) + 1);
    return [...counts];
  };
  const areaOf = (m: Membership): string => state.personAreas[m.personId] ?? UNKNOWN_AREA;
  const areas = [...new Set(members.map(areaOf))].sort();
  return {
    total: suppression.count('members.total', members.length),
    byActorGroup: suppression.breakdown(
      'members.byActorGroup',
      tally(ActorGroup.options, (m) => m.actorGroup),
    ),
    byRepresentationBasis: suppression.breakdown(
      'members.byRepresentationBasis',
      tally(RepresentationBasis.options, (m) => m.representationBasis),
    ),
    byRole: suppression.breakdown(
      'members.byRole',
      tally(MemberRole.options, (m) => m.role),
    ),
    byArea: suppression.breakdown('members.byArea', tally(areas, areaOf)),
  };
}

function turnoutOf(votes: ClosedVote[], suppression: Suppression): ParticipationView['turnout'] {
  votes.sort((a, b) =>
    a.closedOn !== b.closedOn ? (a.closedOn < b.closedOn ? -1 : 1) : a.voteId < b.voteId ? -1 : 1,
  );
  let ballotsCast = 0;
  let eligible = 0;
  for (const v of votes) {
    ballotsCast += v.ballotsCast;
    eligible += v.eligible;
  }
  const cast = suppression.cells(
    votes.map((v, i) => ({ path: `turnout.perVote.${i}.ballotsCast`, n: v.ballotsCast })),
  );
  const of = suppression.cells(
    votes.map((v, i) => ({ path: `turnout.perVote.${i}.eligible`, n: v.eligible })),
  );
  const perVote = votes.map((v, i): VoteTurnout => {
    const c = cast[i] ?? null;
    const e = of[i] ?? null;
    return {
      voteId: v.voteId,
      closedOn: v.closedOn,
      ballotsCast: c,
      eligible: e,
      rate: suppression.rate(`turnout.perVote.${i}.rate`, c, e),
    };
  });
  const totalCast = suppression.count('turnout.ballotsCast', ballotsCast);
  const totalEligible = suppression.count('turnout.eligible', eligible);
  return {
    closedVotes: votes.length,
    ballotsCast: totalCast,
    eligible: totalEligible,
    rate: suppression.rate('turnout.rate', totalCast, totalEligible),
    perVote,
  };
}
