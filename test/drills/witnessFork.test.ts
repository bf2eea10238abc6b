/**
 * R9, the fork drill (issue 12, Build 6): the fork the safety-rails drills found — the audit file removed, an event
 * altered, and a new history signed with the same key by `ledger audit recover --new-history` — is caught outside.
 * Two witnesses (`ledger witness serve` processes) cosigned the honest history; the re-signed history is refused by
 * both (422, its consistency proof fails), the ledger logs the ALARM and shows it in /readyz, its new checkpoint does
 * not meet the quorum, and `ledger verify --policy` exits 1 while a verify without the policy passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../../src/audit/signedNote';
import { parsePolicy, quorumMet } from '../../src/audit/witnessPolicy';
import { runLedger } from '../support/ledgerBin';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';
import { startWitnessProcess, type WitnessProcess } from '../support/witnessProcess';
import { eventually } from '../support/eventually';

jest.setTimeout(180_000);

const ADMIN = 'fork-drill-admin-token-0001';
const ORIGIN = 'drill.example/ledger';

interface WitnessingCheck {
  ok: boolean;
  latest: { treeSize: number; quorumMet: boolean } | null;
  witnesses: Array<{ name: string; state: string; alarm: string | null; lastSizeCosigned: number | null }>;
}

describe('R9: a re-signed, altered history gets no cosignature', () => {
  const temp = makeTempDir('ledger-fork-');
  const dataDir = path.join(temp.dir, 'data');
  const keyFile = path.join(temp.dir, 'checkpoint.pem');
  const policyFile = path.join(temp.dir, 'witnesses.policy');
  const key = generateSigningKey();
  const verifierKey = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(key));
  const env = {
    LEDGER_DATA_DIR: dataDir,
    LEDGER_API_TOKENS: `admin=${ADMIN}`,
    LEDGER_CHECKPOINT_KEY_FILE: keyFile,
    LEDGER_CHECKPOINT_ORIGIN: ORIGIN,
    LEDGER_CHECKPOINT_EVERY_EVENTS: '4',
    LEDGER_WITNESS_POLICY_FILE: policyFile,
  };
  let w1: WitnessProcess;
  let w2: WitnessProcess;
  let server: ServerProcess | undefined;
  let arenas = 0;

  const command = async (s: ServerProcess): Promise<number> => {
    const res = await fetch(`${s.url}/api/v1/arenas`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `Innbyggertorg ${++arenas}`, areas: [`Område ${arenas}`] }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const witnessing = async (s: ServerProcess): Promise<{ httpStatus: number; check: WitnessingCheck }> => {
    const res = await fetch(`${s.url}/readyz`);
    const body = (await res.json()) as { checks: { witnesses: WitnessingCheck } };
    return { httpStatus: res.status, check: body.checks.witnesses };
  };
  const latestNote = async (s: ServerProcess): Promise<{ treeSize: number; signedNote: string }> =>
    (await fetch(`${s.url}/api/v1/audit/checkpoint`)).json() as Promise<{
      treeSize: number;
      signedNote: string;
    }>;
  const stop = async (): Promise<void> => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    server = undefined;
  };

  beforeAll(async () => {
    fs.writeFileSync(keyFile, key.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    [w1, w2] = (await Promise.all(
      ['w1', 'w2'].map((n) =>
        startWitnessProcess({
          dir: path.join(temp.dir, n),
          name: `witness.example/${n}`,
          logVkeys: [verifierKey],
        }),
      ),
    )) as [WitnessProcess, WitnessProcess];
    fs.writeFileSync(
      policyFile,
      `log ${verifierKey}\n` +
        `witness witness.example/w1 ${w1.vkey} ${w1.url}\n` +
        `witness witness.example/w2 ${w2.vkey} ${w2.url}\n` +
        'group both all witness.example/w1 witness.example/w2\nquorum both\n',
    );
  }, 60_000);

  afterAll(async () => {
    await stop();
    await Promise.all([w1?.stop(), w2?.stop()]);
    temp.cleanup();
  });

  it('the witnesses cosign the honest history, refuse the re-signed one, and the ledger raises the alarm', async () => {
    const policy = parsePolicy(fs.readFileSync(policyFile, 'utf8'));

    // 1. The honest history, cosigned by both.
    server = await startServerProcess(env, 30_000);
    for (let i = 0; i < 8; i++) expect(await command(server)).toBe(201);
    const honest = await eventually(
      async () => {
        const checkpoint = await latestNote(server as ServerProcess);
        return checkpoint.treeSize === 8 && quorumMet(policy, checkpoint.signedNote).met
          ? checkpoint
          : undefined;
      },
      'the honest checkpoint of size 8 is cosigned by both witnesses',
      45_000,
    );
    expect(quorumMet(policy, honest.signedNote).cosigned).toEqual([
      'witness.example/w1',
      'witness.example/w2',
    ]);
    await stop();
    expect(runLedger(['verify', '--policy', policyFile], env).status).toBe(0);

    // 2. Behind the server's back: an event altered, the audit file removed, and a new history signed over it.
    const db = new Database(path.join(dataDir, 'events.sqlite'));
    db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;');
    db.prepare("UPDATE events SET occurred_at = '1999-12-31' WHERE global_position = 2").run();
    db.close();
    for (const suffix of ['', '-wal', '-shm'])
      fs.rmSync(path.join(dataDir, `audit.sqlite${suffix}`), { force: true });
    const restarted = runLedger(['audit', 'recover', '--new-history', '--reason', 'fork drill'], env);
    expect(restarted.status).toBe(0);
    expect(runLedger(['verify'], env).status).toBe(0); // on its own, the re-signed history holds together

    // 3. The server on the new history asks the same witnesses: both refuse it as inconsistent.
    server = await startServerProcess(env, 30_000);
    const s = server;
    expect(await command(s)).toBe(201); // a refusing witness does not stop commands
    const alarmed = await eventually(
      async () => {
        const { check } = await witnessing(s);
        return check.witnesses.every((w) => w.state === 'alarm') ? check : undefined;
      },
      'both witnesses refuse the new history',
      45_000,
    );
    for (const w of alarmed.witnesses) expect(w.alarm).toMatch(/422/);
    expect(alarmed.ok).toBe(false);
    expect(alarmed.latest?.quorumMet).toBe(false);
    const { httpStatus } = await witnessing(s);
    expect(httpStatus).toBe(200); // reported, not gated (docs/audit.md, "Witnesses")
    expect(await s.outputMatching(/ALARM: a witness refused/)).toMatch(/ALARM: a witness refused/);
    // The witnesses saw it too, from their side.
    expect(await w1.outputMatching(/ALARM/)).toMatch(/ALARM/);

    // The re-signed checkpoint carries no cosignature that a client with the policy would count.
    const forked = await latestNote(s);
    expect(quorumMet(policy, forked.signedNote)).toMatchObject({ met: false, cosigned: [] });
    await stop();

    // 4. A client with the policy refuses it; the same verify without the policy does not see the fork.
    const verify = runLedger(['verify', '--policy', policyFile], env);
    expect(verify.status).toBe(1);
    expect(verify.stdout).toMatch(/quorum/);
    expect(runLedger(['verify'], env).status).toBe(0);
  });
});
