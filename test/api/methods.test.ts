/**
 * Methods at a served path: OPTIONS says which the path takes (Allow), and another method there is a 405 problem
 * with Allow, not a 404; a path nothing serves stays a 404. Nothing of it touches the ledger.
 */
import request from 'supertest';
import { methodsAt, operations, servedPathOf } from '../../src/http/operations';
import { openLedgerApp, TOKENS, type LedgerApp } from '../support/ledgerApp';
import { rawExchange, whileListening } from '../support/rawHttp';

const someId = '0190d5f0-0000-7000-8000-000000000001';
/** A path that walks the operation, any id standing in for each parameter. */
const pathOf = (servedPath: string) => servedPath.replace(/:[A-Za-z]+/g, someId);

describe('methods at a served path', () => {
  let t: LedgerApp;
  beforeAll(async () => {
    t = await openLedgerApp();
  });
  afterAll(() => t.close());

  test('OPTIONS on every operation’s path lists its method, HEAD with GET, and OPTIONS', async () => {
    for (const operation of operations) {
      const path = pathOf(servedPathOf(operation));
      const res = await request(t.app).options(path);
      expect({ path, status: res.status }).toEqual({ path, status: 204 });
      const allow = String(res.headers.allow).split(', ');
      expect(allow).toContain(operation.method.toUpperCase());
      expect(allow).toContain('OPTIONS');
      if (operation.method === 'get') expect(allow).toContain('HEAD');
    }
  });

  test('a path serving GET and POST says both (express alone said only the first router’s)', async () => {
    const res = await request(t.app).options('/api/v1/persons');
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
    expect(res.text).toBe('');
  });

  test.each([
    ['DELETE', '/api/v1/persons', 'GET, HEAD, OPTIONS, POST'],
    ['PUT', `/api/v1/proposals/${someId}`, 'GET, HEAD, OPTIONS'],
    ['PATCH', `/api/v1/committees/${someId}`, 'GET, HEAD, OPTIONS'],
    ['GET', `/api/v1/committees/${someId}/members`, 'OPTIONS, POST'],
    ['POST', '/api/v1/influence', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/healthz', 'GET, HEAD, OPTIONS'],
  ])('%s %s is a 405 problem naming what the path takes', async (method, path, allow) => {
    const before = await t.head();
    const res = await request(t.app)
      [method.toLowerCase() as 'delete'](path)
      .set('Authorization', `Bearer ${TOKENS.admin}`);
    expect(res.status).toBe(405);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers.allow).toBe(allow);
    expect(res.body).toMatchObject({ status: 405, title: 'Method not allowed' });
    expect(await t.head()).toBe(before);
  });

  test('a path nothing serves is a 404, for OPTIONS and any method', async () => {
    for (const method of ['options', 'delete', 'get'] as const) {
      const res = await request(t.app)[method]('/api/v1/nothing-here');
      expect(res.status).toBe(404);
    }
    expect(methodsAt('/api/v1/nothing-here')).toEqual([]);
  });

  test('paths match as express matches them: any case, a trailing slash, one segment per parameter', () => {
    expect(methodsAt('/API/V1/Persons/')).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST']);
    expect(methodsAt(`/api/v1/proposals/${someId}/extra/segments`)).toEqual([]);
    expect(methodsAt('/api/v1/proposals.json')).toEqual([]);
  });

  test('a refused request whose body was never read closes its connection: no token, a gigabyte announced', async () => {
    // Were the connection kept alive, 'close' would come only at the server's timeout (the test's would fail).
    const answer = await whileListening(t.app, (port) =>
      rawExchange(
        port,
        'POST /api/v1/arenas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{}',
      ),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
  });
});
