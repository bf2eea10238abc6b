/** A citizen square (innbyggertorg): a place where committees and residents meet. */
import type { DomainEvent } from '../events';

export type ArenaState =
  | { aggregate: 'arena'; status: 'absent' }
  | { aggregate: 'arena'; status: 'registered'; arenaId: string; name: string; areas: readonly string[] };

export const initialState: ArenaState = { aggregate: 'arena', status: 'absent' };

export function evolve(state: ArenaState, event: DomainEvent): ArenaState {
  if (event.type !== 'ArenaRegistered') return state;
  const { arenaId, name, areas } = event.data;
  return { aggregate: 'arena', status: 'registered', arenaId, name, areas };
}
