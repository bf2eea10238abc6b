/**
 * S4: live feeds (SSE, GET /events/live) are capped per token (429 beyond) and in all (503 beyond), a closed feed
 * gives its place back, and more than a hundred feeds on `ledger serve` raise no listener-leak warning.
 */
import http from 'node:http';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startServer, type RunningServer } from '../../src/server';
import { startServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const TOKENS = {
  first: 'live-feeds-evaluator-token-1',
  second: 'live-feeds-evaluator-token-2',
  admin: 'live-feeds-admin-token-00003',
};

interface Feed {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The problem, when the feed was refused. */
  problem?: Record<string, unknown>;
  close(): void;
  closed: Promise<void>;
}

async function serve(
  env: Record<string, string>,
): Promise<{ running: RunningServer; cleanup: () => Promise<void> }> {
  const temp = makeTempDir('ledger-live-feeds-');
  const config = loadConfig({
    LEDGER_DATA_DIR: temp.dir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    LEDGER_API_TOKENS: `evaluator=${TOKENS.first},evaluator=${TOKENS.second},admin=${TOKENS.admin}`,
    ...env,
  });
  const running = await startServer(config, createLogger('silent'));
  return {
    running,
    cleanup: async () => {
      await running.close();
      temp.cleanup();
    },
  };
}

function openFeed(url: string, token: string): Promise<Feed> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${url}/api/v1/events/live`,
      { headers: { Authorization: `Bearer ${token}` }, agent: false },
      (res) => {
        const closed = new Promise<void>((done) => res.on('close', done));
        const feed = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          close: () => req.destroy(),
          closed,
        };
        if (res.statusCode === 200) {
          res.resume();
          resolve(feed);
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ ...feed, problem: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
  });
}

/** The server learns of a closed feed a moment after the client closes it: try again until it has. */
async function openOnceFreed(running: RunningServer, token: string): Promise<Feed> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const feed = await openFeed(running.url, token);
    if (feed.status === 200) return feed;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no live feed slot was freed');
}

describe('live feed caps (S4)', () => {
  test('a token past its cap gets a 429 problem; closing one of its feeds frees a slot; other tokens have their own', async () => {
    const { running, cleanup } = await serve({
      LEDGER_LIVE_FEEDS_PER_TOKEN: '3',
      LEDGER_LIVE_FEEDS_TOTAL: '10',
    });
    const feeds: Feed[] = [];
    try {
      for (let i = 0; i < 3; i++) feeds.push(await openFeed(running.url, TOKENS.first));
      expect(feeds.map((f) => f.status)).toEqual([200, 200, 200]);
      const refused = await openFeed(running.url, TOKENS.first);
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.problem).toMatchObject({ status: 429, type: '/api/v1/problems/live-feed-limit' });
      expect(String(refused.problem?.detail)).toContain('3 live feeds');
      const other = await openFeed(running.url, TOKENS.second);
      expect(other.status).toBe(200);
      feeds.push(other);

      feeds[0]?.close();
      feeds.push(await openOnceFreed(running, TOKENS.first));
      expect((await openFeed(running.url, TOKENS.first)).status).toBe(429);
    } finally {
      feeds.forEach((f) => f.close());
      await cleanup();
    }
  });

  test('past the total cap every token gets a 503 problem with Retry-After, until a feed closes', async () => {
    const { running, cleanup } = await serve({
      LEDGER_LIVE_FEEDS_PER_TOKEN: '3',
      LEDGER_LIVE_FEEDS_TOTAL: '5',
    });
    const feeds: Feed[] = [];
    try {
      for (let i = 0; i < 3; i++) feeds.push(await openFeed(running.url, TOKENS.first));
      for (let i = 0; i < 2; i++) feeds.push(await openFeed(running.url, TOKENS.second));
      expect(feeds.map((f) => f.status)).toEqual([200, 200, 200, 200, 200]);
      const full = await openFeed(running.url, TOKENS.admin);
      expect(full.status).toBe(503);
      expect(full.headers['retry-after']).toBe('30');
      expect(full.problem).toMatchObject({ status: 503, type: '/api/v1/problems/unavailable' });
      expect(String(full.problem?.detail)).toContain('5 live feeds');
      expect((await openFeed(running.url, TOKENS.second)).status).toBe(503);

      feeds[4]?.close();
      feeds.push(await openOnceFreed(running, TOKENS.admin));
    } finally {
      feeds.forEach((f) => f.close());
      await cleanup();
    }
  });

  test('given 120 live feeds on `ledger serve`, then the process prints no listener-leak warning, and a stop ends them all', async () => {
    const temp = makeTempDir('ledger-live-feeds-process-');
    const server = await startServerProcess({
      LEDGER_DATA_DIR: temp.dir,
      LEDGER_API_TOKENS: `evaluator=${TOKENS.first}`,
      LEDGER_LIVE_FEEDS_PER_TOKEN: '200',
      LEDGER_LIVE_FEEDS_TOTAL: '200',
    });
    try {
      const feeds = await Promise.all(Array.from({ length: 120 }, () => openFeed(server.url, TOKENS.first)));
      expect(feeds.filter((f) => f.status !== 200)).toEqual([]);
      server.child.kill('SIGTERM');
      await Promise.all(feeds.map((f) => f.closed)); // shutdown ended every feed
      expect(await server.exited).toEqual({ code: 0, signal: null });
      // Node prints its warnings on stderr, e.g. "MaxListenersExceededWarning: Possible EventTarget memory leak".
      expect(server.output()).not.toMatch(/Warning/);
    } finally {
      server.child.kill('SIGKILL');
      temp.cleanup();
    }
  });
});
