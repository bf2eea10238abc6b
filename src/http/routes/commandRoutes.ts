/**
 * The command routes of API.md: one table, one generic handler. Each route names its command, the path
 * parameters that become ids, and (for routes that create something) the id field the server fills in unless the
 * client gives `id` in the body.
 */
import type { CommandName } from '../../domain/commands';

export interface CommandRoute {
  path: string;
  command: CommandName;
  /** Path parameter → input field. */
  params: Record<string, string>;
  /** The id this command creates: filled with a new UUIDv7 unless the body carries `id`. */
  creates?: string;
  /** Which input field is the response's `id`. */
  idField: string;
  summary: string;
}

export const commandRoutes: CommandRoute[] = [
  {
    path: '/arenas',
    command: 'RegisterArena',
    params: {},
    creates: 'arenaId',
    idField: 'arenaId',
    summary: 'Register a citizen square (innbyggertorg)',
  },
  {
    path: '/political-bodies',
    command: 'RegisterPoliticalBody',
    params: {},
    creates: 'bodyId',
    idField: 'bodyId',
    summary: 'Register a political body',
  },
  {
    path: '/persons',
    command: 'RegisterPerson',
    params: {},
    creates: 'personId',
    idField: 'personId',
    summary: 'Register a person (personal data is encrypted per person)',
  },
  {
    path: '/persons/:id/erasure',
    command: 'ErasePersonalData',
    params: { id: 'personId' },
    idField: 'personId',
    summary: "Erase a person's personal data (crypto-shredding)",
  },
  {
    path: '/committees',
    command: 'EstablishCommittee',
    params: {},
    creates: 'committeeId',
    idField: 'committeeId',
    summary: 'Establish a committee',
  },
  {
    path: '/committees/:id/members',
    command: 'AppointMember',
    params: { id: 'committeeId' },
    idField: 'committeeId',
    summary: 'Appoint a member',
  },
  {
    path: '/committees/:id/members/:personId/leave',
    command: 'RecordMemberLeft',
    params: { id: 'committeeId', personId: 'personId' },
    idField: 'committeeId',
    summary: 'Record that a member left',
  },
  {
    path: '/committees/:id/budget',
    command: 'AllocateBudget',
    params: { id: 'committeeId' },
    idField: 'committeeId',
    summary: "Allocate a year's budget",
  },
  {
    path: '/committees/:id/dissolution',
    command: 'DissolveCommittee',
    params: { id: 'committeeId' },
    idField: 'committeeId',
    summary: 'Dissolve a committee',
  },
  {
    path: '/processes',
    command: 'StartProcess',
    params: {},
    creates: 'processId',
    idField: 'processId',
    summary: 'Start a co-creation process',
  },
  {
    path: '/processes/:id/phases',
    command: 'StartProcessPhase',
    params: { id: 'processId' },
    idField: 'processId',
    summary: 'Start a process phase',
  },
  {
    path: '/processes/:id/completion',
    command: 'CompleteProcess',
    params: { id: 'processId' },
    idField: 'processId',
    summary: 'Complete a process',
  },
  {
    path: '/meetings',
    command: 'RecordMeeting',
    params: {},
    creates: 'meetingId',
    idField: 'meetingId',
    summary: 'Record a meeting that was held',
  },
  {
    path: '/proposals',
    command: 'SubmitProposal',
    params: {},
    creates: 'proposalId',
    idField: 'proposalId',
    summary: 'Submit a proposal',
  },
  {
    path: '/proposals/:id/amendments',
    command: 'AmendProposal',
    params: { id: 'proposalId' },
    idField: 'proposalId',
    summary: 'Amend a proposal',
  },
  {
    path: '/proposals/:id/supports',
    command: 'SupportProposal',
    params: { id: 'proposalId' },
    idField: 'proposalId',
    summary: 'Record a support',
  },
  {
    path: '/proposals/:id/withdrawal',
    command: 'WithdrawProposal',
    params: { id: 'proposalId' },
    idField: 'proposalId',
    summary: 'Withdraw a proposal',
  },
  {
    path: '/proposals/:id/committee-decisions',
    command: 'RecordCommitteeDecision',
    params: { id: 'proposalId' },
    creates: 'decisionId',
    idField: 'decisionId',
    summary: "Record the committee's decision",
  },
  {
    path: '/proposals/:id/referrals',
    command: 'ReferProposal',
    params: { id: 'proposalId' },
    creates: 'referralId',
    idField: 'referralId',
    summary: 'Refer the proposal to a political body',
  },
  {
    path: '/proposals/:id/referrals/:referralId/political-decision',
    command: 'RecordPoliticalDecision',
    params: { id: 'proposalId', referralId: 'referralId' },
    idField: 'referralId',
    summary: "Record the political body's decision",
  },
  {
    path: '/proposals/:id/implementation',
    command: 'ReportImplementation',
    params: { id: 'proposalId' },
    idField: 'proposalId',
    summary: 'Report implementation progress',
  },
  {
    path: '/votes',
    command: 'OpenVote',
    params: {},
    creates: 'voteId',
    idField: 'voteId',
    summary: 'Open a vote on a proposal',
  },
  {
    path: '/votes/:id/ballots',
    command: 'CastBallot',
    params: { id: 'voteId' },
    idField: 'voteId',
    summary: 'Cast a ballot',
  },
  {
    path: '/votes/:id/close',
    command: 'CloseVote',
    params: { id: 'voteId' },
    idField: 'voteId',
    summary: 'Close a vote: the server computes the tally',
  },
];
