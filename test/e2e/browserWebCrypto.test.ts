/**
 * The browser's own WebCrypto accepts the ledger's checkpoint signatures: a real signed checkpoint (a trace of the
 * simulated trial) verified with Ed25519 inside a Chromium page, by code written inline here, not by Node.
 */
import { describeInBrowser } from '../support/browser';
import { openTrialTrace, type TrialTrace } from '../support/trialTrace';

/** Runs in the page: the note's Ed25519 signature by the vkey's key, with nothing but WebCrypto, atob and TextEncoder. */
async function verifyInPage({
  note,
  vkey,
}: {
  note: string;
  vkey: string;
}): Promise<{ secure: boolean; valid: boolean }> {
  const bytes = (base64: string): Uint8Array<ArrayBuffer> =>
    Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const [name, keyId, typedKey] = [
    vkey.split('+')[0],
    vkey.split('+')[1],
    vkey.split('+').slice(2).join('+'),
  ];
  const split = note.lastIndexOf('\n\n');
  const text = note.slice(0, split + 1);
  const line =
    note
      .slice(split + 2)
      .split('\n')
      .find((l) => l.startsWith(`\u2014 ${name} `)) ?? '';
  const blob = bytes(line.slice(`\u2014 ${name} `.length));
  const idOfLine = Array.from(blob.slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  const key = await crypto.subtle.importKey(
    'raw',
    bytes(typedKey ?? '').slice(1),
    { name: 'Ed25519' },
    false,
    ['verify'],
  );
  const verified = await crypto.subtle.verify(
    { name: 'Ed25519' },
    key,
    blob.slice(4),
    new TextEncoder().encode(text),
  );
  return { secure: isSecureContext, valid: idOfLine === keyId && verified };
}

describeInBrowser("Chromium's WebCrypto and the ledger's signed checkpoints", (browser) => {
  let real: TrialTrace;
  beforeAll(async () => {
    real = await openTrialTrace();
  }, 120_000);
  afterAll(() => real.t.close());

  test('verifies a real checkpoint by the server key, and refuses it with one character of its text changed', async () => {
    const page = await browser().newPage();
    try {
      // WebCrypto exists in secure contexts only (not about:blank): a page of http://localhost, as the dashboard is
      // served on this machine, answered here without a server.
      await page.route('http://localhost/', (route) =>
        route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>proof</title>' }),
      );
      await page.goto('http://localhost/');
      const note = real.trace.checkpoint.signedNote as string;
      const good = await page.evaluate(verifyInPage, { note, vkey: real.publicKey });
      expect(good).toEqual({ secure: true, valid: true });
      const size = String(real.trace.checkpoint.treeSize);
      const altered = note.replace(`\n${size}\n`, `\n${Number(size) + 1}\n`);
      expect(altered).not.toBe(note);
      expect(await page.evaluate(verifyInPage, { note: altered, vkey: real.publicKey })).toEqual({
        secure: true,
        valid: false,
      });
    } finally {
      await page.close();
    }
  });
});
