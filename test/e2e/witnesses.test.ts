/**
 * Issue 12, the first Tests bullet: `ledger serve` as a process with a policy of two good witnesses (`ledger witness
 * serve` processes on loopback), one that is down and later started on its port, one whose vkey in the policy is not
 * the key it signs with, and a URL that accepts connections and never answers. Every checkpoint gets the two
 * cosignatures (checked with quorumMet and verifyCosignature), the down one is retried and catches up, the wrong-key
 * one never gets a line stored, and commands are answered throughout.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { encodeWitnessVerifierKey, verifyCosignature } from '../../src/audit/cosignature';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../../src/audit/signedNote';
import { parsePolicy, quorumMet, type Policy } from '../../src/audit/witnessPolicy';
import { runLedger } from '../support/ledgerBin';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';
import { startWitnessProcess, type WitnessProcess } from '../support/witnessProcess';
import { eventually } from '../support/eventually';

jest.setTimeout(120_000);

const ADMIN = 'witness-e2e-admin-token-0001';
const ORIGIN = 'asker.example/ledger';

interface Checkpoint {
  treeSize: number;
  signedNote: string;
}

interface WitnessReport {
  name: string;
  state: string;
  lastSizeCosigned: number | null;
  lastError: string | null;
}

describe('the ledger asks its witnesses (processes on loopback)', () => {
  const temp = makeTempDir('ledger-witnesses-');
  const key = generateSigningKey();
  const keyFile = path.join(temp.dir, 'checkpoint.pem');
  const verifierKey = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(key));
  let good1: WitnessProcess;
  let good2: WitnessProcess;
  let down: WitnessProcess;
  let wrongKey: WitnessProcess;
  let silent: net.Server;
  const silentSockets = new Set<net.Socket>();
  let policy: Policy;
  let server: ServerProcess;
  let arenas = 0;

  const witnessDir = (name: string): string => path.join(temp.dir, name);
  const get = async <T>(route: string): Promise<T> =>
    (await fetch(`${server.url}${route}`)).json() as Promise<T>;
  const command = async (): Promise<number> => {
    const res = await fetch(`${server.url}/api/v1/arenas`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `Innbyggertorg ${++arenas}`, areas: [`Område ${arenas}`] }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const witnesses = async (): Promise<WitnessReport[]> =>
    (await get<{ checks: { witnesses: { witnesses: WitnessReport[] } } }>('/readyz')).checks.witnesses
      .witnesses;
  const report = async (name: string): Promise<WitnessReport> =>
    (await witnesses()).find((w) => w.name === name) as WitnessReport;

  beforeAll(async () => {
    fs.writeFileSync(keyFile, key.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const logVkeys = [verifierKey];
    const started = await Promise.all(
      ['good1', 'good2', 'down', 'wrong-key'].map((n) =>
        startWitnessProcess({ dir: witnessDir(n), name: `witness.example/${n}`, logVkeys }),
      ),
    );
    [good1, good2, down, wrongKey] = started as [
      WitnessProcess,
      WitnessProcess,
      WitnessProcess,
      WitnessProcess,
    ];
    await down.stop(); // its port stays free: it comes back there later
    // Accepts connections and never answers a byte.
    silent = net.createServer((socket) => {
      silentSockets.add(socket);
      socket.on('close', () => silentSockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const silentVkey = encodeWitnessVerifierKey(
      'witness.example/silent',
      publicKeyFromPrivate(generateSigningKey()),
    );
    // The policy says the wrong-key witness signs with another key than the one it has.
    const notItsKey = encodeWitnessVerifierKey(
      'witness.example/wrong-key',
      publicKeyFromPrivate(generateSigningKey()),
    );
    const text = [
      `log ${verifierKey}`,
      `witness witness.example/good1 ${good1.vkey} ${good1.url}`,
      `witness witness.example/good2 ${good2.vkey} ${good2.url}`,
      `witness witness.example/down ${down.vkey} ${down.url}`,
      `witness witness.example/wrong-key ${notItsKey} ${wrongKey.url}`,
      `witness witness.example/silent ${silentVkey} ${silentUrl}`,
      'group two 2 witness.example/good1 witness.example/good2 witness.example/down witness.example/wrong-key witness.example/silent',
      'quorum two',
      '',
    ].join('\n');
    policy = parsePolicy(text);
    fs.writeFileSync(path.join(temp.dir, 'witnesses.policy'), text);
    server = await startServerProcess(
      {
        LEDGER_DATA_DIR: path.join(temp.dir, 'data'),
        LEDGER_API_TOKENS: `admin=${ADMIN}`,
        LEDGER_CHECKPOINT_KEY_FILE: keyFile,
        LEDGER_CHECKPOINT_ORIGIN: ORIGIN,
        LEDGER_CHECKPOINT_EVERY_EVENTS: '3',
        LEDGER_WITNESS_POLICY_FILE: path.join(temp.dir, 'witnesses.policy'),
      },
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await Promise.all([good1, good2, down, wrongKey].map((w) => w?.stop()));
    for (const socket of silentSockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    temp.cleanup();
  });

  it('answers commands while witnesses are down or never answer, and every checkpoint gets the two good cosignatures', async () => {
    for (let i = 0; i < 12; i++) expect(await command()).toBe(201);
    const checkpoints = await eventually(
      async () => {
        const { items } = await get<{ items: Checkpoint[] }>('/api/v1/audit/checkpoints');
        const signed = items.filter((c) => c.treeSize >= 12);
        return signed.length > 0 && items.every((c) => quorumMet(policy, c.signedNote).met)
          ? items
          : undefined;
      },
      'every checkpoint meets the quorum',
      45_000,
    );
    const [k1, k2] = policy.witnesses;
    expect(checkpoints.length).toBeGreaterThan(2);
    for (const checkpoint of checkpoints) {
      expect(verifyCosignature(checkpoint.signedNote, k1!.key)).not.toBeNull();
      expect(verifyCosignature(checkpoint.signedNote, k2!.key)).not.toBeNull();
      // The wrong-key witness's line is never stored: neither valid nor invalid lines of it are served.
      expect(checkpoint.signedNote).not.toContain('— witness.example/wrong-key ');
      expect(quorumMet(policy, checkpoint.signedNote).cosigned).toEqual([
        'witness.example/good1',
        'witness.example/good2',
      ]);
    }
    expect(await report('witness.example/down')).toMatchObject({ state: 'retrying' });
    expect((await report('witness.example/down')).lastError).toMatch(/could not reach the witness/);
    expect((await report('witness.example/wrong-key')).lastError).toMatch(/no valid cosignature/);
    // Readiness reports, it does not gate: the server stays ready with witnesses failing.
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('retries the witness that was down and catches it up when it comes back on its port', async () => {
    const back = await startWitnessProcess({
      dir: witnessDir('down'),
      name: 'witness.example/down',
      logVkeys: [verifierKey],
      key: down.keyFile,
      port: down.port,
    });
    down = back;
    for (let i = 0; i < 3; i++) expect(await command()).toBe(201);
    const latest = await eventually(
      async () => {
        const checkpoint = await get<Checkpoint>('/api/v1/audit/checkpoint');
        return checkpoint.treeSize >= 15 &&
          quorumMet(policy, checkpoint.signedNote).cosigned.includes('witness.example/down')
          ? checkpoint
          : undefined;
      },
      'the witness that was down cosigns the latest checkpoint',
      45_000,
    );
    expect(verifyCosignature(latest.signedNote, policy.witnesses[2]!.key)).not.toBeNull();
    expect(await report('witness.example/down')).toMatchObject({
      state: 'cosigned',
      lastSizeCosigned: latest.treeSize,
      lastError: null,
    });
    expect(await report('witness.example/wrong-key')).toMatchObject({ state: 'retrying' });
  });

  it('refuses to start (exit 2, one line naming the line) on a policy that breaks tlog-policy or names other logs only', () => {
    const bad = path.join(temp.dir, 'bad.policy');
    const data = path.join(temp.dir, 'never-created');
    fs.writeFileSync(bad, `witness witness.example/x ${good1.vkey} ${good1.url}\nquorum witness.example/y\n`);
    const run = runLedger(['serve'], { LEDGER_DATA_DIR: data, LEDGER_WITNESS_POLICY_FILE: bad });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/LEDGER_WITNESS_POLICY_FILE: .*bad\.policy line 2: /);
    // Checked before the ledger is opened: no event store or signing key is created for a server that cannot start.
    for (const file of ['events.sqlite', 'checkpoint-signing-key.pem', 'audit.sqlite']) {
      expect(fs.existsSync(path.join(data, file))).toBe(false);
    }

    const otherLog = encodeVerifierKey('other.example/log', publicKeyFromPrivate(generateSigningKey()));
    fs.writeFileSync(bad, `log ${otherLog}\nquorum none\n`);
    const foreign = runLedger(['serve'], {
      LEDGER_DATA_DIR: data,
      LEDGER_CHECKPOINT_KEY_FILE: keyFile,
      LEDGER_CHECKPOINT_ORIGIN: ORIGIN,
      LEDGER_WITNESS_POLICY_FILE: bad,
    });
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toMatch(/none is this ledger's key/);
  });
});
