/**
 * Start-up: the built server (`node dist/src/cli/ledger.js serve`, what `npm start` runs after the build) from spawn
 * to its first 200 on /healthz, on a fresh data directory (the first start creates the files, the signing key and an
 * admin token) and on the same directory again (a restart), and from SIGTERM to a clean exit. The baseline, measured
 * in the same run, is a bare node:http server from spawn to its first answer: what any Node server pays to start.
 * Timings that tests used to assert ("starts within 10 s") live here instead.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { report } from './report';

const RUNS = 5;
const ledgerCli = path.resolve(__dirname, '../src/cli/ledger.js');
const bareServer = `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () {
  console.log('listening on http://127.0.0.1:' + this.address().port);
});`;

interface StartRun {
  /** Spawn → the "listening on <url>" line. */
  listeningMs: number;
  /** Spawn → the first 200 from /healthz. */
  healthyMs: number;
  /** SIGTERM → the process gone. */
  stopMs: number;
  exitCode: number | null;
}

const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startAndStop(args: string[], env: Record<string, string>): Promise<StartRun> {
  const spawned = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
  const listeningMs = msSince(spawned);
  for (;;) {
    const status = await fetch(`${url}/healthz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) break;
    await sleep(2);
  }
  const healthyMs = msSince(spawned);
  const stopping = process.hrtime.bigint();
  child.kill('SIGTERM');
  const exitCode = await exited;
  return { listeningMs, healthyMs, stopMs: msSince(stopping), exitCode };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const range = (values: number[]): string => `runs ${values.map((v) => Math.round(v)).join(' / ')}`;

export async function benchStart(): Promise<void> {
  if (!fs.existsSync(ledgerCli))
    throw new Error(`no built server at ${ledgerCli}: run it through npm run bench`);
  const bare: StartRun[] = [];
  const fresh: StartRun[] = [];
  const restart: StartRun[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Alternating, so that a busy moment of the shared machine hits every side alike.
    bare.push(await startAndStop(['-e', bareServer], {}));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-start-'));
    try {
      const serve = ['--enable-source-maps', ledgerCli, 'serve'];
      fresh.push(await startAndStop(serve, { LEDGER_DATA_DIR: dir }));
      restart.push(await startAndStop(serve, { LEDGER_DATA_DIR: dir }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  const healthy = (runs: StartRun[]): number[] => runs.map((r) => r.healthyMs);
  const ledgerRuns = [...fresh, ...restart];
  report({
    name: 'start',
    command: 'npm run bench -- start',
    rows: [
      {
        what: 'bare node:http server, spawn → first answer',
        value: median(healthy(bare)),
        unit: 'ms',
        note: range(healthy(bare)),
      },
      {
        what: 'ledger serve, fresh data dir, spawn → listening',
        value: median(fresh.map((r) => r.listeningMs)),
        unit: 'ms',
        note: range(fresh.map((r) => r.listeningMs)),
      },
      {
        what: 'ledger serve, fresh data dir, spawn → /healthz 200',
        value: median(healthy(fresh)),
        unit: 'ms',
        note: range(healthy(fresh)),
      },
      {
        what: 'ledger serve, restart, spawn → /healthz 200',
        value: median(healthy(restart)),
        unit: 'ms',
        note: range(healthy(restart)),
      },
      {
        what: 'ledger serve, SIGTERM → exit',
        value: median(ledgerRuns.map((r) => r.stopMs)),
        unit: 'ms',
        note: range(ledgerRuns.map((r) => r.stopMs)),
      },
      {
        what: 'ratio restart / bare server',
        value: median(healthy(restart)) / median(healthy(bare)),
        unit: '×',
      },
    ],
    checks: [
      {
        target: 'every start answered /healthz and exited 0 on SIGTERM',
        measured: `${ledgerRuns.filter((r) => r.exitCode === 0).length} of ${ledgerRuns.length}`,
        ok: ledgerRuns.every((r) => r.exitCode === 0),
      },
    ],
  });
}
