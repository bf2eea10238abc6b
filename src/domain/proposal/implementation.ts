import type { CommandContext, References } from '../decider';
import { assertNotBefore, assertNotInFuture } from '../dates';
import type { DomainEvent } from '../events';
import { broken } from '../rules';
import type { ReportImplementationInput } from './inputs';
import type { ProposalRecord } from './proposal';
import { adoptionToImplement } from './proposal';
import { assertNotWithdrawn } from './withdrawal';

export function reportImplementation(
  input: ReportImplementationInput,
  proposal: ProposalRecord,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotWithdrawn(proposal);
  const adoption = adoptionToImplement(proposal);
  if (!adoption) {
    throw broken(
      'implementation-needs-adoption',
      'the proposal is not adopted, neither by a political body nor by the committee as its own decision: there is nothing to implement yet',
    );
  }
  if (input.status === 'completed' && input.progressPct !== 100) {
    throw broken(
      'completed-means-100',
      `a completed implementation has progress 100 %, not ${input.progressPct} %`,
    );
  }
  assertNotBefore(input.reportedOn, [adoption], 'implementation-date-in-order', 'the implementation report');
  assertNotInFuture(input.reportedOn, ctx.today, 'the implementation report');
  const { proposalId: _proposalId, ...report } = input;
  return [{ type: 'ImplementationReported', data: report }];
}
