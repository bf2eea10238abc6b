/**
 * The decide functions of a person's commands, one per command (each declared in commands.ts): from the input, the
 * record (for a command on one that exists) and the loaded references to the events to append, or a named domain
 * error when a rule is broken.
 */
import type { CommandContext, Present, References } from '../decider';
import { compact } from '../decider';
import { assertNotInFuture, assertYearNotInFuture } from '../dates';
import type { DomainEvent } from '../events';
import { broken } from '../rules';
import type { ErasePersonalDataInput, RegisterPersonInput } from './inputs';
import type { PersonState } from './person';

export function registerPerson(
  input: RegisterPersonInput,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  const { personId, name, email, phone, birthYear, area } = input;
  if (birthYear !== undefined) assertYearNotInFuture(birthYear, ctx.today, 'the birth year');
  return [
    {
      type: 'PersonRegistered',
      data: compact({ personId, personal: compact({ name, email, phone }), birthYear, area }),
    },
  ];
}

export function erasePersonalData(
  input: ErasePersonalDataInput,
  person: Present<PersonState>,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  if (person.erasedOn !== undefined) {
    throw broken(
      'personal-data-erased-once',
      `the personal data of person ${person.personId} was already erased on ${person.erasedOn}`,
    );
  }
  assertNotInFuture(input.erasedOn, ctx.today, 'the erasure');
  return [{ type: 'PersonalDataErased', data: { erasedOn: input.erasedOn, reason: input.reason } }];
}
