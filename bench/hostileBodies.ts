/**
 * S4: what an anonymous caller can make the server spend with hostile bodies. `ledger serve` runs as a child
 * process; the bench sends anonymous 900 KB deeply nested JSON bodies to a command route and reads the server's
 * CPU time from /proc (Linux), the same for an admin's body, then measures GET /healthz while 16 anonymous ones
 * are in flight at all times.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { serveLedger } from './ledgerServer';
import { report } from './report';

const ROUTE = '/api/v1/proposals';
const ADMIN_TOKEN = 'bench-admin-token-000000001';
const NESTED_ARRAYS = '['.repeat(450_000) + ']'.repeat(450_000);
const NESTED_OBJECTS = '{"a":'.repeat(150_000) + '1' + '}'.repeat(150_000);

/** User + system CPU time of a process in milliseconds, from /proc/<pid>/stat (fields 14 and 15, in ticks). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function send(
  base: string,
  method: string,
  url: string,
  body?: string,
  token?: string,
): Promise<{ status: number; ms: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${url}`,
      {
        method,
        agent,
        headers: {
          ...(body === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': body.length }),
          ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

export async function benchHostileBodies(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-hostile-'));
  const server = await serveLedger({
    LEDGER_DATA_DIR: dataDir,
    LEDGER_API_TOKENS: `admin=${ADMIN_TOKEN}`,
    // The anonymous rate limit would answer 429 before the body matters; the bench measures the body's cost.
    LEDGER_RATE_LIMIT_ANONYMOUS: '0',
  });
  try {
    const rows = [];
    for (const [what, body, token] of [
      ['anonymous 900 KB nested arrays', NESTED_ARRAYS, undefined],
      ['anonymous 900 KB nested objects', NESTED_OBJECTS, undefined],
      ['admin 900 KB nested arrays', NESTED_ARRAYS, ADMIN_TOKEN],
    ] as const) {
      await send(server.url, 'POST', ROUTE, body, token); // warm-up
      const rounds = 40;
      const before = cpuMs(server.pid);
      const latencies: number[] = [];
      let status = 0;
      for (let i = 0; i < rounds; i++) {
        const res = await send(server.url, 'POST', ROUTE, body, token);
        latencies.push(res.ms);
        status = res.status;
      }
      const perRequest = (cpuMs(server.pid) - before) / rounds;
      latencies.sort((a, b) => a - b);
      rows.push(
        {
          what: `${what}: server CPU per request`,
          value: perRequest,
          unit: 'ms',
          note: `answered ${status}`,
        },
        { what: `${what}: median latency`, value: percentile(latencies, 0.5), unit: 'ms' },
      );
    }

    // /healthz while 16 hostile requests are always in flight.
    const idle: number[] = [];
    for (let i = 0; i < 50; i++) idle.push((await send(server.url, 'GET', '/healthz')).ms);
    let running = true;
    const attackers = Array.from({ length: 16 }, async () => {
      while (running) await send(server.url, 'POST', ROUTE, NESTED_ARRAYS);
    });
    await new Promise((r) => setTimeout(r, 500));
    const loaded: number[] = [];
    const until = Date.now() + 10_000;
    while (Date.now() < until) loaded.push((await send(server.url, 'GET', '/healthz')).ms);
    running = false;
    await Promise.all(attackers);
    idle.sort((a, b) => a - b);
    loaded.sort((a, b) => a - b);
    rows.push(
      { what: 'GET /healthz idle: median', value: percentile(idle, 0.5), unit: 'ms' },
      { what: 'GET /healthz, 16 hostile in flight: median', value: percentile(loaded, 0.5), unit: 'ms' },
      { what: 'GET /healthz, 16 hostile in flight: p99', value: percentile(loaded, 0.99), unit: 'ms' },
      {
        what: 'GET /healthz, 16 hostile in flight: max',
        value: loaded[loaded.length - 1] ?? 0,
        unit: 'ms',
        note: `${loaded.length} requests in 10 s`,
      },
    );
    report({
      name: 'hostile',
      command: 'npm run bench -- hostile',
      rows,
      checks: [],
    });
  } finally {
    agent.destroy();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
