/**
 * The shapes of the API answers the pages read (API.md, docs/views.md). Where an answer is a view as the projections
 * shape it, the type is the projection's own (type-only imports: nothing of the server reaches the bundle), so the
 * dashboard cannot drift from it; the rest are the answers' fields the pages use.
 */
import type { InfluenceGroup, ParticipationView, PublicProposalStatusView } from '../../projections';

export type { InfluenceGroup };

export interface InfluenceAnswer {
  position: number;
  groupBy: string;
  groups: InfluenceGroup[];
}

/** The status view as the caller may see it (supports null when suppressed). */
export type ProposalStatus = PublicProposalStatusView;

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

// ---------- committees ----------

export type Mandate = Record<'influence' | 'decide' | 'facilitate' | 'support' | 'arrange', boolean>;

export interface BudgetYear {
  year: number;
  allocatedNok: number;
  grantedNok: number;
}

export interface Period {
  from: string;
  to: string;
}

/** A row of `GET /committees`. */
export interface CommitteeSummary {
  committeeId: string;
  name: string;
  kind: string;
  coCreationForm: string;
  period: Period;
  dissolvedOn: string | null;
  /** null: suppressed (anonymous readers, under 5). */
  activeMembers: number | null;
  proposals: number;
  arenaId: string | null;
  areas: string[];
  theme: string | null;
  mandate: Mandate;
  proposalsByStage: Record<string, number>;
  budget: BudgetYear[];
}

export interface CommitteeList {
  position: number;
  items: CommitteeSummary[];
  suppressed?: string[];
}

/** A member row, for readers with a token: a name (clerk, admin) or a pseudonym (evaluator). */
export interface MemberRow {
  personId?: string;
  name?: string | null;
  pseudonym?: string;
  erased?: boolean;
  role: string;
  actorGroup: string;
  representationBasis: string;
  represents: string | null;
  appointedOn: string;
  leftOn: string | null;
}

export interface CommitteeDetail {
  position: number;
  committeeId: string;
  name: string;
  kind: string;
  arenaId: string | null;
  areas: string[];
  theme: string | null;
  mandate: Mandate;
  coCreationForm: string;
  period: Period;
  establishedBy: { bodyId: string; caseNumber: string } | null;
  dissolvedOn: string | null;
  members: {
    /** Only for readers with a token. */
    active?: MemberRow[];
    former?: MemberRow[];
    activeCount: number | null;
    formerCount: number | null;
    byActorGroup: Record<string, number | null>;
    byRepresentationBasis: Record<string, number | null>;
    byRole: Record<string, number | null>;
  };
  budget: BudgetYear[];
  meetings: Array<{ meetingId: string; kind: string; heldOn: string; attendeeCount: number | null }>;
  proposals: { total: number; byStage: Record<string, number> };
  suppressed?: string[];
}

export interface ArenaList {
  position: number;
  items: Array<{ arenaId: string; name: string; areas: string[] }>;
}

export interface PoliticalBodyList {
  position: number;
  items: Array<{ bodyId: string; name: string; kind: string; seats?: number }>;
}

// ---------- participation ----------

export type ParticipationAnswer = ParticipationView & {
  position: number;
  suppressionThreshold: number | null;
};
