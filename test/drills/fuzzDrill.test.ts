/**
 * The R5 drill of `npm run drill -- fuzz` (bench/drills/fuzz.ts), which sends the fuzz test's hostile requests to
 * the server as a process: a small run against the built server finds nothing, and a run against a server double
 * that answers 500 and writes events for requests it rejects finds both (a drill that cannot fail proves nothing).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DrillServer } from '../../bench/drills/drillServer';
import { runFuzzDrill } from '../../bench/drills/fuzz';
import { TOKENS } from '../support/ledgerApp';
import { startServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

/** A server that looks like the ledger to the drill's setup, then misbehaves: some 500s, writes when it refuses. */
async function misbehavingServerDouble(): Promise<DrillServer> {
  const log: string[] = [];
  const record = (streamId: string): string => {
    log.push(JSON.stringify({ globalPosition: log.length, streamId, streamRevision: 0 }));
    return JSON.stringify({ id: streamId, streamId, streamRevision: 0, globalPosition: log.length - 1 });
  };
  let commands = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '';
      if (req.method === 'GET' && url.startsWith('/api/v1/events?from=0')) {
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' }).end(log.map((l) => `${l}\n`).join(''));
      } else if (req.method === 'GET' && url.startsWith('/api/v1/audit/verify')) {
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ ok: true, treeSize: log.length, rootHash: `root-${log.length}` }));
      } else if (req.method === 'POST' && commands < 2) {
        commands++;
        res.writeHead(201, { 'Content-Type': 'application/json' }).end(record(`setup-${commands}`));
      } else if (req.method === 'POST') {
        // Refused, and written anyway: what the drill is there to catch.
        record(`refused-${commands++}`);
        const status = commands % 7 === 0 ? 500 : 400;
        res.writeHead(status, { 'Content-Type': 'application/problem+json' }).end('{"status":400}');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed = false;
  const exited = new Promise<void>((resolve) => server.on('close', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    child: {
      kill: () => {
        if (!closed) server.close();
        server.closeAllConnections();
        closed = true;
        return true;
      },
      get exitCode() {
        return closed ? 0 : null;
      },
      signalCode: null,
    },
    exited,
    output: () => '',
  };
}

describe('R5 drill: hostile requests to the server as a process', () => {
  it('given the built server and 300 generated bodies, then no answer is ≥ 500 and the ledger is unchanged', async () => {
    const temp = makeTempDir('ledger-fuzz-drill-');
    try {
      const result = await runFuzzDrill({
        dataDir: temp.dir,
        count: 300,
        seed: 13,
        tokens: TOKENS,
        start: (env) => startServerProcess(env, 30_000),
      });
      expect(result.failures).toEqual([]);
      expect(result.requests).toBe(300 + 16 + 100);
      expect(Object.keys(result.statuses).filter((s) => Number(s) >= 500)).toEqual([]);
      // Seed 13's bodies hold no valid command, so nothing may have been written at all.
      expect(result.accepted).toBe(0);
      expect(result.eventsAfter).toBe(result.eventsBefore);
      expect(result.verifyAfter).toMatchObject({ ok: true, treeSize: result.verifyBefore.treeSize });
    } finally {
      temp.cleanup();
    }
  }, 120_000);

  it('given a server that answers 500 and writes events for requests it refuses, then the drill names both', async () => {
    const result = await runFuzzDrill({
      dataDir: '/nonexistent',
      count: 50,
      seed: 13,
      tokens: TOKENS,
      start: () => misbehavingServerDouble(),
    });
    expect(result.failures.some((f) => / answered 500: /.test(f))).toBe(true);
    expect(
      result.failures.some((f) => /^refused-\d+ gained 1 events; accepted requests account for 0$/.test(f)),
    ).toBe(true);
  }, 60_000);
});
