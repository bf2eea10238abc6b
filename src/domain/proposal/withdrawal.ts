import type { CommandContext, References } from '../decider';
import { assertNotBefore, assertNotInFuture } from '../dates';
import type { DomainEvent } from '../events';
import { broken } from '../rules';
import type { WithdrawProposalInput } from './inputs';
import type { ProposalRecord } from './proposal';
import { hasFinalPoliticalDecision, lastStepOf } from './proposal';

/** No command on a proposal after ProposalWithdrawn (DOMAIN.md, Proposals). */
export function assertNotWithdrawn(proposal: ProposalRecord): void {
  if (proposal.status === 'withdrawn') {
    throw broken(
      'withdrawn-proposal-is-closed',
      `the proposal was withdrawn on ${proposal.withdrawnOn ?? '?'}; nothing more can be recorded on it`,
    );
  }
}

export function withdrawProposal(
  input: WithdrawProposalInput,
  proposal: ProposalRecord,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotWithdrawn(proposal);
  if (hasFinalPoliticalDecision(proposal)) {
    throw broken(
      'withdrawal-before-political-decision',
      'a political body has decided the proposal; it can no longer be withdrawn',
    );
  }
  assertNotBefore(input.withdrawnOn, [lastStepOf(proposal)], 'withdrawal-date-in-order', 'the withdrawal');
  assertNotInFuture(input.withdrawnOn, ctx.today, 'the withdrawal');
  return [{ type: 'ProposalWithdrawn', data: { withdrawnOn: input.withdrawnOn, reason: input.reason } }];
}
