/**
 * P11, the tile half: serving one full hash tile of the 1M-event ledger (the simulated trial at scale 100). The
 * Merkle tree is built once by the audit follower into bench/.cache/tiles-<scale>/ (beside, not inside, the shared
 * fixture, which is only read), then random full tiles at level 0 (256 leaf hashes) and level 1 (256 subtree roots)
 * are served: in process (TiledLog.hashTile, what the route calls) and over loopback HTTP through the real route
 * (GET /api/v1/audit/tlog/tile/<L>/<N>, sequential requests, so each latency is one request's). The baseline is the
 * same level-1 tile read one subtree lookup at a time (MerkleLog.subtreeHash), which the range read replaces.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { AuditLog } from '../src/audit/auditLog';
import { loadSigningKey } from '../src/audit/signingKey';
import { TiledLog } from '../src/audit/tiledLog';
import { tilePath } from '../src/audit/tlogTiles';
import { tlogRouter } from '../src/http/routes/tlog';
import { createLogger } from '../src/logger';
import { SqliteEventStore } from '../src/store/sqlite/sqliteEventStore';
import { ensureLedger } from './fixture';
import { report } from './report';

const SAMPLES = 2000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/** Milliseconds of each call, sorted. */
function timed(samples: number, run: (i: number) => void): number[] {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    run(i);
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return latencies.sort((a, b) => a - b);
}

async function timedAsync(samples: number, run: (i: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    await run(i);
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return latencies.sort((a, b) => a - b);
}

const random = (n: number): number => Math.floor(Math.random() * n);

export async function benchTiles(args: { scale?: number }): Promise<void> {
  const scale = args.scale ?? 100;
  const fixture = await ensureLedger(scale);
  const own = path.resolve(__dirname, `../../bench/.cache/tiles-${scale}`);
  fs.mkdirSync(own, { recursive: true });
  const store = new SqliteEventStore({ file: path.join(fixture.dir, 'events.sqlite') });
  const audit = new AuditLog({
    store,
    file: path.join(own, 'audit.sqlite'),
    signingKey: loadSigningKey(path.join(own, 'checkpoint-signing-key.pem'), true).key,
    origin: 'bench/tiles',
    checkpointEveryEvents: 1_000_000_000,
    logger: createLogger('silent'),
  });
  const followStarted = process.hrtime.bigint();
  await audit.start();
  const followSeconds = Number(process.hrtime.bigint() - followStarted) / 1e9;
  const checkpoint = await audit.checkpointNow();
  const treeSize = checkpoint.treeSize;
  const tiled = new TiledLog(audit, store);
  const level0 = Math.floor(treeSize / 256);
  const level1 = Math.floor(treeSize / 65_536);

  const inProcess0 = timed(SAMPLES, () => {
    tiled.hashTile({ kind: 'tile', level: 0, index: random(level0), width: 256 }, treeSize);
  });
  const inProcess1 = timed(SAMPLES, () => {
    tiled.hashTile({ kind: 'tile', level: 1, index: random(level1), width: 256 }, treeSize);
  });
  const lookups1 = timed(SAMPLES / 4, () => {
    const index = random(level1);
    for (let i = 0; i < 256; i++) {
      const start = (index * 256 + i) * 256;
      audit.merkle.subtreeHash(start, start + 256);
    }
  });

  const app = express();
  app.use('/api/v1', tlogRouter({ audit, store }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const { port } = server.address() as AddressInfo;
  const get = (p: string): Promise<void> =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: `/api/v1/audit/tlog/${p}`, agent }, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () =>
            res.statusCode === 200 && bytes === 8192
              ? resolve()
              : reject(new Error(`${p}: ${res.statusCode}`)),
          );
        })
        .on('error', reject);
    });
  await timedAsync(200, () => get(tilePath({ level: 0, index: random(level0) }))); // warm-up
  const overHttp0 = await timedAsync(SAMPLES, () => get(tilePath({ level: 0, index: random(level0) })));
  const overHttp1 = await timedAsync(SAMPLES, () => get(tilePath({ level: 1, index: random(level1) })));
  agent.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await audit.close();
  await store.close();

  const p50 = (l: number[]) => percentile(l, 0.5);
  const p99 = (l: number[]) => percentile(l, 0.99);
  const worstP50 = Math.max(p50(overHttp0), p50(overHttp1));
  report({
    name: 'tiles',
    command: `npm run bench -- tiles${args.scale ? ` --scale ${scale}` : ''}`,
    rows: [
      { what: 'tree size', value: treeSize, unit: 'leaves' },
      { what: 'tree built (follower, first run only)', value: followSeconds, unit: 's' },
      { what: 'level-0 tile, in process, p50', value: p50(inProcess0), unit: 'ms' },
      { what: 'level-0 tile, in process, p99', value: p99(inProcess0), unit: 'ms' },
      { what: 'level-1 tile, in process, p50', value: p50(inProcess1), unit: 'ms' },
      { what: 'level-1 tile, in process, p99', value: p99(inProcess1), unit: 'ms' },
      { what: 'level-1 tile, 256 lookups (baseline), p50', value: p50(lookups1), unit: 'ms' },
      { what: 'level-0 tile over HTTP, p50', value: p50(overHttp0), unit: 'ms' },
      { what: 'level-0 tile over HTTP, p99', value: p99(overHttp0), unit: 'ms' },
      { what: 'level-1 tile over HTTP, p50', value: p50(overHttp1), unit: 'ms' },
      { what: 'level-1 tile over HTTP, p99', value: p99(overHttp1), unit: 'ms' },
    ],
    checks: [
      {
        target: 'P11 serve one full hash tile at 1M events < 1 ms (p50 over HTTP, either level)',
        measured: `${worstP50.toFixed(3)} ms (p99 ${Math.max(p99(overHttp0), p99(overHttp1)).toFixed(3)} ms)`,
        ok: worstP50 < 1,
      },
    ],
  });
}
