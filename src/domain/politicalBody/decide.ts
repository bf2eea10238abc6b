/**
 * The decide functions of a political body's commands, one per command (each declared in commands.ts): from the input, the
 * record (for a command on one that exists) and the loaded references to the events to append, or a named domain
 * error when a rule is broken.
 */
import type { DomainEvent } from '../events';
import type { RegisterPoliticalBodyInput } from './inputs';

export function registerPoliticalBody(input: RegisterPoliticalBodyInput): DomainEvent[] {
  return [{ type: 'PoliticalBodyRegistered', data: input }];
}
