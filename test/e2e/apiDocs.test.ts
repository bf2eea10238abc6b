/**
 * /docs in a real browser (Chromium, test/support/browser.ts): Swagger UI, served by the app from node_modules,
 * renders every operation of /openapi.json under the app's own CSP (default-src 'self'), with no console error and
 * no CSP violation; a command shows the README's request as its example, and "Try it out" runs a request, also
 * one that needs a bearer token given through Authorize.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operations } from '../../src/http/operations';
import { describeInBrowser } from '../support/browser';
import { openLedgerApp, TOKENS, type LedgerApp } from '../support/ledgerApp';

jest.setTimeout(60_000);

describeInBrowser('/docs renders the API document', (browser) => {
  let t: LedgerApp;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    t = await openLedgerApp();
    server = t.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  });

  test('every operation, no console error, no CSP violation; examples shown and tried', async () => {
    const context = await browser().newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const outside: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(url)) outside.push(r.url());
    });
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });

    await page.goto(`${url}/docs`);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBe(operations.length);
    for (const id of ['SubmitProposal', 'getProposalTrace', 'rebuildProjection', 'followPositions']) {
      expect(await page.locator(`.opblock:has-text("${id}")`).count()).toBeGreaterThan(0);
    }

    // A command's request example is the README's walkthrough's.
    const submit = page.locator('.opblock-post:has(.opblock-summary-operation-id:text-is("submitProposal"))');
    await submit.locator('.opblock-summary').click();
    await expect(
      submit.locator('.body-param__example, .microlight').first().textContent(),
    ).resolves.toContain('Benker ved Heggedal torg');

    // "Try it out" on a read anyone may make: the request goes to this server and its answer is shown.
    const health = page.locator('.opblock-get:has(.opblock-summary-operation-id:text-is("getHealth"))');
    await health.locator('.opblock-summary').click();
    await health.locator('button.try-out__btn').click();
    await health.locator('button.execute').click();
    await health.locator('.live-responses-table tr.response .response-col_status').first().waitFor();
    expect(
      (
        await health.locator('.live-responses-table tr.response .response-col_status').first().textContent()
      )?.trim(),
    ).toBe('200');

    // With a bearer token given through Authorize, an evaluator's read is tried and answered.
    await page.locator('button.authorize').first().click();
    await page.locator('.auth-container input').first().fill(TOKENS.evaluator);
    await page.locator('.auth-btn-wrapper button.authorize').click();
    await page.locator('button.btn-done').click();
    const dictionary = page.locator(
      '.opblock-get:has(.opblock-summary-operation-id:text-is("getDataDictionary"))',
    );
    await dictionary.locator('.opblock-summary').click();
    await dictionary.locator('button.try-out__btn').click();
    await dictionary.locator('button.execute').click();
    const dictionaryStatus = dictionary
      .locator('.live-responses-table tr.response .response-col_status')
      .first();
    await dictionaryStatus.waitFor();
    expect((await dictionaryStatus.textContent())?.trim()).toBe('200');

    const violations = await page.evaluate(
      () => (window as unknown as { cspViolations: string[] }).cspViolations,
    );
    expect({ errors, violations, outside, failed }).toEqual({
      errors: [],
      violations: [],
      outside: [],
      failed: [],
    });
    await context.close();
  });
});
