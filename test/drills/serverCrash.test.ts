/**
 * R1, the crash drill (bench/drills/serverCrash.ts, which `npm run drill -- crash` runs too): the simulated trial
 * is sent to the built server process over HTTP, 16 commands in flight, with Idempotency-Keys and resends, and
 * the server is killed with SIGKILL DRILL_ROUNDS times (default 20) at random moments. After each restart every
 * acknowledged command is where its answer said, `GET /audit/verify` is ok and the views equal a full rebuild; at
 * the end each stream holds exactly what the pure deciders produce. Replay a run with DRILL_SEED=<seed>.
 */
import { runCrashDrill } from '../../bench/drills/serverCrash';
import { TOKENS } from '../support/ledgerApp';
import { startServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const ROUNDS = Number(process.env.DRILL_ROUNDS ?? 20);
const SEED = Number(process.env.DRILL_SEED ?? Date.now() % 1_000_000);

describe('R1: kill -9 under concurrent command load', () => {
  test(`${ROUNDS} crashes: acknowledged commands present exactly once, verify ok, views equal a rebuild`, async () => {
    const temp = makeTempDir('ledger-r1-');
    try {
      const result = await runCrashDrill({
        dataDir: temp.dir,
        rounds: ROUNDS,
        seed: SEED,
        commands: 3_000,
        tokens: TOKENS,
        // Through the installed bin, as the other process tests start the server.
        start: (env) => startServerProcess(env, 30_000),
      });
      expect({ seed: SEED, failures: result.failures }).toEqual({ seed: SEED, failures: [] });
      expect(result.rounds).toBe(ROUNDS);
      expect(result.acknowledged).toBeGreaterThan(0);
      console.info(
        `[R1] ${result.rounds} kills, ${result.acknowledged} acknowledged commands, ${result.resent} resent, ` +
          `seed ${SEED}`,
      );
    } finally {
      temp.cleanup();
    }
  }, 600_000);
});
