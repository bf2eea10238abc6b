/** A co-creation process (e.g. a thematic plan): knowledge base → co-creation → political processing → implementation. */
import type { DomainEvent, EventData } from '../events';

export type Phase = EventData<'ProcessPhaseStarted'>['phase'];

export type ProcessState =
  | { aggregate: 'process'; status: 'absent' }
  | {
      aggregate: 'process';
      status: 'running' | 'completed';
      processId: string;
      committeeIds: readonly string[];
      startedOn: string;
      phases: ReadonlyArray<{ phase: Phase; startedOn: string }>;
      completedOn?: string;
    };

export const initialState: ProcessState = { aggregate: 'process', status: 'absent' };

export function evolve(state: ProcessState, event: DomainEvent): ProcessState {
  if (event.type === 'ProcessStarted') {
    const { processId, committeeIds, startedOn } = event.data;
    return { aggregate: 'process', status: 'running', processId, committeeIds, startedOn, phases: [] };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'ProcessPhaseStarted':
      return { ...state, phases: [...state.phases, event.data] };
    case 'ProcessCompleted':
      return { ...state, status: 'completed', completedOn: event.data.completedOn };
    default:
      return state;
  }
}
