/**
 * R5: hostile and malformed requests against every command route and every read route. Whatever arrives, the
 * answer is below 500 (a problem response when it is an error), the process keeps serving, and nothing a rejected
 * request (or any read) sent changes the ledger.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { operations, servedPathOf } from '../../src/http/operations';
import { openLedgerApp, TOKENS, type LedgerApp } from '../support/ledgerApp';
import { DASHBOARD_ROUTES, routeOf, servedRoutes } from '../support/servedRoutes';

/** The routes that take a body: every command, from the declared operations. */
const bodyRoutes = operations.filter((o) => o.method === 'post' && o.body !== undefined);

const hostileStrings = [
  "'; DROP TABLE events; --",
  '" OR 1=1 --',
  '{"$gt": ""}',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  '\u0000\u0001\u0002',
  '\ud800',
  '9'.repeat(400),
  '2021-02-30',
  '0000-00-00',
  '-1',
  'NaN',
  '1e309',
  'æøå'.repeat(2000),
  '😀'.repeat(5000),
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...hostileStrings),
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, -1e308, [], {}),
  fc.string({ maxLength: 50 }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

/** A body: anything JSON, or an object built from plausible field names with hostile values. */
const fieldNames = [
  'name',
  'areas',
  'kind',
  'seats',
  'email',
  'phone',
  'birthYear',
  'area',
  'erasedOn',
  'reason',
  'arenaId',
  'theme',
  'mandate',
  'coCreationForm',
  'period',
  'establishedBy',
  'personId',
  'role',
  'actorGroup',
  'representationBasis',
  'appointedOn',
  'leftOn',
  'year',
  'amountNok',
  'dissolvedOn',
  'title',
  'committeeIds',
  'startedOn',
  'phase',
  'committeeId',
  'heldOn',
  'attendeeCount',
  'attendeePersonIds',
  'agendaProposalIds',
  'processId',
  'description',
  'origin',
  'submittedBy',
  'submittedOn',
  'amendedOn',
  'supportedOn',
  'withdrawnOn',
  'outcome',
  'text',
  'voteId',
  'grantNok',
  'decidedOn',
  'toBodyId',
  'caseNumber',
  'referredOn',
  'summary',
  'votesFor',
  'votesAgainst',
  'status',
  'progressPct',
  'note',
  'reportedOn',
  'proposalId',
  'meetingId',
  'question',
  'rule',
  'openedOn',
  'choice',
  'castOn',
  'closedOn',
  'id',
  '__proto__',
  'constructor',
  'extra',
];
const bodyArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom(...fieldNames), hostileValue, { maxKeys: 12 }),
);

/** URL-encoded; a lone surrogate (which encodeURIComponent refuses) as the bytes a careless client would send. */
function percentEncoded(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

const pathIdArb = fc.oneof(fc.uuid(), fc.constantFrom('x', '1', '..%2f..', '%00', "1'OR'1'='1", 'null'));

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
      expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
      expect(await t.head()).toBe(before);
    }
  }

  function concretePath(template: string, ids: string[]): string {
    let i = 0;
    return template.replace(/:([A-Za-z]+)/g, () => {
      const pick = ids[i++ % ids.length] as string;
      return encodeURIComponent(pick === 'committee' ? committeeId : pick === 'proposal' ? proposalId : pick);
    });
  }

  test('10,000 generated bodies across every command route: never a 5xx, never a change when rejected', async () => {
    expect(bodyRoutes.length).toBeGreaterThan(20);
    const runsPerRoute = Math.ceil(10_000 / bodyRoutes.length);
    for (const route of bodyRoutes) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(pathIdArb, fc.constantFrom('committee', 'proposal')), {
            minLength: 2,
            maxLength: 2,
          }),
          bodyArb,
          async (ids, body) => {
            await expectRejectedWithoutChange(concretePath(route.path, ids), JSON.stringify(body));
          },
        ),
        { numRuns: runsPerRoute },
      );
    }
  }, 600_000);

  test('malformed payloads: broken JSON, wrong content type, deep nesting, huge strings', async () => {
    const path = '/proposals';
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const deepObject = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    const cases: Array<[string, string?]> = [
      ['{"title": '],
      ['not json at all'],
      [''],
      ['null'],
      ['[]'],
      ['"a string"'],
      [deep],
      [deepObject],
      [JSON.stringify({ title: 'x'.repeat(900_000) })],
      [
        JSON.stringify({
          committeeId,
          title: 'x',
          description: 'y',
          origin: 'resident',
          submittedOn: '2021-01-01',
          extra: 1,
        }),
      ],
      ['{"a":1}', 'text/plain'],
      ['<xml/>', 'application/xml'],
      ['a=1&b=2', 'application/x-www-form-urlencoded'],
      [JSON.stringify({ name: 'x' }), 'application/json; charset=latin1'],
    ];
    for (const [body, type] of cases) await expectRejectedWithoutChange(path, body, type);
    // Bytes that are not UTF-8 are refused, not stored as U+FFFD.
    const before = await t.head();
    const badUtf8 = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKENS.clerk}` },
      body: Buffer.concat([
        Buffer.from(`{"committeeId":"${committeeId}","title":"`),
        Buffer.from([0xff, 0xfe, 0xc0, 0xa2]),
        Buffer.from('","description":"y","origin":"resident","submittedOn":"2021-01-01"}'),
      ]),
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
    const reads = [...getOperations.map(servedPathOf), ...DASHBOARD_ROUTES.map((r) => r.slice(4))];
    expect([...getOperations.map(routeOf), ...DASHBOARD_ROUTES].sort()).toEqual(
      servedRoutes(t.app).filter((r) => r.startsWith('GET ')),
    );
    expect(reads.length).toBeGreaterThan(15);
    const origin = base.replace('/api/v1', '');
    const queryKeys = [
      'asOf',
      'minPosition',
      'from',
      'to',
      'limit',
      'cursor',
      'committeeId',
      'stage',
      'origin',
      'theme',
      'groupBy',
      'position',
      'treeSize',
      'fromSize',
      'format',
      'proposalId',
      '__proto__',
      'constructor',
      'x',
    ];
    const queryValue = fc.oneof(
      fc.constantFrom(...hostileStrings.map((v) => v.slice(0, 300))),
      fc.constantFrom(
        '-1',
        '0',
        '05',
        '1e3',
        '0x10',
        '2021-02-30T00:00:00Z',
        '2021-05-01',
        '9'.repeat(30),
        'csv',
        'ndjson',
      ),
      fc.integer({ min: -5, max: 100_000 }).map(String),
      fc.string({ maxLength: 40 }),
    );
    const query = fc
      .array(fc.tuple(fc.constantFrom(...queryKeys), queryValue), { maxLength: 5 })
      .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${percentEncoded(v)}`).join('&'));
    const rawJunk = fc.constantFrom(
      '',
      '%',
      '%zz',
      '%00',
      '&&&',
      '=',
      'asOf',
      'asOf=1&asOf=2',
      'a[b]=c',
      '%E2%80%AE',
    );
    const credentials = fc.constantFrom<Record<string, string>>(
      {},
      { Authorization: `Bearer ${TOKENS.admin}` },
      { Authorization: `Bearer ${TOKENS.evaluator}` },
      { Authorization: `Bearer ${TOKENS.clerk}` },
      { Authorization: 'Bearer not-a-token-at-all-0000' },
      { Authorization: 'Basic YWRtaW46YWRtaW4=' },
      { Authorization: 'Bearer ' },
      { Authorization: `Bearer ${TOKENS.evaluator}`, 'Last-Event-ID': '-5' },
      { Authorization: `Bearer ${TOKENS.evaluator}`, 'Last-Event-ID': '99999999999999999999' },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...reads),
        fc.array(fc.oneof(pathIdArb, fc.constantFrom('committee', 'proposal')), {
          minLength: 3,
          maxLength: 3,
        }),
        fc.oneof(query, rawJunk),
        credentials,
        async (route, ids, q, headers) => {
          const before = await t.head();
          const url = `${origin}${concretePath(route, ids)}${q ? `?${q}` : ''}`;
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
            expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
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
