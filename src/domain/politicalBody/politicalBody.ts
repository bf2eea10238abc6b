/** An elected body or the administration that takes referrals: council, executive committee, standing committee … */
import type { DomainEvent, EventData } from '../events';

export type PoliticalBodyKind = EventData<'PoliticalBodyRegistered'>['kind'];

export type PoliticalBodyState =
  | { aggregate: 'politicalBody'; status: 'absent' }
  | {
      aggregate: 'politicalBody';
      status: 'registered';
      bodyId: string;
      name: string;
      kind: PoliticalBodyKind;
      seats?: number;
    };

export const initialState: PoliticalBodyState = { aggregate: 'politicalBody', status: 'absent' };

export function evolve(state: PoliticalBodyState, event: DomainEvent): PoliticalBodyState {
  if (event.type !== 'PoliticalBodyRegistered') return state;
  return { aggregate: 'politicalBody', status: 'registered', ...event.data };
}
