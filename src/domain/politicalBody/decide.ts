import type { DomainEvent } from '../events';
import type { RegisterPoliticalBodyInput } from './inputs';

export function registerPoliticalBody(input: RegisterPoliticalBodyInput): DomainEvent[] {
  return [{ type: 'PoliticalBodyRegistered', data: input }];
}
