/**
 * R6: for random valid command sequences from the trial simulator, the views maintained incrementally (live,
 * through snapshots and restarts) equal the views rebuilt from scratch, and the view as of position p equals the
 * view built from the events ≤ p only.
 */
import path from 'node:path';
import fc from 'fast-check';
import { createProjections, projectionList, type LedgerEvent } from '../../projections';
import { loadConfig } from '../../src/config';
import { openLedger } from '../../src/ledger';
import { createLogger } from '../../src/logger';
import { generateTrial } from '../../src/simulation/trial';
import { loadTrial } from '../../src/simulation/loadTrial';
import type { EventStore } from '../../src/store/eventStore';
import { ProjectionRunner } from '../../src/views/projectionRunner';
import { ReadModelDb } from '../../src/views/readModelDb';
import { makeTempDir } from '../support/tempDir';

const THRESHOLD = 20;
const projections = projectionList(createProjections({ citizenInitiativeThreshold: THRESHOLD }));

/** Every view folded from scratch over the events ≤ upTo. */
async function foldFromScratch(store: EventStore, upTo: number): Promise<Record<string, string>> {
  const states = projections.map((p) => ({
    p,
    types: new Set<string>(p.eventTypes),
    state: p.initialState(),
  }));
  if (upTo >= 0) {
    for await (const e of store.readAll(0, { toPosition: upTo })) {
      for (const s of states)
        if (s.types.has(e.type)) s.state = s.p.apply(s.state, e as unknown as LedgerEvent);
    }
  }
  return Object.fromEntries(states.map((s) => [s.p.name, JSON.stringify(s.state)]));
}

/** A ledger in a temporary folder, and runners over one read-model file (a new runner is a restart). */
function viewsLedger(snapshotEvery: number) {
  const temp = makeTempDir('ledger-r6-');
  const config = loadConfig({
    LEDGER_DATA_DIR: temp.dir,
    LOG_LEVEL: 'silent',
    LEDGER_CITIZEN_INITIATIVE_THRESHOLD: String(THRESHOLD),
  });
  const ledger = openLedger(config, createLogger('silent'));
  const readModelFile = path.join(temp.dir, 'r6-read-model.sqlite');
  const dbs: ReadModelDb[] = [];
  const open = (): ProjectionRunner => {
    const readModel = new ReadModelDb(readModelFile);
    dbs.push(readModel);
    return new ProjectionRunner({
      store: ledger.store,
      readModel,
      projections: [...projections],
      logger: createLogger('silent'),
      snapshotEvery,
      saveEveryMs: 5,
    });
  };
  const close = async (): Promise<void> => {
    for (const db of dbs) db.close();
    await ledger.close();
    temp.cleanup();
  };
  return { ledger, open, close };
}

/** A bound on waiting for the views, not a speed: the full suite shares two cores with server processes. */
const CATCH_UP_MS = 60_000;

describe('R6: incremental views equal views rebuilt from scratch', () => {
  test('for random trial prefixes, live views, snapshots and as-of reads all agree with a fresh fold', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 40, max: 700 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        async (seed, limit, cuts) => {
          const { ledger, open, close } = viewsLedger(37);
          let runner = open();
          try {
            await runner.start();
            const half = Math.floor(limit / 2);
            const commands = [
              ...generateTrial({ seed, scale: 1, citizenInitiativeThreshold: THRESHOLD, limit }),
            ];
            const first = await loadTrial({ commands: ledger.commands }, commands.slice(0, half));
            expect(first.rejected).toBe(0);
            // A restart in the middle: the second half is applied on top of the saved state.
            await runner.waitFor(await ledger.store.headPosition(), CATCH_UP_MS);
            await runner.stop();
            runner = open();
            await runner.start();
            const second = await loadTrial({ commands: ledger.commands }, commands.slice(half));
            expect(second.rejected).toBe(0);
            const head = await ledger.store.headPosition();
            expect(await runner.waitFor(head, CATCH_UP_MS)).toBe(true);

            const scratch = await foldFromScratch(ledger.store, head);
            for (const p of projections)
              expect(JSON.stringify(runner.current(p.name).state)).toBe(scratch[p.name]);

            // A rebuild replaces state and snapshots; reads afterwards (live and as of) must not change.
            await runner.rebuildViews();
            for (const p of projections)
              expect(JSON.stringify(runner.current(p.name).state)).toBe(scratch[p.name]);

            for (const cut of cuts) {
              const at = Math.floor(cut * head);
              const expected = await foldFromScratch(ledger.store, at);
              for (const p of projections) {
                const asOf = await runner.asOf(p.name, at);
                expect(asOf.position).toBe(at);
                expect(JSON.stringify(asOf.state)).toBe(expected[p.name]);
              }
            }
          } finally {
            await runner.stop();
            await close();
          }
        },
      ),
      { numRuns: 6 },
    );
  }, 300_000);

  test('a rebuild while commands keep arriving swaps in views equal to a fresh fold, and what it stored restarts right', async () => {
    const { ledger, open, close } = viewsLedger(50);
    let runner = open();
    try {
      await runner.start();
      const commands = [
        ...generateTrial({ seed: 7, scale: 1, citizenInitiativeThreshold: THRESHOLD, limit: 1_200 }),
      ];
      expect((await loadTrial({ commands: ledger.commands }, commands.slice(0, 600))).rejected).toBe(0);
      await runner.waitFor(await ledger.store.headPosition(), CATCH_UP_MS);
      // The rebuild and the second half of the trial run at the same time.
      const [rebuilt, loaded] = await Promise.all([
        runner.rebuildViews(),
        loadTrial({ commands: ledger.commands }, commands.slice(600)),
      ]);
      expect(loaded.rejected).toBe(0);
      expect(rebuilt.events).toBeGreaterThan(0);
      const head = await ledger.store.headPosition();
      expect(await runner.waitFor(head, CATCH_UP_MS)).toBe(true);
      const scratch = await foldFromScratch(ledger.store, head);
      for (const p of projections) expect(JSON.stringify(runner.current(p.name).state)).toBe(scratch[p.name]);
      for (const at of [Math.floor(head / 3), Math.floor((2 * head) / 3)]) {
        const expected = await foldFromScratch(ledger.store, at);
        for (const p of projections)
          expect(JSON.stringify((await runner.asOf(p.name, at)).state)).toBe(expected[p.name]);
      }
      // Whatever the rebuild stored (state and checkpoint) must restart into the same views.
      await runner.stop();
      runner = open();
      await runner.start();
      expect(await runner.waitFor(head, CATCH_UP_MS)).toBe(true);
      for (const p of projections) expect(JSON.stringify(runner.current(p.name).state)).toBe(scratch[p.name]);
    } finally {
      await runner.stop();
      await close();
    }
  }, 120_000);
});
