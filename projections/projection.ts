/**
 * What every view is: a pure reducer over the ledger's events, in global order. The runner owns the state, feeds it
 * the event types the view declares, snapshots it as JSON with a checkpoint, and answers "as of" reads from the
 * nearest snapshot. Query functions beside each reducer shape the API's answers from that state.
 */
import type { DomainEvent, EventType } from '../src/domain/events';
import type { ViewEvent } from '../src/store/eventStore';

/**
 * What a view sees of a stored event (its position, stream, type and business data), with `type` and `data` typed
 * together: switching on `type` narrows `data`.
 */
export type LedgerEvent = Omit<ViewEvent, 'type' | 'data'> & DomainEvent;
export type LedgerEventOf<T extends EventType> = Extract<LedgerEvent, { type: T }>;

export type ProjectionName =
  'proposalStatus' | 'influence' | 'participation' | 'committee' | 'traceIndex' | 'votes' | 'directory';

export interface Projection<S> {
  name: ProjectionName;
  /** Bump when the state shape or logic changes (the runner rebuilds). */
  version: number;
  /** The types it reads; others are never passed in (and ignored when they are). */
  eventTypes: readonly EventType[];
  initialState(): S;
  /**
   * Deterministic, no I/O, no clock. Updates the state it is given and returns it (the runner owns the only copy;
   * copying per event would make a 1M-event rebuild too slow). The state stays plain JSON.
   */
  apply(state: S, event: LedgerEvent): S;
  /**
   * Optional, for views whose state records the global position of every fact it holds: the state as it stood at
   * `position`, cut from a state that has folded at least that far (without changing it). Such a view answers
   * "as of" reads without historical snapshots, so the runner keeps none for it.
   */
  asOfFromCurrent?(state: S, position: number): S;
}

export { idInStream } from '../src/domain/events';

/** How many of the ascending `positions` are ≤ `position` (binary search). */
export function countUpTo(positions: readonly number[], position: number): number {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((positions[mid] as number) <= position) low = mid + 1;
    else high = mid;
  }
  return low;
}
