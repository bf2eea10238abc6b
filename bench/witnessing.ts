/**
 * "Witnessing adds no latency to commands" (issue 12; QUALITY.md P1 and P3), measured with and without witnesses in
 * the same run, alternating, the better run of each compared:
 *
 * - P1 with the audit log: 64 concurrent single-event appends through the store port (synchronous=FULL) while the
 *   audit log follows and signs a checkpoint every 1,000 events, once with a WitnessSubmitter sending every
 *   checkpoint to two `ledger witness serve` processes and once without.
 * - P3, the command API: the built `ledger serve` under autocannon (64 connections, a mix of commands), once with
 *   LEDGER_WITNESS_POLICY_FILE naming the two witnesses and once without; checkpoints every 100 events.
 *
 * The witnesses are real processes on loopback (dist's `ledger witness serve`), so their work competes for the same
 * two cores, as it would not in production (a witness runs elsewhere): a pessimistic measure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { v7 as uuidv7 } from 'uuid';
import { AuditLog } from '../src/audit/auditLog';
import { CheckpointJournal } from '../src/audit/checkpointJournal';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../src/audit/signedNote';
import { parsePolicy, quorumMet, type Policy } from '../src/audit/witnessPolicy';
import { WitnessSubmitter } from '../src/audit/witnessSubmitter';
import { createLogger } from '../src/logger';
import { SealKey } from '../src/store/eventSeal';
import { SqliteEventStore } from '../src/store/sqlite/sqliteEventStore';
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
): Promise<{ rate: number; checkpoints: number; witnessed: number }> {
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
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        await store.append(`proposal-${i % 5000}`, [
          {
            eventId: uuidv7(),
            type: 'ProposalSupported',
            schemaVersion: 1,
            occurredAt: '2021-05-17',
            actor: { principal: 'bench', role: 'clerk' },
            correlationId: uuidv7(),
            causationId: null,
            data: { personId: uuidv7(), supportedOn: '2021-05-17', n: i },
          },
        ]);
      }
    }),
  );
  const rate = total / (Number(process.hrtime.bigint() - started) / 1e9);
  // Let the witnesses finish what was signed, to count it (outside the timed part).
  await new Promise((r) => setTimeout(r, 1500));
  const checkpoints = audit.checkpoints();
  const witnessed = submitter ? checkpoints.filter((c) => submitter.isWitnessed(c)).length : 0;
  await submitter?.stop();
  await audit.close();
  await store.close();
  return { rate, checkpoints: checkpoints.length, witnessed };
}
const BENCH_KEY = generateSigningKey();

/** P3: autocannon against `ledger serve`, a mix of commands. */
async function commandApiRun(
  dir: string,
  seconds: number,
  env: Record<string, string>,
  policy: Policy | null,
): Promise<{ rps: number; p99: number; non2xx: number; witnessed: number; checkpoints: number }> {
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
    await new Promise((r) => setTimeout(r, 1500));
    const page = (await (await fetch(`${server.url}/api/v1/audit/checkpoints?limit=1000`)).json()) as {
      items: Array<{ signedNote: string }>;
    };
    const witnessed = policy ? page.items.filter((c) => quorumMet(policy, c.signedNote).met).length : 0;
    return {
      rps: result.requests.average,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      witnessed,
      checkpoints: page.items.length,
    };
  } finally {
    await server.stop();
  }
}

export async function benchWitnessing(args: { events?: number; scale?: number }): Promise<void> {
  const total = args.events ?? 50_000;
  const seconds = args.scale ?? 10;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-witnessing-'));
  const logVkey = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(BENCH_KEY));
  const keyFile = path.join(dir, 'checkpoint.pem');
  fs.writeFileSync(keyFile, BENCH_KEY.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  try {
    const at = (name: string) => path.join(dir, name);
    const without1 = await appendRun(at('p1-without-1'), total, null);
    const with1 = await withWitnesses(at('w-p1-1'), logVkey, (policy) =>
      appendRun(at('p1-with-1'), total, policy),
    );
    const without2 = await appendRun(at('p1-without-2'), total, null);
    const with2 = await withWitnesses(at('w-p1-2'), logVkey, (policy) =>
      appendRun(at('p1-with-2'), total, policy),
    );

    const serverEnv = { LEDGER_CHECKPOINT_KEY_FILE: keyFile, LEDGER_CHECKPOINT_ORIGIN: ORIGIN };
    const apiWith = (n: number) =>
      withWitnesses(at(`w-p3-${n}`), logVkey, (policy, policyFile) =>
        commandApiRun(
          at(`p3-with-${n}`),
          seconds,
          { ...serverEnv, LEDGER_WITNESS_POLICY_FILE: policyFile },
          policy,
        ),
      );
    const apiWithout1 = await commandApiRun(at('p3-without-1'), seconds, serverEnv, null);
    const apiWith1 = await apiWith(1);
    const apiWithout2 = await commandApiRun(at('p3-without-2'), seconds, serverEnv, null);
    const apiWith2 = await apiWith(2);

    const p1Without = Math.max(without1.rate, without2.rate);
    const p1With = Math.max(with1.rate, with2.rate);
    const best = <T extends { rps: number }>(a: T, b: T): T => (a.rps >= b.rps ? a : b);
    const p3Without = best(apiWithout1, apiWithout2);
    const p3With = best(apiWith1, apiWith2);
    const p1Ratio = p1With / p1Without;
    const p3Ratio = p3With.rps / p3Without.rps;
    report({
      name: 'witnessing',
      command: `npm run bench -- witnessing --events ${total} --scale ${seconds}`,
      rows: [
        {
          what: 'P1 + audit log, no witnesses',
          value: p1Without,
          unit: 'events/s',
          note: `runs ${Math.round(without1.rate)} / ${Math.round(without2.rate)}`,
        },
        {
          what: 'P1 + audit log, 2 witnesses',
          value: p1With,
          unit: 'events/s',
          note: `runs ${Math.round(with1.rate)} / ${Math.round(with2.rate)}; witnessed ${with1.witnessed}/${with1.checkpoints} and ${with2.witnessed}/${with2.checkpoints} checkpoints`,
        },
        { what: 'P1 ratio with / without', value: p1Ratio, unit: '×' },
        {
          what: 'P3 command API, no witnesses',
          value: p3Without.rps,
          unit: 'req/s',
          note: `p99 ${p3Without.p99} ms; runs ${Math.round(apiWithout1.rps)} / ${Math.round(apiWithout2.rps)}; non-2xx ${apiWithout1.non2xx + apiWithout2.non2xx}`,
        },
        {
          what: 'P3 command API, 2 witnesses',
          value: p3With.rps,
          unit: 'req/s',
          note: `p99 ${p3With.p99} ms; runs ${Math.round(apiWith1.rps)} / ${Math.round(apiWith2.rps)}; non-2xx ${apiWith1.non2xx + apiWith2.non2xx}; witnessed ${apiWith1.witnessed}/${apiWith1.checkpoints} and ${apiWith2.witnessed}/${apiWith2.checkpoints} checkpoints`,
        },
        { what: 'P3 ratio with / without', value: p3Ratio, unit: '×' },
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
          target: 'P3 p99 with witnesses < 60 ms',
          measured: `${p3With.p99} ms`,
          ok: p3With.p99 < 60,
        },
      ],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
