/**
 * What every view is: a pure reducer over the ledger's events, in global order. The runner owns the state, feeds it
 * the event types the view declares, snapshots it as JSON with a checkpoint, and answers "as of" reads from the
 * nearest snapshot. Query functions beside each reducer shape the API's answers from that state.
 */
import type { DomainEvent, EventType, StreamCategory } from '../src/domain/events';
import type { RecordedEvent } from '../src/store/eventStore';

/** A stored event whose `type` and `data` are typed together: switching on `type` narrows `data`. */
export type LedgerEvent = Omit<RecordedEvent, 'type' | 'data'> & DomainEvent;
export type LedgerEventOf<T extends EventType> = Extract<LedgerEvent, { type: T }>;

export type ProjectionName =
  'proposalStatus' | 'influence' | 'participation' | 'committee' | 'traceIndex' | 'votes';

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
}

/**
 * The entity id of a stream `<category>-<id>`. Events such as `BallotCast` or `ProposalSupported` name their vote or
 * proposal only through the stream. No UUID check: the store only holds stream ids it built itself.
 */
export function idInStream(streamId: string, category: StreamCategory): string {
  return streamId.slice(category.length + 1);
}
