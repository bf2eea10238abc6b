/**
 * S4 hardening at the HTTP layer: bodies are read only for callers allowed to send them, and refused before
 * parsing when they nest too deep or hold too many elements; failed authentications are rate limited per
 * address; a request with two Authorization headers is refused.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { authenticate, TokenRegistry } from '../../src/http/auth';
import { problemErrorHandler } from '../../src/http/problem';
import { openLedgerApp, TOKENS, type LedgerApp } from '../support/ledgerApp';

const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
const bearer = (role: keyof typeof TOKENS): string => `Bearer ${TOKENS[role]}`;

describe('request bodies (S4)', () => {
  let t: LedgerApp;
  beforeAll(async () => {
    t = await openLedgerApp();
  });
  afterAll(() => t.close());

  const postRaw = (path: string, body: string, authorization?: string): request.Test => {
    const test = request(t.app).post(`/api/v1${path}`).set('Content-Type', 'application/json');
    return (authorization ? test.set('Authorization', authorization) : test).send(body);
  };

  test('an anonymous or evaluator command is answered 401 or 403 without its body being read: a malformed body would be a 400', async () => {
    const anonymous = await postRaw('/arenas', '{"name": ');
    expect(anonymous.status).toBe(401);
    const evaluator = await postRaw('/arenas', '{"name": ', bearer('evaluator'));
    expect(evaluator.status).toBe(403);
    // The same body from a clerk is parsed, and refused as JSON.
    const clerk = await postRaw('/arenas', '{"name": ', bearer('clerk'));
    expect(clerk.status).toBe(400);
    expect(clerk.body.detail).toBe('The request body is not valid JSON');
  });

  test('an anonymous 900 KB deeply nested body gets 401 and never reaches JSON.parse', async () => {
    const body = nested(450_000);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const res = await postRaw('/proposals', body);
      expect(res.status).toBe(401);
      const parsedTheBody = parse.mock.calls.filter(([text]) => String(text).length >= body.length);
      expect(parsedTheBody).toEqual([]);
    } finally {
      parse.mockRestore();
    }
  });

  test('an authenticated body nested deeper than 32 levels is a 400 naming the limit; 32 levels get as far as the schema', async () => {
    const deep = await postRaw('/arenas', `{"name":"x","areas":${nested(32)}}`, bearer('clerk'));
    expect(deep.status).toBe(400);
    expect(deep.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(deep.body).toMatchObject({
      type: '/api/v1/problems/too-complex',
      status: 400,
      limit: 'depth',
      maximum: 32,
    });
    expect(deep.body.detail).toContain('32 levels');
    const within = await postRaw('/arenas', `{"name":"x","areas":${nested(31)}}`, bearer('clerk'));
    expect(within.status).toBe(400);
    expect(within.body.type).toBe('/api/v1/problems/validation');
  });

  test('an authenticated body with more than 100,000 elements is a 400 naming the limit', async () => {
    const items = (n: number): string => `{"name":"x","areas":[${Array(n).fill('0').join(',')}]}`;
    const over = await postRaw('/arenas', items(100_000), bearer('clerk'));
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({
      type: '/api/v1/problems/too-complex',
      limit: 'elements',
      maximum: 100_000,
    });
    expect(over.body.detail).toContain('100000');
    // The name and the areas array are two elements: 99,998 zeros make 100,000 in all.
    const within = await postRaw('/arenas', items(99_998), bearer('clerk'));
    expect(within.status).toBe(400);
    expect(within.body.type).toBe('/api/v1/problems/validation');
    expect(await t.head()).toBe(-1);
  });

  test('a normal body still works, brackets, commas and escaped quotes inside its strings included', async () => {
    const res = await request(t.app)
      .post('/api/v1/arenas')
      .set('Authorization', bearer('clerk'))
      .send({ name: 'Heggedal [[[{{{,,,"\\"]]] innbyggertorg', areas: ['Heggedal', 'Blåbærli, Øvre'] });
    expect(res.status).toBe(201);
    expect(await t.head()).toBe(0);
  });

  test('a body that is not UTF-8 is refused', async () => {
    const res = await request(t.app)
      .post('/api/v1/arenas')
      .set('Authorization', bearer('clerk'))
      .set('Content-Type', 'application/json; charset=utf-16le')
      .send(Buffer.from('{"name":"x","areas":["y"]}', 'utf16le'));
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe('The request body must be UTF-8 JSON');
  });
});

describe('failed authentications and Authorization headers (S4)', () => {
  let t: LedgerApp;
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    t = await openLedgerApp({ LEDGER_RATE_LIMIT_FAILED_AUTH: '5' });
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  });

  /** GET from a chosen loopback address, so that one test can play several clients. */
  function getFrom(
    localAddress: string,
    path: string,
    authorization?: string | string[],
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port,
          path: `/api/v1${path}`,
          localAddress,
          headers: authorization === undefined ? {} : { Authorization: authorization },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
            }),
          );
        },
      );
      req.on('error', reject);
    });
  }

  test('a client guessing tokens gets 429 with Retry-After after its budget; other addresses and anonymous reads are not held back', async () => {
    const guesser = '127.0.0.2';
    for (let i = 0; i < 5; i++) {
      expect((await getFrom(guesser, '/events?limit=1', `Bearer wrong-guess-${i}-0000000000`)).status).toBe(
        401,
      );
    }
    const throttled = await getFrom(guesser, '/events?limit=1', 'Bearer wrong-guess-6-0000000000');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(throttled.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(throttled.body).toMatchObject({ status: 429, type: '/api/v1/problems/rate-limited' });
    // A right guess is throttled too, or the answer would tell the guesser it was right.
    expect((await getFrom(guesser, '/events?limit=1', bearer('evaluator'))).status).toBe(429);
    // The guesser's address may still read what anyone may read.
    expect((await getFrom(guesser, '/influence')).status).toBe(200);

    const colleague = '127.0.0.3';
    expect((await getFrom(colleague, '/events?limit=1', bearer('evaluator'))).status).toBe(200);
    expect((await getFrom(colleague, '/events?limit=1', 'Bearer a-typo-000000000000000')).status).toBe(401);
    expect((await getFrom(colleague, '/events?limit=1', bearer('evaluator'))).status).toBe(200);
  });

  test('a request with two Authorization headers is a 400, even when both carry the same valid token', async () => {
    const twice = await getFrom('127.0.0.4', '/events?limit=1', [bearer('evaluator'), bearer('evaluator')]);
    expect(twice.status).toBe(400);
    expect(twice.body).toMatchObject({ status: 400, detail: 'Send one Authorization header, not several' });
    const mixed = await getFrom('127.0.0.4', '/events?limit=1', [
      bearer('evaluator'),
      'Bearer other-00000000000',
    ]);
    expect(mixed.status).toBe(400);
    expect((await getFrom('127.0.0.4', '/events?limit=1', bearer('evaluator'))).status).toBe(200);
  });
});

describe('the failed-authentication budget refills with time', () => {
  test('given 2 a minute, then the third failure at once is a 429, and 30 s later one more is a 401', async () => {
    let clock = 0;
    const registry = TokenRegistry.fromPlainTokens([{ role: 'evaluator', token: TOKENS.evaluator }]);
    const app = express();
    app.use(authenticate(registry, { failedPerMinute: 2, now: () => clock }));
    app.get('/probe', (_req, res) => {
      res.json({ ok: true });
    });
    app.use(problemErrorHandler);
    const wrong = (): request.Test =>
      request(app).get('/probe').set('Authorization', 'Bearer wrong-000000000000');
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(401);
    const throttled = await wrong();
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('30');
    clock += 29_000;
    expect((await wrong()).status).toBe(429);
    clock += 1_000;
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(429);
  });
});
