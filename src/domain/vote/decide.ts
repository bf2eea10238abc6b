/**
 * The decide functions of a vote's commands, one per command (each declared in commands.ts): from the input, the
 * record (for a command on one that exists) and the loaded references to the events to append, or a named domain
 * error when a rule is broken.
 */
import { eligibleVotersOn } from '../committee/committee';
import type { CommandContext, References } from '../decider';
import { compact, referenced } from '../decider';
import { assertNotBefore, assertNotInFuture } from '../dates';
import type { DomainEvent } from '../events';
import { assertNotWithdrawn } from '../proposal/withdrawal';
import { broken } from '../rules';
import type { CastBallotInput, CloseVoteInput, OpenVoteInput } from './inputs';
import type { VoteRecord } from './vote';
import { resultOf, tallyOf } from './vote';

export function openVote(input: OpenVoteInput, refs: References, ctx: CommandContext): DomainEvent[] {
  const proposal = referenced(refs, 'proposal', 'proposal');
  if (input.meetingId !== undefined) referenced(refs, 'meeting', 'meeting');
  assertNotWithdrawn(proposal);
  assertNotBefore(
    input.openedOn,
    [{ date: proposal.submittedOn, what: 'the submission of the proposal' }],
    'vote-after-submission',
    'the vote',
  );
  assertNotInFuture(input.openedOn, ctx.today, 'the opening of the vote');
  return [{ type: 'VoteOpened', data: compact({ ...input, committeeId: proposal.committeeId }) }];
}

export function castBallot(
  input: CastBallotInput,
  vote: VoteRecord,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertOpen(vote);
  const earlier = vote.ballots.find((b) => b.personId === input.personId);
  if (earlier) {
    throw broken(
      'one-ballot-per-member',
      `person ${input.personId} already cast a ballot on ${earlier.castOn}`,
    );
  }
  const eligible = eligibleVotersOn(referenced(refs, 'committee', 'committee'), vote.openedOn);
  if (!eligible.has(input.personId)) {
    throw broken(
      'ballot-by-eligible-member',
      `person ${input.personId} was not an eligible member (active, not a deputy) of the committee when the vote opened (${vote.openedOn})`,
    );
  }
  assertNotBefore(
    input.castOn,
    [{ date: vote.openedOn, what: 'the opening of the vote' }],
    'ballot-after-opening',
    'the ballot',
  );
  assertNotInFuture(input.castOn, ctx.today, 'the ballot');
  return [
    { type: 'BallotCast', data: { personId: input.personId, choice: input.choice, castOn: input.castOn } },
  ];
}

/** The server computes the outcome: eligible members on the opening day, the tally, and the result under the rule. */
export function closeVote(
  input: CloseVoteInput,
  vote: VoteRecord,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertOpen(vote);
  assertNotBefore(
    input.closedOn,
    [
      { date: vote.openedOn, what: 'the opening of the vote' },
      ...vote.ballots.map((b) => ({ date: b.castOn, what: 'the last ballot' })),
    ],
    'vote-close-date-in-order',
    'the close of the vote',
  );
  assertNotInFuture(input.closedOn, ctx.today, 'the close of the vote');
  const eligible = eligibleVotersOn(referenced(refs, 'committee', 'committee'), vote.openedOn).size;
  const tally = tallyOf(vote.ballots);
  return [
    {
      type: 'VoteClosed',
      data: { closedOn: input.closedOn, eligible, tally, result: resultOf(vote.rule, eligible, tally) },
    },
  ];
}

function assertOpen(vote: VoteRecord): void {
  if (vote.closed !== undefined) {
    throw broken('vote-closed', `the vote was closed on ${vote.closed.closedOn}`);
  }
}
