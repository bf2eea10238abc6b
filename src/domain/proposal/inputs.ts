/**
 * What a proposal's commands carry: the body, exactly API.md's, and the input, which is the body plus the ids that
 * come from the path or are chosen by the server. The commands themselves are declared in commands.ts.
 */
import type { z } from 'zod';
import { Id } from '../values';
import { proposalEvents } from './events';

export const submitProposalBody = proposalEvents.ProposalSubmitted.omit({ proposalId: true });
export const submitProposalInput = submitProposalBody.extend({ proposalId: Id });
export type SubmitProposalInput = z.infer<typeof submitProposalInput>;

export const amendProposalBody = proposalEvents.ProposalAmended;
export const amendProposalInput = amendProposalBody.extend({ proposalId: Id });
export type AmendProposalInput = z.infer<typeof amendProposalInput>;

export const supportProposalBody = proposalEvents.ProposalSupported;
export const supportProposalInput = supportProposalBody.extend({ proposalId: Id });
export type SupportProposalInput = z.infer<typeof supportProposalInput>;

export const withdrawProposalBody = proposalEvents.ProposalWithdrawn;
export const withdrawProposalInput = withdrawProposalBody.extend({ proposalId: Id });
export type WithdrawProposalInput = z.infer<typeof withdrawProposalInput>;

/** RecordCommitteeDecision: the committee is the proposal's, so the body does not name it. */
export const recordCommitteeDecisionBody = proposalEvents.CommitteeDecisionRecorded.omit({
  decisionId: true,
  committeeId: true,
});
export const recordCommitteeDecisionInput = recordCommitteeDecisionBody.extend({
  proposalId: Id,
  decisionId: Id,
});
export type RecordCommitteeDecisionInput = z.infer<typeof recordCommitteeDecisionInput>;

/** ReferProposal: the referral's id is chosen by the server (or given as `id`). */
export const referProposalBody = proposalEvents.ProposalReferred.omit({ referralId: true });
export const referProposalInput = referProposalBody.extend({ proposalId: Id, referralId: Id });
export type ReferProposalInput = z.infer<typeof referProposalInput>;

/** RecordPoliticalDecision: the political body is the referral's, so the body does not name it. */
export const recordPoliticalDecisionBody = proposalEvents.PoliticalDecisionRecorded.omit({
  referralId: true,
  bodyId: true,
});
export const recordPoliticalDecisionInput = recordPoliticalDecisionBody.extend({
  proposalId: Id,
  referralId: Id,
});
export type RecordPoliticalDecisionInput = z.infer<typeof recordPoliticalDecisionInput>;

export const reportImplementationBody = proposalEvents.ImplementationReported;
export const reportImplementationInput = reportImplementationBody.extend({ proposalId: Id });
export type ReportImplementationInput = z.infer<typeof reportImplementationInput>;
