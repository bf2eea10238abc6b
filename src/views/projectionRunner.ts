/**
 * Feeds the projections (pure reducers in projections/) from the event store, keeps their state in memory,
 * persists each view's state together with its checkpoint, keeps periodic snapshots for "as of" reads, and rebuilds
 * a view into a fresh copy that is swapped in atomically.
 */
import type { Logger } from '../logger';
import type { EventStore, Subscription, ViewEvent } from '../store/eventStore';
import type { ReadModelDb } from './readModelDb';
import { StateWriter } from './stateWriter';
import { ViewRebuild, type FreshView } from './viewRebuild';

/** The shape of a projection as the runner sees it (projections/projection.ts gives the typed version). */
export interface RunnableProjection {
  name: string;
  version: number;
  eventTypes: readonly string[];
  initialState(): unknown;
  apply(state: unknown, event: never): unknown;
  asOfFromCurrent?(state: never, position: number): unknown;
}

/** A view named by its projection, whose initial state gives the state's type. */
export interface TypedView<S> {
  name: string;
  initialState(): S;
}

export type ViewStatus = 'catching_up' | 'live' | 'rebuilding';

interface Slot {
  projection: RunnableProjection;
  types: ReadonlySet<string>;
  state: unknown;
  /** Global position of the last event applied (−1 when none). */
  position: number;
  savedPosition: number;
  /** Events of the view's own types applied since its last historical snapshot (counted from start-up). */
  appliedSinceSnapshot: number;
  status: ViewStatus;
  rebuilding: boolean;
}

export interface ViewReport {
  name: string;
  version: number;
  checkpoint: number;
  head: number;
  lag: number;
  state: ViewStatus;
}

export interface RunnerOptions {
  store: EventStore;
  readModel: ReadModelDb;
  projections: RunnableProjection[];
  logger: Logger;
  /**
   * Events of a view's own types between its historical snapshots: the most an "as of" read replays (up to twice
   * that just after a restart, which starts counting afresh). Views that cut "as of" states from their current one
   * keep no snapshots.
   */
  snapshotEvery?: number;
  /** How often the current state is written (ms), when it changed. */
  saveEveryMs?: number;
}

type Apply = (state: unknown, event: ViewEvent) => unknown;

type Cut = (state: unknown, position: number) => unknown;
/** Folded "as of" states kept for the next read at the same position (reads of single records ask repeatedly). */
const AS_OF_CACHE_STATES = 4;

export class ProjectionRunner {
  private readonly slots = new Map<string, Slot>();
  private subscription: Subscription | undefined;
  private head = -1;
  private caughtUp = false;
  private waiters: Array<{ position: number; resolve: () => void }> = [];
  private saveTimer: NodeJS.Timeout | undefined;
  /** No state is written again sooner than this (ms since the epoch): see `saveAll`. */
  private nextSaveAt = 0;
  private readonly snapshotEvery: number;
  private readonly saveEveryMs: number;
  private readonly asOfCache = new Map<string, { position: number; state: unknown }>();

  constructor(private readonly options: RunnerOptions) {
    this.snapshotEvery = options.snapshotEvery ?? 100_000;
    this.saveEveryMs = options.saveEveryMs ?? 1_000;
    for (const projection of options.projections) {
      const stored = options.readModel.loadCurrent(projection.name);
      const fresh = !stored || stored.version !== projection.version;
      if (fresh && stored) {
        options.logger.info(
          { view: projection.name, from: stored.version, to: projection.version },
          'projection version changed: rebuilding the view',
        );
        options.readModel.dropView(projection.name);
      }
      const position = fresh ? -1 : stored.position;
      this.slots.set(projection.name, {
        projection,
        types: new Set(projection.eventTypes),
        state: fresh ? projection.initialState() : stored.state,
        position,
        savedPosition: position,
        appliedSinceSnapshot: 0,
        status: 'catching_up',
        rebuilding: false,
      });
    }
  }

  get names(): string[] {
    return [...this.slots.keys()];
  }

  async start(): Promise<void> {
    this.head = await this.options.store.headPosition();
    const from = Math.min(...[...this.slots.values()].map((s) => s.position)) + 1;
    this.subscription = this.options.store.subscribe(from, (message) => {
      if (message.kind === 'caughtUp') {
        this.caughtUp = true;
        for (const slot of this.slots.values()) if (slot.status === 'catching_up') slot.status = 'live';
        this.saveAll();
        return;
      }
      this.applyLive(message.event);
    });
    this.subscription.done.catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'projection subscription stopped');
    });
    this.saveTimer = setInterval(() => this.saveAll(false), this.saveEveryMs);
    this.saveTimer.unref();
  }

  private applyLive(event: ViewEvent): void {
    if (event.globalPosition > this.head) this.head = event.globalPosition;
    for (const slot of this.slots.values()) {
      if (event.globalPosition <= slot.position) continue;
      slot.position = event.globalPosition;
      if (!slot.types.has(event.type)) continue;
      slot.state = (slot.projection.apply as Apply)(slot.state, event);
      if (++slot.appliedSinceSnapshot >= this.snapshotEvery && !slot.projection.asOfFromCurrent) {
        // A snapshot only shortens later as-of reads: one that cannot be written now (the read model busy with a
        // rebuild's writer past its timeout) is tried again at the next event, and must not stop the live views.
        try {
          this.options.readModel.saveSnapshot(
            slot.projection.name,
            slot.projection.version,
            slot.position,
            slot.state,
          );
          slot.appliedSinceSnapshot = 0;
        } catch (error) {
          this.options.logger.warn(
            { err: error, view: slot.projection.name, position: slot.position },
            'view snapshot not written; tried again at the next event',
          );
        }
      }
    }
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const reached = this.checkpoint();
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.position <= reached) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** The lowest checkpoint over all views: every view reflects at least this position. */
  checkpoint(): number {
    return Math.min(...[...this.slots.values()].map((s) => s.position));
  }

  /** Resolves true once every view has applied `position`, or false after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.checkpoint() >= position) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.waiters.push(waiter);
    });
  }

  isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /**
   * The live state of a view and the position it reflects. Given the projection object, the state is typed by it;
   * given a name (an admin route's parameter, a test), the caller says the type.
   */
  current<S>(view: string | TypedView<S>): { position: number; state: S } {
    const name = typeof view === 'string' ? view : view.name;
    const slot = this.slot(name);
    return { position: slot.position, state: slot.state as S };
  }

  /**
   * The view as the ledger stood at `position`: cut from the current state when the view can do that, otherwise
   * the nearest snapshot at or before it plus the view's own events after it up to `position`. Never a replay of the
   * whole log, unless the view has seen fewer events than one snapshot interval.
   */
  async asOf<S>(view: string | TypedView<S>, position: number): Promise<{ position: number; state: S }> {
    const name = typeof view === 'string' ? view : view.name;
    const slot = this.slot(name);
    const target = Math.min(position, await this.options.store.headPosition());
    if (target >= slot.position) {
      if (target > slot.position) await this.waitFor(target, 5_000);
      return this.current<S>(name);
    }
    if (target < 0) return { position: -1, state: slot.projection.initialState() as S };
    const cut = slot.projection.asOfFromCurrent as Cut | undefined;
    if (cut) return { position: target, state: cut(slot.state, target) as S };
    const key = `${name}@${slot.projection.version}@${target}`;
    const cached = this.asOfCache.get(key);
    if (cached) return { position: cached.position, state: cached.state as S };
    const snapshot = this.options.readModel.nearestSnapshot(name, slot.projection.version, target);
    let state = snapshot ? snapshot.state : slot.projection.initialState();
    const from = snapshot ? snapshot.position + 1 : 0;
    const apply = slot.projection.apply as Apply;
    for await (const page of this.options.store.readViewBatches(from, {
      toPosition: target,
      types: [...slot.types],
    })) {
      for (const event of page) if (slot.types.has(event.type)) state = apply(state, event);
    }
    this.asOfCache.set(key, { position: target, state });
    // Few: at 1M events one state of the largest view takes ~75 MB of heap.
    if (this.asOfCache.size > AS_OF_CACHE_STATES)
      this.asOfCache.delete(this.asOfCache.keys().next().value as string);
    return { position: target, state: state as S };
  }

  /** Rebuilds one view; see `rebuildViews`. */
  rebuild(
    name: string,
    onProgress?: (position: number, head: number) => void,
  ): Promise<{ events: number; seconds: number }> {
    return this.rebuildViews([name], onProgress);
  }

  /**
   * Rebuilds views from the whole log in one pass into fresh copies (viewRebuild.ts: catch up, stage), then swaps
   * each in (state, checkpoint and snapshots in one transaction): readers see the old view until the new one has
   * caught up, never a half-built one. The fresh copies are written into a new generation of the read model by a
   * worker thread (StateWriter) while this thread folds on.
   */
  async rebuildViews(
    names: string[] = this.names,
    onProgress?: (position: number, head: number) => void,
  ): Promise<{ events: number; seconds: number }> {
    const slots = names.map((name) => this.slot(name));
    const busy = slots.find((s) => s.rebuilding);
    if (busy) throw new Error(`view ${busy.projection.name} is already being rebuilt`);
    const started = process.hrtime.bigint();
    const views = slots.map((slot) => ({
      slot,
      projection: slot.projection,
      types: slot.types,
      state: slot.projection.initialState(),
      applied: 0,
      generation: 0,
    }));
    for (const view of views) {
      view.slot.rebuilding = true;
      view.slot.status = 'rebuilding';
      view.generation = this.options.readModel.beginRebuild(view.projection.name);
    }
    const writer = new StateWriter(this.options.readModel.file);
    try {
      // The live views keep moving meanwhile: the copies catch up to where they stand, then swap at once.
      const headAtStart = await this.options.store.headPosition();
      const rebuild = new ViewRebuild({
        store: this.options.store,
        writer,
        views,
        // Rebuilding only some views reads only their event types.
        types: slots.length < this.slots.size ? [...new Set(slots.flatMap((s) => [...s.types]))] : undefined,
        target: () => Math.max(headAtStart, ...slots.map((s) => s.position)),
        snapshotEvery: this.snapshotEvery,
        onPage: (position) => {
          if (position > this.head) this.head = position;
          onProgress?.(position, this.head);
        },
      });
      await rebuild.catchUp();
      await rebuild.stage();
      // Catch up with what came in while staging, until a catch-up leaves nothing to write. Between that last check
      // and the swap nothing awaits, so no live event can slip in between.
      for (;;) {
        if (await rebuild.catchUp()) await writer.flush();
        else if (rebuild.caughtUp()) break;
      }
      for (const view of views) this.swapIn(view.slot, view, rebuild);
      this.releaseWaiters();
      onProgress?.(rebuild.position, this.head);
      return { events: rebuild.events, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
    } finally {
      await writer.close();
      for (const slot of slots) {
        slot.rebuilding = false;
        slot.status = this.caughtUp ? 'live' : 'catching_up';
      }
    }
  }

  /**
   * The rebuilt copy becomes the view. Its position can pass the live one's (the rebuild read to the head the
   * subscription has not delivered yet), which is why the caller releases the waiters afterwards.
   */
  private swapIn(slot: Slot, view: FreshView, rebuild: ViewRebuild): void {
    const { name, version } = slot.projection;
    this.options.readModel.swapIn(name, version, view.generation, rebuild.stagedAt);
    slot.state = view.state;
    slot.position = Math.max(rebuild.position, slot.position);
    slot.appliedSinceSnapshot = view.applied;
    // What is stored is the state as of `stagedAt`; the next save writes the rest.
    slot.savedPosition = rebuild.stagedAt;
    for (const key of [...this.asOfCache.keys()]) if (key.startsWith(`${name}@`)) this.asOfCache.delete(key);
  }

  report(): ViewReport[] {
    return [...this.slots.values()].map((s) => ({
      name: s.projection.name,
      version: s.projection.version,
      checkpoint: s.position,
      head: this.head,
      lag: Math.max(0, this.head - s.position),
      state: s.status,
    }));
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) throw new Error(`no view named ${name}`);
    return slot;
  }

  /**
   * Writes each view whose state moved since it was last written (state and checkpoint in one row). Writing means
   * serialising the whole state, which takes a second for the largest view of a 1M-event ledger, so the timer's
   * saves are spaced at least 20 times as far apart as the last one took: at most ~5% of the time goes to saving,
   * and a crash only costs replaying from the last save. Stopping and catching up always save.
   */
  saveAll(force = true): void {
    const now = Date.now();
    if (!force && now < this.nextSaveAt) return;
    for (const slot of this.slots.values()) {
      if (slot.position === slot.savedPosition || slot.rebuilding) continue;
      this.options.readModel.saveCurrent(
        slot.projection.name,
        slot.projection.version,
        slot.position,
        slot.state,
      );
      slot.savedPosition = slot.position;
    }
    this.nextSaveAt = Date.now() + 20 * (Date.now() - now);
  }

  async stop(): Promise<void> {
    if (this.saveTimer) clearInterval(this.saveTimer);
    await this.subscription?.close();
    this.saveAll();
  }
}
