import type { Reference } from '../decider';
import { assertNew, unreachable } from '../decider';
import type { DomainEvent } from '../events';
import type { ArenaState } from './arena';
import type { ArenaCommand, RegisterArenaInput } from './commands';

export function registerArena(input: RegisterArenaInput): DomainEvent[] {
  return [{ type: 'ArenaRegistered', data: input }];
}

export function references(command: ArenaCommand, _state: ArenaState): Reference[] {
  switch (command.name) {
    case 'RegisterArena':
      return [];
    default:
      return unreachable(command.name);
  }
}

export function decide(command: ArenaCommand, state: ArenaState): DomainEvent[] {
  switch (command.name) {
    case 'RegisterArena':
      assertNew(state, 'arena', command.input.arenaId);
      return registerArena(command.input);
    default:
      return unreachable(command.name);
  }
}
