/**
 * S4 hardening at the HTTP layer: bodies are read only for callers allowed to send them, and refused before
 * parsing when they nest too deep or hold too many elements; failed authentications are rate limited per
 * address; a request with two Authorization headers is refused.
 */
import request from 'supertest';
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
