/**
 * A proposal's path through the scheme, as the views name it: the stage it stands at and the influence class of its
 * political outcome. One definition, shared by the proposal status, committee and influence views, so that a
 * committee's "proposals by stage" can never disagree with the proposals' own status.
 */
import type { DomainEventOf, EventData, EventType } from '../src/domain/events';

export const stages = [
  'submitted',
  'committee_deferred',
  'committee_adopted',
  'committee_rejected',
  'committee_noted',
  'referred',
  'returned',
  'politically_decided',
  'implementing',
  'completed',
  'abandoned',
  'withdrawn',
] as const;
export type Stage = (typeof stages)[number];

/** Every event type of a `proposal-<id>` stream. */
export const proposalEventTypes = [
  'ProposalSubmitted',
  'ProposalAmended',
  'ProposalSupported',
  'ProposalWithdrawn',
  'CommitteeDecisionRecorded',
  'ProposalReferred',
  'PoliticalDecisionRecorded',
  'ImplementationReported',
] as const satisfies readonly EventType[];
export type ProposalEventType = (typeof proposalEventTypes)[number];
export type ProposalEvent = DomainEventOf<ProposalEventType>;

/** The proposal events that can move its stage (amendments and supports never do). */
export const stageEventTypes = [
  'ProposalSubmitted',
  'ProposalWithdrawn',
  'CommitteeDecisionRecorded',
  'ProposalReferred',
  'PoliticalDecisionRecorded',
  'ImplementationReported',
] as const satisfies readonly ProposalEventType[];

export type CommitteeOutcome = EventData<'CommitteeDecisionRecorded'>['outcome'];
export type PoliticalOutcome = EventData<'PoliticalDecisionRecorded'>['outcome'];
export type ClosingOutcome = Exclude<PoliticalOutcome, 'postponed'>;

const committeeStage: Record<CommitteeOutcome, Stage> = {
  adopted: 'committee_adopted',
  rejected: 'committee_rejected',
  deferred: 'committee_deferred',
  noted: 'committee_noted',
};

/**
 * The stage after `event`: the latest stage-setting event wins. A `postponed` political decision keeps the referral
 * open (stage `referred`); `returned` holds until the committee decides again. Withdrawal is final: the ledger refuses
 * commands on a withdrawn proposal, and the view does not let a stray event revive it.
 */
export function stageAfter(stage: Stage, event: ProposalEvent): Stage {
  if (stage === 'withdrawn') return stage;
  switch (event.type) {
    case 'ProposalSubmitted':
      return 'submitted';
    case 'ProposalAmended':
    case 'ProposalSupported':
      return stage;
    case 'ProposalWithdrawn':
      return 'withdrawn';
    case 'CommitteeDecisionRecorded':
      return committeeStage[event.data.outcome];
    case 'ProposalReferred':
      return 'referred';
    case 'PoliticalDecisionRecorded':
      return politicalStage(event.data.outcome);
    case 'ImplementationReported':
      return implementationStage(event.data.status);
    default:
      return unreachable(event);
  }
}

function politicalStage(outcome: PoliticalOutcome): Stage {
  switch (outcome) {
    case 'postponed':
      return 'referred';
    case 'returned':
      return 'returned';
    case 'adopted':
    case 'adopted_with_amendments':
    case 'rejected':
    case 'noted':
      return 'politically_decided';
    default:
      return unreachable(outcome);
  }
}

function implementationStage(status: EventData<'ImplementationReported'>['status']): Stage {
  switch (status) {
    case 'planned':
    case 'in_progress':
      return 'implementing';
    case 'completed':
      return 'completed';
    case 'abandoned':
      return 'abandoned';
    default:
      return unreachable(status);
  }
}

/** Every political outcome but `postponed` closes the referral it answers (DOMAIN.md, Political decision). */
export function isClosing(outcome: PoliticalOutcome): outcome is ClosingOutcome {
  return outcome !== 'postponed';
}

export const influenceClasses = [
  'full',
  'partial',
  'none',
  'noted',
  'returned',
  'pending',
  'not_referred',
] as const;
export type InfluenceClass = (typeof influenceClasses)[number];

const influenceOfOutcome: Record<ClosingOutcome, InfluenceClass> = {
  adopted: 'full',
  adopted_with_amendments: 'partial',
  rejected: 'none',
  noted: 'noted',
  returned: 'returned',
};

/**
 * What the political bodies made of the proposal, judged by its latest referral: never referred, awaiting a decision
 * (none yet, or postponed), or the closing outcome. A returned proposal referred again is pending, not returned.
 */
export function influenceOf(
  referred: boolean,
  latestReferralOutcome: PoliticalOutcome | null,
): InfluenceClass {
  if (!referred) return 'not_referred';
  if (latestReferralOutcome === null || !isClosing(latestReferralOutcome)) return 'pending';
  return influenceOfOutcome[latestReferralOutcome];
}

/** A count per stage, every stage present, for views that tally proposals. */
export function zeroPerStage(): Record<Stage, number> {
  const counts = {} as Record<Stage, number>;
  for (const s of stages) counts[s] = 0;
  return counts;
}

function unreachable(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
