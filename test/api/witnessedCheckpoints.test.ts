/**
 * Checkpoints served with the witnesses' cosignatures (issue 12): `/audit/checkpoint`, `/audit/checkpoints` and the
 * trace carry the cosigned note, which verifies under the policy; `/readyz` reports each witness and stays ready
 * with a witness down. The witnesses are in-process TEST DOUBLES (test/support/witnessDouble.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../../src/audit/signedNote';
import { parsePolicy, quorumMet } from '../../src/audit/witnessPolicy';
import { latestCheckpointAnswer } from '../../src/http/schemas/audit';
import { readinessAnswer } from '../../src/http/schemas/health';
import { fullMandate, openLedgerApp, TOKENS, type LedgerApp } from '../support/ledgerApp';
import { makeTempDir } from '../support/tempDir';
import { startWitnessDouble, type WitnessDouble } from '../support/witnessDouble';
import { eventually } from '../support/eventually';

const ORIGIN = 'asker.example/ledger';

describe('checkpoints served with witness cosignatures', () => {
  const keys = makeTempDir('witnessed-keys-');
  const key = generateSigningKey();
  const keyFile = path.join(keys.dir, 'checkpoint.pem');
  const policyFile = path.join(keys.dir, 'witnesses.policy');
  const verifierKey = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(key));
  let a: WitnessDouble;
  let b: WitnessDouble;
  let hung: WitnessDouble;
  let policyText: string;
  let t: LedgerApp;
  let proposalId: string;

  beforeAll(async () => {
    fs.writeFileSync(keyFile, key.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    a = await startWitnessDouble({ name: 'witness.example/a', logVkey: verifierKey });
    b = await startWitnessDouble({ name: 'witness.example/b', logVkey: verifierKey });
    // Accepts the connection and never answers: a trace must not wait on it past its bound.
    hung = await startWitnessDouble({
      name: 'witness.example/hung',
      logVkey: verifierKey,
      behaviour: 'hang',
    });
    policyText =
      `log ${verifierKey}\n` +
      [a, b, hung].map((w) => `witness ${w.name} ${w.vkey} ${w.url}\n`).join('') +
      'group two 2 witness.example/a witness.example/b witness.example/hung\nquorum two\n';
    fs.writeFileSync(policyFile, policyText);
    t = await openLedgerApp({
      LEDGER_CHECKPOINT_KEY_FILE: keyFile,
      LEDGER_CHECKPOINT_ORIGIN: ORIGIN,
      LEDGER_WITNESS_POLICY_FILE: policyFile,
      LEDGER_CHECKPOINT_EVERY_EVENTS: '2',
    });
    const committeeId = await t.recordId('/committees', {
      name: 'Lokalsamfunnsutvalget i Heggedal',
      kind: 'local_community',
      areas: ['Heggedal'],
      mandate: fullMandate,
      coCreationForm: 'facilitating',
      period: { from: '2020-06-01', to: '2022-12-31' },
    });
    proposalId = await t.recordId('/proposals', {
      committeeId,
      title: 'Benker langs Heggedalsveien',
      description: 'Sett ut benker.',
      origin: 'resident',
      submittedOn: '2021-03-01',
    });
  }, 30_000);
  afterAll(async () => {
    await t.close();
    await Promise.all([a, b, hung].map((w) => w.close()));
    keys.cleanup();
  });

  it('serves /audit/checkpoint with the cosignatures appended, meeting the quorum of the policy', async () => {
    const policy = parsePolicy(policyText);
    let body: { signedNote: string; treeSize: number } = { signedNote: '', treeSize: 0 };
    await eventually(async () => {
      body = (await t.get('/audit/checkpoint', 'anonymous')).body;
      return body.treeSize >= 2 && quorumMet(policy, body.signedNote).met;
    });
    expect(latestCheckpointAnswer.safeParse(body).success).toBe(true);
    expect(quorumMet(policy, body.signedNote)).toMatchObject({
      met: true,
      cosigned: ['witness.example/a', 'witness.example/b'],
      missing: ['witness.example/hung'],
    });
    const stored = t.ledger.audit.latestCheckpoint();
    expect(body.signedNote.startsWith(stored?.note as string)).toBe(true);
    expect(body.signedNote.length).toBeGreaterThan((stored?.note as string).length);
  });

  it('serves every page of /audit/checkpoints with each checkpoint’s own cosignatures', async () => {
    const policy = parsePolicy(policyText);
    const res = await t.get('/audit/checkpoints', 'anonymous');
    expect(res.status).toBe(200);
    const items = res.body.items as Array<{ treeSize: number; signedNote: string }>;
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      const checkpoint = t.ledger.audit.checkpoints().find((c) => c.treeSize === item.treeSize);
      expect(item.signedNote).toBe(t.ledger.audit.cosignedNote(checkpoint!));
    }
    expect(items.some((item) => quorumMet(policy, item.signedNote).met)).toBe(true);
  });

  it('proves a trace against a checkpoint that meets the quorum, although one witness never answers', async () => {
    const policy = parsePolicy(policyText);
    const res = await t.get(`/proposals/${proposalId}/trace`, 'evaluator');
    expect(res.status).toBe(200);
    expect(quorumMet(policy, res.body.checkpoint.signedNote).met).toBe(true);
    const last = Math.max(...res.body.events.map((e: { globalPosition: number }) => e.globalPosition));
    expect(res.body.checkpoint.treeSize).toBeGreaterThan(last);
  });

  it('reports each witness in /readyz and stays ready while one hangs, without any secret', async () => {
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(readinessAnswer.safeParse(res.body).success).toBe(true);
    const witnesses = res.body.checks.witnesses;
    expect(witnesses.quorum).toBe('two');
    expect(witnesses.latest.quorumMet).toBe(true);
    expect(witnesses.witnesses.map((w: { name: string }) => w.name)).toEqual([a.name, b.name, hung.name]);
    expect(witnesses.witnesses[0]).toMatchObject({ url: a.url, state: 'cosigned', lastError: null });
    expect(witnesses.witnesses[0].lastSizeCosigned).toBeGreaterThanOrEqual(2);
    const text = JSON.stringify(res.body);
    for (const token of Object.values(TOKENS)) expect(text).not.toContain(token);
    expect(text).not.toContain('PRIVATE KEY');
  });
});

describe('the checkpoint a trace is proved against, with witnesses', () => {
  const keys = makeTempDir('witnessed-trace-');
  const key = generateSigningKey();
  const keyFile = path.join(keys.dir, 'checkpoint.pem');
  const policyFile = path.join(keys.dir, 'witnesses.policy');
  const verifierKey = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(key));
  let a: WitnessDouble;
  let b: WitnessDouble;
  let policyText: string;
  let t: LedgerApp;
  let committeeId: string;

  beforeAll(async () => {
    fs.writeFileSync(keyFile, key.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    a = await startWitnessDouble({ name: 'witness.example/a', logVkey: verifierKey });
    b = await startWitnessDouble({ name: 'witness.example/b', logVkey: verifierKey });
    policyText =
      [a, b].map((w) => `witness ${w.name} ${w.vkey} ${w.url}\n`).join('') +
      'group both all witness.example/a witness.example/b\nquorum both\n';
    fs.writeFileSync(policyFile, policyText);
    t = await openLedgerApp({
      LEDGER_CHECKPOINT_KEY_FILE: keyFile,
      LEDGER_CHECKPOINT_ORIGIN: ORIGIN,
      LEDGER_WITNESS_POLICY_FILE: policyFile,
      LEDGER_CHECKPOINT_EVERY_EVENTS: '1000',
    });
    committeeId = await t.recordId('/committees', {
      name: 'Lokalsamfunnsutvalget i Vollen',
      kind: 'local_community',
      areas: ['Vollen'],
      mandate: fullMandate,
      coCreationForm: 'facilitating',
      period: { from: '2020-06-01', to: '2022-12-31' },
    });
  }, 30_000);
  afterAll(async () => {
    await t.close();
    await Promise.all([a, b].map((w) => w.close()));
    keys.cleanup();
  });

  const propose = (title: string) =>
    t.recordId('/proposals', {
      committeeId,
      title,
      description: 'Et forslag.',
      origin: 'resident',
      submittedOn: '2021-05-01',
    });

  it('prefers an older witnessed checkpoint that covers the events over a newer one the witnesses have not cosigned', async () => {
    const policy = parsePolicy(policyText);
    const proposalId = await propose('Lys i lysløypa');
    await t.ledger.audit.waitForSize((await t.head()) + 1, 5_000);
    const witnessed = await t.ledger.audit.checkpointNow();
    await eventually(() => t.ledger.witnesses?.isWitnessed(witnessed) === true);
    // From now on one witness never answers: newer checkpoints miss the quorum.
    b.behaviour = 'hang';
    await propose('Søppelkasser ved stranda');
    await t.ledger.audit.waitForSize((await t.head()) + 1, 5_000);
    const newer = await t.ledger.audit.checkpointNow();
    expect(newer.treeSize).toBeGreaterThan(witnessed.treeSize);

    const res = await t.get(`/proposals/${proposalId}/trace`, 'evaluator');
    expect(res.status).toBe(200);
    expect(res.body.checkpoint.treeSize).toBe(witnessed.treeSize);
    expect(quorumMet(policy, res.body.checkpoint.signedNote).met).toBe(true);
  });

  it('answers anyway, after a bounded wait, when no checkpoint covering the events can meet the quorum', async () => {
    const policy = parsePolicy(policyText);
    b.behaviour = 'hang';
    const proposalId = await propose('Benk ved bussholdeplassen');
    const res = await t.get(`/proposals/${proposalId}/trace`, 'evaluator');
    expect(res.status).toBe(200);
    const last = Math.max(...res.body.events.map((e: { globalPosition: number }) => e.globalPosition));
    expect(res.body.checkpoint.treeSize).toBeGreaterThan(last);
    expect(quorumMet(policy, res.body.checkpoint.signedNote)).toMatchObject({
      met: false,
      cosigned: ['witness.example/a'],
    });
  });
});
