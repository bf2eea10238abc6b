/**
 * P10, the dashboard's first view: headless Chromium (Debian's, through playwright-core) from navigation to the
 * overview's charts drawn and their tables filled, on the demo trial (scale 1, ~10k events) and on the 1M-event
 * ledger (scale 100). Each run opens a fresh browser context (nothing cached); the first run also meets a server
 * that has not answered the question yet. The baseline, in the same run and browser, is navigation to the
 * server's /healthz: what any page of this server costs before the dashboard does anything.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { median } from '../projections/statistics';
import { CHROMIUM_PATH, launchChromium } from './chromium';
import { ensureLedger } from './fixture';
import { serveLedger } from './ledgerServer';
import { report, type BenchRow } from './report';

const RUNS = 7;
const ledgerCli = path.resolve(__dirname, '../src/cli/ledger.js');

/** The median of runs there always are. */
const middle = (runs: number[]): number => median(runs) ?? Number.NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  if (!fs.existsSync(CHROMIUM_PATH))
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium`);
  const browser = await launchChromium();
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
      const server = await serveLedger({ LEDGER_DATA_DIR: dir, LEDGER_RATE_LIMIT_ANONYMOUS: '0' });
      const { url } = server;
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
          { what: `${label}: navigation to /healthz (baseline)`, value: middle(bare), unit: 'ms' },
          { what: `${label}: first view, server's first answer`, value: views[0] as number, unit: 'ms' },
          {
            what: `${label}: first view, median of ${RUNS} cold browser contexts`,
            value: middle(views),
            unit: 'ms',
            note: `runs ${views.map((v) => Math.round(v)).join(' / ')}`,
          },
        );
        const worst = Math.max(...views);
        checks.push({
          target: `P10 first view < ${ledger.bound} ms on the ${ledger.label}`,
          measured: `median ${Math.round(middle(views))} ms, slowest ${Math.round(worst)} ms`,
          ok: middle(views) < ledger.bound,
        });
      } finally {
        await server.stop();
        if (ledger.temporary) fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  report({ name: 'dashboard', command: 'npm run bench -- dashboard', rows, checks });
}
