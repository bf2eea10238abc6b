/**
 * P10, the dashboard's first view: headless Chromium (Debian's, through playwright-core) from navigation to the
 * overview's charts drawn and their tables filled, on the demo trial (scale 1, ~10k events) and on the 1M-event
 * ledger (scale 100). Each run opens a fresh browser context (nothing cached); the first run also meets a server
 * that has not answered the question yet. The baseline, in the same run and browser, is navigation to the
 * server's /healthz: what any page of this server costs before the dashboard does anything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ensureLedger } from './fixture';
import { report, type BenchRow } from './report';

const RUNS = 7;
const ledgerCli = path.resolve(__dirname, '../src/cli/ledger.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function serve(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [ledgerCli, 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'warn',
      LEDGER_DATA_DIR: dir,
      LEDGER_RATE_LIMIT_ANONYMOUS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`ledger serve exited with ${code}:\n${output}`)));
  });
  return { url, child };
}

/** Waits until the views hold the whole ledger, so the runs time the dashboard, not the catch-up. */
async function caughtUp(url: string, events: number): Promise<void> {
  for (;;) {
    const answer = await fetch(`${url}/api/v1/influence?groupBy=all&asOf=${events - 1}`).then(
      (r) => (r.ok ? (r.json() as Promise<{ position: number }>) : null),
      () => null,
    );
    const now = await fetch(`${url}/readyz`).then(
      (r) => r.json() as Promise<{ checks?: { views?: Array<{ lag?: number }> } }>,
      () => null,
    );
    const lagging = (now?.checks?.views ?? []).some((v) => (v.lag ?? 0) > 0);
    if (answer && answer.position === events - 1 && !lagging) return;
    await sleep(200);
  }
}

async function firstView(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const started = process.hrtime.bigint();
  await page.goto(url);
  // Charts drawn: the funnel's canvas exists and its table holds the submitted count; the split chart likewise.
  await page.waitForSelector('[data-testid=funnel-table] td[data-value]', { timeout: 30_000 });
  await page.waitForSelector('canvas[data-chart=funnel]');
  await page.waitForSelector('[data-testid=split-table] tbody tr', { timeout: 30_000 });
  await page.waitForSelector('canvas[data-chart=split]');
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await context.close();
  return ms;
}

async function baseline(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const started = process.hrtime.bigint();
  await page.goto(`${url}/healthz`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await context.close();
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function demoLedger(): Promise<{ dir: string; events: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-dashboard-'));
  const child = spawn(process.execPath, [ledgerCli, 'demo', '--no-serve'], {
    env: { ...process.env, LOG_LEVEL: 'warn', LEDGER_DATA_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const m = /([\d,]+) events from/.exec(output);
  if (code !== 0 || !m?.[1]) throw new Error(`demo did not load:\n${output}`);
  return { dir, events: Number(m[1].replace(/,/g, '')) };
}

export async function benchDashboard(args: { scale?: number }): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const rows: BenchRow[] = [];
  const checks: Array<{ target: string; measured: string; ok: boolean }> = [];
  const ledgers: Array<{
    label: string;
    bound: number;
    open: () => Promise<{ dir: string; events: number }>;
    temporary: boolean;
  }> = [
    { label: 'demo trial', bound: 1000, open: demoLedger, temporary: true },
    {
      label: `trial × ${args.scale ?? 100}`,
      bound: 2000,
      open: () => ensureLedger(args.scale ?? 100),
      temporary: false,
    },
  ];
  try {
    for (const ledger of ledgers) {
      const { dir, events } = await ledger.open();
      const { url, child } = await serve(dir);
      try {
        await caughtUp(url, events);
        const views: number[] = [];
        const bare: number[] = [];
        for (let run = 0; run < RUNS; run++) {
          bare.push(await baseline(browser, url));
          views.push(await firstView(browser, url));
        }
        const label = `${ledger.label} (${events.toLocaleString('en')} events)`;
        rows.push(
          { what: `${label}: navigation to /healthz (baseline)`, value: median(bare), unit: 'ms' },
          { what: `${label}: first view, server's first answer`, value: views[0] as number, unit: 'ms' },
          {
            what: `${label}: first view, median of ${RUNS} cold browser contexts`,
            value: median(views),
            unit: 'ms',
            note: `runs ${views.map((v) => Math.round(v)).join(' / ')}`,
          },
        );
        const worst = Math.max(...views);
        checks.push({
          target: `P10 first view < ${ledger.bound} ms on the ${ledger.label}`,
          measured: `median ${Math.round(median(views))} ms, slowest ${Math.round(worst)} ms`,
          ok: median(views) < ledger.bound,
        });
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.on('exit', resolve));
        if (ledger.temporary) fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  report({ name: 'dashboard', command: 'npm run bench -- dashboard', rows, checks });
}
