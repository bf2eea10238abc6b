/**
 * The decide functions of an arena's commands, one per command (each declared in commands.ts): from the input, the
 * record (for a command on one that exists) and the loaded references to the events to append, or a named domain
 * error when a rule is broken.
 */
import type { DomainEvent } from '../events';
import type { RegisterArenaInput } from './inputs';

export function registerArena(input: RegisterArenaInput): DomainEvent[] {
  return [{ type: 'ArenaRegistered', data: input }];
}
