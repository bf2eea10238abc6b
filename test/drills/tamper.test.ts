/**
 * R4, the tampering drill (bench/drills/tampering.ts, which `npm run drill -- tamper` runs too): a ledger of a few
 * hundred events with its audit log and checkpoints, then 1,000 random tamperings, each on a fresh copy of the
 * files, done the way an attacker with file access would. Every one must be caught, at the position tampered with.
 *
 * Replay a run with TAMPER_SEED=<seed> (printed on failure).
 */
import { NO_TAMPER, runTamperings, TAMPER_KINDS, TamperBench } from '../../bench/drills/tampering';
import { makeTempDir } from '../support/tempDir';

const RUNS = 1000;
const EVENTS = 300;
const SEED = Number(process.env.TAMPER_SEED ?? 20261127);

describe('R4: tampering with the event rows of the SQLite file', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let bench: TamperBench;

  beforeAll(async () => {
    temp = makeTempDir('ledger-tamper-');
    bench = await TamperBench.create(temp.dir, { events: EVENTS, checkpointEvery: 50 });
    expect(bench.goldenFilesStoodAlone).toBe(true);
    expect(bench.rows).toHaveLength(EVENTS);
  });
  afterAll(() => temp.cleanup());

  it('given the untouched copy, then verify is ok (the drill starts from a good ledger)', async () => {
    const result = await bench.tamperAndVerify(NO_TAMPER);
    expect(result).toMatchObject({ ok: true, treeSize: EVENTS, problems: [] });
  });

  it(`given ${RUNS} random tamperings, then every one is caught and the first bad position is the one tampered with`, async () => {
    const { failures, byKind } = await runTamperings(bench, { runs: RUNS, seed: SEED });
    expect(failures.map((f) => f.replace(/^seed /, 'TAMPER_SEED='))).toEqual([]);
    // Every kind of tampering was exercised, enough times to mean something.
    expect([...byKind.keys()].sort()).toEqual([...TAMPER_KINDS]);
    for (const count of byKind.values()) expect(count).toBeGreaterThanOrEqual(30);
  }, 300_000);
});
