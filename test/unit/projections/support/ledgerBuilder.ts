/** Builds LedgerEvent envelopes the way the store would: dense global positions, per-stream revisions. */
import type { DomainEvent, StreamCategory } from '../../../../src/domain/events';
import { businessDateOf, streamIdOf } from '../../../../src/domain/events';
import type { LedgerEvent, Projection } from '../../../../projections/projection';

/** A valid, readable UUID (version 4 layout) for test entity number `n`. */
export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export class LedgerBuilder {
  readonly events: LedgerEvent[] = [];
  private readonly revisions = new Map<string, number>();

  /** Appends to `<category>-<id>` and returns the event's global position. */
  append(category: StreamCategory, id: string, event: DomainEvent): number {
    const streamId = streamIdOf(category, id);
    const streamRevision = (this.revisions.get(streamId) ?? -1) + 1;
    this.revisions.set(streamId, streamRevision);
    const globalPosition = this.events.length;
    const envelope = {
      eventId: uuid(0x100000000 + globalPosition),
      schemaVersion: 1,
      streamId,
      streamRevision,
      globalPosition,
      // Trial data is entered after the fact: recorded in 2023, one second apart.
      recordedAt: new Date(Date.UTC(2023, 0, 2) + globalPosition * 1000).toISOString(),
      occurredAt: businessDateOf(event) || '2020-01-01',
      actor: { principal: 'test-clerk', role: 'clerk' },
      correlationId: uuid(0x200000000 + globalPosition),
      causationId: null,
    };
    this.events.push({ ...envelope, ...event });
    return globalPosition;
  }

  get lastPosition(): number {
    return this.events.length - 1;
  }
}

/** What the runner does: fold the events, in order, into one state. */
export function fold<S>(
  projection: Projection<S>,
  events: readonly LedgerEvent[],
  state: S = projection.initialState(),
): S {
  let s = state;
  for (const event of events) s = projection.apply(s, event);
  return s;
}

/** A snapshot as the runner stores it. */
export function throughJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
