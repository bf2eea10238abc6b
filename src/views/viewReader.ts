/**
 * The one way to read a view: `at(projection, point)` gives the view's state at the point asked (now, a position or
 * an instant: asOf.ts), the position it reflects and the business date its deadlines are judged at, with the state
 * typed by the projection. It owns the `minPosition` wait and the answer cache. It speaks of views, not of HTTP: the
 * two conditions a caller can meet are errors of their own (below), which the read routes answer as problems.
 */
import type { Projection } from '../../projections';
import type { EventStore } from '../store/eventStore';
import { AnswerCache } from './answerCache';
import { dateAtPosition, resolveAsOf, type AsOf } from './asOf';
import type { ProjectionRunner } from './projectionRunner';

/** The point a read asks for: `asOf` (absent: now), and a position the views must have reached first. */
export interface ReadPoint {
  asOf?: AsOf;
  minPosition?: number;
}

export interface ViewAt<S> {
  /** The global position of the last event the state reflects (−1: none). */
  position: number;
  /** The business date (YYYY-MM-DD, Oslo) deadlines are judged at. */
  date: string;
  state: S;
}

/** `minPosition` beyond the ledger's head: no write was ever answered with it, so waiting cannot help. */
export class PositionNotRecorded extends Error {
  override name = 'PositionNotRecorded';
  constructor(
    readonly minPosition: number,
    readonly headPosition: number,
  ) {
    super(
      `minPosition ${minPosition} is beyond the ledger's last position (${headPosition}): no write has been answered with it`,
    );
  }
}

/** The views have not taken in `minPosition` within the wait: a write they are still folding. */
export class ViewsBehind extends Error {
  override name = 'ViewsBehind';
  constructor(readonly minPosition: number) {
    super(`The views have not reached position ${minPosition} yet; try again shortly`);
  }
}

export interface ViewReaderOptions {
  runner: ProjectionRunner;
  store: EventStore;
  clock?: () => Date;
  /** How long a read with `minPosition` waits for the views (default 5 s). */
  minPositionWaitMs?: number;
}

export class ViewReader {
  private readonly clock: () => Date;
  private readonly minPositionWaitMs: number;
  /** Kept answers of the costly reads: see AnswerCache. */
  readonly answers = new AnswerCache();

  constructor(private readonly options: ViewReaderOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.minPositionWaitMs = options.minPositionWaitMs ?? 5_000;
  }

  /**
   * The view's state at `point`. Throws PositionNotRecorded or ViewsBehind for a `minPosition` that cannot be met;
   * any other failure is the store's or the runner's, a fault of the server.
   */
  async at<S>(projection: Projection<S>, point: ReadPoint = {}): Promise<ViewAt<S>> {
    const { runner, store } = this.options;
    if (point.minPosition !== undefined) {
      // A position the store does not hold yet was never acknowledged to anyone: waiting for it would only delay a
      // mistake. One it holds is a write the views are taking in: that is worth a short wait.
      const head = await store.headPosition();
      if (point.minPosition > head) throw new PositionNotRecorded(point.minPosition, head);
      if (!(await runner.waitFor(point.minPosition, this.minPositionWaitMs)))
        throw new ViewsBehind(point.minPosition);
    }
    const at = await resolveAsOf(store, point.asOf, this.clock());
    // The runner keys views by name; the projection's name and state type come together from projections/.
    if (at.position === undefined) return { ...runner.current(projection), date: at.date };
    const { position, state } = await runner.asOf(projection, at.position);
    // A position past the head answers at the head: the date is then the head's.
    const date = position === at.position ? at.date : ((await dateAtPosition(store, position)) ?? at.date);
    return { position, state, date };
  }
}
