/**
 * P6: inclusion proof latency for random events, and full verify rate against a raw ordered scan with JSON.parse,
 * on the simulated trial at `scale` (100 ≈ 1M events). The Merkle tree is built by the audit follower first.
 */
import path from 'node:path';
import { AuditLog } from '../src/audit/auditLog';
import { generateSigningKey } from '../src/audit/signedNote';
import { verifyLedger } from '../src/audit/verify';
import { createLogger } from '../src/logger';
import { SqliteEventStore } from '../src/store/sqlite/sqliteEventStore';
import { ensureLedger } from './fixture';
import { report } from './report';
import { rawScan } from './views';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

export async function benchProofs(args: { scale?: number }): Promise<void> {
  const scale = args.scale ?? 100;
  const fixture = await ensureLedger(scale);
  const eventsFile = path.join(fixture.dir, 'events.sqlite');
  const store = new SqliteEventStore({ file: eventsFile });
  const audit = new AuditLog({
    store,
    file: path.join(fixture.dir, 'audit.sqlite'),
    signingKey: generateSigningKey(),
    origin: 'bench/proofs',
    checkpointEveryEvents: 100_000,
    logger: createLogger('silent'),
  });
  const followStarted = process.hrtime.bigint();
  await audit.start();
  const followSeconds = Number(process.hrtime.bigint() - followStarted) / 1e9;
  audit.checkpointNow();
  const treeSize = audit.treeSize();

  const latencies: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const position = Math.floor(Math.random() * treeSize);
    const t = process.hrtime.bigint();
    audit.inclusion(position, treeSize);
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  latencies.sort((a, b) => a - b);

  const raw = rawScan(eventsFile);
  const verifyStarted = process.hrtime.bigint();
  const result = await verifyLedger(store, audit);
  const verifySeconds = Number(process.hrtime.bigint() - verifyStarted) / 1e9;
  await audit.close();
  await store.close();

  const rawRate = raw.events / raw.seconds;
  const verifyRate = result.eventsVerified / verifySeconds;
  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  report({
    name: 'proofs',
    command: `npm run bench -- proofs --scale ${scale}`,
    rows: [
      { what: `ledger (simulated trial, scale ${scale})`, value: treeSize, unit: 'events' },
      {
        what: 'audit follower building the tree (incl. catch-up reads)',
        value: followSeconds > 0 ? treeSize / followSeconds : 0,
        unit: 'events/s',
      },
      { what: 'inclusion proof, median of 2000 random', value: p50, unit: 'ms' },
      { what: 'inclusion proof, p99', value: p99, unit: 'ms' },
      { what: 'raw ordered scan with JSON.parse', value: rawRate, unit: 'events/s' },
      { what: `full verify (ok=${result.ok})`, value: verifyRate, unit: 'events/s' },
      { what: 'ratio verify / raw scan', value: verifyRate / rawRate, unit: '×' },
    ],
    checks: [
      { target: 'P6 inclusion proof < 2 ms', measured: `p99 ${p99.toFixed(2)} ms`, ok: p99 < 2 },
      {
        target: 'P6 verify ≥ 0.5 × raw scan',
        measured: `${(verifyRate / rawRate).toFixed(2)} ×`,
        ok: verifyRate / rawRate >= 0.5,
      },
      { target: 'verify finds the untouched ledger ok', measured: String(result.ok), ok: result.ok },
    ],
  });
}
