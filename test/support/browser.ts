/**
 * Headless Chromium for the dashboard's browser tests: Debian's package (`apt-get install chromium`, which .ci/run
 * does) driven by playwright-core, so no browser is downloaded. Without it a suite is registered as skipped, and a
 * plain line says so on every run: a skip is never silent.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { CHROMIUM_PATH, launchChromium } from '../../bench/chromium';

export { CHROMIUM_PATH, launchChromium };

/**
 * A describe block with a browser launched once for its tests (`browser()` inside a test or hook), closed after
 * them. When Chromium is not installed, the block is skipped and says why.
 */
export function describeInBrowser(name: string, fn: (browser: () => Browser) => void): void {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    const why = `Chromium not found at ${CHROMIUM_PATH}; apt-get install chromium (or set CHROMIUM_PATH)`;
    // Straight to stderr: it shows with --silent and from every worker, unlike console output.
    process.stderr.write(`\nbrowser tests skipped: ${why}\n`);
    describe.skip(`${name} — SKIPPED: ${why}`, () => fn(noBrowser));
    return;
  }
  describe(name, () => {
    let launched: Browser | undefined;
    beforeAll(async () => {
      launched = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await launched?.close();
    });
    fn(() => launched ?? noBrowser());
  });
}

function noBrowser(): never {
  throw new Error('the browser is not running');
}
