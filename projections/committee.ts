/**
 * Committee: each committee's mandate and period, members (active and former), budget allocated against granted per
 * year, meetings, and how many of its proposals stand at each stage (the stage logic is proposalPath's).
 */
import type { EventData, EventType } from '../src/domain/events';
import { ActorGroup, MemberRole, RepresentationBasis } from '../src/domain/events';
import { yearOf } from './calendar';
import type { LedgerEvent, LedgerEventOf, Projection } from './projection';
import { idInStream } from './projection';
import type { Stage } from './proposalPath';
import { stageAfter, stageEventTypes, zeroPerStage } from './proposalPath';

type Established = EventData<'CommitteeEstablished'>;
type ActorGroupName = EventData<'MemberAppointed'>['actorGroup'];
type RepresentationBasisName = EventData<'MemberAppointed'>['representationBasis'];
type RoleName = EventData<'MemberAppointed'>['role'];

export interface Member {
  personId: string;
  role: RoleName;
  actorGroup: ActorGroupName;
  representationBasis: RepresentationBasisName;
  represents: string | null;
  appointedOn: string;
  leftOn: string | null;
}

export interface Meeting {
  meetingId: string;
  kind: EventData<'MeetingHeld'>['kind'];
  heldOn: string;
  attendeeCount: number;
}

export interface CommitteeRecord {
  committeeId: string;
  name: string;
  kind: Established['kind'];
  arenaId: string | null;
  areas: string[];
  theme: string | null;
  mandate: Established['mandate'];
  coCreationForm: Established['coCreationForm'];
  period: Established['period'];
  establishedBy: { bodyId: string; caseNumber: string } | null;
  dissolvedOn: string | null;
  /** In appointment order; a person re-appointed after leaving appears again. */
  members: Member[];
  /** Year → sum of the year's allocations. */
  allocatedNok: Record<string, number>;
  meetings: Meeting[];
}

/** The grant a proposal's latest committee decision made: only that one counts ("the latest decision counts"). */
export interface Grant {
  committeeId: string;
  year: string;
  nok: number;
}

export interface ProposalStanding {
  committeeId: string;
  stage: Stage;
  grant: Grant | null;
}

export interface CommitteeViewState {
  committees: Record<string, CommitteeRecord>;
  proposals: Record<string, ProposalStanding>;
  /** Committee id → proposals per stage, kept as events arrive so a read never scans every proposal. */
  stageCounts: Record<string, Record<Stage, number>>;
  /** Committee id → year → sum of grants of adopted own decisions decided that year. */
  grantedNok: Record<string, Record<string, number>>;
}

const eventTypes = [
  'CommitteeEstablished',
  'MemberAppointed',
  'MemberLeft',
  'BudgetAllocated',
  'CommitteeDissolved',
  'MeetingHeld',
  ...stageEventTypes,
] as const satisfies readonly EventType[];

export const committeeProjection: Projection<CommitteeViewState> = {
  name: 'committee',
  version: 1,
  eventTypes,
  initialState: () => ({ committees: {}, proposals: {}, stageCounts: {}, grantedNok: {} }),
  apply: applyToCommittees,
};

function applyToCommittees(state: CommitteeViewState, event: LedgerEvent): CommitteeViewState {
  switch (event.type) {
    case 'CommitteeEstablished':
      state.committees[event.data.committeeId] ??= newCommittee(event.data);
      break;
    case 'MemberAppointed':
    case 'MemberLeft':
    case 'BudgetAllocated':
    case 'CommitteeDissolved': {
      const committee = state.committees[idInStream(event.streamId, 'committee')];
      if (committee !== undefined) evolveCommittee(committee, event);
      break;
    }
    case 'MeetingHeld': {
      const { meetingId, committeeId, kind, heldOn, attendeeCount } = event.data;
      const committee = committeeId === undefined ? undefined : state.committees[committeeId];
      committee?.meetings.push({ meetingId, kind, heldOn, attendeeCount });
      break;
    }
    case 'ProposalSubmitted':
      if (state.proposals[event.data.proposalId] === undefined) addProposal(state, event.data);
      break;
    case 'ProposalWithdrawn':
    case 'CommitteeDecisionRecorded':
    case 'ProposalReferred':
    case 'PoliticalDecisionRecorded':
    case 'ImplementationReported': {
      const proposal = state.proposals[idInStream(event.streamId, 'proposal')];
      if (proposal === undefined) break;
      moveStage(state, proposal, stageAfter(proposal.stage, event));
      if (event.type === 'CommitteeDecisionRecorded') replaceGrant(state, proposal, grantOf(event.data));
      break;
    }
    default:
      break; // not read by this view
  }
  return state;
}

function newCommittee(data: Established): CommitteeRecord {
  return {
    committeeId: data.committeeId,
    name: data.name,
    kind: data.kind,
    arenaId: data.arenaId ?? null,
    areas: [...data.areas],
    theme: data.theme ?? null,
    mandate: { ...data.mandate },
    coCreationForm: data.coCreationForm,
    period: { ...data.period },
    establishedBy: data.establishedBy === undefined ? null : { ...data.establishedBy },
    dissolvedOn: null,
    members: [],
    allocatedNok: {},
    meetings: [],
  };
}

function evolveCommittee(
  c: CommitteeRecord,
  event: LedgerEventOf<'MemberAppointed' | 'MemberLeft' | 'BudgetAllocated' | 'CommitteeDissolved'>,
): void {
  switch (event.type) {
    case 'MemberAppointed': {
      const { personId, role, actorGroup, representationBasis, represents, appointedOn } = event.data;
      c.members.push({
        personId,
        role,
        actorGroup,
        representationBasis,
        represents: represents ?? null,
        appointedOn,
        leftOn: null,
      });
      break;
    }
    case 'MemberLeft': {
      const active = c.members.findLast((m) => m.personId === event.data.personId && m.leftOn === null);
      if (active !== undefined) active.leftOn = event.data.leftOn;
      break;
    }
    case 'BudgetAllocated': {
      const year = String(event.data.year);
      c.allocatedNok[year] = (c.allocatedNok[year] ?? 0) + event.data.amountNok;
      break;
    }
    case 'CommitteeDissolved':
      c.dissolvedOn ??= event.data.dissolvedOn;
      break;
    default:
      break;
  }
}

function addProposal(state: CommitteeViewState, data: EventData<'ProposalSubmitted'>): void {
  const standing: ProposalStanding = { committeeId: data.committeeId, stage: 'submitted', grant: null };
  state.proposals[data.proposalId] = standing;
  stageCountsOf(state, data.committeeId).submitted += 1;
}

function stageCountsOf(state: CommitteeViewState, committeeId: string): Record<Stage, number> {
  return (state.stageCounts[committeeId] ??= zeroPerStage());
}

function moveStage(state: CommitteeViewState, p: ProposalStanding, next: Stage): void {
  if (next === p.stage) return;
  const counts = stageCountsOf(state, p.committeeId);
  counts[p.stage] -= 1;
  counts[next] += 1;
  p.stage = next;
}

/** Only an adopted own decision grants money (DOMAIN.md, Budget), in the year it was decided. */
function grantOf(data: EventData<'CommitteeDecisionRecorded'>): Grant | null {
  const { outcome, kind, grantNok, committeeId, decidedOn } = data;
  if (outcome !== 'adopted' || kind !== 'own_decision' || !grantNok) return null;
  return { committeeId, year: yearOf(decidedOn), nok: grantNok };
}

/** A later decision on the same proposal replaces its earlier grant instead of adding to it. */
function replaceGrant(state: CommitteeViewState, p: ProposalStanding, grant: Grant | null): void {
  if (p.grant !== null) addGranted(state, p.grant, -p.grant.nok);
  if (grant !== null) addGranted(state, grant, grant.nok);
  p.grant = grant;
}

function addGranted(state: CommitteeViewState, grant: Grant, nok: number): void {
  const years = (state.grantedNok[grant.committeeId] ??= {});
  const sum = (years[grant.year] ?? 0) + nok;
  // A year whose grants were all replaced disappears, as if never granted.
  if (sum === 0) delete years[grant.year];
  else years[grant.year] = sum;
}

// ---------- queries ----------

export interface BudgetYear {
  year: number;
  allocatedNok: number;
  grantedNok: number;
}

export interface CommitteeView extends Omit<CommitteeRecord, 'members' | 'allocatedNok'> {
  /** Person ids only: the HTTP layer adds names as the caller's role allows. */
  members: {
    active: Member[];
    former: Member[];
    activeCount: number;
    formerCount: number;
    /** Active members only. */
    byActorGroup: Record<ActorGroupName, number>;
    byRepresentationBasis: Record<RepresentationBasisName, number>;
    byRole: Record<RoleName, number>;
  };
  /** Years with an allocation or a grant, ascending. */
  budget: BudgetYear[];
  /** By date held, then id. */
  meetings: Meeting[];
  proposals: { total: number; byStage: Record<Stage, number> };
}

export function committeeOf(state: CommitteeViewState, committeeId: string): CommitteeView | undefined {
  const c = state.committees[committeeId];
  if (c === undefined) return undefined;
  const active = c.members.filter((m) => m.leftOn === null).map((m) => ({ ...m }));
  const former = c.members.filter((m) => m.leftOn !== null).map((m) => ({ ...m }));
  const byStage = { ...(state.stageCounts[committeeId] ?? zeroPerStage()) };
  return {
    committeeId: c.committeeId,
    name: c.name,
    kind: c.kind,
    arenaId: c.arenaId,
    areas: [...c.areas],
    theme: c.theme,
    mandate: { ...c.mandate },
    coCreationForm: c.coCreationForm,
    period: { ...c.period },
    establishedBy: c.establishedBy && { ...c.establishedBy },
    dissolvedOn: c.dissolvedOn,
    members: {
      active,
      former,
      activeCount: active.length,
      formerCount: former.length,
      byActorGroup: countBy(ActorGroup.options, active, (m) => m.actorGroup),
      byRepresentationBasis: countBy(RepresentationBasis.options, active, (m) => m.representationBasis),
      byRole: countBy(MemberRole.options, active, (m) => m.role),
    },
    budget: budgetOf(c, state.grantedNok[committeeId] ?? {}),
    meetings: [...c.meetings]
      .sort((a, b) => compareStrings(a.heldOn, b.heldOn) || compareStrings(a.meetingId, b.meetingId))
      .map((m) => ({ ...m })),
    proposals: { total: Object.values(byStage).reduce((a, b) => a + b, 0), byStage },
  };
}

export interface CommitteeSummary {
  committeeId: string;
  name: string;
  kind: Established['kind'];
  arenaId: string | null;
  areas: string[];
  theme: string | null;
  mandate: Established['mandate'];
  coCreationForm: Established['coCreationForm'];
  period: Established['period'];
  dissolvedOn: string | null;
  activeMembers: number;
  proposals: number;
  /** As the committee view's `proposals.byStage`. */
  proposalsByStage: Record<Stage, number>;
  /** As the committee view's `budget`. */
  budget: BudgetYear[];
}

/**
 * Every committee, by name then id: what a committee table shows, so that it needs no request per committee;
 * `committeeOf` has the members and meetings.
 */
export function listCommittees(state: CommitteeViewState): CommitteeSummary[] {
  return Object.values(state.committees)
    .sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.committeeId, b.committeeId))
    .map((c) => {
      const byStage = { ...(state.stageCounts[c.committeeId] ?? zeroPerStage()) };
      return {
        committeeId: c.committeeId,
        name: c.name,
        kind: c.kind,
        arenaId: c.arenaId,
        areas: [...c.areas],
        theme: c.theme,
        mandate: { ...c.mandate },
        coCreationForm: c.coCreationForm,
        period: { ...c.period },
        dissolvedOn: c.dissolvedOn,
        activeMembers: c.members.filter((m) => m.leftOn === null).length,
        proposals: Object.values(byStage).reduce((a, b) => a + b, 0),
        proposalsByStage: byStage,
        budget: budgetOf(c, state.grantedNok[c.committeeId] ?? {}),
      };
    });
}

function countBy<K extends string>(
  keys: readonly K[],
  members: readonly Member[],
  keyOf: (m: Member) => K,
): Record<K, number> {
  const counts = {} as Record<K, number>;
  for (const k of keys) counts[k] = 0;
  for (const m of members) counts[keyOf(m)] += 1;
  return counts;
}

function budgetOf(c: CommitteeRecord, granted: Record<string, number>): BudgetYear[] {
  const years = [...new Set([...Object.keys(c.allocatedNok), ...Object.keys(granted)])].sort();
  return years.map((y) => ({
    year: Number(y),
    allocatedNok: c.allocatedNok[y] ?? 0,
    grantedNok: granted[y] ?? 0,
  }));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
