/**
 * The rebuild's swap can raise the views' position past what the live subscription has delivered (the rebuild reads
 * the log to its head; the subscription may lag, e.g. behind appends of another process it has not polled yet).
 * A reader waiting for such a position (`minPosition`) must be released by the swap, not only by a later event.
 */
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import { openLedger, type Ledger } from '../../../src/ledger';
import { createLogger } from '../../../src/logger';
import { generateTrial } from '../../../src/simulation/trial';
import { loadTrial } from '../../../src/simulation/loadTrial';
import type { EventStore, Subscription, SubscriptionMessage } from '../../../src/store/eventStore';
import { ProjectionRunner } from '../../../src/views/projectionRunner';
import { ReadModelDb } from '../../../src/views/readModelDb';
import { allProjections } from '../../../projections';
import { ForwardingStore } from '../../support/forwardingStore';
import { makeTempDir } from '../../support/tempDir';

/** The ledger's store, whose subscriptions deliver the log only up to `deliverTo` and then fall silent. */
class LaggingStore extends ForwardingStore {
  constructor(
    store: EventStore,
    private readonly deliverTo: number,
  ) {
    super(store);
  }
  override readViewBatches(...args: Parameters<EventStore['readViewBatches']>) {
    return this.store.readViewBatches(...args);
  }
  override close() {
    return Promise.resolve();
  }
  override subscribe(
    fromPosition: number,
    handler: (message: SubscriptionMessage) => void | Promise<void>,
  ): Subscription {
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const done = (async () => {
      for await (const event of this.store.readAll(fromPosition, { toPosition: this.deliverTo })) {
        await handler({ kind: 'event', event });
      }
      await handler({ kind: 'caughtUp', position: this.deliverTo });
      await stopped;
    })();
    return {
      done,
      close: async () => {
        stop();
        await done;
      },
    };
  }
}

describe('a rebuild that swaps views in past the live position', () => {
  const temp = makeTempDir('ledger-rebuild-');
  let ledger: Ledger;
  let head: number;
  beforeAll(async () => {
    ledger = openLedger(
      loadConfig({ LEDGER_DATA_DIR: temp.dir, LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    const report = await loadTrial({ commands: ledger.commands }, generateTrial({ seed: 5, limit: 80 }));
    expect(report.rejected).toBe(0);
    head = await ledger.store.headPosition();
    expect(head).toBeGreaterThan(20);
  }, 60_000);
  afterAll(async () => {
    await ledger.close();
    temp.cleanup();
  });

  test('releases a reader waiting for a position only the swap reached', async () => {
    const lagging = new LaggingStore(ledger.store, 10);
    const readModel = new ReadModelDb(path.join(temp.dir, 'lagging-read-model.sqlite'));
    const runner = new ProjectionRunner({
      store: lagging,
      readModel,
      projections: [...allProjections],
      logger: createLogger('silent'),
    });
    try {
      await runner.start();
      expect(await runner.waitFor(10, 10_000)).toBe(true);
      expect(runner.checkpoint()).toBe(10);
      const waiting = runner.waitFor(head, 30_000);
      await runner.rebuildViews();
      expect(runner.checkpoint()).toBe(head);
      // Settled by the swap itself: the race's other side settles only after the current turn.
      const outcome = await Promise.race([
        waiting,
        new Promise<string>((resolve) => setImmediate(() => resolve('still waiting'))),
      ]);
      expect(outcome).toBe(true);
    } finally {
      await runner.stop();
      readModel.close();
    }
  }, 60_000);
});
