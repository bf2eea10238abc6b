import type { CommandContext, Present, Reference, References } from '../decider';
import { assertNew, compact, existing, unreachable } from '../decider';
import { assertNotInFuture, assertYearNotInFuture } from '../dates';
import type { DomainEvent } from '../events';
import { broken } from '../rules';
import type { ErasePersonalDataInput, PersonCommand, RegisterPersonInput } from './commands';
import type { PersonState } from './person';

export function registerPerson(input: RegisterPersonInput, ctx: CommandContext): DomainEvent[] {
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

export function references(command: PersonCommand, _state: PersonState): Reference[] {
  switch (command.name) {
    case 'RegisterPerson':
    case 'ErasePersonalData':
      return [];
    default:
      return unreachable(command);
  }
}

export function decide(
  command: PersonCommand,
  state: PersonState,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  switch (command.name) {
    case 'RegisterPerson':
      assertNew(state, 'person', command.input.personId);
      return registerPerson(command.input, ctx);
    case 'ErasePersonalData':
      return erasePersonalData(command.input, existing(state, 'person', command.input.personId), ctx);
    default:
      return unreachable(command);
  }
}
