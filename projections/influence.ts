/**
 * Influence: the funnel from submission to implementation (DOMAIN.md, Views), counted per group of proposals.
 * The state keeps a few dated facts per proposal plus the names and kinds of committees and bodies; groups, rates
 * and medians are computed when asked, so no event ever sorts or scans.
 */
import type { EventData, EventType } from '../src/domain/events';
import { daysBetween, isWithin, yearOf } from './calendar';
import type { LedgerEvent, Projection } from './projection';
import { idInStream } from './projection';
import type { ClosingOutcome, PoliticalOutcome } from './proposalPath';
import { isClosing } from './proposalPath';
import type { Rate } from './statistics';
import { median, rate } from './statistics';
import type { PoliticalBodyEntry } from './directory';
import { registerPoliticalBody } from './directory';

type CommitteeEstablishedData = EventData<'CommitteeEstablished'>;

export interface CommitteeFacts {
  name: string;
  kind: CommitteeEstablishedData['kind'];
  coCreationForm: CommitteeEstablishedData['coCreationForm'];
}

/** What the funnel needs of one proposal. Dates are the first time each step happened, in ledger order. */
export interface ProposalFacts {
  committeeId: string;
  origin: EventData<'ProposalSubmitted'>['origin'];
  theme: string | null;
  submittedOn: string;
  firstCommitteeDecisionOn: string | null;
  /** The committee adopted it at least once. */
  committeeAdopted: boolean;
  firstReferredOn: string | null;
  latestReferralBodyId: string | null;
  /** The first political decision that closed a referral (any outcome but `postponed`). */
  politicalDecisionOn: string | null;
  latestClosingOutcome: ClosingOutcome | null;
  /** The body that gave the latest closing decision. */
  closingBodyId: string | null;
  implementationCompletedOn: string | null;
}

export interface InfluenceState {
  committees: Record<string, CommitteeFacts>;
  /** Political body id → the body, registered as the directory view registers it. */
  bodies: Record<string, PoliticalBodyEntry>;
  proposals: Record<string, ProposalFacts>;
}

const eventTypes = [
  'CommitteeEstablished',
  'PoliticalBodyRegistered',
  'ProposalSubmitted',
  'CommitteeDecisionRecorded',
  'ProposalReferred',
  'PoliticalDecisionRecorded',
  'ImplementationReported',
] as const satisfies readonly EventType[];

export const influenceProjection: Projection<InfluenceState> = {
  name: 'influence',
  version: 2,
  eventTypes,
  initialState: () => ({ committees: {}, bodies: {}, proposals: {} }),
  apply: applyToInfluence,
};

function applyToInfluence(state: InfluenceState, event: LedgerEvent): InfluenceState {
  switch (event.type) {
    case 'CommitteeEstablished': {
      const { committeeId, name, kind, coCreationForm } = event.data;
      state.committees[committeeId] ??= { name, kind, coCreationForm };
      break;
    }
    case 'PoliticalBodyRegistered':
      registerPoliticalBody(state.bodies, event.data);
      break;
    case 'ProposalSubmitted':
      state.proposals[event.data.proposalId] ??= newFacts(event.data);
      break;
    case 'CommitteeDecisionRecorded': {
      const p = state.proposals[idInStream(event.streamId, 'proposal')];
      if (p === undefined) break;
      p.firstCommitteeDecisionOn ??= event.data.decidedOn;
      if (event.data.outcome === 'adopted') p.committeeAdopted = true;
      break;
    }
    case 'ProposalReferred': {
      const p = state.proposals[idInStream(event.streamId, 'proposal')];
      if (p === undefined) break;
      p.firstReferredOn ??= event.data.referredOn;
      p.latestReferralBodyId = event.data.toBodyId;
      break;
    }
    case 'PoliticalDecisionRecorded': {
      const p = state.proposals[idInStream(event.streamId, 'proposal')];
      if (p !== undefined)
        addPoliticalDecision(p, event.data.outcome, event.data.bodyId, event.data.decidedOn);
      break;
    }
    case 'ImplementationReported': {
      const p = state.proposals[idInStream(event.streamId, 'proposal')];
      if (p !== undefined && event.data.status === 'completed')
        p.implementationCompletedOn ??= event.data.reportedOn;
      break;
    }
    default:
      break; // not read by this view
  }
  return state;
}

function newFacts(data: EventData<'ProposalSubmitted'>): ProposalFacts {
  return {
    committeeId: data.committeeId,
    origin: data.origin,
    theme: data.theme ?? null,
    submittedOn: data.submittedOn,
    firstCommitteeDecisionOn: null,
    committeeAdopted: false,
    firstReferredOn: null,
    latestReferralBodyId: null,
    politicalDecisionOn: null,
    latestClosingOutcome: null,
    closingBodyId: null,
    implementationCompletedOn: null,
  };
}

function addPoliticalDecision(
  p: ProposalFacts,
  outcome: PoliticalOutcome,
  bodyId: string,
  decidedOn: string,
): void {
  if (!isClosing(outcome)) return; // postponed: the referral stays open, nothing is decided yet
  p.politicalDecisionOn ??= decidedOn;
  p.latestClosingOutcome = outcome;
  p.closingBodyId = bodyId;
}

// ---------- queries ----------

export const influenceGroupings = [
  'committee',
  'committeeKind',
  'origin',
  'coCreationForm',
  'theme',
  'politicalBody',
  'year',
  'all',
] as const;
export type InfluenceGroupBy = (typeof influenceGroupings)[number];

/** Inclusive bounds on the proposals' submission date. */
export interface InfluenceFilter {
  from?: string;
  to?: string;
}

export interface StageMedians {
  submittedToCommitteeDecision: number | null;
  committeeDecisionToReferral: number | null;
  referralToPoliticalDecision: number | null;
  politicalDecisionToImplemented: number | null;
}

export interface InfluenceGroup {
  /** The group's value (an id, an enum value, a theme or a year); null for proposals that have none. */
  key: string | null;
  /** A readable name: the committee's or body's name; the key itself for the other groupings. */
  keyLabel: string | null;
  submitted: number;
  committeeAdopted: number;
  referred: number;
  politicallyDecided: number;
  adoptedFull: number;
  adoptedPartial: number;
  rejected: number;
  noted: number;
  returned: number;
  implemented: number;
  /** (adoptedFull + adoptedPartial) / politicallyDecided. */
  adoptionRate: Rate;
  medianDaysToPoliticalDecision: number | null;
  medianDays: StageMedians;
}

interface GroupTally {
  key: string | null;
  counts: Omit<
    InfluenceGroup,
    'key' | 'keyLabel' | 'adoptionRate' | 'medianDaysToPoliticalDecision' | 'medianDays'
  >;
  days: Record<keyof StageMedians | 'toPoliticalDecision', number[]>;
}

/** The funnel per group, groups ordered by key (null last). */
export function influenceGroups(
  state: InfluenceState,
  groupBy: InfluenceGroupBy,
  filter: InfluenceFilter = {},
): InfluenceGroup[] {
  const tallies = new Map<string | null, GroupTally>();
  for (const p of Object.values(state.proposals)) {
    if (!isWithin(p.submittedOn, filter.from, filter.to)) continue;
    const key = groupKey(state, p, groupBy);
    let tally = tallies.get(key);
    if (tally === undefined) tallies.set(key, (tally = emptyTally(key)));
    count(tally, p);
  }
  return [...tallies.values()].sort(byKey).map((t) => finish(state, groupBy, t));
}

function groupKey(state: InfluenceState, p: ProposalFacts, groupBy: InfluenceGroupBy): string | null {
  switch (groupBy) {
    case 'committee':
      return p.committeeId;
    case 'committeeKind':
      return state.committees[p.committeeId]?.kind ?? null;
    case 'coCreationForm':
      return state.committees[p.committeeId]?.coCreationForm ?? null;
    case 'origin':
      return p.origin;
    case 'theme':
      return p.theme;
    case 'politicalBody':
      // The body that decided it, or the one it awaits.
      return p.closingBodyId ?? p.latestReferralBodyId;
    case 'year':
      return yearOf(p.submittedOn);
    case 'all':
      return 'all';
    default: {
      const unknown: never = groupBy;
      throw new RangeError(`unknown grouping ${String(unknown)}`);
    }
  }
}

function emptyTally(key: string | null): GroupTally {
  return {
    key,
    counts: {
      submitted: 0,
      committeeAdopted: 0,
      referred: 0,
      politicallyDecided: 0,
      adoptedFull: 0,
      adoptedPartial: 0,
      rejected: 0,
      noted: 0,
      returned: 0,
      implemented: 0,
    },
    days: {
      toPoliticalDecision: [],
      submittedToCommitteeDecision: [],
      committeeDecisionToReferral: [],
      referralToPoliticalDecision: [],
      politicalDecisionToImplemented: [],
    },
  };
}

const outcomeCount: Record<ClosingOutcome, keyof GroupTally['counts']> = {
  adopted: 'adoptedFull',
  adopted_with_amendments: 'adoptedPartial',
  rejected: 'rejected',
  noted: 'noted',
  returned: 'returned',
};

function count(t: GroupTally, p: ProposalFacts): void {
  const c = t.counts;
  c.submitted += 1;
  if (p.committeeAdopted) c.committeeAdopted += 1;
  if (p.firstReferredOn !== null) c.referred += 1;
  if (p.latestClosingOutcome !== null) {
    c.politicallyDecided += 1;
    c[outcomeCount[p.latestClosingOutcome]] += 1;
  }
  if (p.implementationCompletedOn !== null) c.implemented += 1;
  addDays(t.days.toPoliticalDecision, p.submittedOn, p.politicalDecisionOn);
  addDays(t.days.submittedToCommitteeDecision, p.submittedOn, p.firstCommitteeDecisionOn);
  addDays(t.days.committeeDecisionToReferral, p.firstCommitteeDecisionOn, p.firstReferredOn);
  addDays(t.days.referralToPoliticalDecision, p.firstReferredOn, p.politicalDecisionOn);
  addDays(t.days.politicalDecisionToImplemented, p.politicalDecisionOn, p.implementationCompletedOn);
}

/** Only proposals that reached both steps count towards the median between them. */
function addDays(into: number[], from: string | null, to: string | null): void {
  if (from !== null && to !== null) into.push(daysBetween(from, to));
}

function byKey(a: GroupTally, b: GroupTally): number {
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}

function finish(state: InfluenceState, groupBy: InfluenceGroupBy, t: GroupTally): InfluenceGroup {
  const c = t.counts;
  return {
    key: t.key,
    keyLabel: keyLabel(state, groupBy, t.key),
    ...c,
    adoptionRate: rate(c.adoptedFull + c.adoptedPartial, c.politicallyDecided),
    medianDaysToPoliticalDecision: median(t.days.toPoliticalDecision),
    medianDays: {
      submittedToCommitteeDecision: median(t.days.submittedToCommitteeDecision),
      committeeDecisionToReferral: median(t.days.committeeDecisionToReferral),
      referralToPoliticalDecision: median(t.days.referralToPoliticalDecision),
      politicalDecisionToImplemented: median(t.days.politicalDecisionToImplemented),
    },
  };
}

function keyLabel(state: InfluenceState, groupBy: InfluenceGroupBy, key: string | null): string | null {
  if (key === null) return null;
  if (groupBy === 'committee') return state.committees[key]?.name ?? null;
  if (groupBy === 'politicalBody') return state.bodies[key]?.name ?? null;
  return key;
}
