/**
 * "Witnessing adds no latency to commands" (issue 12; QUALITY.md P1 and P3), measured with and without witnesses in
 * the same run, alternating, the better run of each compared:
 *
 * - P1 with the audit log: 64 concurrent single-event appends through the store port (synchronous=FULL) while the
 *   audit log follows and signs a checkpoint every 1,000 events, once with a WitnessSubmitter sending every
 *   checkpoint to two `ledger witness serve` processes and once without.
 * - P3, the command API: the built `ledger serve` under autocannon (64 connections, a mix of commands), with
 *   LEDGER_WITNESS_POLICY_FILE naming the two witnesses, naming two that accept connections and never answer, and
 *   without; checkpoints every 100 events.
 *
 * Three rounds, the arms alternating in each; medians are compared (this machine's run-to-run spread is large).
 *
 * The witnesses are real processes on loopback (dist's `ledger witness serve`), so their work competes for the same
 * two cores, as it would not in production (a witness runs elsewhere): a pessimistic measure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { AuditLog } from '../src/audit/auditLog';
import { CheckpointJournal } from '../src/audit/checkpointJournal';
import { encodeWitnessVerifierKey } from '../src/audit/cosignature';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../src/audit/signedNote';
import { parsePolicy, quorumMet, type Policy } from '../src/audit/witnessPolicy';
import { WitnessSubmitter } from '../src/audit/witnessSubmitter';
import { createLogger } from '../src/logger';
import { SealKey } from '../src/store/eventSeal';
import { SqliteEventStore } from '../src/store/sqlite/sqliteEventStore';
import { appendConcurrently } from './append';
import { serveLedger } from './ledgerServer';
import { report } from './report';

const CLI = path.resolve(__dirname, '../src/cli/ledger.js');
const ORIGIN = 'bench.example/ledger';
const ADMIN = 'bench-admin-token-000000001';

interface Witness {
  name: string;
  vkey: string;
  url: string;
  process: ChildProcess;
}

async function startWitness(dir: string, name: string, logVkey: string): Promise<Witness> {
  fs.mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, 'witness.key');
  const policyFile = path.join(dir, 'witness.policy');
  fs.writeFileSync(policyFile, `log ${logVkey}\nquorum none\n`);
  const keygen = spawnSync(process.execPath, [CLI, 'witness', 'keygen', '--name', name, '--out', keyFile], {
    encoding: 'utf8',
  });
  if (keygen.status !== 0) throw new Error(`witness keygen: ${keygen.stderr}`);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'witness',
      'serve',
      '--key',
      keyFile,
      '--policy',
      policyFile,
      '--state',
      path.join(dir, 'state.sqlite'),
      '--port',
      '0',
    ],
    { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  const { url, vkey } = await new Promise<{ url: string; vkey: string }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const key = /^witness vkey: (\S+)$/m.exec(out)?.[1];
      if (listening && key) resolve({ url: listening, vkey: key });
    });
    child.on('exit', (code) => reject(new Error(`witness serve exited with ${code}: ${out}`)));
  });
  return { name, vkey, url, process: child };
}

function policyOf(witnesses: Witness[], logVkey: string): string {
  return (
    `log ${logVkey}\n` +
    witnesses.map((w) => `witness ${w.name} ${w.vkey} ${w.url}\n`).join('') +
    `group all-of-them all ${witnesses.map((w) => w.name).join(' ')}\nquorum all-of-them\n`
  );
}

/**
 * Two fresh witnesses for one run (a witness keeps the last checkpoint per origin, and each run is a new history
 * under the same key: a witness from an earlier run would rightly refuse it as a fork), with the policy naming them.
 */
async function withWitnesses<T>(
  dir: string,
  logVkey: string,
  run: (policy: Policy, policyFile: string) => Promise<T>,
): Promise<T> {
  const witnesses: Witness[] = [];
  try {
    for (const n of ['w1', 'w2']) {
      witnesses.push(await startWitness(path.join(dir, n), `bench.example/${n}`, logVkey));
    }
    const text = policyOf(witnesses, logVkey);
    const policyFile = path.join(dir, 'witnesses.policy');
    fs.writeFileSync(policyFile, text);
    return await run(parsePolicy(text), policyFile);
  } finally {
    await Promise.all(witnesses.map((w) => stopProcess(w.process)));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** P1 with the audit log following and signing; with `policy`, a submitter sends each checkpoint to the witnesses. */
async function appendRun(
  dir: string,
  total: number,
  policy: Policy | null,
): Promise<{ rate: number; cpuPerEventUs: number; checkpoints: number; witnessed: number }> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'events.sqlite');
  const store = new SqliteEventStore({
    file,
    synchronous: 'FULL',
    seal: { key: SealKey.generate(), keyFile: `${file}.seal-key` },
  });
  const journal = new CheckpointJournal(path.join(dir, 'journal.ndjson'));
  journal.create();
  const audit = new AuditLog({
    store,
    file: path.join(dir, 'audit.sqlite'),
    signingKey: BENCH_KEY,
    origin: ORIGIN,
    checkpointEveryEvents: 1000,
    journal,
    requireSeals: true,
  });
  await audit.start();
  const submitter = policy
    ? new WitnessSubmitter({ audit, policy, logger: createLogger('silent') })
    : undefined;
  submitter?.start();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await appendConcurrently(store, total, 64);
  const rate = total / (Number(process.hrtime.bigint() - started) / 1e9);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPerEventUs = (cpu.user + cpu.system) / total;
  // Let the witnesses finish what was signed, to count it (outside the timed part).
  await new Promise((r) => setTimeout(r, 1500));
  const checkpoints = audit.checkpoints();
  const witnessed = submitter ? checkpoints.filter((c) => submitter.isWitnessed(c)).length : 0;
  await submitter?.stop();
  await audit.close();
  await store.close();
  return { rate, cpuPerEventUs, checkpoints: checkpoints.length, witnessed };
}
const BENCH_KEY = generateSigningKey();

/** CPU time (user + system) a process has used, in µs, from /proc (Linux; clock ticks of 10 ms). */
function processCpuUs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** P3: autocannon against `ledger serve`, a mix of commands. */
async function commandApiRun(
  dir: string,
  seconds: number,
  env: Record<string, string>,
  policy: Policy | null,
): Promise<{
  rps: number;
  p99: number;
  non2xx: number;
  cpuPerRequestUs: number;
  witnessed: number;
  checkpoints: number;
}> {
  const server = await serveLedger({
    LEDGER_DATA_DIR: dir,
    LEDGER_API_TOKENS: `admin=${ADMIN}`,
    LEDGER_CHECKPOINT_EVERY_EVENTS: '100',
    LEDGER_RATE_LIMIT_ANONYMOUS: '0',
    ...env,
  });
  try {
    const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    let n = 0;
    const cpuBefore = processCpuUs(server.pid);
    const result = await autocannon({
      url: server.url,
      connections: 64,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/persons',
          headers,
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ name: `Person ${++n}`, area: 'Vollen' }),
          }),
        },
        {
          method: 'POST',
          path: '/api/v1/arenas',
          headers,
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ name: `Torg ${++n}`, areas: ['Heggedal'] }),
          }),
        },
        {
          method: 'POST',
          path: '/api/v1/political-bodies',
          headers,
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ name: `Utvalg ${++n}`, kind: 'standing_committee', seats: 9 }),
          }),
        },
      ],
    });
    const cpuPerRequestUs = (processCpuUs(server.pid) - cpuBefore) / Math.max(1, result.requests.total);
    await new Promise((r) => setTimeout(r, 1500));
    const page = (await (await fetch(`${server.url}/api/v1/audit/checkpoints?limit=1000`)).json()) as {
      items: Array<{ signedNote: string }>;
    };
    const witnessed = policy ? page.items.filter((c) => quorumMet(policy, c.signedNote).met).length : 0;
    return {
      rps: result.requests.average,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      cpuPerRequestUs,
      witnessed,
      checkpoints: page.items.length,
    };
  } finally {
    await server.stop();
  }
}

/**
 * Two URLs that accept connections and never answer, and a policy naming them as witnesses (keys no one holds): the
 * submitter's requests hang until their time limit, the worst a witness can do to the ledger short of lying.
 */
async function withHungWitnesses<T>(
  dir: string,
  logVkey: string,
  run: (policyFile: string) => Promise<T>,
): Promise<T> {
  fs.mkdirSync(dir, { recursive: true });
  const sockets = new Set<net.Socket>();
  const servers = await Promise.all(
    [0, 1].map(async () => {
      const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  try {
    const lines = servers.map((server, i) => {
      const name = `bench.example/hung${i}`;
      const vkey = encodeWitnessVerifierKey(name, publicKeyFromPrivate(generateSigningKey()));
      return `witness ${name} ${vkey} http://127.0.0.1:${(server.address() as net.AddressInfo).port}\n`;
    });
    const policyFile = path.join(dir, 'witnesses.policy');
    fs.writeFileSync(
      policyFile,
      `log ${logVkey}\n${lines.join('')}group both all bench.example/hung0 bench.example/hung1\nquorum both\n`,
    );
    return await run(policyFile);
  } finally {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const runs = (values: number[]): string => values.map((v) => Math.round(v)).join(' / ');

export async function benchWitnessing(args: { events?: number; scale?: number }): Promise<void> {
  const total = args.events ?? 50_000;
  const seconds = args.scale ?? 10;
  const rounds = 3;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-witnessing-'));
  const logVkey = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(BENCH_KEY));
  const keyFile = path.join(dir, 'checkpoint.pem');
  fs.writeFileSync(keyFile, BENCH_KEY.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  try {
    const at = (name: string) => path.join(dir, name);
    // The arms alternate within each round, so that none always gets the quieter moment of this shared machine.
    const p1 = {
      without: [] as number[],
      with: [] as number[],
      witnessed: [] as string[],
      cpuWithout: [] as number[],
      cpuWith: [] as number[],
    };
    for (let r = 0; r < rounds; r++) {
      const bare = await appendRun(at(`p1-without-${r}`), total, null);
      p1.without.push(bare.rate);
      p1.cpuWithout.push(bare.cpuPerEventUs);
      const run = await withWitnesses(at(`w-p1-${r}`), logVkey, (policy) =>
        appendRun(at(`p1-with-${r}`), total, policy),
      );
      p1.with.push(run.rate);
      p1.cpuWith.push(run.cpuPerEventUs);
      p1.witnessed.push(`${run.witnessed}/${run.checkpoints}`);
    }

    const serverEnv = { LEDGER_CHECKPOINT_KEY_FILE: keyFile, LEDGER_CHECKPOINT_ORIGIN: ORIGIN };
    type ApiRun = Awaited<ReturnType<typeof commandApiRun>>;
    const p3 = { without: [] as ApiRun[], with: [] as ApiRun[], hung: [] as ApiRun[] };
    for (let r = 0; r < rounds; r++) {
      p3.without.push(await commandApiRun(at(`p3-without-${r}`), seconds, serverEnv, null));
      p3.with.push(
        await withWitnesses(at(`w-p3-${r}`), logVkey, (policy, policyFile) =>
          commandApiRun(
            at(`p3-with-${r}`),
            seconds,
            { ...serverEnv, LEDGER_WITNESS_POLICY_FILE: policyFile },
            policy,
          ),
        ),
      );
      p3.hung.push(
        await withHungWitnesses(at(`h-p3-${r}`), logVkey, (policyFile) =>
          commandApiRun(
            at(`p3-hung-${r}`),
            seconds,
            { ...serverEnv, LEDGER_WITNESS_POLICY_FILE: policyFile },
            null,
          ),
        ),
      );
    }
    const rps = (list: ApiRun[]) => list.map((x) => x.rps);
    const p99 = (list: ApiRun[]) => median(list.map((x) => x.p99));
    const non2xx = (list: ApiRun[]) => list.reduce((n, x) => n + x.non2xx, 0);
    const p1Ratio = median(p1.with) / median(p1.without);
    const p3Ratio = median(rps(p3.with)) / median(rps(p3.without));
    const hungRatio = median(rps(p3.hung)) / median(rps(p3.without));
    const cpu = (list: ApiRun[]) => median(list.map((x) => x.cpuPerRequestUs));
    const apiRow = (what: string, list: ApiRun[], extra = '') => ({
      what,
      value: median(rps(list)),
      unit: 'req/s (median)',
      note: `runs ${runs(rps(list))}; median p99 ${p99(list)} ms; server CPU ${Math.round(cpu(list))} µs/request; non-2xx ${non2xx(list)}${extra}`,
    });
    report({
      name: 'witnessing',
      command: `npm run bench -- witnessing --events ${total} --scale ${seconds}`,
      rows: [
        {
          what: 'P1 + audit log, no witnesses',
          value: median(p1.without),
          unit: 'events/s (median)',
          note: `runs ${runs(p1.without)}; CPU ${median(p1.cpuWithout).toFixed(1)} µs/event`,
        },
        {
          what: 'P1 + audit log, 2 witness processes',
          value: median(p1.with),
          unit: 'events/s (median)',
          note: `runs ${runs(p1.with)}; CPU ${median(p1.cpuWith).toFixed(1)} µs/event; checkpoints witnessed ${p1.witnessed.join(', ')}`,
        },
        { what: 'P1 median ratio with / without', value: p1Ratio, unit: '×' },
        apiRow('P3 command API, no witnesses', p3.without),
        apiRow(
          'P3 command API, 2 witness processes',
          p3.with,
          `; checkpoints witnessed ${p3.with.map((x) => `${x.witnessed}/${x.checkpoints}`).join(', ')}`,
        ),
        apiRow('P3 command API, 2 witnesses that never answer', p3.hung),
        { what: 'P3 median ratio with / without', value: p3Ratio, unit: '×' },
        { what: 'P3 median ratio never-answering / without', value: hungRatio, unit: '×' },
      ],
      checks: [
        // "Unchanged" on a shared 2-core machine: within the run-to-run noise, taken as 10 %.
        {
          target: 'P1 with witnesses ≥ 0.9 × without',
          measured: `${p1Ratio.toFixed(2)} ×`,
          ok: p1Ratio >= 0.9,
        },
        {
          target: 'P3 with witnesses ≥ 0.9 × without',
          measured: `${p3Ratio.toFixed(2)} ×`,
          ok: p3Ratio >= 0.9,
        },
        {
          target: 'P3 with witnesses that never answer ≥ 0.9 × without',
          measured: `${hungRatio.toFixed(2)} ×`,
          ok: hungRatio >= 0.9,
        },
      ],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
