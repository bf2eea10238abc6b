import express from 'express';
import request from 'supertest';
import { jsonBody } from '../../src/http/jsonBody';
import { buildTestApp, type TestApp } from '../support/testApp';
import { rawExchange, whileListening } from '../support/rawHttp';

describe('HTTP skeleton', () => {
  let t: TestApp;
  beforeAll(() => {
    // A route that echoes its JSON body lets us probe the body parser through the real middleware stack.
    const echo = express.Router();
    echo.post('/echo', ...jsonBody, (req, res) => {
      res.status(201).json({ got: req.body as unknown });
    });
    echo.get('/boom', () => {
      throw new Error('secret internal detail');
    });
    t = buildTestApp({ apiRouters: [echo] });
  });
  afterAll(() => t.close());

  test('GET /healthz answers 200', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  test('GET /readyz reports the event store head', async () => {
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks.eventStore).toEqual({ ok: true, headPosition: -1 });
  });

  test('every response carries an X-Request-Id; a sane incoming one is kept', async () => {
    const a = await request(t.app).get('/healthz');
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const b = await request(t.app).get('/healthz').set('X-Request-Id', 'trace-123');
    expect(b.headers['x-request-id']).toBe('trace-123');
    const c = await request(t.app).get('/healthz').set('X-Request-Id', 'bad id with spaces; DROP');
    expect(c.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('an unknown route is a 404 problem', async () => {
    const res = await request(t.app).get('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, title: 'Not found', type: expect.any(String) });
    expect(res.body.detail).toContain('/api/v1/nope');
  });

  test('malformed JSON is a 400 problem without a stack trace', async () => {
    const res = await request(t.app)
      .post('/api/v1/echo')
      .set('Content-Type', 'application/json')
      .send('{"a": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toBe('The request body is not valid JSON');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js|SyntaxError|node_modules/);
  });

  test('a body over 1 MB is a 413 problem', async () => {
    const res = await request(t.app)
      .post('/api/v1/echo')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ big: 'x'.repeat(1024 * 1024 + 10) }));
    expect(res.status).toBe(413);
    expect(res.body.status).toBe(413);
  });

  test('a Content-Length over 1 MB is a 413 at once, before any body arrives, and the connection closes', async () => {
    // Announces a gigabyte and sends two bytes: were the server to wait for the body, no answer would come.
    const answer = await whileListening(t.app, (port) =>
      rawExchange(
        port,
        'POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{}',
      ),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer).toContain('larger than 1 MB');
  });

  test('a body under 1 MB with Norwegian text passes through', async () => {
    const res = await request(t.app)
      .post('/api/v1/echo')
      .send({ text: 'Slemmestad og Vollen – blåbærtur 🫐' });
    expect(res.status).toBe(201);
    expect(res.body.got.text).toBe('Slemmestad og Vollen – blåbærtur 🫐');
  });

  test('a server fault is a bare 500 problem that leaks nothing', async () => {
    const res = await request(t.app).get('/api/v1/boom');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('secret internal detail');
    expect(JSON.stringify(res.body)).not.toMatch(/\.ts:\d+/);
  });

  test('security headers are set and x-powered-by is not', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
