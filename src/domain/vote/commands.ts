/** The vote's commands, each declared once: body, input, target, route, references and decide function. */
import { command } from '../commandDeclaration';
import { reference } from '../decider';
import { castBallot, closeVote, openVote } from './decide';
import {
  castBallotBody,
  castBallotInput,
  closeVoteBody,
  closeVoteInput,
  openVoteBody,
  openVoteInput,
} from './inputs';

export const OpenVote = command('vote', {
  name: 'OpenVote',
  body: openVoteBody,
  input: openVoteInput,
  target: 'voteId',
  creates: true,
  route: { path: '/votes', operationId: 'openVote', summary: 'Open a vote on a proposal' },
  references: ({ proposalId, meetingId }) => [
    reference('proposal', 'proposal', proposalId),
    ...(meetingId !== undefined ? [reference('meeting', 'meeting', meetingId)] : []),
  ],
  decide: openVote,
});

export const CastBallot = command('vote', {
  name: 'CastBallot',
  body: castBallotBody,
  input: castBallotInput,
  target: 'voteId',
  creates: false,
  route: {
    path: '/votes/:id/ballots',
    params: { id: 'voteId' },
    operationId: 'castBallot',
    summary: 'Cast a ballot',
  },
  // Eligibility is the vote's committee's, on the day the vote opened.
  references: (_input, vote) => [reference('committee', 'committee', vote.committeeId)],
  decide: castBallot,
});

export const CloseVote = command('vote', {
  name: 'CloseVote',
  body: closeVoteBody,
  input: closeVoteInput,
  target: 'voteId',
  creates: false,
  route: {
    path: '/votes/:id/close',
    params: { id: 'voteId' },
    operationId: 'closeVote',
    summary: 'Close a vote: the server computes the tally',
  },
  references: (_input, vote) => [reference('committee', 'committee', vote.committeeId)],
  decide: closeVote,
});

export const voteCommands = [OpenVote, CastBallot, CloseVote] as const;
