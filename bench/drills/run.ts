/**
 * `npm run drill -- crash|tamper|fuzz [options]`: QUALITY.md's R1, R4 and R5 as scripts anyone can run against the
 * built code. Each prints what it does as it goes and a summary, writes its result into bench/results/latest.json
 * (as the benchmarks do, under drill-<name>), and exits 1 when its target is missed.
 *
 *   --rounds N     crash: kills (default 20); tamper: tamperings (default 1,000)
 *   --count N      tamper: tamperings; fuzz: generated command bodies (default 10,000; reads get a third as many)
 *   --commands N   crash: trial commands sent (default 3,000)
 *   --seed N       replay a run (printed in its summary)
 *   --data-dir D   work in D and keep the files (default: a temporary folder, removed afterwards)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { report, type BenchResult } from '../report';
import { DRILL_TOKENS, startBuiltServer } from './drillServer';
import { runFuzzDrill } from './fuzz';
import { runCrashDrill } from './serverCrash';
import { NO_TAMPER, runTamperings, TAMPER_KINDS, TamperBench } from './tampering';

type Options = Record<string, string | true>;
const log = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

function numberOption(options: Options, names: string[], fallback: number): number {
  for (const name of names) {
    const value = options[name];
    if (value === undefined) continue;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${name} must be a whole number ≥ 1, not "${String(value)}"`);
    return n;
  }
  return fallback;
}

/** Where a drill works: --data-dir (kept, must be empty or new) or a temporary folder (removed). */
function workDir(options: Options, name: string): { dir: string; done: () => void } {
  const given = options['data-dir'];
  if (typeof given === 'string') {
    const dir = path.resolve(given);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (fs.readdirSync(dir).length > 0)
      throw new Error(`--data-dir ${dir} is not empty: a drill starts from nothing`);
    return { dir, done: () => log(`files kept in ${dir}`) };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ledger-drill-${name}-`));
  return { dir, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The target's size as a check of its own: a smaller run (--rounds, --count) is a try-out, not the target met. */
function sizeCheck(target: string, measured: number, wanted: number): BenchResult['checks'][number] {
  return { target, measured: measured.toLocaleString('en-US'), ok: measured >= wanted };
}

function printFailures(failures: readonly string[]): void {
  if (failures.length === 0) return;
  console.log(`\n${failures.length} check(s) failed:`);
  for (const f of failures) console.log(`  - ${f}`);
}

async function crash(options: Options): Promise<BenchResult> {
  const rounds = numberOption(options, ['rounds'], 20);
  const commands = numberOption(options, ['commands'], 3000);
  const seed = numberOption(options, ['seed'], Date.now() % 1_000_000);
  const work = workDir(options, 'crash');
  log(
    `R1 crash drill: ${rounds} × kill -9 of the built server under load, seed ${seed}, data in ${work.dir}`,
  );
  try {
    const r = await runCrashDrill({
      dataDir: work.dir,
      rounds,
      seed,
      commands,
      tokens: DRILL_TOKENS,
      start: startBuiltServer,
      log,
    });
    printFailures(r.failures);
    return {
      name: 'drill-crash',
      command: `npm run drill -- crash --rounds ${rounds} --commands ${commands} --seed ${seed}`,
      rows: [
        { what: 'kills (SIGKILL) under load', value: r.rounds, unit: '' },
        { what: 'acknowledged commands', value: r.acknowledged, unit: '' },
        { what: 'resent after a lost answer (same Idempotency-Key)', value: r.resent, unit: '' },
        { what: 'failed checks', value: r.failures.length, unit: '' },
        { what: 'duration', value: r.seconds, unit: 's' },
      ],
      checks: [
        {
          target:
            'R1: after each kill, every acknowledged command present exactly once, verify ok, views equal a rebuild',
          measured:
            r.failures.length === 0
              ? `${r.rounds} kills, all checks held`
              : `${r.failures.length} checks failed`,
          ok: r.failures.length === 0 && r.rounds === rounds,
        },
        sizeCheck('R1: 20 kills', r.rounds, 20),
      ],
    };
  } finally {
    work.done();
  }
}

async function tamper(options: Options): Promise<BenchResult> {
  const runs = numberOption(options, ['count', 'rounds'], 1000);
  const seed = numberOption(options, ['seed'], 20261127);
  const work = workDir(options, 'tamper');
  log(`R4 tamper drill: ${runs} random tamperings of the event rows, seed ${seed}, files in ${work.dir}`);
  try {
    log('building a ledger of 300 sealed events with its audit log (a checkpoint every 50) ...');
    const bench = await TamperBench.create(work.dir, { events: 300, checkpointEvery: 50 });
    const untouched = await bench.tamperAndVerify(NO_TAMPER);
    log(`the untouched copy verifies: ${untouched.ok} (${untouched.treeSize} events)`);
    let lastLog = Date.now();
    const r = await runTamperings(bench, {
      runs,
      seed,
      onProgress: (done, caught) => {
        if (Date.now() - lastLog < 5000 && done < runs) return;
        lastLog = Date.now();
        log(`  ${done}/${runs} tamperings, ${caught} caught at the position tampered with`);
      },
    });
    printFailures(r.failures);
    const caught = runs - r.failures.length;
    const kinds = TAMPER_KINDS.map((k) => `${k} ${r.byKind.get(k) ?? 0}`).join(', ');
    log(`kinds drawn: ${kinds}`);
    return {
      name: 'drill-tamper',
      command: `npm run drill -- tamper --count ${runs} --seed ${seed}`,
      rows: [
        {
          what: 'tamperings (change, delete, swap, insert, renumber, truncate, forge)',
          value: runs,
          unit: '',
        },
        { what: 'caught at the first position tampered with', value: caught, unit: '', note: kinds },
        { what: 'caught', value: (100 * caught) / runs, unit: '%' },
        { what: 'duration', value: r.seconds, unit: 's' },
      ],
      checks: [
        { target: 'the untouched copy verifies ok', measured: String(untouched.ok), ok: untouched.ok },
        {
          target: 'R4: 100 % of random tamperings caught, the first bad position named',
          measured: `${caught} / ${runs}`,
          ok: caught === runs,
        },
        sizeCheck('R4: 1,000 tamperings', runs, 1000),
      ],
    };
  } finally {
    work.done();
  }
}

async function fuzz(options: Options): Promise<BenchResult> {
  const count = numberOption(options, ['count'], 10_000);
  const seed = numberOption(options, ['seed'], Date.now() % 1_000_000);
  const work = workDir(options, 'fuzz');
  log(
    `R5 fuzz drill: ${count} hostile command bodies and ${Math.ceil(count / 3)} hostile reads, seed ${seed}`,
  );
  try {
    const r = await runFuzzDrill({
      dataDir: work.dir,
      count,
      seed,
      tokens: DRILL_TOKENS,
      start: startBuiltServer,
      log,
    });
    printFailures(r.failures);
    const fivexx = Object.entries(r.statuses)
      .filter(([status]) => Number(status) >= 500)
      .reduce((n, [, c]) => n + c, 0);
    return {
      name: 'drill-fuzz',
      command: `npm run drill -- fuzz --count ${count} --seed ${seed}`,
      rows: [
        {
          what: 'hostile or malformed requests',
          value: r.requests,
          unit: '',
          note: JSON.stringify(r.statuses),
        },
        { what: 'answers ≥ 500', value: fivexx, unit: '' },
        { what: 'accepted (a generated body that was a valid command)', value: r.accepted, unit: '' },
        { what: 'events after the run', value: r.eventsAfter, unit: '', note: `${r.eventsBefore} before` },
        {
          what: 'verify: tree size after the run',
          value: r.verifyAfter.treeSize ?? -1,
          unit: '',
          note:
            `ok ${r.verifyBefore.ok} → ${r.verifyAfter.ok}, size ${r.verifyBefore.treeSize} → ` +
            `${r.verifyAfter.treeSize}, root ${r.verifyBefore.rootHash} → ${r.verifyAfter.rootHash}`,
        },
        { what: 'failed checks', value: r.failures.length, unit: '' },
        { what: 'duration', value: r.seconds, unit: 's' },
      ],
      checks: [
        {
          target: 'R5: 0 answers ≥ 500, process alive, ledger unchanged by rejected requests',
          measured: `${r.requests} requests, ${fivexx} ≥ 500, ${r.failures.length} failed checks`,
          ok: r.failures.length === 0 && fivexx === 0,
        },
        sizeCheck('R5: ≥ 10,000 requests', r.requests, 10_000),
      ],
    };
  } finally {
    work.done();
  }
}

const drills: Record<string, (options: Options) => Promise<BenchResult>> = { crash, tamper, fuzz };

async function main(): Promise<void> {
  const { positionals, options } = parseArgs(process.argv.slice(2));
  const name = positionals[0];
  const drill = name === undefined ? undefined : drills[name];
  if (!drill || options.help) {
    console.error(
      'usage: npm run drill -- crash|tamper|fuzz [--rounds N] [--count N] [--seed N] [--data-dir D]',
    );
    process.exit(options.help ? 0 : 2);
  }
  const result = await drill(options);
  report(result);
  process.exitCode = result.checks.every((c) => c.ok) ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(`drill: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
