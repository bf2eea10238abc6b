import type { z } from 'zod';
import { Id } from '../values';
import { proposalEvents } from './events';

/** POST /proposals */
export const submitProposalBody = proposalEvents.ProposalSubmitted.omit({ proposalId: true });
export const submitProposalInput = submitProposalBody.extend({ proposalId: Id });
export type SubmitProposalInput = z.infer<typeof submitProposalInput>;

/** POST /proposals/:id/amendments */
export const amendProposalBody = proposalEvents.ProposalAmended;
export const amendProposalInput = amendProposalBody.extend({ proposalId: Id });
export type AmendProposalInput = z.infer<typeof amendProposalInput>;

/** POST /proposals/:id/supports */
export const supportProposalBody = proposalEvents.ProposalSupported;
export const supportProposalInput = supportProposalBody.extend({ proposalId: Id });
export type SupportProposalInput = z.infer<typeof supportProposalInput>;

/** POST /proposals/:id/withdrawal */
export const withdrawProposalBody = proposalEvents.ProposalWithdrawn;
export const withdrawProposalInput = withdrawProposalBody.extend({ proposalId: Id });
export type WithdrawProposalInput = z.infer<typeof withdrawProposalInput>;

/** POST /proposals/:id/committee-decisions (the committee is the proposal's; decisionId is chosen by the app). */
export const recordCommitteeDecisionBody = proposalEvents.CommitteeDecisionRecorded.omit({
  decisionId: true,
  committeeId: true,
});
export const recordCommitteeDecisionInput = recordCommitteeDecisionBody.extend({
  proposalId: Id,
  decisionId: Id,
});
export type RecordCommitteeDecisionInput = z.infer<typeof recordCommitteeDecisionInput>;

/** POST /proposals/:id/referrals (the referralId is the command's id). */
export const referProposalBody = proposalEvents.ProposalReferred.omit({ referralId: true });
export const referProposalInput = referProposalBody.extend({ proposalId: Id, referralId: Id });
export type ReferProposalInput = z.infer<typeof referProposalInput>;

/** POST /proposals/:id/referrals/:referralId/political-decision (the body is the referral's). */
export const recordPoliticalDecisionBody = proposalEvents.PoliticalDecisionRecorded.omit({
  referralId: true,
  bodyId: true,
});
export const recordPoliticalDecisionInput = recordPoliticalDecisionBody.extend({
  proposalId: Id,
  referralId: Id,
});
export type RecordPoliticalDecisionInput = z.infer<typeof recordPoliticalDecisionInput>;

/** POST /proposals/:id/implementation */
export const reportImplementationBody = proposalEvents.ImplementationReported;
export const reportImplementationInput = reportImplementationBody.extend({ proposalId: Id });
export type ReportImplementationInput = z.infer<typeof reportImplementationInput>;
