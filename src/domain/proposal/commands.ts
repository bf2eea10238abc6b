/** The proposal's commands, each declared once: body, input, target, route, references and decide function. */
import { command } from '../commandDeclaration';
import { reference } from '../decider';
import { committeeDecisionReferences, recordCommitteeDecision } from './committeeDecision';
import { reportImplementation } from './implementation';
import {
  amendProposalBody,
  amendProposalInput,
  recordCommitteeDecisionBody,
  recordCommitteeDecisionInput,
  recordPoliticalDecisionBody,
  recordPoliticalDecisionInput,
  referProposalBody,
  referProposalInput,
  reportImplementationBody,
  reportImplementationInput,
  submitProposalBody,
  submitProposalInput,
  supportProposalBody,
  supportProposalInput,
  withdrawProposalBody,
  withdrawProposalInput,
} from './inputs';
import { recordPoliticalDecision, referProposal } from './referral';
import { amendProposal, submitProposal, supportProposal } from './submission';
import { withdrawProposal } from './withdrawal';

export const SubmitProposal = command('proposal', {
  name: 'SubmitProposal',
  body: submitProposalBody,
  input: submitProposalInput,
  target: 'proposalId',
  creates: true,
  route: { path: '/proposals', operationId: 'submitProposal', summary: 'Submit a proposal' },
  references: ({ committeeId, submittedBy, processId }) => [
    reference('committee', 'committee', committeeId),
    ...(submittedBy !== undefined ? [reference('submittedBy', 'person', submittedBy)] : []),
    ...(processId !== undefined ? [reference('process', 'process', processId)] : []),
  ],
  decide: submitProposal,
});

export const AmendProposal = command('proposal', {
  name: 'AmendProposal',
  body: amendProposalBody,
  input: amendProposalInput,
  target: 'proposalId',
  creates: false,
  route: {
    path: '/proposals/:id/amendments',
    params: { id: 'proposalId' },
    operationId: 'amendProposal',
    summary: 'Amend a proposal',
  },
  decide: amendProposal,
});

export const SupportProposal = command('proposal', {
  name: 'SupportProposal',
  body: supportProposalBody,
  input: supportProposalInput,
  target: 'proposalId',
  creates: false,
  route: {
    path: '/proposals/:id/supports',
    params: { id: 'proposalId' },
    operationId: 'supportProposal',
    summary: 'Record a support',
  },
  references: (input) => [reference('person', 'person', input.personId)],
  decide: supportProposal,
});

export const WithdrawProposal = command('proposal', {
  name: 'WithdrawProposal',
  body: withdrawProposalBody,
  input: withdrawProposalInput,
  target: 'proposalId',
  creates: false,
  route: {
    path: '/proposals/:id/withdrawal',
    params: { id: 'proposalId' },
    operationId: 'withdrawProposal',
    summary: 'Withdraw a proposal',
  },
  decide: withdrawProposal,
});

/** The committee is the proposal's; the decision's id is chosen by the server unless the client gives one. */
export const RecordCommitteeDecision = command('proposal', {
  name: 'RecordCommitteeDecision',
  body: recordCommitteeDecisionBody,
  input: recordCommitteeDecisionInput,
  target: 'proposalId',
  creates: false,
  route: {
    path: '/proposals/:id/committee-decisions',
    params: { id: 'proposalId' },
    fills: 'decisionId',
    operationId: 'recordCommitteeDecision',
    summary: "Record the committee's decision",
  },
  references: committeeDecisionReferences,
  decide: recordCommitteeDecision,
});

export const ReferProposal = command('proposal', {
  name: 'ReferProposal',
  body: referProposalBody,
  input: referProposalInput,
  target: 'proposalId',
  creates: false,
  route: {
    path: '/proposals/:id/referrals',
    params: { id: 'proposalId' },
    fills: 'referralId',
    operationId: 'referProposal',
    summary: 'Refer the proposal to a political body',
  },
  references: (input) => [reference('body', 'political-body', input.toBodyId)],
  decide: referProposal,
});

export const RecordPoliticalDecision = command('proposal', {
  name: 'RecordPoliticalDecision',
  body: recordPoliticalDecisionBody,
  input: recordPoliticalDecisionInput,
  target: 'proposalId',
  creates: false,
  route: {
    path: '/proposals/:id/referrals/:referralId/political-decision',
    params: { id: 'proposalId', referralId: 'referralId' },
    answers: 'referralId',
    operationId: 'recordPoliticalDecision',
    summary: "Record the political body's decision",
  },
  decide: recordPoliticalDecision,
});

export const ReportImplementation = command('proposal', {
  name: 'ReportImplementation',
  body: reportImplementationBody,
  input: reportImplementationInput,
  target: 'proposalId',
  creates: false,
  route: {
    path: '/proposals/:id/implementation',
    params: { id: 'proposalId' },
    operationId: 'reportImplementation',
    summary: 'Report implementation progress',
  },
  decide: reportImplementation,
});

export const proposalCommands = [
  SubmitProposal,
  AmendProposal,
  SupportProposal,
  WithdrawProposal,
  RecordCommitteeDecision,
  ReferProposal,
  RecordPoliticalDecision,
  ReportImplementation,
] as const;
