/**
 * A proposal's path: submission, amendments and supports, committee decisions, referrals to political bodies and
 * their decisions, implementation. The stream holds the whole history; the state keeps what the rules need.
 */
import type { DomainEvent, EventData } from '../events';
import type { DatedStep } from '../dates';
import { latestStep } from '../dates';

type CommitteeDecisionData = EventData<'CommitteeDecisionRecorded'>;
type PoliticalDecisionData = EventData<'PoliticalDecisionRecorded'>;

export type ProposalOrigin = EventData<'ProposalSubmitted'>['origin'];
export type CommitteeDecision = Omit<CommitteeDecisionData, 'text' | 'committeeId'>;
export type PoliticalOutcome = PoliticalDecisionData['outcome'];

export interface PoliticalDecision {
  outcome: PoliticalOutcome;
  decidedOn: string;
}

export interface Referral {
  referralId: string;
  toBodyId: string;
  kind: EventData<'ProposalReferred'>['kind'];
  referredOn: string;
  /** Open until a political decision other than `postponed`. */
  open: boolean;
  decisions: readonly PoliticalDecision[];
}

export interface ProposalRecord {
  aggregate: 'proposal';
  status: 'open' | 'withdrawn';
  proposalId: string;
  committeeId: string;
  processId?: string;
  origin: ProposalOrigin;
  submittedOn: string;
  lastAmendedOn?: string;
  supports: readonly EventData<'ProposalSupported'>[];
  committeeDecisions: readonly CommitteeDecision[];
  referrals: readonly Referral[];
  /** The day a political body returned the proposal (sendt tilbake), until the committee decides it again. */
  returnedOn?: string;
  implementationReports: ReadonlyArray<Omit<EventData<'ImplementationReported'>, 'note'>>;
  withdrawnOn?: string;
}

export type ProposalState = { aggregate: 'proposal'; status: 'absent' } | ProposalRecord;

export const initialState: ProposalState = { aggregate: 'proposal', status: 'absent' };

export function evolve(state: ProposalState, event: DomainEvent): ProposalState {
  if (event.type === 'ProposalSubmitted') return submitted(event.data);
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'ProposalAmended':
      return { ...state, lastAmendedOn: event.data.amendedOn };
    case 'ProposalSupported':
      return { ...state, supports: [...state.supports, event.data] };
    case 'ProposalWithdrawn':
      return { ...state, status: 'withdrawn', withdrawnOn: event.data.withdrawnOn };
    case 'CommitteeDecisionRecorded':
      return withCommitteeDecision(state, event.data);
    case 'ProposalReferred': {
      const { referralId, toBodyId, kind, referredOn } = event.data;
      const referral: Referral = { referralId, toBodyId, kind, referredOn, open: true, decisions: [] };
      return { ...state, referrals: [...state.referrals, referral] };
    }
    case 'PoliticalDecisionRecorded':
      return withPoliticalDecision(state, event.data);
    case 'ImplementationReported': {
      const { status, progressPct, reportedOn } = event.data;
      return {
        ...state,
        implementationReports: [...state.implementationReports, { status, progressPct, reportedOn }],
      };
    }
    default:
      return state;
  }
}

function submitted(data: EventData<'ProposalSubmitted'>): ProposalRecord {
  const { proposalId, committeeId, processId, origin, submittedOn } = data;
  return {
    aggregate: 'proposal',
    status: 'open',
    proposalId,
    committeeId,
    ...(processId !== undefined && { processId }),
    origin,
    submittedOn,
    supports: [],
    committeeDecisions: [],
    referrals: [],
    implementationReports: [],
  };
}

function withCommitteeDecision(state: ProposalRecord, data: CommitteeDecisionData): ProposalRecord {
  const { text: _text, committeeId: _committeeId, ...decision } = data;
  const { returnedOn: _answered, ...rest } = state;
  return { ...rest, committeeDecisions: [...state.committeeDecisions, decision] };
}

function withPoliticalDecision(state: ProposalRecord, data: PoliticalDecisionData): ProposalRecord {
  const decision: PoliticalDecision = { outcome: data.outcome, decidedOn: data.decidedOn };
  const referrals = state.referrals.map((r) =>
    r.referralId === data.referralId
      ? { ...r, open: data.outcome === 'postponed', decisions: [...r.decisions, decision] }
      : r,
  );
  return { ...state, referrals, ...(data.outcome === 'returned' && { returnedOn: data.decidedOn }) };
}

// ---------- what the rules ask of a proposal ----------

export function latestCommitteeDecision(p: ProposalRecord): CommitteeDecision | undefined {
  return p.committeeDecisions.at(-1);
}

export function openReferral(p: ProposalRecord): Referral | undefined {
  return p.referrals.find((r) => r.open);
}

export function referralById(p: ProposalRecord, referralId: string): Referral | undefined {
  return p.referrals.find((r) => r.referralId === referralId);
}

/** Every political decision on the proposal, in the order recorded (referrals follow one another). */
export function politicalDecisions(p: ProposalRecord): PoliticalDecision[] {
  return p.referrals.flatMap((r) => r.decisions);
}

const finalPoliticalOutcomes: ReadonlySet<PoliticalOutcome> = new Set([
  'adopted',
  'adopted_with_amendments',
  'rejected',
  'noted',
]);

/** A decision on the matter itself: neither postponed (still open) nor returned (back to the committee). */
export function hasFinalPoliticalDecision(p: ProposalRecord): boolean {
  return politicalDecisions(p).some((d) => finalPoliticalOutcomes.has(d.outcome));
}

/** The committee may decide: nothing decided yet, the last decision deferred, or the proposal returned to it. */
export function awaitsCommitteeDecision(p: ProposalRecord): boolean {
  const latest = latestCommitteeDecision(p);
  return latest === undefined || latest.outcome === 'deferred' || p.returnedOn !== undefined;
}

export function supportsBy(p: ProposalRecord, date: string): number {
  return p.supports.filter((s) => s.supportedOn <= date).length;
}

/**
 * The decision an implementation carries out: the latest political decision when it adopted the proposal (with or
 * without amendments), else an adopted committee own decision. Postponements do not count as the latest decision.
 */
export function adoptionToImplement(p: ProposalRecord): DatedStep | undefined {
  const political = politicalDecisions(p).filter((d) => d.outcome !== 'postponed');
  const latestPolitical = political.at(-1);
  const adoptedPolitically =
    latestPolitical?.outcome === 'adopted' || latestPolitical?.outcome === 'adopted_with_amendments';
  const committee = latestCommitteeDecision(p);
  const ownDecision =
    committee?.outcome === 'adopted' && committee.kind === 'own_decision' ? committee : undefined;
  return latestStep([
    adoptedPolitically ? { date: latestPolitical.decidedOn, what: 'the political decision' } : undefined,
    ownDecision ? { date: ownDecision.decidedOn, what: "the committee's own decision" } : undefined,
  ]);
}

/** The date of the last thing that happened to the proposal. */
export function lastStepOf(p: ProposalRecord): DatedStep {
  return (
    latestStep([
      { date: p.submittedOn, what: 'the submission' },
      p.lastAmendedOn !== undefined ? { date: p.lastAmendedOn, what: 'the last amendment' } : undefined,
      ...p.supports.map((s) => ({ date: s.supportedOn, what: 'a support' })),
      ...p.committeeDecisions.map((d) => ({ date: d.decidedOn, what: 'a committee decision' })),
      ...p.referrals.map((r) => ({ date: r.referredOn, what: 'a referral' })),
      ...politicalDecisions(p).map((d) => ({ date: d.decidedOn, what: 'a political decision' })),
      ...p.implementationReports.map((r) => ({ date: r.reportedOn, what: 'an implementation report' })),
    ]) ?? { date: p.submittedOn, what: 'the submission' }
  );
}
