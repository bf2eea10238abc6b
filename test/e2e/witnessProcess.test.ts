/**
 * `ledger witness keygen` and `ledger witness serve` through the installed bin, as a third party runs them: the key
 * file, the refusals at start, a real ledger's checkpoints cosigned over HTTP with the proof the ledger serves, a
 * restart on the same port and state, hostile requests, and two witness processes on one state file.
 */
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseWitnessVerifierKey, verifyCosignature } from '../../src/audit/cosignature';
import {
  encodeVerifierKey,
  generateSigningKey,
  publicKeyFromPrivate,
  signCheckpoint,
} from '../../src/audit/signedNote';
import { encodeAddCheckpointRequest, parseAddCheckpointResponse } from '../../src/audit/witness';
import { buildAuditedLedger } from '../support/auditedLedger';
import { runLedger } from '../support/ledgerBin';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';
import { startWitnessProcess, witnessPolicyText, type WitnessProcess } from '../support/witnessProcess';

const temp = makeTempDir('witness-e2e-');
afterAll(() => temp.cleanup());
const ORIGIN = 'test.example/ledger';

function folder(name: string): string {
  const dir = path.join(temp.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

async function post(url: string, body: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${url}/add-checkpoint`, { method: 'POST', body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('ledger witness keygen', () => {
  test('writes a 0600 key file and prints its vkey, and nothing else, on stdout; never overwrites', () => {
    const dir = folder('keygen');
    const keyFile = path.join(dir, 'w.key');
    const run = runLedger(['witness', 'keygen', '--name', 'witness.example/w1', '--out', keyFile]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^[^\n]+\n$/);
    const vkey = parseWitnessVerifierKey(run.stdout.trim());
    expect(vkey.keyName).toBe('witness.example/w1');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

    const before = fs.readFileSync(keyFile, 'utf8');
    const again = runLedger(['witness', 'keygen', '--name', 'witness.example/w2', '--out', keyFile]);
    expect(again.status).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/already exists; a key file is never overwritten/);
    expect(fs.readFileSync(keyFile, 'utf8')).toBe(before);
  });

  test.each([
    [['--name', 'bad name', '--out', 'x.key'], /not a key name/],
    [['--out', 'x.key'], /--name is required/],
    [['--name', 'w'], /--out is required/],
    [['--name', 'w', '--out', 'x.key', '--port', '1'], /keygen takes no --port/],
  ])('exit 2 on bad usage: %j', (args, message) => {
    const run = runLedger([
      'witness',
      'keygen',
      ...args.map((a) => (a === 'x.key' ? path.join(temp.dir, a) : a)),
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(fs.existsSync(path.join(temp.dir, 'x.key'))).toBe(false);
  });

  test('`ledger --help` lists the command, `ledger witness --help` names the safe default host', () => {
    expect(runLedger(['--help']).stdout).toMatch(/\n {2}witness +run a tlog-witness/);
    expect(runLedger(['witness', '--help']).stdout).toMatch(
      /default 127\.0\.0\.1 \(loopback only: the safe default/,
    );
  });
});

describe('ledger witness serve refuses to start on a bad key, policy or state (exit 2)', () => {
  const dir = folder('refusals');
  const keyFile = path.join(dir, 'w.key');
  const policyFile = path.join(dir, 'policy');
  const logVkey = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(generateSigningKey()));
  beforeAll(() => {
    expect(runLedger(['witness', 'keygen', '--name', 'w', '--out', keyFile]).status).toBe(0);
    fs.writeFileSync(policyFile, witnessPolicyText([logVkey]));
  });
  const serve = (overrides: Record<string, string> = {}) => {
    const options = {
      key: keyFile,
      policy: policyFile,
      state: path.join(dir, 'state.sqlite'),
      port: '0',
      ...overrides,
    };
    return runLedger(['witness', 'serve', ...Object.entries(options).flatMap(([k, v]) => [`--${k}`, v])]);
  };

  test('no --port: the ledgers name the port in their policies, so it is not left to chance', () => {
    const run = runLedger([
      'witness',
      'serve',
      '--key',
      keyFile,
      '--policy',
      policyFile,
      '--state',
      path.join(dir, 's.sqlite'),
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--port is required/);
  });

  test('a key file group or others may read', () => {
    const loose = path.join(dir, 'loose.key');
    fs.copyFileSync(keyFile, loose);
    fs.chmodSync(loose, 0o644);
    const run = serve({ key: loose });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/open to group or others \(mode 0644\): chmod 600/);
  });

  test.each([
    ['no log line', 'quorum none\n', /has no "log <vkey>" line/],
    ['a log line that is not a vkey', 'log not-a-vkey\nquorum none\n', /line 1: /],
    ['no quorum line', `log ${logVkey}\n`, /no quorum line/],
    [
      'an unknown keyword on line 2',
      `log ${logVkey}\nlogs x\nquorum none\n`,
      /line 2: unknown keyword "logs"/,
    ],
  ])('a policy with %s', (_what, text, message) => {
    const file = path.join(dir, `policy-${Math.random()}`);
    fs.writeFileSync(file, text);
    const run = serve({ policy: file });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test('a state file that is garbage, or another database', () => {
    const garbage = path.join(dir, 'garbage.sqlite');
    fs.writeFileSync(garbage, 'not a database\n'.repeat(100));
    const run = serve({ state: garbage });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/is not a witness state/);
    expect(fs.readFileSync(garbage, 'utf8')).toBe('not a database\n'.repeat(100));
  });

  test.each([
    [{ port: '70000' }, /--port must be a port number/],
    [{ policy: path.join('/nonexistent', 'policy') }, /cannot read the policy file .* ENOENT/],
    [{ name: 'w' }, /serve takes no --name/],
  ])('bad usage %j', (overrides, message) => {
    const run = serve(overrides);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('ledger witness serve cosigns a real ledger’s checkpoints', () => {
  let ledger: ServerProcess;
  let witness: WitnessProcess;
  let publicKey: string;
  const dir = folder('ledger');

  beforeAll(async () => {
    await buildAuditedLedger(dir, { events: 120, checkpointEvery: 40 });
    ledger = await startServerProcess({ LEDGER_DATA_DIR: dir, LEDGER_CHECKPOINT_ORIGIN: ORIGIN }, 30_000);
    publicKey = (
      (await (await fetch(`${ledger.url}/api/v1/audit/checkpoint`)).json()) as { publicKey: string }
    ).publicKey;
    witness = await startWitnessProcess({
      dir: folder('witness'),
      name: 'witness.example/w1',
      logVkeys: [publicKey],
      env: { LOG_LEVEL: 'info' },
    });
  }, 60_000);
  afterAll(async () => {
    await witness?.stop();
    ledger?.child.kill('SIGTERM');
    await ledger?.exited;
  });

  test('the first checkpoint from old 0, the next with the ledger’s consistency proof; a restart remembers', async () => {
    const history = (await (await fetch(`${ledger.url}/api/v1/audit/checkpoints`)).json()) as {
      items: Array<{ treeSize: number; signedNote: string }>;
    };
    const first = history.items.find((c) => c.treeSize > 0);
    const last = history.items[history.items.length - 1];
    if (!first || !last || last.treeSize <= first.treeSize)
      throw new Error('the ledger has no two checkpoints');
    const vkey = parseWitnessVerifierKey(witness.vkey);

    const one = await post(witness.url, `old 0\n\n${first.signedNote}`);
    expect(one).toMatchObject({ status: 200, type: 'text/plain; charset=utf-8' });
    const cosigned = parseAddCheckpointResponse(one.status, one.body);
    expect(cosigned.kind).toBe('cosigned');
    expect(verifyCosignature(first.signedNote + one.body, vkey)).not.toBeNull();

    const proof = (await (
      await fetch(`${ledger.url}/api/v1/audit/consistency?from=${first.treeSize}&to=${last.treeSize}`)
    ).json()) as { path: string[] };
    const body = encodeAddCheckpointRequest({
      oldSize: first.treeSize,
      proof: proof.path.map((h) => Buffer.from(h, 'base64')),
      checkpoint: last.signedNote,
    });
    const two = await post(witness.url, body);
    expect(two.status).toBe(200);
    expect(verifyCosignature(last.signedNote + two.body, vkey)).not.toBeNull();
    const logged = new RegExp(`"treeSize":${last.treeSize},"oldSize":${first.treeSize},"msg":"cosigned"`);
    expect(await witness.outputMatching(logged)).toMatch(logged);

    // Stopped and started again on the same port, key and state: it remembers the head.
    const { port, keyFile, vkey: vkeyBefore } = witness;
    await witness.stop();
    expect(await witness.exited).toEqual({ code: 0, signal: null });
    await witness.outputMatching(/witness shutting down/);
    expect(witness.output()).toMatch(/"signal":"SIGTERM","msg":"witness shutting down"/);
    witness = await startWitnessProcess({
      dir: path.dirname(witness.stateFile),
      name: 'witness.example/w1',
      logVkeys: [publicKey],
      port,
    });
    expect(witness.port).toBe(port);
    expect(witness.keyFile).toBe(keyFile);
    expect(witness.vkey).toBe(vkeyBefore);
    expect(await post(witness.url, `old 0\n\n${first.signedNote}`)).toMatchObject({
      status: 409,
      type: 'text/x.tlog.size',
      body: `${last.treeSize}\n`,
    });
  });

  test('a checkpoint re-signed with the ledger’s key over another history: 422, and an ALARM in its log', async () => {
    const latest = (await (await fetch(`${ledger.url}/api/v1/audit/checkpoint`)).json()) as {
      treeSize: number;
      signedNote: string;
    };
    // Whoever holds the ledger's key (here: its file) signs a larger tree that does not extend the cosigned one.
    const key = createPrivateKey(fs.readFileSync(path.join(dir, 'checkpoint-signing-key.pem'), 'utf8'));
    const forged = signCheckpoint(
      { origin: ORIGIN, treeSize: latest.treeSize + 5, rootHash: Buffer.alloc(32, 7) },
      key,
      ORIGIN,
    );
    const held = await post(witness.url, `old 0\n\n${latest.signedNote}`);
    const size = held.status === 409 ? Number(held.body) : latest.treeSize;
    expect(size).toBe(latest.treeSize);
    const body = encodeAddCheckpointRequest({
      oldSize: size,
      proof: [Buffer.alloc(32, 1)],
      checkpoint: forged,
    });
    const answer = await post(witness.url, body);
    expect(answer.status).toBe(422);
    const output = await witness.outputMatching(/ALARM/);
    const alarm = output.split('\n').find((l) => l.includes('ALARM'));
    expect(JSON.parse(alarm ?? '{}')).toMatchObject({
      level: 50,
      alarm: 'possible-fork',
      origin: ORIGIN,
      cosignedSize: latest.treeSize,
      newSize: latest.treeSize + 5,
      newRoot: Buffer.alloc(32, 7).toString('base64'),
      checkpoint: forged,
    });
    // Still the genuine head: the next genuine request from it is a 200.
    expect((await post(witness.url, `old ${size}\n\n${latest.signedNote}`)).status).toBe(200);
  });

  test('hostile requests do not crash it: malformed HTTP, an announced gigabyte, junk bodies, odd paths', async () => {
    const raw = (text: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = net.connect(witness.port, '127.0.0.1', () => socket.write(text));
        let answer = '';
        socket.on('data', (c: Buffer) => (answer += c.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', () => resolve(answer));
      });
    expect(await raw('GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(
      await raw('POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n'),
    ).toMatch(/^HTTP\/1\.1 413/);
    expect(await raw(`POST /add-checkpoint HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(5000)}\r\n`)).toMatch(
      /^HTTP\/1\.1 431/,
    );
    for (const body of ['', '\u0000\u0000', 'old 99999999999999999999\n\n', 'old 0\n\n— x y\n']) {
      const answer = await post(witness.url, body);
      expect(answer.status).toBe(400);
    }
    expect((await fetch(`${witness.url}/../../etc/passwd`)).status).toBe(404);
    expect(witness.child.exitCode).toBeNull();
    expect(witness.output()).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });
});

describe('two witness processes on one state file', () => {
  test('racing requests with the same old size: exactly one is cosigned', async () => {
    const dir = folder('shared');
    const ledgerDir = folder('shared-ledger');
    await buildAuditedLedger(ledgerDir, { events: 60, checkpointEvery: 10 });
    const ledger = await startServerProcess(
      { LEDGER_DATA_DIR: ledgerDir, LEDGER_CHECKPOINT_ORIGIN: ORIGIN },
      30_000,
    );
    const witnesses: WitnessProcess[] = [];
    try {
      const history = (await (await fetch(`${ledger.url}/api/v1/audit/checkpoints`)).json()) as {
        publicKey: string;
        items: Array<{ treeSize: number; signedNote: string }>;
      };
      const a = await startWitnessProcess({
        dir,
        name: 'witness.example/shared',
        logVkeys: [history.publicKey],
      });
      witnesses.push(a);
      // The same key and state file, another process and port.
      const b = await startWitnessProcess({
        dir,
        name: 'witness.example/shared',
        logVkeys: [history.publicKey],
        key: a.keyFile,
      });
      witnesses.push(b);
      expect(b.stateFile).toBe(a.stateFile);
      const notes = history.items.filter((c) => c.treeSize > 0);
      expect(notes.length).toBeGreaterThan(3);
      const answers = await Promise.all(
        notes.map((c, i) => post(i % 2 ? a.url : b.url, `old 0\n\n${c.signedNote}`)),
      );
      expect(answers.filter((x) => x.status === 200)).toHaveLength(1);
      const winner = notes[answers.findIndex((x) => x.status === 200)];
      expect(answers.filter((x) => x.status === 409).map((x) => x.body)).toEqual(
        notes.slice(1).map(() => `${winner?.treeSize}\n`),
      );
    } finally {
      for (const w of witnesses) await w.stop();
      ledger.child.kill('SIGTERM');
      await ledger.exited;
    }
  }, 60_000);
});
