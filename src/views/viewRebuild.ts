/**
 * A rebuild of some views from the whole log, as its steps: catch up (fold the log into fresh copies up to where
 * the live views stand, handing snapshots to the writer on the way), stage (hand the fresh states to the writer and
 * wait until it has written them). The runner swaps the copies in (ProjectionRunner.rebuildViews) once a catch-up
 * finds nothing more to read or write; readers see the old views until then, never a half-built one.
 */
import type { EventStore, ViewEvent } from '../store/eventStore';
import type { StateWriter } from './stateWriter';

/** A fresh copy of one view, folded from the start of the log into a new generation of the read model. */
export interface FreshView {
  /** The view's projection (a RunnableProjection of projectionRunner.ts, as far as a rebuild needs it). */
  projection: {
    name: string;
    version: number;
    apply(state: unknown, event: never): unknown;
    asOfFromCurrent?: unknown;
  };
  types: ReadonlySet<string>;
  state: unknown;
  /** Events of the view's own types folded since its last snapshot. */
  applied: number;
  generation: number;
}

export interface RebuildOptions {
  store: EventStore;
  writer: StateWriter;
  views: FreshView[];
  /** Only these event types are read (when only some views are rebuilt); all when undefined. */
  types: readonly string[] | undefined;
  /** Where the live views stand now: the position a catch-up must reach. */
  target: () => number;
  /** Events of a view's own types between its snapshots. */
  snapshotEvery: number;
  /** After each page, with the last position folded. */
  onPage: (position: number) => void;
}

type Apply = (state: unknown, event: ViewEvent) => unknown;

/** A rebuild lets the event loop turn this often (ms), between pages and between serialising two states. */
const TURN_EVERY_MS = 20;

export class ViewRebuild {
  /** The last position folded into every fresh copy (−1: none yet). */
  position = -1;
  /** Events read. */
  events = 0;
  /** The position the staged states reflect: what the read model stores for them at the swap. */
  stagedAt = -1;
  private lastTurn = Date.now();

  constructor(private readonly options: RebuildOptions) {}

  /** True when the fresh copies have folded everything the live views have. Synchronous: see rebuildViews. */
  caughtUp(): boolean {
    return this.position >= this.options.target();
  }

  /**
   * Folds the log from where the copies stand up to the live views' position, again while the live views move on.
   * True when it handed snapshots to the writer (which a flush must then confirm before the swap).
   */
  async catchUp(): Promise<boolean> {
    const { store, writer, views, types, target, snapshotEvery, onPage } = this.options;
    let wrote = false;
    do {
      const readTo = target();
      for await (const page of store.readViewBatches(this.position + 1, { toPosition: readTo, types })) {
        for (const event of page) {
          for (const view of views) {
            if (!view.types.has(event.type)) continue;
            view.state = (view.projection.apply as Apply)(view.state, event);
            view.applied++;
          }
        }
        this.position = (page[page.length - 1] as ViewEvent).globalPosition;
        this.events += page.length;
        for (const view of views) {
          if (view.projection.asOfFromCurrent || view.applied < snapshotEvery) continue;
          const { name, version } = view.projection;
          writer.snapshot(name, view.generation, version, this.position, view.state);
          view.applied = 0;
          wrote = true;
          await this.turn();
        }
        onPage(this.position);
        await writer.drain();
        await this.turn();
      }
      // Read through `readTo`: with a type filter the last events read may lie before it, but none of the types
      // read lies between them and it.
      this.position = Math.max(this.position, readTo);
    } while (!this.caughtUp());
    return wrote;
  }

  /** Hands every fresh state to the writer and waits until it and every snapshot before it are written. */
  async stage(): Promise<void> {
    const { writer, views } = this.options;
    // Live events arriving during these turns go to the old views; the fresh states stand still.
    for (const view of views) {
      writer.state(view.projection.name, view.generation, view.state);
      await this.turn();
    }
    this.stagedAt = this.position;
    await writer.flush();
  }

  /**
   * Reading the log (synchronous in the SQLite adapter) and serialising hold this thread: without a turn of the
   * event loop now and then, a rebuild of a large ledger would hold every HTTP request (and the live views) for its
   * whole duration.
   */
  private async turn(): Promise<void> {
    if (Date.now() - this.lastTurn < TURN_EVERY_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastTurn = Date.now();
  }
}
