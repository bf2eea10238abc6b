/**
 * GET /positions/live: the public feed that tells a dashboard the ledger moved. Each message carries the position,
 * the time recorded and the stream's category, and nothing else (no id, no event type, no data); it resumes after
 * Last-Event-ID; anonymous callers are capped per address, so two addresses do not share one cap.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventTypes } from '../../src/domain/events';
import { fullMandate, openLedgerApp, TOKENS, type LedgerApp } from '../support/ledgerApp';
import { ANONYMOUS_REPLAY } from '../../src/http/routes/feeds';

interface Feed {
  status: number;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the received text matches. */
  until(pattern: RegExp): Promise<string>;
  close(): void;
}

describe('GET /positions/live', () => {
  let t: LedgerApp;
  let server: http.Server;
  let port: number;
  const open: Feed[] = [];

  beforeAll(async () => {
    t = await openLedgerApp({ LEDGER_LIVE_FEEDS_PER_TOKEN: '2', LEDGER_LIVE_FEEDS_TOTAL: '20' });
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => open.splice(0).forEach((f) => f.close()));
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.close();
  });

  /** Opens the feed from `localAddress` (any 127.x address reaches the server on Linux's loopback). */
  function openFeed(
    path: string,
    options: { headers?: Record<string, string>; localAddress?: string } = {},
  ): Promise<Feed> {
    return new Promise((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port,
          path: `/api/v1${path}`,
          headers: options.headers,
          localAddress: options.localAddress,
          agent: false,
        },
        (res) => {
          let text = '';
          const waiting: Array<{ pattern: RegExp; resolve: (t: string) => void }> = [];
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            for (const w of waiting.filter((x) => x.pattern.test(text))) {
              waiting.splice(waiting.indexOf(w), 1);
              w.resolve(text);
            }
          });
          const feed: Feed = {
            status: res.statusCode ?? 0,
            text: () => text,
            until: (pattern) =>
              pattern.test(text)
                ? Promise.resolve(text)
                : new Promise((done) => waiting.push({ pattern, resolve: done })),
            close: () => req.destroy(),
          };
          open.push(feed);
          if (feed.status === 200) resolve(feed);
          else res.on('end', () => resolve(feed));
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
    });
  }

  /** The SSE messages (not comments) in a text: their fields. */
  function messages(text: string): Array<Record<string, string>> {
    return text
      .split('\n\n')
      .filter((block) => /^(id|event|data):/m.test(block))
      .map((block) =>
        Object.fromEntries(
          block
            .split('\n')
            .filter((line) => !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        ),
      );
  }

  test('a command appended while connected arrives as a position message with its category and nothing else', async () => {
    const feed = await openFeed('/positions/live');
    expect(feed.status).toBe(200);
    await feed.until(/^: caught up at /m);
    const arena = await t.post('/arenas', { name: 'Heggedal innbyggertorg', areas: ['Heggedal'] });
    expect(arena.status).toBe(201);
    const person = await t.post('/persons', { name: 'Astrid Vitnesen' });
    const committee = await t.post('/committees', {
      name: 'Lokalsamfunnsutvalget i Heggedal',
      kind: 'local_community',
      areas: ['Heggedal'],
      mandate: fullMandate,
      coCreationForm: 'equal',
      period: { from: '2020-06-01', to: '2022-12-31' },
    });
    const proposal = await t.post('/proposals', {
      committeeId: committee.body.id,
      title: 'Gatelys',
      description: 'Lys.',
      origin: 'resident',
      submittedBy: person.body.id,
      submittedOn: '2021-03-01',
    });
    const support = await t.post(`/proposals/${proposal.body.id}/supports`, {
      personId: person.body.id,
      supportedOn: '2021-03-02',
    });
    const text = await feed.until(new RegExp(`^id: ${support.body.globalPosition}$`, 'm'));
    const appended = [arena, person, committee, proposal, support].map((r) => r.body);
    const got = messages(text);
    expect(got.map((m) => Object.keys(m).sort())).toEqual(appended.map(() => ['data', 'event', 'id']));
    const recorded = new Map<number, string>();
    for await (const e of t.ledger.store.readAll(0)) recorded.set(e.globalPosition, e.recordedAt);
    expect(got.map((m) => ({ id: m.id, event: m.event, data: JSON.parse(m.data ?? 'null') }))).toEqual(
      appended.map((a, i) => ({
        id: String(a.globalPosition),
        event: 'position',
        data: {
          globalPosition: a.globalPosition,
          recordedAt: recorded.get(a.globalPosition),
          category: ['arena', 'person', 'committee', 'proposal', 'proposal'][i],
        },
      })),
    );
    // No event type, stream id, record id or personal data, anywhere in what was sent.
    for (const type of eventTypes) expect(text).not.toContain(type);
    for (const a of appended) {
      expect(text).not.toContain(a.id);
      expect(text).not.toContain(a.streamId);
    }
    expect(text).not.toContain('Astrid');
    expect(text).toMatch(/^retry: \d+$/m);
  });

  test('resumes after Last-Event-ID, or from ?from=', async () => {
    const head = await t.head();
    expect(head).toBeGreaterThan(2);
    const resumed = await openFeed('/positions/live', { headers: { 'Last-Event-ID': '1' } });
    const text = await resumed.until(/^: caught up at /m);
    expect(messages(text).map((m) => Number(m.id))).toEqual(
      Array.from({ length: head - 1 }, (_, i) => i + 2),
    );
    const from = await openFeed(`/positions/live?from=${head}`);
    expect(messages(await from.until(/^: caught up at /m)).map((m) => Number(m.id))).toEqual([head]);
  });

  test('a bad Last-Event-ID or from is a 400 problem', async () => {
    for (const [path, headers] of [
      ['/positions/live', { 'Last-Event-ID': 'abc' }],
      ['/positions/live', { 'Last-Event-ID': '-1' }],
      ['/positions/live', { 'Last-Event-ID': '1e3' }],
      ['/positions/live', { 'Last-Event-ID': '99999999999999999999' }],
      ['/positions/live?from=-1', {}],
      ['/positions/live?from=%27%20OR%201%3D1', {}],
    ] as Array<[string, Record<string, string>]>) {
      const feed = await openFeed(path, { headers });
      expect({ path, headers, status: feed.status }).toEqual({ path, headers, status: 400 });
      expect(JSON.parse(feed.text())).toMatchObject({ status: 400 });
    }
  });

  test('anonymous feeds are capped per address: two addresses are independent, and a token has its own cap', async () => {
    const first = [await openFeed('/positions/live', { localAddress: '127.0.0.2' })];
    first.push(await openFeed('/positions/live', { localAddress: '127.0.0.2' }));
    expect(first.map((f) => f.status)).toEqual([200, 200]);
    const refused = await openFeed('/positions/live', { localAddress: '127.0.0.2' });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text())).toMatchObject({
      status: 429,
      type: '/api/v1/problems/live-feed-limit',
      detail: expect.stringContaining('This address has 2 live feeds'),
    });
    expect((await openFeed('/positions/live', { localAddress: '127.0.0.3' })).status).toBe(200);
    const withToken = await openFeed('/positions/live', {
      localAddress: '127.0.0.2',
      headers: { Authorization: `Bearer ${TOKENS.evaluator}` },
    });
    expect(withToken.status).toBe(200);
    // /events/live keeps its rule: evaluators and admins only.
    expect((await openFeed('/events/live', { localAddress: '127.0.0.4' })).status).toBe(401);
  });

  test('readers without a token may hold half the live feeds at most: the rest stay open to tokens', async () => {
    // Total 20 in this suite, 2 per address: ten anonymous feeds from five addresses fill their half.
    for (let a = 10; a < 15; a++)
      for (let i = 0; i < 2; i++)
        expect((await openFeed('/positions/live', { localAddress: `127.0.0.${a}` })).status).toBe(200);
    const refused = await openFeed('/positions/live', { localAddress: '127.0.0.20' });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text()).detail).toMatch(/without a token/);
    const evaluator = await openFeed('/events/live', {
      localAddress: '127.0.0.20',
      headers: { Authorization: `Bearer ${TOKENS.evaluator}` },
    });
    expect(evaluator.status).toBe(200);
  });

  test('a reader without a token resumes within the last events only, never replays the log; a token replays', async () => {
    for (let i = 0; i < ANONYMOUS_REPLAY + 20; i++)
      expect((await t.post('/arenas', { name: `Torg ${i}`, areas: ['Heggedal'] })).status).toBe(201);
    const head = await t.head();
    const anonymous = await openFeed('/positions/live', { headers: { 'Last-Event-ID': '0' } });
    const ids = messages(await anonymous.until(/^: caught up at /m)).map((m) => Number(m.id));
    expect(ids[0]).toBe(head + 1 - ANONYMOUS_REPLAY);
    expect(ids.at(-1)).toBe(head);
    const fromZero = await openFeed('/positions/live?from=0');
    expect(messages(await fromZero.until(/^: caught up at /m)).length).toBe(ANONYMOUS_REPLAY);
    const evaluator = await openFeed('/positions/live?from=0', {
      headers: { Authorization: `Bearer ${TOKENS.evaluator}` },
    });
    expect(messages(await evaluator.until(/^: caught up at /m)).map((m) => Number(m.id))[0]).toBe(0);
  });
});
