/** The shapes of the API answers the pages read (API.md, docs/views.md); only the fields the pages use. */

export interface Rate {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

export interface InfluenceGroup {
  key: string | null;
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
  adoptionRate: Rate;
  medianDaysToPoliticalDecision: number | null;
  medianDays: {
    submittedToCommitteeDecision: number | null;
    committeeDecisionToReferral: number | null;
    referralToPoliticalDecision: number | null;
    politicalDecisionToImplemented: number | null;
  };
}

export interface InfluenceAnswer {
  position: number;
  groupBy: string;
  groups: InfluenceGroup[];
}

export interface Referral {
  referralId: string;
  toBodyId: string;
  kind: string;
  caseNumber: string | null;
  referredOn: string;
  politicalDecision: {
    outcome: string;
    caseNumber: string;
    summary: string;
    decidedOn: string;
    votesFor?: number;
    votesAgainst?: number;
  } | null;
}

export interface ProposalStatus {
  proposalId: string;
  committeeId: string;
  title: string;
  origin: string;
  theme: string | null;
  area: string | null;
  submittedOn: string;
  stage: string;
  supports: number | null;
  supportThresholdReachedOn: string | null;
  latestCommitteeDecision: {
    decisionId: string;
    outcome: string;
    kind: string;
    decidedOn: string;
    voteId?: string;
    grantNok?: number;
  } | null;
  referrals: Referral[];
  implementation: { status: string; progressPct: number; note: string; reportedOn: string } | null;
  influence: string;
  daysToPoliticalDecision: number | null;
  initiativeDeadline?: string | null;
  overdue?: boolean;
}

export interface ProposalList {
  position: number;
  total?: number;
  items: ProposalStatus[];
  nextCursor: string | null;
  suppressed?: string[];
}

/** The funnel's steps in order, each with the median of the step that leads to it. */
export const FUNNEL = [
  { count: 'submitted', median: null },
  { count: 'committeeAdopted', median: 'submittedToCommitteeDecision' },
  { count: 'referred', median: 'committeeDecisionToReferral' },
  { count: 'politicallyDecided', median: 'referralToPoliticalDecision' },
  { count: 'adoptedFull', median: null },
  { count: 'adoptedPartial', median: null },
  { count: 'implemented', median: 'politicalDecisionToImplemented' },
] as const satisfies ReadonlyArray<{
  count: keyof InfluenceGroup;
  median: keyof InfluenceGroup['medianDays'] | null;
}>;

/** One step of a proposal's public path (GET /proposals/:id/timeline): no person ids, supports and ballots summed. */
export interface TimelineEntry {
  globalPosition: number;
  recordedAt: string;
  occurredAt: string;
  type: string;
  [field: string]: unknown;
}

export interface TimelineAnswer {
  position: number;
  proposalId: string;
  entries: TimelineEntry[];
  supports: Array<{ month: string; added: number | null; cumulative: number | null }>;
  suppressed?: string[];
}
