import type { CommandContext, References } from '../decider';
import { referenced } from '../decider';
import { assertNotBefore, assertNotInFuture } from '../dates';
import type { DomainEvent } from '../events';
import { broken } from '../rules';
import type { AmendProposalInput, SubmitProposalInput, SupportProposalInput } from './inputs';
import type { ProposalRecord } from './proposal';
import { assertNotWithdrawn } from './withdrawal';

export function submitProposal(
  input: SubmitProposalInput,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  const committee = referenced(refs, 'committee', 'committee');
  if (input.submittedBy !== undefined) referenced(refs, 'submittedBy', 'person');
  // Trial data is entered after the fact, so what matters is whether the committee existed on the day of submission.
  if (committee.dissolvedOn !== undefined && input.submittedOn > committee.dissolvedOn) {
    throw broken(
      'committee-dissolved',
      `the committee was dissolved on ${committee.dissolvedOn}, before the proposal was submitted (${input.submittedOn})`,
    );
  }
  if (input.processId !== undefined) {
    const process = referenced(refs, 'process', 'process');
    if (!process.committeeIds.includes(input.committeeId)) {
      throw broken(
        'process-includes-committee',
        `process ${process.processId} does not include committee ${input.committeeId}`,
      );
    }
  }
  assertNotInFuture(input.submittedOn, ctx.today, 'the submission');
  return [{ type: 'ProposalSubmitted', data: input }];
}

export function amendProposal(
  input: AmendProposalInput,
  proposal: ProposalRecord,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotWithdrawn(proposal);
  const first = proposal.committeeDecisions[0];
  if (first) {
    throw broken(
      'amendment-before-committee-decision',
      `the committee decided the proposal on ${first.decidedOn}; a proposal is amended only before its first committee decision`,
    );
  }
  if (input.title === undefined && input.description === undefined) {
    throw broken('amendment-changes-text', 'an amendment changes the title, the description or both');
  }
  assertNotBefore(
    input.amendedOn,
    [
      { date: proposal.submittedOn, what: 'the submission' },
      proposal.lastAmendedOn !== undefined
        ? { date: proposal.lastAmendedOn, what: 'the previous amendment' }
        : undefined,
    ],
    'amendment-date-in-order',
    'the amendment',
  );
  assertNotInFuture(input.amendedOn, ctx.today, 'the amendment');
  const { proposalId: _proposalId, ...amendment } = input;
  return [{ type: 'ProposalAmended', data: amendment }];
}

export function supportProposal(
  input: SupportProposalInput,
  proposal: ProposalRecord,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotWithdrawn(proposal);
  referenced(refs, 'person', 'person');
  const earlier = proposal.supports.find((s) => s.personId === input.personId);
  if (earlier) {
    throw broken(
      'one-support-per-person',
      `person ${input.personId} already supports this proposal (since ${earlier.supportedOn})`,
    );
  }
  assertNotBefore(
    input.supportedOn,
    [{ date: proposal.submittedOn, what: 'the submission' }],
    'support-after-submission',
    'the support',
  );
  assertNotInFuture(input.supportedOn, ctx.today, 'the support');
  return [{ type: 'ProposalSupported', data: { personId: input.personId, supportedOn: input.supportedOn } }];
}
