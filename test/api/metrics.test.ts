/**
 * GET /metrics (issue 13): the page parses as the Prometheus text format, holds every metric docs/deploy.md lists with
 * its type and labels, counts a refused command under its rule, keeps a bounded label set under hostile paths, and
 * shows no token, name or id. One registry per ledger: two ledgers in one process count apart. The witnesses of the
 * last part are in-process TEST DOUBLES (test/support/witnessDouble.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { encodeVerifierKey, generateSigningKey, publicKeyFromPrivate } from '../../src/audit/signedNote';
import { eventually } from '../support/eventually';
import { fullMandate, openLedgerApp, TOKENS, type LedgerApp } from '../support/ledgerApp';
import {
  parsePrometheusText,
  samplesOf,
  valueOf,
  type MetricFamily,
  type MetricType,
} from '../support/prometheusText';
import { makeTempDir } from '../support/tempDir';
import { startWitnessDouble, type WitnessDouble } from '../support/witnessDouble';

async function scrape(t: LedgerApp): Promise<{ text: string; families: Map<string, MetricFamily> }> {
  const res = await request(t.app).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8/);
  return { text: res.text, families: parsePrometheusText(res.text) };
}

const committee = (period: { from: string; to: string }) => ({
  name: 'Lokalsamfunnsutvalget Heggedal',
  kind: 'local_community',
  areas: ['Heggedal'],
  mandate: fullMandate,
  coCreationForm: 'equal',
  period,
});

describe('GET /metrics', () => {
  let t: LedgerApp;
  const secrets: string[] = [];
  let committeeId: string;

  beforeAll(async () => {
    t = await openLedgerApp();
    const arenaId = await t.recordId('/arenas', { name: 'Innbyggertorg Asker', areas: ['Heggedal'] });
    const personId = await t.recordId('/persons', {
      name: 'Kari Nordmann',
      email: 'kari.nordmann@example.no',
      phone: '+4791234567',
    });
    committeeId = await t.recordId('/committees', committee({ from: '2020-06-01', to: '2022-12-31' }));
    secrets.push(
      arenaId,
      personId,
      committeeId,
      `person-${personId}`,
      'Kari Nordmann',
      'kari.nordmann@example.no',
      '+4791234567',
      ...Object.values(TOKENS),
    );
    // Refused by a rule of the catalogue (422), and by a stale If-Match (409).
    const backwards = await t.post('/committees', committee({ from: '2022-01-01', to: '2021-01-01' }));
    expect(backwards.status).toBe(422);
    expect(backwards.body.rule).toBe('committee-period-in-order');
    const stale = await t.post(
      `/committees/${committeeId}/budget`,
      { year: 2021, amountNok: 5000 },
      'clerk',
      { 'If-Match': '"7"' },
    );
    expect(stale.status).toBe(409);
    await t.get(`/proposals/${randomUUID()}`, 'anonymous').expect(404);
    await t.get('/influence?groupBy=committee', 'anonymous').expect(200);
    // Lag and tree size are read at scrape time: let the followers take in what was written.
    await t.ledger.runner.waitFor(await t.head(), 5000);
    await t.ledger.audit.waitForSize((await t.head()) + 1, 5000);
  });
  afterAll(() => t.close());

  test('is served without a token, as the text format, and every listed metric has its type and labels', async () => {
    const { families } = await scrape(t);
    const expected: Array<[name: string, type: MetricType, labels: string[]]> = [
      ['ledger_http_request_duration_seconds', 'histogram', ['operation', 'status']],
      ['ledger_commands_total', 'counter', ['command', 'outcome', 'rule']],
      ['ledger_append_duration_seconds', 'histogram', []],
      ['ledger_group_commit_batch_events', 'histogram', []],
      ['ledger_projection_lag_events', 'gauge', ['view']],
      ['ledger_merkle_tree_lag_events', 'gauge', []],
      ['ledger_merkle_tree_size_events', 'gauge', []],
      ['ledger_event_store_connected', 'gauge', []],
      // The default process metrics, on this ledger's registry.
      ['process_cpu_seconds_total', 'counter', []],
      ['process_resident_memory_bytes', 'gauge', []],
      ['nodejs_eventloop_lag_seconds', 'gauge', []],
      ['nodejs_heap_size_used_bytes', 'gauge', []],
    ];
    for (const [name, type, labels] of expected) {
      const family = families.get(name);
      expect({ name, type: family?.type }).toEqual({ name, type });
      expect(family?.samples.length).toBeGreaterThan(0);
      for (const sample of family?.samples ?? []) {
        const own = Object.keys(sample.labels).filter((l) => l !== 'le');
        expect({ name, labels: own.sort() }).toEqual({ name, labels: [...labels].sort() });
      }
    }
    // The witness gauges exist with no series: this ledger has no witness policy.
    expect(families.get('ledger_witness_alarm')?.type).toBe('gauge');
    expect(families.get('ledger_witness_alarm')?.samples).toEqual([]);
  });

  test('requests are counted by operation id and status, never by path', async () => {
    const { families } = await scrape(t);
    const count = (operation: string, status: string) =>
      valueOf(families, 'ledger_http_request_duration_seconds_count', { operation, status });
    expect(count('registerArena', '201')).toBe(1);
    expect(count('registerPerson', '201')).toBe(1);
    expect(count('establishCommittee', '201')).toBe(1);
    expect(count('establishCommittee', '422')).toBe(1);
    expect(count('allocateBudget', '409')).toBe(1);
    expect(count('getProposal', '404')).toBe(1);
    expect(count('getInfluence', '200')).toBe(1);
  });

  test('commands are counted by outcome and rule; a refused one under the rule that refused it', async () => {
    const { families } = await scrape(t);
    const n = (command: string, outcome: string, rule: string) =>
      valueOf(families, 'ledger_commands_total', { command, outcome, rule });
    expect(n('RegisterArena', 'accepted', 'none')).toBe(1);
    expect(n('RegisterPerson', 'accepted', 'none')).toBe(1);
    expect(n('EstablishCommittee', 'accepted', 'none')).toBe(1);
    expect(n('EstablishCommittee', 'rejected', 'committee-period-in-order')).toBe(1);
    expect(n('AllocateBudget', 'rejected', 'revision-conflict')).toBe(1);
    const total = samplesOf(families, 'ledger_commands_total').reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe(5);
  });

  test('appends, group-commit batches, view lag and the tree follow the log', async () => {
    const { families } = await scrape(t);
    const events = (await t.head()) + 1;
    // Three accepted commands, one event each; the refused ones never reached the store, the stale If-Match did not
    // either (the service compares the revision before appending).
    expect(events).toBe(3);
    expect(valueOf(families, 'ledger_append_duration_seconds_count')).toBe(3);
    expect(valueOf(families, 'ledger_group_commit_batch_events_sum')).toBe(events);
    const views = t.ledger.runner.report();
    expect(views.length).toBeGreaterThan(3);
    for (const view of views) {
      expect(valueOf(families, 'ledger_projection_lag_events', { view: view.name })).toBe(0);
    }
    expect(samplesOf(families, 'ledger_projection_lag_events')).toHaveLength(views.length);
    expect(valueOf(families, 'ledger_merkle_tree_size_events')).toBe(events);
    expect(valueOf(families, 'ledger_merkle_tree_lag_events')).toBe(0);
    expect(valueOf(families, 'ledger_event_store_connected')).toBe(1);
  });

  test('a thousand hostile paths add no label value, and no path or id shows', async () => {
    const before = samplesOf((await scrape(t)).families, 'ledger_http_request_duration_seconds_count');
    const sent: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const junk = i % 2 === 0 ? randomUUID() : randomBytes(12).toString('base64url');
      sent.push(junk);
      const path =
        i % 4 < 2
          ? `/api/v1/proposals/${junk}`
          : i % 4 === 2
            ? `/api/v1/${junk}/${junk}`
            : `/${junk}?x=${junk}`;
      // With a token: the anonymous rate limit would answer 429 first, and cut the walk short of the routes.
      const res = await request(t.app)
        .get(path)
        .set('Accept', 'application/json')
        .set('Authorization', `Bearer ${TOKENS.evaluator}`);
      expect([400, 404]).toContain(res.status);
    }
    const { text, families } = await scrape(t);
    const after = samplesOf(families, 'ledger_http_request_duration_seconds_count');
    const series = (samples: typeof after) =>
      new Set(samples.map((s) => `${s.labels.operation} ${s.labels.status}`));
    const added = [...series(after)].filter((s) => !series(before).has(s));
    // At most the unmatched 404 and a 400 of getProposal for ids that are not uuids: a fixed pair, not 1,000.
    expect(added.every((s) => ['unmatched 404', 'getProposal 400', 'getProposal 404'].includes(s))).toBe(
      true,
    );
    const total = after.reduce((sum, s) => sum + s.value, 0) - before.reduce((sum, s) => sum + s.value, 0);
    expect(total).toBeGreaterThanOrEqual(1001); // the thousand and the scrape before them
    expect(sent.filter((junk) => text.includes(junk))).toEqual([]);
  });

  test('shows no token, name, contact or id', async () => {
    const { text } = await scrape(t);
    expect(secrets.length).toBeGreaterThan(8);
    expect(secrets.filter((secret) => text.includes(secret))).toEqual([]);
    // Nothing shaped like an id at all: no uuid anywhere on the page.
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
  });

  test('each ledger has its own registry', async () => {
    const other = await openLedgerApp();
    try {
      await other.recordId('/arenas', { name: 'Innbyggertorg Vollen', areas: ['Vollen'] });
      const mine = await scrape(t);
      const theirs = await scrape(other);
      expect(valueOf(theirs.families, 'ledger_commands_total', { command: 'RegisterArena' })).toBe(1);
      expect(valueOf(mine.families, 'ledger_commands_total', { command: 'RegisterArena' })).toBe(1);
      expect(valueOf(theirs.families, 'ledger_commands_total', { command: 'EstablishCommittee' })).toBe(
        undefined,
      );
    } finally {
      await other.close();
    }
  });
});

describe('GET /metrics with a witness policy', () => {
  const ORIGIN = 'asker.example/metrics';
  const keys = makeTempDir('metrics-witness-');
  const key = generateSigningKey();
  const keyFile = path.join(keys.dir, 'checkpoint.pem');
  const policyFile = path.join(keys.dir, 'witnesses.policy');
  const verifierKey = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(key));
  let honest: WitnessDouble;
  let refusing: WitnessDouble;
  let t: LedgerApp;

  beforeAll(async () => {
    fs.writeFileSync(keyFile, key.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    honest = await startWitnessDouble({ name: 'witness.example/honest', logVkey: verifierKey });
    // Refuses every checkpoint as inconsistent with what it cosigned: the ledger raises an alarm for it.
    refusing = await startWitnessDouble({
      name: 'witness.example/refusing',
      logVkey: verifierKey,
      behaviour: () => ({ status: 422, body: 'inconsistent\n' }),
    });
    fs.writeFileSync(
      policyFile,
      `log ${verifierKey}\n` +
        [honest, refusing].map((w) => `witness ${w.name} ${w.vkey} ${w.url}\n`).join('') +
        'quorum witness.example/honest\n',
    );
    t = await openLedgerApp({
      LEDGER_CHECKPOINT_KEY_FILE: keyFile,
      LEDGER_CHECKPOINT_ORIGIN: ORIGIN,
      LEDGER_WITNESS_POLICY_FILE: policyFile,
      LEDGER_CHECKPOINT_EVERY_EVENTS: '2',
    });
    await t.recordId('/arenas', { name: 'Innbyggertorg Asker', areas: ['Heggedal'] });
    await t.recordId('/arenas', { name: 'Innbyggertorg Vollen', areas: ['Vollen'] });
  }, 30_000);
  afterAll(async () => {
    await t.close();
    await Promise.all([honest, refusing].map((w) => w.close()));
    keys.cleanup();
  });

  test('each witness of the policy has its cosigned size and its alarm, by the name the policy gives it', async () => {
    const families = await eventually(async () => {
      const f = (await scrape(t)).families;
      const cosigned = valueOf(f, 'ledger_witness_cosigned_tree_size_events', { witness: honest.name });
      const alarm = valueOf(f, 'ledger_witness_alarm', { witness: refusing.name });
      return cosigned === 2 && alarm === 1 ? f : undefined;
    }, 'the honest witness cosigning size 2 and the refusing one alarmed');
    expect(valueOf(families, 'ledger_witness_alarm', { witness: honest.name })).toBe(0);
    expect(
      samplesOf(families, 'ledger_witness_cosigned_tree_size_events', { witness: refusing.name }),
    ).toEqual([]);
    // The policy's names and nothing of the witnesses' addresses.
    const { text } = await scrape(t);
    expect(text).not.toContain(honest.url);
    expect(text).not.toContain(refusing.url);
  });
});
