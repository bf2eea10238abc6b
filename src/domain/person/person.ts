/**
 * A person taking part. The domain keeps no personal data in state: only whether the person exists and whether their
 * personal data has been erased (crypto-shredded).
 */
import type { DomainEvent } from '../events';

export type PersonState =
  | { aggregate: 'person'; status: 'absent' }
  | { aggregate: 'person'; status: 'registered'; personId: string; erasedOn?: string };

export const initialState: PersonState = { aggregate: 'person', status: 'absent' };

export function evolve(state: PersonState, event: DomainEvent): PersonState {
  switch (event.type) {
    case 'PersonRegistered':
      return { aggregate: 'person', status: 'registered', personId: event.data.personId };
    case 'PersonalDataErased':
      return state.status === 'registered' ? { ...state, erasedOn: event.data.erasedOn } : state;
    default:
      return state;
  }
}
