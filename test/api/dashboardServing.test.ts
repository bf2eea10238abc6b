/**
 * How the server serves the dashboard's built files (src/http/dashboard.ts): page addresses answer index.html,
 * hashed assets are cached for a year, and anything else — an unknown asset, a path that climbs out of the folder,
 * a page path with a hostile id — is a 404 problem. A build that was removed or never made answers a 503 problem
 * that says how to make it, never a 500.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { builtDashboardDir, dashboardRouter } from '../../src/http/dashboard';
import { buildTestApp, type TestApp } from '../support/testApp';
import { makeTempDir } from '../support/tempDir';

describe('serving the dashboard', () => {
  let built: ReturnType<typeof makeTempDir>;
  let t: TestApp;

  beforeAll(() => {
    built = makeTempDir('ledger-dashboard-build-');
    fs.mkdirSync(path.join(built.dir, 'assets'));
    fs.writeFileSync(path.join(built.dir, 'index.html'), '<!doctype html><title>dashboard</title>');
    fs.writeFileSync(path.join(built.dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(built.dir, 'secret.txt'), 'not for the web');
    t = buildTestApp({ rootRouters: [dashboardRouter(built.dir)] });
  });
  afterAll(async () => {
    await t.close();
    built.cleanup();
  });

  test.each([
    '/',
    '/committees',
    '/committees/0190a1b2-0000-7000-8000-000000000001',
    '/participation',
    '/proposals',
    '/proposals/abc',
  ])('%s answers index.html, revalidated on every visit', async (address) => {
    const res = await request(t.app).get(address);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('<title>dashboard</title>');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  test('hashed assets are served with a year of immutable caching', async () => {
    const res = await request(t.app).get('/assets/index-abc123.js');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  test('the app is sent compressed to a client that accepts gzip', async () => {
    fs.writeFileSync(path.join(built.dir, 'assets', 'index-big.js'), 'const x = 1;\n'.repeat(5000));
    const res = await request(t.app).get('/assets/index-big.js').set('Accept-Encoding', 'gzip');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.text).toBe('const x = 1;\n'.repeat(5000));
    const plain = await request(t.app).get('/assets/index-big.js').set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  test.each([
    '/assets/missing.js',
    '/assets/../secret.txt',
    '/assets/%2e%2e/secret.txt',
    '/assets/..%2fsecret.txt',
    '/secret.txt',
    '/index.html/../secret.txt',
    '/proposals/<script>alert(1)</script>',
    '/committees/a/b',
    '/participation/x',
  ])('%s is a 404 problem and reveals no other file', async (address) => {
    const res = await request(t.app).get(address);
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/problem+json');
    expect(res.text).not.toContain('not for the web');
  });

  test('a browser asking for an address no page has gets the dashboard (which says so) as a 404', async () => {
    const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const res = await request(t.app).get('/nosuchpage').set('Accept', browserAccept);
    expect(res.status).toBe(404);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('<title>dashboard</title>');
    // API paths and assets stay problems, whatever the client accepts.
    for (const address of ['/api/v1/nosuchroute', '/assets/missing.js']) {
      const other = await request(t.app).get(address).set('Accept', browserAccept);
      expect(other.status).toBe(404);
      expect(other.type).toBe('application/problem+json');
    }
    // A POST is never answered with a page.
    const post = await request(t.app).post('/nosuchpage').set('Accept', browserAccept);
    expect(post.type).toBe('application/problem+json');
  });

  test('a dashboard whose build was removed answers 503 with what to do, not a 500', async () => {
    const gone = makeTempDir('ledger-dashboard-gone-');
    const app = buildTestApp({ rootRouters: [dashboardRouter(path.join(gone.dir, 'nothing-here'))] });
    try {
      const res = await request(app.app).get('/committees');
      expect(res.status).toBe(503);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.detail).toMatch(/npm run build/);
    } finally {
      await app.close();
      gone.cleanup();
    }
  });

  test('the built dashboard lives in dist/dashboard of this checkout', () => {
    expect(builtDashboardDir()).toBe(path.resolve(__dirname, '../../dist/dashboard'));
  });
});
