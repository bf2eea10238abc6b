import type { Reference } from '../decider';
import { assertNew, unreachable } from '../decider';
import type { DomainEvent } from '../events';
import type { PoliticalBodyCommand, RegisterPoliticalBodyInput } from './commands';
import type { PoliticalBodyState } from './politicalBody';

export function registerPoliticalBody(input: RegisterPoliticalBodyInput): DomainEvent[] {
  return [{ type: 'PoliticalBodyRegistered', data: input }];
}

export function references(command: PoliticalBodyCommand, _state: PoliticalBodyState): Reference[] {
  switch (command.name) {
    case 'RegisterPoliticalBody':
      return [];
    default:
      return unreachable(command.name);
  }
}

export function decide(command: PoliticalBodyCommand, state: PoliticalBodyState): DomainEvent[] {
  switch (command.name) {
    case 'RegisterPoliticalBody':
      assertNew(state, 'political-body', command.input.bodyId);
      return registerPoliticalBody(command.input);
    default:
      return unreachable(command.name);
  }
}
