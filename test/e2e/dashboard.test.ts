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
import { cosignatureLine, corruptedLine, makeWitness } from '../support/witnessFixtures';

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
// The API's answers are compared with what the page shows field by field; their shapes are API.md's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
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

/** A resident's proposal to the committee at `index` of the list, sent as a clerk through the API; its id. */
async function submitProposal(index: number, title: string, description: string): Promise<string> {
  const committee = (await api('/committees')).items[index];
  const res = await fetch(`${server.url}/api/v1/proposals`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKENS.clerk}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      committeeId: committee.committeeId,
      title,
      description,
      origin: 'resident',
      submittedOn: committee.period.from,
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
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
    // The asked point's table stays until the answer for now arrives: wait for the position it reflects.
    const now = await api('/influence?groupBy=all');
    await page.waitForFunction(
      (p) =>
        document.querySelector('[data-testid=reflected-position]')?.getAttribute('data-position') ===
        String(p),
      now.position,
    );
    expect(await funnelOnPage(page)).toEqual(funnelOf(now.groups[0]));
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a command sent through the API shows up on the open page without a reload', async () => {
    const { context, page, errors } = await openPage(browser());
    await page.goto(`${server.url}/`);
    const before = await funnelOnPage(page);
    await page.waitForSelector('[data-testid=live-status][data-state=live]');
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    await submitProposal(0, 'Benker langs turstien (nettlesertest)', 'Sendt inn mens dashbordet var åpent');
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

  test("the proposal list pages with the API's cursors and searches titles as the API does", async () => {
    const { context, page, errors } = await openPage(browser());
    const first = await api('/proposals?limit=25');
    await page.goto(`${server.url}/proposals`);
    await page.waitForSelector('[data-testid=proposals-table] tbody tr');
    const ids = () =>
      page.$$eval('[data-testid=proposals-table] tbody tr', (rows) =>
        rows.map((r) => (r as HTMLElement).dataset.proposal),
      );
    expect(await ids()).toEqual(first.items.map((p: { proposalId: string }) => p.proposalId));
    expect(await page.getAttribute('[data-testid=proposals-total]', 'data-value')).toBe(String(first.total));

    await page.click('a[rel=next]');
    await page.waitForFunction(
      (c) => new URL(location.href).searchParams.get('cursor') === c,
      first.nextCursor,
    );
    const second = await api(`/proposals?limit=25&cursor=${encodeURIComponent(first.nextCursor)}`);
    await page.waitForFunction(
      (id) =>
        document.querySelector('[data-testid=proposals-table] tbody tr')?.getAttribute('data-proposal') ===
        id,
      second.items[0].proposalId,
    );
    expect(await ids()).toEqual(second.items.map((p: { proposalId: string }) => p.proposalId));

    // A word from a title, in other case: the page's answer is the API's for q.
    const word = (first.items[3].title as string).split(/\s+/).find((w: string) => w.length > 4) as string;
    await page.fill('input[name=q]', word.toUpperCase());
    await page.press('input[name=q]', 'Enter');
    const found = await api(`/proposals?limit=25&q=${encodeURIComponent(word.toUpperCase())}`);
    await page.waitForFunction(
      (n) =>
        document.querySelector('[data-testid=proposals-total]')?.getAttribute('data-value') === String(n),
      found.total,
    );
    expect(found.total).toBeGreaterThan(0);
    expect(await ids()).toEqual(found.items.map((p: { proposalId: string }) => p.proposalId));
    await expectAccessible(page);
    await page.screenshot({ path: path.join(shotsDir, 'proposals.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  describe('a proposal page', () => {
    let proposalId: string;
    let checkpointKey: string;
    beforeAll(async () => {
      // A proposal that went the whole way: the longest path to show and to prove.
      proposalId = (await api('/proposals?stage=completed&limit=1')).items[0].proposalId;
      checkpointKey = (await api('/audit/checkpoint')).publicKey;
    });

    /** The proposal's page with an evaluator token, once the page's proof check has given its verdict. */
    async function checkedInPage(page: Page): Promise<void> {
      await page.goto(`${server.url}/proposals/${proposalId}`);
      await withToken(page);
      await page.waitForSelector('[data-testid=proof-result][data-state=done]', { timeout: 30_000 });
    }
    const verifiedAttribute = (page: Page) =>
      page.getAttribute('[data-testid=proof-result] [data-verified]', 'data-verified');

    async function withToken(page: Page): Promise<void> {
      await page.click('details.token-panel > summary');
      await page.fill('input[name=token]', TOKENS.evaluator);
      await page.press('input[name=token]', 'Enter');
    }

    test('shows the status and timeline the API gives, and with an evaluator token proves every event in the page', async () => {
      const { context, page, errors } = await openPage(browser());
      await page.goto(`${server.url}/proposals/${proposalId}`);
      const status = await api(`/proposals/${proposalId}`);
      await page.waitForSelector('[data-testid=proposal-status]');
      for (const field of ['stage', 'influence', 'supports', 'daysToPoliticalDecision'])
        expect(
          await page.getAttribute(`[data-testid=proposal-status] tr[data-field=${field}]`, 'data-value'),
        ).toBe(String(status[field] ?? ''));
      const timeline = await api(`/proposals/${proposalId}/timeline`);
      await page.waitForSelector('[data-testid=proposal-timeline] li');
      expect(
        await page.$$eval('[data-testid=proposal-timeline] li', (items) =>
          items.map((i) => Number((i as HTMLElement).dataset.position)),
        ),
      ).toEqual(timeline.entries.map((e: { globalPosition: number }) => e.globalPosition));
      await expectAccessible(page);

      await withToken(page);
      await page.waitForSelector('[data-testid=proof-result][data-state=done]', { timeout: 30_000 });
      const trace = await api(`/proposals/${proposalId}/trace`, TOKENS.evaluator);
      expect(await verifiedAttribute(page)).toBe('true');
      expect(await page.getAttribute('[data-testid=proof-result] [data-verified]', 'data-key-pinned')).toBe(
        'false',
      );
      const rows = await page.$$eval('[data-testid=proof-events] tbody tr', (trs) =>
        trs.map((r) => [Number((r as HTMLElement).dataset.position), (r as HTMLElement).dataset.ok]),
      );
      expect(rows).toEqual(trace.events.map((e: { globalPosition: number }) => [e.globalPosition, 'true']));
      // Every step of the path on the page is one the verified trace proves.
      expect(
        await page.$$eval('[data-testid=proposal-timeline] li', (items) =>
          items.map((i) => i.querySelector('[data-proof]')?.getAttribute('data-proof')),
        ),
      ).toEqual(timeline.entries.map(() => 'proven'));
      expect(await page.$('[data-testid=timeline-unproven]')).toBeNull();

      // Pinning the key the operator published makes it a pinned verification.
      await page.fill('input[name=pinnedKey]', checkpointKey);
      await page.click('[data-testid=proof-result] ~ * button, section.proof button[type=submit]');
      await page.waitForSelector('[data-testid=proof-result] [data-key-pinned=true][data-verified=true]');
      await page.screenshot({ path: path.join(shotsDir, 'proposal.png'), fullPage: true });
      await expectAccessible(page);
      expect(errors).toEqual([]);
      await context.close();
    });

    test('names the event whose leaf was altered by one byte on its way to the page', async () => {
      const { context, page } = await openPage(browser());
      let altered: number | undefined;
      await page.route('**/api/v1/proposals/*/trace', async (route) => {
        const response = await route.fetch();
        const trace = await response.json();
        const victim = trace.events[Math.floor(trace.events.length / 2)];
        // One byte: a digit of the recorded time inside the leaf text.
        victim.leaf = victim.leaf.replace(
          /("recordedAt":"\d{3})(\d)/,
          (_m: string, a: string, d: string) => `${a}${(Number(d) + 1) % 10}`,
        );
        altered = victim.globalPosition;
        await route.fulfill({ response, json: trace });
      });
      await checkedInPage(page);
      expect(await verifiedAttribute(page)).toBe('false');
      const failures = await page.$$eval('[data-testid=proof-failures] li', (items) =>
        items.map((i) => [Number((i as HTMLElement).dataset.position), i.textContent]),
      );
      expect(failures).toHaveLength(1);
      expect(failures[0]?.[0]).toBe(altered);
      expect(failures[0]?.[1]).toContain('SHA-256');
      await context.close();
    });

    test('a trace that leaves out the last step verifies, and the page says which step of the path it does not prove', async () => {
      const { context, page } = await openPage(browser());
      let left: number | undefined;
      await page.route('**/api/v1/proposals/*/trace', async (route) => {
        const response = await route.fetch();
        const trace = await response.json();
        // The proposal's last event (its last implementation report) has no later revision to betray the gap.
        left = trace.events.pop().globalPosition;
        await route.fulfill({ response, json: trace });
      });
      await checkedInPage(page);
      await page.waitForSelector('[data-testid=timeline-unproven]');
      expect(await page.getAttribute('[data-testid=timeline-unproven]', 'data-value')).toBe('1');
      expect(
        await page.getAttribute(
          `[data-testid=proposal-timeline] li[data-position="${left}"] [data-proof]`,
          'data-proof',
        ),
      ).toBe('missing');
      await context.close();
    });

    test("the reader's own witness policy: one of the two witnesses it requires is not verified, both are, the policy stays in this browser only", async () => {
      const { context, page, errors } = await openPage(browser());
      const [a, b] = [makeWitness('a.witness.example'), makeWitness('b.witness.example')];
      let cosigners = [a];
      let corruptB = false;
      const asked: string[] = [];
      page.on('request', (request) => asked.push(request.url()));
      // The server's answer, with cosignature lines appended to its checkpoint as the server serves them.
      await page.route('**/api/v1/proposals/*/trace', async (route) => {
        const response = await route.fetch();
        const trace = await response.json();
        const note = trace.checkpoint.signedNote as string;
        const lines = cosigners.map((w) => cosignatureLine(note, w));
        if (corruptB) lines.push(corruptedLine(cosignatureLine(note, b)));
        trace.checkpoint.signedNote = note + lines.join('');
        await route.fulfill({ response, json: trace });
      });
      const policy = `log ${checkpointKey}\nwitness A ${a.vkey}\nwitness B ${b.vkey}\ngroup both all A B\nquorum both\n`;
      await page.goto(`${server.url}/proposals/${proposalId}?lang=en`);
      await withToken(page);
      await page.waitForSelector('[data-testid=proof-result][data-state=done]', { timeout: 30_000 });
      expect(await verifiedAttribute(page)).toBe('true'); // no policy given: as before
      await page.fill('textarea[name=witnessPolicy]', policy);
      await page.click('section.proof button[type=submit]');
      await page.waitForSelector('[data-testid=proof-policy][data-met=false]');
      expect(await verifiedAttribute(page)).toBe('false');
      expect(await page.textContent('[data-testid=proof-summary]')).toBe(
        '✘ Not verified: cosigned by 1 of the 2 witnesses the policy requires',
      );
      expect(await page.textContent('[data-testid=proof-policy]')).toContain('Not cosigned: B');
      expect(await page.textContent('[data-testid=proof-coverage]')).toContain(
        'only independent witnesses can confirm',
      );
      await expectAccessible(page);

      // The policy was kept in this browser: a new visit uses it, and B's cosignature now comes with the trace.
      cosigners = [a, b];
      await page.goto(`${server.url}/proposals/${proposalId}?lang=en`); // the token stays with the tab
      await page.waitForSelector('[data-testid=proof-policy][data-met=true]', { timeout: 30_000 });
      expect(await page.inputValue('textarea[name=witnessPolicy]')).toBe(policy);
      expect(await verifiedAttribute(page)).toBe('true');
      expect(await page.textContent('[data-testid=proof-policy]')).toContain('cosigned by A, B');
      expect(await page.textContent('[data-testid=proof-coverage]')).toContain(
        'The witnesses of your policy confirm',
      );

      // A forged line of B's name and key id beside its good one: not verified.
      corruptB = true;
      await page.click('section.proof button[type=submit]');
      await page.waitForSelector('[data-testid=proof-policy][data-met=false]');
      expect(await page.textContent('[data-testid=proof-policy]')).toContain('(forged or altered): B');

      // A policy that breaks tlog-policy is refused with its line, and nothing is checked.
      await page.fill('textarea[name=witnessPolicy]', `witness A ${a.vkey}\nwitness A ${b.vkey}\nquorum A\n`);
      await page.click('section.proof button[type=submit]');
      await page.waitForSelector('[data-testid=proof-policy-error]');
      expect(await page.textContent('[data-testid=proof-policy-error]')).toMatch(
        /^The policy cannot be used: line 2: /,
      );
      // Loading a policy file checks with it at once, without the button, and keeps it.
      corruptB = false;
      await page.setInputFiles('input[name=witnessPolicyFile]', {
        name: 'witnesses.policy',
        mimeType: 'text/plain',
        buffer: Buffer.from(policy),
      });
      await page.waitForSelector('[data-testid=proof-policy][data-met=true]');
      expect(await page.inputValue('textarea[name=witnessPolicy]')).toBe(policy);
      expect(await page.evaluate(() => window.localStorage.getItem('ledger.witnessPolicy'))).toBe(policy);

      // Never fetched from the server: no request the page made names a policy.
      expect(asked.filter((url) => /polic/i.test(url))).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });

    test('a step of the path the server shows otherwise than the signed event says is marked as differing', async () => {
      const { context, page } = await openPage(browser());
      let changed: number | undefined;
      await page.route('**/api/v1/proposals/*/timeline*', async (route) => {
        const response = await route.fetch();
        const timeline = await response.json();
        const decision = timeline.entries.find(
          (e: { type: string }) => e.type === 'CommitteeDecisionRecorded',
        );
        decision.outcome = decision.outcome === 'rejected' ? 'adopted' : 'rejected';
        changed = decision.globalPosition;
        await route.fulfill({ response, json: timeline });
      });
      await checkedInPage(page);
      await page.waitForSelector('[data-testid=timeline-unproven]');
      expect(await page.getAttribute('[data-testid=timeline-unproven]', 'data-value')).toBe('1');
      expect(
        await page.getAttribute(
          `[data-testid=proposal-timeline] li[data-position="${changed}"] [data-proof]`,
          'data-proof',
        ),
      ).toBe('differs');
      await context.close();
    });

    test("another proposal's genuine trace does not verify on this proposal's page", async () => {
      const { context, page } = await openPage(browser());
      const otherId = (await api('/proposals?stage=submitted&limit=1')).items[0].proposalId as string;
      await page.route(`**/api/v1/proposals/${proposalId}/trace`, async (route) => {
        const other = await fetch(`${server.url}/api/v1/proposals/${otherId}/trace`, {
          headers: { Authorization: `Bearer ${TOKENS.evaluator}` },
        });
        await route.fulfill({ status: 200, contentType: 'application/json', body: await other.text() });
      });
      await checkedInPage(page);
      expect(await verifiedAttribute(page)).toBe('false');
      expect(await page.textContent('[data-testid=proof-trace-problems]')).toContain('ikke dette forslagets');
      await context.close();
    });

    test('does not verify a checkpoint whose key was swapped, nor one signed by a key other than the pinned one', async () => {
      const { context, page } = await openPage(browser());
      const origin = checkpointKey.split('+')[0] as string;
      const other = generateKeyPairSync('ed25519');
      const raw = other.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
      const keyId = createHash('sha256')
        .update(Buffer.concat([Buffer.from(`${origin}\n`), Buffer.from([1]), raw]))
        .digest()
        .subarray(0, 4);
      const otherVkey = `${origin}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`;
      let mode: 'swap' | 'resign' = 'swap';
      await page.route('**/api/v1/proposals/*/trace', async (route) => {
        const response = await route.fetch();
        const trace = await response.json();
        trace.checkpoint.publicKey = otherVkey;
        if (mode === 'resign') {
          // The server (or whoever holds its files) signs with a key of its own choosing.
          const text = (trace.checkpoint.signedNote as string).slice(
            0,
            (trace.checkpoint.signedNote as string).lastIndexOf('\n\n') + 1,
          );
          const signature = signBytes(null, Buffer.from(text), other.privateKey);
          trace.checkpoint.signedNote = `${text}\n\u2014 ${origin} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
        }
        await route.fulfill({ response, json: trace });
      });
      await checkedInPage(page);
      expect(await verifiedAttribute(page)).toBe('false');
      expect(await page.getAttribute('[data-testid=proof-checkpoint]', 'data-ok')).toBe('false');
      // Against a root whose signature fails, no event counts as proven, whatever its own checks say.
      expect(
        new Set(
          await page.$$eval('[data-testid=proof-events] tbody tr', (rows) =>
            rows.map((r) => (r as HTMLElement).dataset.ok),
          ),
        ),
      ).toEqual(new Set(['false']));

      // Re-signed by another key, it verifies against that key unpinned — which the page says — but not pinned.
      mode = 'resign';
      await page.fill('input[name=pinnedKey]', checkpointKey);
      await page.click('section.proof button[type=submit]');
      await page.waitForFunction(() =>
        document.querySelector('[data-testid=proof-checkpoint]')?.textContent?.includes('festede'),
      );
      expect(await verifiedAttribute(page)).toBe('false');
      await context.close();
    });
  });

  test('speaks bokmål by default and English after the toggle, which the next visit keeps', async () => {
    const { context, page, errors } = await openPage(browser());
    await page.goto(`${server.url}/`);
    expect(await page.textContent('main h1')).toBe('Gir det mer demokrati?');
    expect(await page.getAttribute('html', 'lang')).toBe('nb');
    await page.click('header button[lang=en]');
    await page.waitForFunction(
      () => document.querySelector('main h1')?.textContent === 'Did it give more democracy?',
    );
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await page.waitForSelector('[data-testid=funnel-table]');
    expect(await page.textContent('main h1')).toBe('Did it give more democracy?');
    expect(await page.textContent('[data-testid=funnel-table] tr[data-stage=submitted] th')).toBe(
      'Submitted',
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  test("works from the keyboard: skip link, navigation, and focus on the new page's heading", async () => {
    const { context, page, errors } = await openPage(browser());
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid=funnel-table]');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    // The skip link takes focus past the header, to the main content.
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'main');
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-testid=funnel-table]');
    // Tab through the header to the navigation's "Forslag" and follow it with Enter.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Forslag') break;
    }
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('/proposals');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.pathname === '/proposals');
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Forslag');
    expect(errors).toEqual([]);
    await context.close();
  });

  test('fits a phone: no page is wider than a 390 px screen', async () => {
    const { context, page, errors } = await openPage(browser(), 390);
    const proposalId = (await api('/proposals?stage=completed&limit=1')).items[0].proposalId;
    const committeeId = (await api('/committees')).items[0].committeeId;
    for (const [address, ready] of [
      ['/', '[data-testid=funnel-table]'],
      ['/committees', 'main h1'],
      [`/committees/${committeeId}`, 'main h1'],
      ['/participation', 'main h1'],
      ['/proposals', '[data-testid=proposals-table]'],
      [`/proposals/${proposalId}`, '[data-testid=proposal-timeline]'],
    ] as const) {
      await page.goto(`${server.url}${address}`);
      await page.waitForSelector(ready);
      await page.waitForLoadState('load');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect({ address, overflow }).toEqual({ address, overflow: 0 });
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  test('shows hostile text from the ledger as text: markup in a title neither renders nor runs', async () => {
    const { context, page, errors } = await openPage(browser());
    const title = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> «Tittel» & "sitat" {n}`;
    const id = await submitProposal(1, title, '<a href="javascript:window.__pwned=3">klikk</a>');
    await page.goto(`${server.url}/proposals?q=${encodeURIComponent('<img src=x')}`);
    await page.waitForSelector(`[data-testid=proposals-table] tr[data-proposal="${id}"]`);
    expect(await page.textContent(`[data-testid=proposals-table] tr[data-proposal="${id}"] th a`)).toBe(
      title,
    );
    await page.goto(`${server.url}/proposals/${id}`);
    await page.waitForFunction((t) => document.querySelector('main h1')?.textContent === t, title);
    await page.waitForSelector('[data-testid=proposal-timeline] li');
    expect(await page.$$('main img, main script, main a[href^="javascript:"]')).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
    await context.close();
  });

  test("the committees table holds every committee with the API's kind, arena, mandate, stages, budget and members", async () => {
    const { context, page, errors } = await openPage(browser());
    await page.goto(`${server.url}/committees`);
    const list = await api('/committees');
    await page.waitForSelector('[data-testid=committees-table] tbody tr[data-committee]');
    const shown = await page.$$eval('[data-testid=committees-table] tbody tr[data-committee]', (rows) =>
      rows.map((r) => {
        const value = (selector: string) =>
          (r.querySelector(selector) as HTMLElement | null)?.dataset.value ?? null;
        return {
          committeeId: (r as HTMLElement).dataset.committee,
          kind: value('[data-field=kind]'),
          coCreationForm: value('[data-field=coCreationForm]'),
          arenaId: value('[data-field=arena]'),
          activeMembers: value('[data-field=activeMembers]'),
          mandate: Object.fromEntries(
            [...r.querySelectorAll('li[data-flag]')].map((li) => [
              (li as HTMLElement).dataset.flag,
              (li as HTMLElement).dataset.value,
            ]),
          ),
          byStage: Object.fromEntries(
            [...r.querySelectorAll('li[data-stage]')].map((li) => [
              (li as HTMLElement).dataset.stage,
              (li.querySelector('[data-field=stage]') as HTMLElement).dataset.value,
            ]),
          ),
          budget: [...r.querySelectorAll('li[data-year]')].map((li) => [
            (li as HTMLElement).dataset.year,
            (li.querySelector('[data-field=allocatedNok]') as HTMLElement).dataset.value,
            (li.querySelector('[data-field=grantedNok]') as HTMLElement).dataset.value,
          ]),
        };
      }),
    );
    type Item = {
      committeeId: string;
      kind: string;
      coCreationForm: string;
      arenaId: string | null;
      activeMembers: number | null;
      mandate: Record<string, boolean>;
      proposalsByStage: Record<string, number>;
      budget: Array<{ year: number; allocatedNok: number; grantedNok: number }>;
    };
    expect(shown).toEqual(
      (list.items as Item[]).map((c) => ({
        committeeId: c.committeeId,
        kind: c.kind,
        coCreationForm: c.coCreationForm,
        arenaId: c.arenaId ?? '',
        activeMembers: c.activeMembers === null ? '' : String(c.activeMembers),
        mandate: Object.fromEntries(Object.entries(c.mandate).map(([flag, on]) => [flag, String(on)])),
        byStage: Object.fromEntries(
          Object.entries(c.proposalsByStage)
            .filter(([, n]) => n > 0)
            .map(([stage, n]) => [stage, String(n)]),
        ),
        budget: c.budget.map((b) => [String(b.year), String(b.allocatedNok), String(b.grantedNok)]),
      })),
    );
    await expectAccessible(page);
    await page.screenshot({ path: path.join(shotsDir, 'committees.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  test("a committee page shows the API's public membership, meetings and proposals, and its as-of answers", async () => {
    const { context, page, errors } = await openPage(browser());
    const committeeId = (await api('/committees')).items[0].committeeId as string;
    const membership = async (query: string) => {
      const c = await api(`/committees/${committeeId}${query}`);
      return {
        active: c.members.activeCount === null ? '' : String(c.members.activeCount),
        former: c.members.formerCount === null ? '' : String(c.members.formerCount),
        byActorGroup: Object.fromEntries(
          Object.entries(c.members.byActorGroup as Record<string, number | null>).map(([k, n]) => [
            k,
            n === null ? '' : String(n),
          ]),
        ),
        meetings: (c.meetings as Array<{ attendeeCount: number | null }>).map((m) =>
          m.attendeeCount === null ? '' : String(m.attendeeCount),
        ),
      };
    };
    const onPage = async () => {
      await page.waitForSelector('[data-testid=committee-active-count] .value');
      return page.evaluate(() => {
        const value = (el: Element | null) => (el as HTMLElement | null)?.dataset.value ?? null;
        return {
          active: value(document.querySelector('[data-testid=committee-active-count] .value')),
          former: value(document.querySelector('[data-testid=committee-former-count] .value')),
          byActorGroup: Object.fromEntries(
            [...document.querySelectorAll('[data-testid=committee-byActorGroup] tbody tr')].map((tr) => [
              (tr as HTMLElement).dataset.key,
              value(tr.querySelector('td[data-value]')),
            ]),
          ),
          meetings: [
            ...document.querySelectorAll('[data-testid=committee-meetings] td[data-field=attendeeCount]'),
          ].map((td) => value(td)),
        };
      });
    };
    await page.goto(`${server.url}/committees/${committeeId}`);
    await page.waitForSelector('[data-testid=committee-meetings] td[data-field=attendeeCount]');
    expect(await onPage()).toEqual(await membership(''));
    const proposals = await api(`/proposals?committeeId=${committeeId}&limit=25`);
    await page.waitForSelector('[data-testid=committee-proposals] tr[data-proposal]');
    expect(
      await page.$$eval('[data-testid=committee-proposals] tr[data-proposal]', (rows) =>
        rows.map((r) => (r as HTMLElement).dataset.proposal),
      ),
    ).toEqual(proposals.items.map((p: { proposalId: string }) => p.proposalId));
    await expectAccessible(page);
    await page.screenshot({ path: path.join(shotsDir, 'committee.png'), fullPage: true });

    // As of a third of the way: the page and the API agree, and differ from now.
    const third = Math.floor(((await api('/committees')).position as number) / 3);
    await page.goto(`${server.url}/committees/${committeeId}?asOf=${third}`);
    await page.waitForFunction(
      (p) =>
        document.querySelector('[data-testid=reflected-position]')?.getAttribute('data-position') ===
        String(p),
      (await api(`/committees/${committeeId}?asOf=${third}`)).position,
    );
    const then = await membership(`?asOf=${third}`);
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('[data-testid=committee-meetings] td[data-field=attendeeCount]').length ===
        n,
      then.meetings.length,
    );
    expect(await onPage()).toEqual(then);
    expect(then.meetings.length).toBeLessThan((await membership('')).meetings.length);
    expect(errors).toEqual([]);
    await context.close();
  });

  test(`the participation page shows the API's counts, overall and for one committee, with small counts as "< 5"`, async () => {
    const { context, page, errors } = await openPage(browser());
    const cards = async (query: string) => {
      const p = await api(`/participation${query}`);
      const v = (n: number | null) => (n === null ? '' : String(n));
      return {
        participants: v(p.participants),
        members: v(p.members.total),
        ballotsCast: v(p.turnout.ballotsCast),
        eligible: v(p.turnout.eligible),
        closedVotes: String(p.turnout.closedVotes),
        meetings: String(p.publicMeetings.meetings),
        attendees: v(p.publicMeetings.attendees),
        supports: v(p.supports),
        byRepresentationBasis: Object.fromEntries(
          Object.entries(p.members.byRepresentationBasis as Record<string, number | null>).map(([k, n]) => [
            k,
            v(n),
          ]),
        ),
      };
    };
    const onPage = () =>
      page.evaluate(() => {
        const value = (selector: string) =>
          (document.querySelector(selector) as HTMLElement | null)?.dataset.value ?? null;
        return {
          participants: value('[data-testid=participation-participants] .value'),
          members: value('[data-testid=participation-members] .value'),
          ballotsCast: value('[data-testid=participation-turnout] [data-field=ballotsCast]'),
          eligible: value('[data-testid=participation-turnout] [data-field=eligible]'),
          closedVotes: value('[data-testid=participation-turnout] [data-field=closedVotes]'),
          meetings: value('[data-testid=participation-public-meetings] [data-field=meetings]'),
          attendees: value('[data-testid=participation-public-meetings] .value'),
          supports: value('[data-testid=participation-supports] .value'),
          byRepresentationBasis: Object.fromEntries(
            [...document.querySelectorAll('[data-testid=participation-byRepresentationBasis] tbody tr')].map(
              (tr) => [
                (tr as HTMLElement).dataset.key,
                (tr.querySelector('td[data-value]') as HTMLElement).dataset.value,
              ],
            ),
          ),
        };
      });
    await page.goto(`${server.url}/participation`);
    await page.waitForSelector('[data-testid=participation-participants] .value');
    expect(await onPage()).toEqual(await cards(''));

    // A task committee is small: some of its counts are hidden, and the page says "< 5" for them, never 0.
    const small = ((await api('/committees')).items as Array<{ committeeId: string; kind: string }>).find(
      (c) => c.kind === 'task',
    );
    await page.selectOption('select[name=committeeId]', small?.committeeId ?? '');
    await page.waitForFunction(
      (id) => new URL(location.href).searchParams.get('committeeId') === id,
      small?.committeeId,
    );
    const expected = await cards(`?committeeId=${small?.committeeId}`);
    await page.waitForFunction(
      (n) =>
        document
          .querySelector('[data-testid=participation-turnout] [data-field=closedVotes]')
          ?.getAttribute('data-value') === n,
      expected.closedVotes,
    );
    expect(await onPage()).toEqual(expected);
    const hidden = await page.$$eval('td[data-value=""], .value[data-value=""], dd[data-value=""]', (cells) =>
      cells.map((c) => c.textContent?.trim()),
    );
    expect(hidden.length).toBeGreaterThan(0);
    // A hidden count reads "< 5"; a share whose parts are hidden reads "skjult". Neither reads 0.
    for (const text of hidden) expect(text).toMatch(/^(\(?< 5\)?|skjult)$/);
    await expectAccessible(page);
    await page.screenshot({ path: path.join(shotsDir, 'participation.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a mistyped token is refused at once and the public views go on without it', async () => {
    const { context, page, errors } = await openPage(browser());
    await page.goto(`${server.url}/`);
    await funnelOnPage(page);
    await page.click('details.token-panel > summary');
    await page.fill('input[name=token]', 'not-a-token-of-this-server');
    await page.press('input[name=token]', 'Enter');
    await page.waitForSelector('[data-testid=token-rejected]');
    expect(await page.evaluate(() => sessionStorage.getItem('ledger.token'))).toBeNull();
    // The views were never asked with it: they show the public numbers.
    await page.goto(`${server.url}/proposals`);
    await page.waitForSelector('[data-testid=proposals-table] tbody tr');
    expect(await page.$('.problem[role=alert]')).toBeNull();
    // The one refused try is the only console error (Chromium logs every 401).
    expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
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
