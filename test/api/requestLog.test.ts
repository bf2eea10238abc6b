/**
 * What the request log says about answers ≥ 500: a read whose minPosition the views do not reach in time is a 503,
 * an expected condition logged as a warning without an error or a stack; a genuine fault stays an error, with the
 * stack of what failed.
 */
import request from 'supertest';
import { loadConfig } from '../../src/config';
import { createApp } from '../../src/http/app';
import { readRouter } from '../../src/http/routes/reads';
import { openLedger, type Ledger } from '../../src/ledger';
import { createLogger } from '../../src/logger';
import { makeTempDir } from '../support/tempDir';

interface LogLine {
  level: number;
  msg?: string;
  err?: { stack?: string };
  req?: { url?: string };
  res?: { statusCode?: number };
}

const WARN = 40;
const ERROR = 50;

describe('the request log for answers ≥ 500', () => {
  const temp = makeTempDir('ledger-log-');
  const lines: string[] = [];
  let ledger: Ledger;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    const config = loadConfig({ LEDGER_DATA_DIR: temp.dir, LOG_LEVEL: 'info' });
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    ledger = openLedger(config, logger);
    await ledger.runner.start();
    app = createApp({
      config,
      logger,
      store: ledger.store,
      apiRouters: [
        readRouter({
          runner: ledger.runner,
          store: ledger.store,
          people: ledger.people,
          minPositionWaitMs: 50,
        }),
      ],
    });
  });

  afterAll(async () => {
    await ledger.close();
    temp.cleanup();
  });

  /** The log lines written while `send` ran. */
  async function loggedDuring(send: () => PromiseLike<request.Response>) {
    const from = lines.length;
    const res = await send();
    return { res, logged: lines.slice(from).map((line) => JSON.parse(line) as LogLine) };
  }

  test('a minPosition beyond what the store holds is a 422 at once: no write was ever answered with it', async () => {
    const head = await ledger.store.headPosition();
    const res = await request(app).get(`/api/v1/influence?minPosition=${head + 1}`);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ type: '/api/v1/problems/position-not-recorded', headPosition: head });
  });

  test('a minPosition the views do not reach is a 503, logged as a warning with no error and no stack', async () => {
    // The store holds a write the views have not taken in: they are stopped.
    await ledger.runner.stop();
    const [position] = (
      await ledger.store.append('arena-0190a7c0-0000-7000-8000-0000000000a1', [
        {
          eventId: '0190a7c0-0000-7000-8000-0000000000e1',
          type: 'ArenaRegistered',
          schemaVersion: 1,
          occurredAt: '2021-01-01',
          actor: { principal: 'test', role: 'admin' },
          correlationId: 'c-1',
          causationId: null,
          data: { arenaId: '0190a7c0-0000-7000-8000-0000000000a1', name: 'Torget', areas: ['Sentrum'] },
        },
      ])
    ).positions;
    const url = `/api/v1/influence?minPosition=${position}`;
    const { res, logged } = await loggedDuring(() => request(app).get(url));
    expect(res.status).toBe(503);
    expect(res.body.type).toBe('/api/v1/problems/unavailable');
    const requestLine = logged.find((l) => l.req?.url === url);
    expect(requestLine).toMatchObject({ level: WARN, res: { statusCode: 503 } });
    expect(requestLine).not.toHaveProperty('err');
    expect(logged.filter((l) => l.level >= ERROR)).toEqual([]);
    expect(logged.map((l) => JSON.stringify(l)).join('\n')).not.toMatch(/stack|\bat .*\.[jt]s:\d+/);
  });

  test('a store failure is still an error, logged with the stack of what failed', async () => {
    const readAll = ledger.store.readAll.bind(ledger.store);
    const spy = jest.spyOn(ledger.store, 'readAll').mockImplementation((from, options) => {
      if (from === 4242) throw new Error('SQLITE_IOERR: disk I/O error');
      return readAll(from, options);
    });
    try {
      const { res, logged } = await loggedDuring(() => request(app).get('/api/v1/influence?asOf=4242'));
      expect(res.status).toBe(500);
      const errors = logged.filter((l) => l.level >= ERROR);
      expect(errors.some((l) => l.err?.stack?.includes('SQLITE_IOERR'))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
