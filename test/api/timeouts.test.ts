/**
 * S4: the running server cuts off clients that send their headers or their body too slowly (408 problem, then
 * the connection is closed), and leaves the live feed, long-lived by design, alone. Short timeouts come in
 * through the configuration, so nothing here waits long.
 */
import http from 'node:http';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startServer, type RunningServer } from '../../src/server';
import { makeTempDir } from '../support/tempDir';
import { rawExchange } from '../support/rawHttp';

const CLERK = 'timeouts-clerk-token-000001';
const EVALUATOR = 'timeouts-evaluator-token-01';

describe('request and header timeouts (S4)', () => {
  const temp = makeTempDir('ledger-timeouts-');
  let running: RunningServer;
  let port: number;
  beforeAll(async () => {
    const config = loadConfig({
      LEDGER_DATA_DIR: temp.dir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      LEDGER_API_TOKENS: `clerk=${CLERK},evaluator=${EVALUATOR}`,
    });
    running = await startServer(
      { ...config, timeouts: { headersMs: 300, requestMs: 600 } },
      createLogger('silent'),
    );
    port = Number(new URL(running.url).port);
  });
  afterAll(async () => {
    await running.close();
    temp.cleanup();
  });

  /** Should the server never close the connection, the client gives up after this long. */
  const GIVE_UP_MS = 5_000;

  function expectTimeoutProblem(response: string): void {
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(response).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/i);
    const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 408, type: '/api/v1/problems/request-timeout' });
  }

  test('headers sent too slowly are answered 408 and the connection is closed', async () => {
    let trickle: NodeJS.Timeout | undefined;
    const response = await rawExchange(
      port,
      (socket) => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
        // One header byte at a time keeps the connection busy but never finishes the headers.
        trickle = setInterval(() => socket.writable && socket.write('X'), 50);
      },
      GIVE_UP_MS,
    );
    clearInterval(trickle);
    expectTimeoutProblem(response);
  });

  test('a body trickled too slowly is answered 408, the connection is closed, and nothing is recorded', async () => {
    let trickle: NodeJS.Timeout | undefined;
    const response = await rawExchange(
      port,
      (socket) => {
        socket.write(
          'POST /api/v1/arenas HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
            `Authorization: Bearer ${CLERK}\r\nContent-Length: 1000\r\n\r\n{"name": "Vollen", "areas": [`,
        );
        trickle = setInterval(() => socket.writable && socket.write(' '), 50);
      },
      GIVE_UP_MS,
    );
    clearInterval(trickle);
    expectTimeoutProblem(response);
    expect(await running.ledger.store.headPosition()).toBe(-1);
  });

  test('the live feed stays open well past the request timeout and still delivers', async () => {
    const api = `${running.url}/api/v1`;
    const feed = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get(`${api}/events/live?from=0`, { headers: { Authorization: `Bearer ${EVALUATOR}` } }, resolve)
        .on('error', reject),
    );
    let received = '';
    let closed = false;
    feed.setEncoding('utf8');
    feed.on('data', (chunk: string) => (received += chunk));
    feed.on('close', () => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // 2.5 × the request timeout
    expect(closed).toBe(false);
    const created = await fetch(`${api}/arenas`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${CLERK}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Heggedal innbyggertorg', areas: ['Heggedal'] }),
    });
    expect(created.status).toBe(201);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (received.includes('event: ArenaRegistered')) resolve();
        else feed.once('data', check);
      };
      check();
    });
    expect(closed).toBe(false);
    feed.destroy();
  });
});
