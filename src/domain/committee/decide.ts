/**
 * The decide functions of a committee's commands, one per command (each declared in commands.ts): from the input, the
 * record (for a command on one that exists) and the loaded references to the events to append, or a named domain
 * error when a rule is broken.
 */
import type { CommandContext, References } from '../decider';
import { referenced } from '../decider';
import { assertNotBefore, assertNotInFuture, assertYearNotInFuture, yearOf } from '../dates';
import type { DomainEvent } from '../events';
import { broken } from '../rules';
import type { CommitteeRecord } from './committee';
import { activeMembership, lastMembership } from './committee';
import type {
  AllocateBudgetInput,
  AppointMemberInput,
  DissolveCommitteeInput,
  EstablishCommitteeInput,
  RecordMemberLeftInput,
} from './inputs';

export function establishCommittee(
  input: EstablishCommitteeInput,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  if (input.arenaId !== undefined) referenced(refs, 'arena', 'arena');
  if (input.establishedBy !== undefined) referenced(refs, 'establishedBy', 'politicalBody');
  const { from, to } = input.period;
  if (from > to) {
    throw broken(
      'committee-period-in-order',
      `the committee's period starts (${from}) after it ends (${to})`,
    );
  }
  // The period's end is a plan and may lie ahead; its start is when the committee came to be.
  assertNotInFuture(from, ctx.today, "the start of the committee's period");
  return [{ type: 'CommitteeEstablished', data: input }];
}

export function appointMember(
  input: AppointMemberInput,
  committee: CommitteeRecord,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotDissolved(committee);
  referenced(refs, 'person', 'person');
  const { committeeId: _committeeId, ...appointment } = input;
  const { personId, appointedOn } = appointment;
  const active = activeMembership(committee, personId);
  if (active) {
    throw broken(
      'member-appointed-once',
      `person ${personId} is already an active member of the committee, appointed on ${active.appointedOn}`,
    );
  }
  // Before the period check: a committee's period may end years ahead, and a future appointment is refused as such.
  assertNotInFuture(appointedOn, ctx.today, 'the appointment');
  const { from, to } = committee.period;
  if (appointedOn < from || appointedOn > to) {
    throw broken(
      'appointment-within-committee-period',
      `the appointment (${appointedOn}) falls outside the committee's period ${from} – ${to}`,
    );
  }
  const leftOn = lastMembership(committee, personId)?.leftOn;
  assertNotBefore(
    appointedOn,
    [leftOn !== undefined ? { date: leftOn, what: 'the day the person left the committee' } : undefined],
    'appointment-after-leaving',
    'the new appointment',
  );
  return [{ type: 'MemberAppointed', data: appointment }];
}

export function recordMemberLeft(
  input: RecordMemberLeftInput,
  committee: CommitteeRecord,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotDissolved(committee);
  const { committeeId: _committeeId, ...departure } = input;
  const membership = activeMembership(committee, departure.personId);
  if (!membership) {
    throw broken('member-is-active', `person ${departure.personId} is not an active member of the committee`);
  }
  assertNotBefore(
    departure.leftOn,
    [{ date: membership.appointedOn, what: 'the appointment' }],
    'left-after-appointed',
    'leaving the committee',
  );
  assertNotInFuture(departure.leftOn, ctx.today, 'leaving the committee');
  return [{ type: 'MemberLeft', data: departure }];
}

export function allocateBudget(
  input: AllocateBudgetInput,
  committee: CommitteeRecord,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotDissolved(committee);
  // A budget is adopted before its year starts, so the coming year is allowed; years beyond it are not.
  assertYearNotInFuture(input.year, ctx.today, 'the budget year', 1);
  const { from, to } = committee.period;
  if (input.year < yearOf(from) || input.year > yearOf(to)) {
    throw broken(
      'budget-year-within-period',
      `budget for ${input.year} falls outside the committee's period ${from} – ${to}`,
    );
  }
  return [{ type: 'BudgetAllocated', data: { year: input.year, amountNok: input.amountNok } }];
}

export function dissolveCommittee(
  input: DissolveCommitteeInput,
  committee: CommitteeRecord,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotDissolved(committee);
  assertNotBefore(
    input.dissolvedOn,
    [{ date: committee.period.from, what: "the start of the committee's period" }],
    'dissolution-after-establishment',
    'the dissolution',
  );
  // A dissolution dated ahead would close the committee to everything from now on.
  assertNotInFuture(input.dissolvedOn, ctx.today, 'the dissolution');
  return [{ type: 'CommitteeDissolved', data: { dissolvedOn: input.dissolvedOn, reason: input.reason } }];
}

function assertNotDissolved(committee: CommitteeRecord): void {
  if (committee.status === 'dissolved') {
    throw broken('committee-dissolved', `the committee was dissolved on ${committee.dissolvedOn ?? '?'}`);
  }
}
