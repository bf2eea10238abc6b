import { openLedgerApp } from '../support/ledgerApp';

describe('rate limiting (S4)', () => {
  test('anonymous callers beyond their bucket get a 429 problem with Retry-After; tokens are separate', async () => {
    // 60 a minute with bursts of 10 s worth: the 11th quick request is over.
    const t = await openLedgerApp({ LEDGER_RATE_LIMIT_ANONYMOUS: '60', LEDGER_RATE_LIMIT_TOKEN: '120' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await t.get('/influence', 'anonymous')).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
      const limited = await t.get('/influence', 'anonymous');
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(limited.headers['content-type']).toMatch(/problem\+json/);
      // An evaluator has its own bucket (120/min → 20 at once).
      for (let i = 0; i < 20; i++) expect((await t.get('/influence', 'evaluator')).status).toBe(200);
      expect((await t.get('/influence', 'evaluator')).status).toBe(429);
      expect((await t.get('/influence', 'clerk')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
