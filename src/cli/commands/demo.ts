/** `ledger demo`: load a simulated 2020–2022 participation trial into the data directory, then serve it. */
import { loadConfig } from '../../config';
import { openLedger, type Ledger } from '../../ledger';
import { LedgerBusyError, LedgerLock } from '../../ledgerLock';
import { createLogger } from '../../logger';
import { serveUntilStopped } from '../serveUntilStopped';
import { loadTrial, type LoadReport } from '../../simulation/loadTrial';
import { EVENTS_PER_SCALE, generateTrial } from '../../simulation/trial';
import type { ParsedArgs } from '../args';
import { progress } from '../progress';

const DEFAULT_SEED = 2020;

interface DemoOptions {
  seed: number;
  scale: number;
  concurrency: number;
  serve: boolean;
  forceNonEmpty: boolean;
}

export const demoCommand = {
  summary: 'load a simulated 2020–2022 participation trial, then serve it',
  usage: `ledger demo [--seed N] [--scale K] [--no-serve] [--force-nonempty] [--concurrency N] [--port N] [--host H]

Generates a simulated participation trial shaped like Asker kommune's 2020–2022 trial: the citizen squares, three
local community committees and two task committees with their members, budgets and meetings, the political bodies,
and some 700 proposals taking every path through the rules (votes, committee decisions, referrals, political
decisions, implementation), with citizens' initiatives. Every person is invented: names end in "(simulert)",
addresses are at example.org. The trial is loaded through the same command handlers the API uses, into the
configured data directory (LEDGER_DATA_DIR), and then served as \`ledger serve\` does.

  --seed N           which trial (default ${DEFAULT_SEED}); the same seed gives the same trial
  --scale K          multiplies the proposals, people, meetings and votes (default 1: about ${EVENTS_PER_SCALE.toLocaleString('en')}
                     events; 100: about a million). The committees and bodies stay Asker's.
  --no-serve         load, report and exit
  --force-nonempty   load even though the ledger already holds events (with a --seed not loaded before)
  --concurrency N    commands in flight while loading (default 16)
  --port, --host     as for \`ledger serve\`

Exit code: 0 when loaded (and, serving, on SIGTERM or SIGINT), 1 when commands were rejected or another ledger
process uses the data directory, 2 on bad usage, bad configuration, or a ledger that is not empty.`,

  options: ['seed', 'scale', 'no-serve', 'force-nonempty', 'concurrency', 'port', 'host'],
  async run(args: ParsedArgs): Promise<number> {
    const options = demoOptions(args);
    if (typeof options === 'string') {
      process.stderr.write(`ledger demo: ${options}\n`);
      return 2;
    }
    const env = { ...process.env };
    if (typeof args.options.port === 'string') env.PORT = args.options.port;
    if (typeof args.options.host === 'string') env.HOST = args.options.host;
    const config = loadConfig(env);
    const logger = createLogger(config.logLevel);
    // While loading, log lines go to stderr: stdout carries the report.
    const loadLogger = createLogger(config.logLevel, process.stderr);
    let lock: LedgerLock;
    try {
      lock = LedgerLock.acquire(config.dataDir, 'ledger demo');
    } catch (error) {
      if (!(error instanceof LedgerBusyError)) throw error;
      process.stderr.write(
        `ledger demo: ${error.message}: stop it first, or point LEDGER_DATA_DIR elsewhere\n`,
      );
      return 1;
    }
    let report: LoadReport;
    const ledger = openLedger(config, loadLogger);
    try {
      const refusal = await refusalToLoad(ledger, options);
      if (refusal) {
        process.stderr.write(`ledger demo: ${refusal}\n`);
        return 2;
      }
      report = await load(ledger, options);
    } finally {
      await ledger.close();
      lock.release(); // serving takes it again
    }
    process.stdout.write(summary(report, options, config.dataDir));
    if (report.rejected > 0) return 1;
    return options.serve ? serveUntilStopped(config, logger) : 0;
  },
};

function demoOptions(args: ParsedArgs): DemoOptions | string {
  const seed = wholeNumber(args.options.seed, DEFAULT_SEED, 0);
  const scale = wholeNumber(args.options.scale, 1, 1);
  const concurrency = wholeNumber(args.options.concurrency, 16, 1);
  if (seed === undefined) return '--seed takes a whole number';
  if (scale === undefined) return '--scale takes a whole number ≥ 1';
  if (concurrency === undefined) return '--concurrency takes a whole number ≥ 1';
  return {
    seed,
    scale,
    concurrency,
    serve: args.options['no-serve'] === undefined,
    forceNonEmpty: args.options['force-nonempty'] !== undefined,
  };
}

function wholeNumber(value: string | true | undefined, fallback: number, min: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[0-9]{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min ? n : undefined;
}

/** A trial goes into an empty ledger; into a non-empty one only when asked, and never twice with the same seed. */
async function refusalToLoad(ledger: Ledger, options: DemoOptions): Promise<string | undefined> {
  const events = (await ledger.store.headPosition()) + 1;
  if (events === 0) return undefined;
  const where = `the ledger in ${ledger.config.dataDir} already holds ${events.toLocaleString('en')} events`;
  if (!options.forceNonEmpty) {
    return `${where}. Point LEDGER_DATA_DIR at an empty directory, serve what is there with \`ledger serve\`, or add --force-nonempty to load another trial beside it.`;
  }
  const first = generateTrial({ seed: options.seed, limit: 1 }).next();
  if (!first.done && first.value.name === 'RegisterPoliticalBody') {
    const loaded = await ledger.store.streamRevision(`political-body-${first.value.input.bodyId}`);
    if (loaded >= 0) return `${where}, among them the trial of seed ${options.seed}: choose another --seed.`;
  }
  return undefined;
}

async function load(ledger: Ledger, options: DemoOptions): Promise<LoadReport> {
  const expected = EVENTS_PER_SCALE * options.scale;
  const bar = progress('demo', { unit: 'events' });
  const trial = generateTrial({
    seed: options.seed,
    scale: options.scale,
    citizenInitiativeThreshold: ledger.config.citizenInitiativeThreshold,
  });
  const report = await loadTrial(ledger, trial, {
    concurrency: options.concurrency,
    progressIntervalMs: 100,
    // The total is an estimate until the trial has been generated to its end.
    onProgress: (p) => bar.update(p.events, Math.max(expected, p.events)),
  });
  bar.update(report.events, report.events);
  bar.finish();
  return report;
}

function summary(report: LoadReport, options: DemoOptions, dataDir: string): string {
  const lines = [
    `Loaded the simulated trial (seed ${options.seed}, scale ${options.scale}) into ${dataDir}:`,
    `  ${report.events.toLocaleString('en')} events from ${report.commands.toLocaleString('en')} commands in ` +
      `${report.seconds.toFixed(1)} s (${Math.round(report.eventsPerSecond).toLocaleString('en')} events/s)`,
  ];
  if (report.rejected > 0) {
    lines.push(`  ${report.rejected.toLocaleString('en')} commands were REJECTED; the first:`);
    for (const error of report.errors) lines.push(`    #${error.index} ${error.name}: ${error.message}`);
  }
  return `${lines.join('\n')}\n`;
}
