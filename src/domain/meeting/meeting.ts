/** A meeting held: a committee meeting, a public meeting (folkemøte) or a workshop. */
import type { DomainEvent } from '../events';

export type MeetingState =
  | { aggregate: 'meeting'; status: 'absent' }
  | { aggregate: 'meeting'; status: 'held'; meetingId: string; committeeId?: string; heldOn: string };

export const initialState: MeetingState = { aggregate: 'meeting', status: 'absent' };

export function evolve(state: MeetingState, event: DomainEvent): MeetingState {
  if (event.type !== 'MeetingHeld') return state;
  const { meetingId, committeeId, heldOn } = event.data;
  return {
    aggregate: 'meeting',
    status: 'held',
    meetingId,
    heldOn,
    ...(committeeId !== undefined && { committeeId }),
  };
}
