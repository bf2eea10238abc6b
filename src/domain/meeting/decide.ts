/**
 * The decide functions of a meeting's commands, one per command (each declared in commands.ts): from the input, the
 * record (for a command on one that exists) and the loaded references to the events to append, or a named domain
 * error when a rule is broken.
 */
import type { CommandContext, Reference, References } from '../decider';
import { reference, referenced } from '../decider';
import { assertNotBefore, assertNotInFuture } from '../dates';
import type { DomainEvent } from '../events';
import { broken } from '../rules';
import type { RecordMeetingInput } from './inputs';

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

/** The committee, arena, agenda proposals and attendees a meeting names, each loaded once. */
export function recordMeetingReferences(input: RecordMeetingInput): Reference[] {
  const { committeeId, arenaId, agendaProposalIds, attendeePersonIds } = input;
  return [
    ...(committeeId !== undefined ? [reference('committee', 'committee', committeeId)] : []),
    ...(arenaId !== undefined ? [reference('arena', 'arena', arenaId)] : []),
    ...unique(agendaProposalIds).map((id) => reference(proposalKey(id), 'proposal', id)),
    ...unique(attendeePersonIds ?? []).map((id) => reference(attendeeKey(id), 'person', id)),
  ];
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
