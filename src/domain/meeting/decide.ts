import type { CommandContext, Reference, References } from '../decider';
import { assertNew, reference, referenced, unreachable } from '../decider';
import { assertNotBefore, assertNotInFuture } from '../dates';
import type { DomainEvent } from '../events';
import { broken } from '../rules';
import type { MeetingCommand, RecordMeetingInput } from './commands';
import type { MeetingState } from './meeting';

const proposalKey = (proposalId: string): string => `proposal:${proposalId}`;
const attendeeKey = (personId: string): string => `person:${personId}`;

export function recordMeeting(
  input: RecordMeetingInput,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  if (input.committeeId !== undefined) referenced(refs, 'committee', 'committee');
  if (input.arenaId !== undefined) referenced(refs, 'arena', 'arena');
  const attendees = new Set(input.attendeePersonIds ?? []);
  for (const personId of attendees) referenced(refs, attendeeKey(personId), 'person');
  if (input.attendeeCount < attendees.size) {
    throw broken(
      'attendees-counted',
      `attendeeCount (${input.attendeeCount}) is less than the ${attendees.size} attendees named`,
    );
  }
  for (const proposalId of input.agendaProposalIds) {
    const proposal = referenced(refs, proposalKey(proposalId), 'proposal');
    assertNotBefore(
      input.heldOn,
      [{ date: proposal.submittedOn, what: `the submission of proposal ${proposalId} on its agenda` }],
      'meeting-after-agenda-submission',
      'the meeting',
    );
  }
  assertNotInFuture(input.heldOn, ctx.today, 'the meeting');
  return [{ type: 'MeetingHeld', data: input }];
}

export function references(command: MeetingCommand, _state: MeetingState): Reference[] {
  switch (command.name) {
    case 'RecordMeeting': {
      const { committeeId, arenaId, agendaProposalIds, attendeePersonIds } = command.input;
      return [
        ...(committeeId !== undefined ? [reference('committee', 'committee', committeeId)] : []),
        ...(arenaId !== undefined ? [reference('arena', 'arena', arenaId)] : []),
        ...unique(agendaProposalIds).map((id) => reference(proposalKey(id), 'proposal', id)),
        ...unique(attendeePersonIds ?? []).map((id) => reference(attendeeKey(id), 'person', id)),
      ];
    }
    default:
      return unreachable(command.name);
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

export function decide(
  command: MeetingCommand,
  state: MeetingState,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  switch (command.name) {
    case 'RecordMeeting':
      assertNew(state, 'meeting', command.input.meetingId);
      return recordMeeting(command.input, refs, ctx);
    default:
      return unreachable(command.name);
  }
}
