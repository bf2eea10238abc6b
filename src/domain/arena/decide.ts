import type { DomainEvent } from '../events';
import type { RegisterArenaInput } from './inputs';

export function registerArena(input: RegisterArenaInput): DomainEvent[] {
  return [{ type: 'ArenaRegistered', data: input }];
}
