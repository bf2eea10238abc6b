/** Shared output for benchmarks: a printed table and bench/results/latest.json (merged per benchmark). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BenchRow {
  what: string;
  value: number;
  unit: string;
  note?: string;
}

export interface BenchResult {
  name: string;
  command: string;
  rows: BenchRow[];
  checks: Array<{ target: string; measured: string; ok: boolean }>;
}

const resultsFile = path.resolve(__dirname, '../../bench/results/latest.json');

export function report(result: BenchResult): void {
  const width = Math.max(...result.rows.map((r) => r.what.length), 10);
  console.log(`\n${result.name}  (${result.command})`);
  for (const r of result.rows) {
    console.log(
      `  ${r.what.padEnd(width)}  ${formatNumber(r.value).padStart(12)} ${r.unit}${r.note ? `  (${r.note})` : ''}`,
    );
  }
  for (const c of result.checks) console.log(`  ${c.ok ? 'PASS' : 'MISS'}  ${c.target}: ${c.measured}`);
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Record<string, unknown>;
  } catch {
    all = {};
  }
  all[result.name] = {
    ...result,
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
  };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, `${JSON.stringify(all, null, 2)}\n`);
}

export function formatNumber(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

export function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}
