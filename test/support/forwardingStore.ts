/**
 * A store seen through the port's core alone: the seven required methods forwarded to another store, everything else
 * BaseEventStore's defaults. A test that must not lean on an adapter's own faster readers wraps it in this, and a test
 * double that changes one method extends it.
 */
import { BaseEventStore } from '../../src/store/baseEventStore';
import type { EventStore } from '../../src/store/eventStore';

export class ForwardingStore extends BaseEventStore {
  constructor(protected readonly store: EventStore) {
    super();
  }
  append(...args: Parameters<EventStore['append']>) {
    return this.store.append(...args);
  }
  readStream(...args: Parameters<EventStore['readStream']>) {
    return this.store.readStream(...args);
  }
  streamRevision(streamId: string) {
    return this.store.streamRevision(streamId);
  }
  readAll(...args: Parameters<EventStore['readAll']>) {
    return this.store.readAll(...args);
  }
  subscribe(...args: Parameters<EventStore['subscribe']>) {
    return this.store.subscribe(...args);
  }
  headPosition() {
    return this.store.headPosition();
  }
  close() {
    return this.store.close();
  }
}
