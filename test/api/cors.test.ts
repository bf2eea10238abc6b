/**
 * CORS (LEDGER_CORS_ORIGINS): off by default; a listed origin may read the API from a browser, any other gets no
 * CORS header; preflights name the methods and headers the API reads.
 */
import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config';
import { openLedgerApp, type LedgerApp } from '../support/ledgerApp';

const listed = 'https://dashboard.example.no';
const alsoListed = 'http://localhost:5173';

describe('CORS, configured', () => {
  let t: LedgerApp;
  beforeAll(async () => {
    t = await openLedgerApp({ LEDGER_CORS_ORIGINS: `${listed}, ${alsoListed}` });
  });
  afterAll(() => t.close());

  test('a listed origin gets its own origin back, the exposed headers, and Vary: Origin', async () => {
    for (const origin of [listed, alsoListed]) {
      const res = await t.get('/influence', 'anonymous').set('Origin', origin);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-expose-headers']).toBe(
        'ETag,Location,Idempotent-Replayed,X-Request-Id,Retry-After,X-Ledger-Position,Content-Disposition',
      );
      expect(res.headers.vary).toMatch(/\bOrigin\b/);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  test('an unlisted origin gets no CORS header, on reads and on preflights', async () => {
    for (const origin of [
      'https://evil.example',
      `${listed}.evil.example`,
      'https://dashboard.example.no:8443',
      'null',
    ]) {
      const read = await t.get('/influence', 'anonymous').set('Origin', origin);
      expect(read.status).toBe(200);
      expect(Object.keys(read.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      expect(read.headers.vary).toMatch(/\bOrigin\b/);
      const preflight = await request(t.app)
        .options('/api/v1/proposals')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST');
      expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  test('a preflight from a listed origin is answered with the methods and request headers the API reads', async () => {
    const res = await request(t.app)
      .options('/api/v1/proposals')
      .set('Origin', listed)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(listed);
    expect(res.headers['access-control-allow-methods']).toBe('GET,POST');
    expect(res.headers['access-control-allow-headers']).toBe(
      'Authorization,Content-Type,If-Match,If-None-Match,Idempotency-Key,Last-Event-ID',
    );
    // A preflight carries no token and reaches no route: nothing is appended.
    expect(await t.head()).toBe(-1);
  });
});

describe('CORS, by default', () => {
  test('off: no CORS header for any origin, and no preflight answer', async () => {
    const t = await openLedgerApp();
    try {
      const res = await t.get('/influence', 'anonymous').set('Origin', listed);
      expect(res.status).toBe(200);
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      const preflight = await request(t.app)
        .options('/api/v1/proposals')
        .set('Origin', listed)
        .set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  test('LEDGER_CORS_ORIGINS takes exact origins only', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ LEDGER_CORS_ORIGINS: `${listed},${alsoListed}` }).corsOrigins).toEqual([
      listed,
      alsoListed,
    ]);
    for (const bad of [
      '*',
      `${listed}/`,
      `${listed}/dashboard`,
      'dashboard.example.no',
      'ftp://x.no',
      'http://x.no:80',
      'https://*.example.no',
    ]) {
      expect(() => loadConfig({ LEDGER_CORS_ORIGINS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ LEDGER_CORS_ORIGINS: bad })).toThrow(/LEDGER_CORS_ORIGINS/);
    }
  });
});
