import type { CommandContext, Reference, References } from '../decider';
import { assertNew, existing, reference, unreachable } from '../decider';
import type { DomainEvent } from '../events';
import type { ProposalCommand } from './commands';
import { committeeDecisionReferences, recordCommitteeDecision } from './committeeDecision';
import { reportImplementation } from './implementation';
import type { ProposalState } from './proposal';
import { recordPoliticalDecision, referProposal } from './referral';
import { amendProposal, submitProposal, supportProposal } from './submission';
import { withdrawProposal } from './withdrawal';

export function references(command: ProposalCommand, state: ProposalState): Reference[] {
  switch (command.name) {
    case 'SubmitProposal': {
      const { committeeId, submittedBy, processId } = command.input;
      return [
        reference('committee', 'committee', committeeId),
        ...(submittedBy !== undefined ? [reference('submittedBy', 'person', submittedBy)] : []),
        ...(processId !== undefined ? [reference('process', 'process', processId)] : []),
      ];
    }
    case 'SupportProposal':
      return [reference('person', 'person', command.input.personId)];
    case 'RecordCommitteeDecision':
      // The committee comes from the proposal; an unknown proposal is a 404 before any reference matters.
      return state.status === 'absent' ? [] : committeeDecisionReferences(command.input, state);
    case 'ReferProposal':
      return [reference('body', 'political-body', command.input.toBodyId)];
    case 'AmendProposal':
    case 'WithdrawProposal':
    case 'RecordPoliticalDecision':
    case 'ReportImplementation':
      return [];
    default:
      return unreachable(command);
  }
}

export function decide(
  command: ProposalCommand,
  state: ProposalState,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  if (command.name === 'SubmitProposal') {
    assertNew(state, 'proposal', command.input.proposalId);
    return submitProposal(command.input, refs, ctx);
  }
  const proposal = existing(state, 'proposal', command.input.proposalId);
  switch (command.name) {
    case 'AmendProposal':
      return amendProposal(command.input, proposal, ctx);
    case 'SupportProposal':
      return supportProposal(command.input, proposal, refs, ctx);
    case 'WithdrawProposal':
      return withdrawProposal(command.input, proposal, ctx);
    case 'RecordCommitteeDecision':
      return recordCommitteeDecision(command.input, proposal, refs, ctx);
    case 'ReferProposal':
      return referProposal(command.input, proposal, refs, ctx);
    case 'RecordPoliticalDecision':
      return recordPoliticalDecision(command.input, proposal, ctx);
    case 'ReportImplementation':
      return reportImplementation(command.input, proposal, ctx);
    default:
      return unreachable(command);
  }
}
