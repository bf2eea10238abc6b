/**
 * R5: hostile and malformed requests against every command route and every read route. Whatever arrives, the
 * answer is below 500 (a problem response when it is an error), the process keeps serving, and nothing a rejected
 * request (or any read) sent changes the ledger. The generators are shared with `npm run drill -- fuzz`, which
 * sends them to the built server as a process (bench/drills/hostileRequests.ts).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import {
  bodyArb,
  bodyRoutes,
  concretePath,
  credentialsArb,
  LEAKED_INTERNALS,
  malformedPayloads,
  notUtf8Proposal,
  pathIdsArb,
  queryArb,
  readPaths,
} from '../../bench/drills/hostileRequests';
import { operations } from '../../src/http/operations';
import { openLedgerApp, TOKENS, type LedgerApp } from '../support/ledgerApp';
import { DASHBOARD_ROUTES, routeOf, servedRoutes } from '../support/servedRoutes';

describe('R5: hostile and malformed requests', () => {
  let t: LedgerApp;
  let server: Server;
  let base: string;
  let committeeId: string;
  let proposalId: string;

  beforeAll(async () => {
    // Rate limits off: a 429 would stop a request before the code under test sees it.
    t = await openLedgerApp({ LEDGER_RATE_LIMIT_ANONYMOUS: '0', LEDGER_RATE_LIMIT_FAILED_AUTH: '0' });
    server = t.app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    // A few real records, so that some fuzzed ids hit existing streams.
    const c = await t.post('/committees', {
      name: 'Utvalg',
      kind: 'task',
      areas: [],
      mandate: { influence: true, decide: false, facilitate: false, support: false, arrange: false },
      coCreationForm: 'steered',
      period: { from: '2020-06-01', to: '2022-12-31' },
    });
    committeeId = c.body.id as string;
    const p = await t.post('/proposals', {
      committeeId,
      title: 'Forslag',
      description: 'Tekst',
      origin: 'resident',
      submittedOn: '2021-01-01',
    });
    proposalId = p.body.id as string;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await t.close();
  });

  async function send(path: string, body: string, contentType = 'application/json'): Promise<Response> {
    return fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': contentType, Authorization: `Bearer ${TOKENS.clerk}` },
      body,
    });
  }

  async function expectRejectedWithoutChange(
    path: string,
    body: string,
    contentType?: string,
  ): Promise<void> {
    const before = await t.head();
    const res = await send(path, body, contentType);
    const text = await res.text();
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(text).not.toMatch(LEAKED_INTERNALS);
      expect(await t.head()).toBe(before);
    }
  }

  test('10,000 generated bodies across every command route: never a 5xx, never a change when rejected', async () => {
    expect(bodyRoutes.length).toBeGreaterThan(20);
    const runsPerRoute = Math.ceil(10_000 / bodyRoutes.length);
    for (const route of bodyRoutes) {
      await fc.assert(
        fc.asyncProperty(pathIdsArb(2), bodyArb, async (ids, body) => {
          await expectRejectedWithoutChange(
            concretePath(route.path, ids, { committeeId, proposalId }),
            JSON.stringify(body),
          );
        }),
        { numRuns: runsPerRoute },
      );
    }
  }, 600_000);

  test('malformed payloads: broken JSON, wrong content type, deep nesting, huge strings', async () => {
    const path = '/proposals';
    const cases = malformedPayloads(committeeId);
    for (const [body, type] of cases) await expectRejectedWithoutChange(path, body, type);
    // Bytes that are not UTF-8 are refused, not stored as U+FFFD.
    const before = await t.head();
    const badUtf8 = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKENS.clerk}` },
      body: notUtf8Proposal(committeeId),
    });
    expect(badUtf8.status).toBe(400);
    expect(await t.head()).toBe(before);
    const huge = await send(path, JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    // Still serving.
    expect((await fetch(`${base.replace('/api/v1', '')}/healthz`)).status).toBe(200);
  });

  test('every read route with generated hostile path ids, queries and credentials: never a 5xx, never a change', async () => {
    const getOperations = operations.filter((o) => o.method === 'get');
    // Served paths, mount included: the declared operations and the dashboard's pages, which are every GET served.
    const reads = readPaths();
    expect([...getOperations.map(routeOf), ...DASHBOARD_ROUTES].sort()).toEqual(
      servedRoutes(t.app).filter((r) => r.startsWith('GET ')),
    );
    expect(reads.length).toBeGreaterThan(15);
    const origin = base.replace('/api/v1', '');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...reads),
        pathIdsArb(3),
        queryArb,
        credentialsArb(TOKENS),
        async (route, ids, q, headers) => {
          const before = await t.head();
          const url = `${origin}${concretePath(route, ids, { committeeId, proposalId })}${q ? `?${q}` : ''}`;
          // A live feed answers 200 and stays open: its headers are enough, then it is let go.
          const abort = new AbortController();
          const res = await fetch(url, { headers, signal: abort.signal });
          const live = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
          const text = live ? '' : await res.text();
          abort.abort();
          expect([route, q, res.status]).toEqual([route, q, expect.any(Number)]);
          if (res.status >= 500) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
          if (res.status >= 400) {
            expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
            expect(text).not.toMatch(LEAKED_INTERNALS);
          }
          expect(await t.head()).toBe(before);
        },
      ),
      { numRuns: 3000 },
    );
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
  }, 600_000);

  test('a random unknown proposal id in the path is a 404', async () => {
    const res = await send(
      `/proposals/${uuidv7()}/supports`,
      JSON.stringify({ personId: uuidv7(), supportedOn: '2021-01-02' }),
    );
    expect(res.status).toBe(404);
  });
});
