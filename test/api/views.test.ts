/**
 * The views through the API, against a small hand-written trial whose answers are worked out by hand below.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { loadTokens } from '../../src/http/auth';
import { dataFiles, openLedger } from '../../src/ledger';
import { createLogger } from '../../src/logger';
import { buildApp } from '../../src/server';
import request from 'supertest';
import { openLedgerApp, TOKENS, type LedgerApp, fullMandate } from '../support/ledgerApp';

interface Trial {
  council: string;
  heggedal: string;
  tofte: string;
  persons: string[];
  full: string;
  partial: string;
  rejected: string;
  withdrawn: string;
  initiative: string;
  untouched: string;
  lastPosition: number;
  positionAfterFull: number;
}

/**
 * Two committees, a council, six proposals:
 * - full: submitted 2021-03-01, adopted 2021-03-20, referred 2021-04-01, council adopted 2021-06-15 (106 days),
 *   implementation completed 2021-10-01 → stage completed, influence full.
 * - partial: submitted 2021-05-10, adopted 2021-05-20, referred 2021-06-01, adopted_with_amendments 2021-09-07
 *   (120 days) → politically_decided, partial.
 * - rejected: submitted 2021-02-01 (Tofte), adopted 2021-02-15, referred 2021-02-20, council rejected 2021-04-02
 *   (60 days) → politically_decided, none.
 * - withdrawn: submitted 2021-04-01, withdrawn 2021-04-10 → withdrawn, not_referred.
 * - initiative: origin citizen_initiative, 3 supports (threshold 3 in this test) on 2021-01-05, 2021-01-09,
 *   2021-01-12 → threshold reached 2021-01-12, deadline 2021-07-12, no decision → overdue.
 * - untouched: submitted 2021-06-01, nothing else → submitted, not_referred.
 */
async function buildTrial(t: LedgerApp): Promise<Trial> {
  const council = (await t.record('/political-bodies', { name: 'Kommunestyret', kind: 'council', seats: 55 }))
    .id;
  const committee = async (name: string, kind: string) =>
    (
      await t.record('/committees', {
        name,
        kind,
        areas: [name],
        mandate: fullMandate,
        coCreationForm: kind === 'task' ? 'steered' : 'equal',
        period: { from: '2020-06-01', to: '2022-12-31' },
      })
    ).id;
  const heggedal = await committee('Heggedal', 'local_community');
  const tofte = await committee('Tofte', 'task');
  const persons: string[] = [];
  for (let i = 0; i < 6; i++)
    persons.push((await t.record('/persons', { name: `Simulert Person ${i}`, area: 'Heggedal' })).id);
  for (const [i, personId] of persons.slice(0, 5).entries()) {
    await t.record(`/committees/${heggedal}/members`, {
      personId,
      role: i === 0 ? 'leader' : 'member',
      actorGroup: i < 3 ? 'resident' : 'voluntary_org',
      representationBasis: 'geographic_area',
      appointedOn: '2020-06-15',
    });
  }
  const submit = async (committeeId: string, title: string, submittedOn: string, origin = 'resident') =>
    (
      await t.record('/proposals', {
        committeeId,
        title,
        description: `${title}.`,
        origin,
        theme: 'nærmiljø',
        submittedOn,
      })
    ).id;
  const adoptAndRefer = async (id: string, decidedOn: string, referredOn: string) => {
    await t.record(`/proposals/${id}/committee-decisions`, {
      outcome: 'adopted',
      kind: 'recommendation',
      text: 'Anbefalt',
      decidedOn,
    });
    return (
      await t.record(`/proposals/${id}/referrals`, {
        toBodyId: council,
        kind: 'recommendation',
        caseNumber: '21/1',
        referredOn,
      })
    ).id;
  };
  const decide = (id: string, referralId: string, outcome: string, decidedOn: string) =>
    t.record(`/proposals/${id}/referrals/${referralId}/political-decision`, {
      outcome,
      caseNumber: '21/1',
      summary: outcome,
      decidedOn,
    });

  const full = await submit(heggedal, 'Full', '2021-03-01');
  await decide(full, await adoptAndRefer(full, '2021-03-20', '2021-04-01'), 'adopted', '2021-06-15');
  const afterFull = await t.record(`/proposals/${full}/implementation`, {
    status: 'completed',
    progressPct: 100,
    note: 'Ferdig',
    reportedOn: '2021-10-01',
  });
  const partial = await submit(heggedal, 'Delvis', '2021-05-10');
  await decide(
    partial,
    await adoptAndRefer(partial, '2021-05-20', '2021-06-01'),
    'adopted_with_amendments',
    '2021-09-07',
  );
  const rejected = await submit(tofte, 'Avvist', '2021-02-01');
  await decide(rejected, await adoptAndRefer(rejected, '2021-02-15', '2021-02-20'), 'rejected', '2021-04-02');
  const withdrawn = await submit(heggedal, 'Trukket', '2021-04-01');
  await t.record(`/proposals/${withdrawn}/withdrawal`, {
    withdrawnOn: '2021-04-10',
    reason: 'Løst på annen måte',
  });
  const initiative = await submit(heggedal, 'Innbyggerforslag', '2021-01-02', 'citizen_initiative');
  for (const [i, supportedOn] of ['2021-01-05', '2021-01-09', '2021-01-12'].entries()) {
    await t.record(`/proposals/${initiative}/supports`, { personId: persons[i], supportedOn });
  }
  const untouched = await submit(heggedal, 'Urørt', '2021-06-01');
  return {
    council,
    heggedal,
    tofte,
    persons,
    full,
    partial,
    rejected,
    withdrawn,
    initiative,
    untouched,
    lastPosition: await t.head(),
    positionAfterFull: afterFull.globalPosition,
  };
}

describe('views through the API: a hand-computed trial', () => {
  let t: LedgerApp;
  let trial: Trial;
  beforeAll(async () => {
    t = await openLedgerApp({ LEDGER_CITIZEN_INITIATIVE_THRESHOLD: '3' });
    trial = await buildTrial(t);
  });
  afterAll(() => t.close());

  test('proposal status: stage, influence, days to political decision, deadline', async () => {
    const get = async (id: string) => {
      const res = await t.get(`/proposals/${id}?minPosition=${trial.lastPosition}`, 'anonymous');
      expect(res.status).toBe(200);
      expect(res.body.position).toBe(trial.lastPosition);
      return res.body;
    };
    expect(await get(trial.full)).toMatchObject({
      stage: 'completed',
      influence: 'full',
      daysToPoliticalDecision: 106,
      supports: 0,
    });
    expect(await get(trial.partial)).toMatchObject({
      stage: 'politically_decided',
      influence: 'partial',
      daysToPoliticalDecision: 120,
    });
    expect(await get(trial.rejected)).toMatchObject({
      stage: 'politically_decided',
      influence: 'none',
      daysToPoliticalDecision: 60,
    });
    expect(await get(trial.withdrawn)).toMatchObject({
      stage: 'withdrawn',
      influence: 'not_referred',
      daysToPoliticalDecision: null,
    });
    expect(await get(trial.untouched)).toMatchObject({ stage: 'submitted', influence: 'not_referred' });
    const initiative = await get(trial.initiative);
    expect(initiative).toMatchObject({
      origin: 'citizen_initiative',
      initiativeDeadline: '2021-07-12',
      overdue: true,
    });
    // Three supports are three people: hidden from anonymous callers as /participation hides them, not zero.
    expect(initiative).toMatchObject({ supports: null, suppressionThreshold: 5, suppressed: ['supports'] });
    const named = await t.get(`/proposals/${trial.initiative}`, 'evaluator');
    expect(named.body).toMatchObject({ supports: 3, suppressionThreshold: null, suppressed: [] });
    const full = await get(trial.full);
    expect(full.referrals).toEqual([
      expect.objectContaining({
        toBodyId: trial.council,
        kind: 'recommendation',
        caseNumber: '21/1',
        referredOn: '2021-04-01',
        politicalDecision: expect.objectContaining({ outcome: 'adopted', decidedOn: '2021-06-15' }),
      }),
    ]);
    expect(full.latestCommitteeDecision).toMatchObject({
      outcome: 'adopted',
      kind: 'recommendation',
      decidedOn: '2021-03-20',
    });
  });

  test('influence funnel by committee: counts, rates and medians', async () => {
    const res = await t.get(`/influence?groupBy=committee&minPosition=${trial.lastPosition}`, 'anonymous');
    expect(res.status).toBe(200);
    const byKey: Record<string, Record<string, unknown>> = Object.fromEntries(
      (res.body.groups as Array<{ key: string }>).map((g) => [g.key, g]),
    );
    // Heggedal: 5 submitted (full, partial, withdrawn, initiative, untouched); 2 adopted, referred and decided;
    // 1 full, 1 partial → adoption rate 2/2; median days to political decision of 106 and 120 = 113.
    expect(byKey[trial.heggedal]).toMatchObject({
      submitted: 5,
      committeeAdopted: 2,
      referred: 2,
      politicallyDecided: 2,
      adoptedFull: 1,
      adoptedPartial: 1,
      rejected: 0,
      implemented: 1,
      medianDaysToPoliticalDecision: 113,
    });
    expect(byKey[trial.heggedal]?.adoptionRate).toMatchObject({ numerator: 2, denominator: 2, value: 1 });
    // Tofte: 1 submitted, adopted, referred, rejected after 60 days → adoption rate 0/1.
    expect(byKey[trial.tofte]).toMatchObject({
      submitted: 1,
      politicallyDecided: 1,
      rejected: 1,
      adoptedFull: 0,
      medianDaysToPoliticalDecision: 60,
    });
    expect(byKey[trial.tofte]?.adoptionRate).toMatchObject({ numerator: 0, denominator: 1, value: 0 });
  });

  test('as of an earlier position the view is what the log said then', async () => {
    const res = await t.get(`/proposals/${trial.full}?asOf=${trial.positionAfterFull - 1}`, 'anonymous');
    expect(res.status).toBe(200);
    expect(res.body.position).toBe(trial.positionAfterFull - 1);
    expect(res.body).toMatchObject({ stage: 'politically_decided', implementation: null });
    const before = await t.get(`/proposals/${trial.partial}?asOf=${trial.positionAfterFull}`, 'anonymous');
    expect(before.status).toBe(404);
    const atTime = await t.get(`/influence?asOf=2000-01-01T00:00:00Z`, 'anonymous');
    expect(atTime.body).toMatchObject({ position: -1, groups: [] });
  });

  test('committee view: members per role, budget; anonymous callers get suppressed counts, no member rows', async () => {
    const anon = await t.get(`/committees/${trial.heggedal}`, 'anonymous');
    expect(anon.status).toBe(200);
    expect(anon.body.members).not.toHaveProperty('active');
    expect(anon.body.members).not.toHaveProperty('former');
    expect(JSON.stringify(anon.body)).not.toContain(trial.persons[0]);
    // 5 members: the total shows; 3 residents and 2 from voluntary organisations are each under 5.
    expect(anon.body.members.activeCount).toBe(5);
    expect(anon.body.members.byActorGroup).toMatchObject({
      resident: null,
      voluntary_org: null,
      politician: 0,
    });
    expect(anon.body.members.byRole).toMatchObject({ leader: null, member: null });
    expect(anon.body.suppressionThreshold).toBe(5);
    expect(anon.body.suppressed).toEqual(
      expect.arrayContaining(['members.byActorGroup.resident', 'members.byRole.leader']),
    );
    const clerk = await t.get(`/committees/${trial.heggedal}`, 'clerk');
    expect(clerk.body.members.active.map((m: { name: string }) => m.name).sort()).toEqual(
      [0, 1, 2, 3, 4].map((i) => `Simulert Person ${i}`),
    );
    expect(clerk.body.members.byActorGroup).toMatchObject({ resident: 3, voluntary_org: 2 });
    const evaluator = await t.get(`/committees/${trial.heggedal}`, 'evaluator');
    expect(evaluator.body.members.active[0].pseudonym).toMatch(/^p-[0-9a-f]{20}$/);
    expect(evaluator.body.members.byRole).toMatchObject({ leader: 1, member: 4 });
    expect(JSON.stringify(evaluator.body)).not.toContain('Simulert');
    expect(JSON.stringify(evaluator.body)).not.toContain(trial.persons[0]);
  });

  test('participation: counts under 5 are suppressed for anonymous callers only', async () => {
    const anon = await t.get(`/participation?committeeId=${trial.heggedal}`, 'anonymous');
    expect(anon.status).toBe(200);
    expect(anon.body.suppressionThreshold).toBe(5);
    expect(anon.body.members.byActorGroup.resident).toBeNull();
    expect(anon.body.suppressed.length).toBeGreaterThan(0);
    const evaluator = await t.get(`/participation?committeeId=${trial.heggedal}`, 'evaluator');
    expect(evaluator.body.members.byActorGroup.resident).toBe(3);
  });

  test('lists paginate with an opaque cursor', async () => {
    const first = await t.get('/proposals?limit=4', 'anonymous');
    expect(first.body.items).toHaveLength(4);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await t.get(
      `/proposals?limit=4&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      'anonymous',
    );
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
    const ids = [...first.body.items, ...second.body.items].map((p: { proposalId: string }) => p.proposalId);
    expect(new Set(ids).size).toBe(6);
  });

  test('bad read parameters are 400 problems', async () => {
    for (const q of [
      '/proposals?limit=0',
      '/proposals?stage=nope',
      '/influence?groupBy=colour',
      '/proposals?asOf=yesterday',
      '/proposals?cursor=abc',
      '/participation?from=2021-13-01',
      '/proposals?unknown=1',
    ]) {
      const res = await t.get(q, 'anonymous');
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    expect((await t.get('/proposals/not-a-uuid', 'anonymous')).status).toBe(404);
  });

  describe('asOf, minPosition and from/to are read strictly', () => {
    const errorsOf = async (q: string) => {
      const res = await t.get(q, 'anonymous');
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      return (res.body as { errors: Array<{ path: string; message: string }> }).errors;
    };

    test.each([
      ['a day that is not in the calendar', '2021-02-30T00:00:00Z'],
      ['hour 24', '2021-03-01T24:00:00Z'],
      ['minute 60', '2021-03-01T12:60:00Z'],
      ['an offset beyond 23:59', '2021-03-01T12:00:00+25:00'],
      ['no zone', '2021-03-01T12:00:00'],
      ['no seconds', '2021-03-01T12:00Z'],
      ['a bare date', '2021-03-01'],
      ['a space for T', '2021-03-01 12:00:00Z'],
      ['a leading zero', '05'],
      ['a plus sign', '+5'],
      ['a position below -1', '-2'],
      ['minus zero', '-0'],
      ['an exponent', '1e3'],
      ['hexadecimal', '0x10'],
      ['a position beyond 2^53', '9007199254740993'],
      ['a leading space', ' 5'],
    ])('asOf with %s is a 400 naming asOf', async (_case, value) => {
      const errors = await errorsOf(`/influence?asOf=${encodeURIComponent(value)}`);
      expect(errors).toEqual([{ path: 'asOf', message: expect.any(String) }]);
    });

    test('asOf given twice is a 400', async () => {
      expect(await errorsOf('/proposals?asOf=1&asOf=2')).toEqual([
        { path: 'asOf', message: expect.any(String) },
      ]);
    });

    test('asOf=05 is refused, not read as 5; asOf=5 is read', async () => {
      await errorsOf('/influence?asOf=05');
      expect((await t.get('/influence?asOf=5', 'anonymous')).body.position).toBe(5);
    });

    test('a bare date is refused with an example of the full form', async () => {
      const [error] = await errorsOf('/influence?asOf=2021-03-01');
      expect(error?.message).toContain('2021-03-01T23:59:59+01:00');
    });

    test('a timestamp with an offset or nine fraction digits is the instant it names', async () => {
      const at = async (value: string) =>
        (await t.get(`/influence?asOf=${encodeURIComponent(value)}`, 'anonymous')).body.position as number;
      expect(await at('2000-01-01T01:00:00+01:00')).toBe(-1);
      expect(await at('1999-12-31T23:59:59.123456789-00:00')).toBe(-1);
      // Years ahead, and west of UTC: the instant falls in the year 10000, after every event recorded.
      expect(await at('9999-12-31T23:59:59-23:59')).toBe(trial.lastPosition);
      expect(await at('-1')).toBe(-1);
    });

    test.each(['05', '1.0', '-2', '1e2', ' 1', 'abc'])(
      'minPosition=%s is a 400 naming minPosition',
      async (value) => {
        const errors = await errorsOf(`/proposals?minPosition=${encodeURIComponent(value)}`);
        expect(errors).toEqual([{ path: 'minPosition', message: expect.any(String) }]);
      },
    );

    test.each(['05', '0x10', '1e2', '5.0', ' 5', '501'])('limit=%s is a 400 naming limit', async (value) => {
      const errors = await errorsOf(`/proposals?limit=${encodeURIComponent(value)}`);
      expect(errors).toEqual([{ path: 'limit', message: expect.any(String) }]);
    });

    test.each(['/influence', '/participation'])(
      '%s with from after to is a 400 naming both',
      async (route) => {
        const errors = await errorsOf(`${route}?from=2021-06-02&to=2021-06-01`);
        expect(errors.map((e) => e.path).sort()).toEqual(['from', 'to']);
        expect(errors.find((e) => e.path === 'from')?.message).toContain('2021-06-01');
        expect((await t.get(`${route}?from=2021-06-01&to=2021-06-01`, 'anonymous')).status).toBe(200);
      },
    );

    test('a store failure while resolving asOf is a server fault (500), not a bad asOf', async () => {
      const store = t.ledger.store;
      const readAll = store.readAll.bind(store);
      const failing = 77_777;
      const spy = jest.spyOn(store, 'readAll').mockImplementation((from, options) => {
        if (from === failing) throw new Error('SQLITE_IOERR: disk I/O error');
        return readAll(from, options);
      });
      try {
        const res = await t.get(`/influence?asOf=${failing}`, 'anonymous');
        expect({ status: res.status, type: res.body.type }).toEqual({
          status: 500,
          type: '/api/v1/problems/internal',
        });
        expect(JSON.stringify(res.body)).not.toContain('SQLITE');
      } finally {
        spy.mockRestore();
      }
    });
  });

  test('admin: projection report and rebuild; other roles may not', async () => {
    const report = await t.get('/admin/projections', 'admin');
    expect(report.status).toBe(200);
    expect(report.body.views.map((v: { name: string }) => v.name).sort()).toEqual([
      'committee',
      'directory',
      'influence',
      'participation',
      'proposalStatus',
      'traceIndex',
      'votes',
    ]);
    expect((await t.get('/admin/projections', 'evaluator')).status).toBe(403);
    const before = (await t.get(`/proposals/${trial.full}`, 'anonymous')).body;
    const rebuilt = await t.post('/admin/projections/proposalStatus/rebuild', {}, 'admin');
    expect(rebuilt.status).toBe(200);
    expect((await t.get(`/proposals/${trial.full}`, 'anonymous')).body).toEqual(before);
    expect((await t.post('/admin/projections/nope/rebuild', {}, 'admin')).status).toBe(404);
  });
});

describe('aggregate answers are kept per view position', () => {
  test('the same question after a write is answered from the new position, not from the kept answer', async () => {
    const t = await openLedgerApp();
    try {
      const committeeId = (
        await t.record('/committees', {
          name: 'Slemmestad',
          kind: 'local_community',
          areas: ['Slemmestad'],
          mandate: fullMandate,
          coCreationForm: 'equal',
          period: { from: '2020-06-01', to: '2022-12-31' },
        })
      ).id;
      const submit = (title: string) =>
        t.record('/proposals', {
          committeeId,
          title,
          description: `${title}.`,
          origin: 'resident',
          theme: 'nærmiljø',
          submittedOn: '2021-03-01',
        });
      const asked = async (minPosition: number) => {
        const [influence, proposals, participation] = await Promise.all(
          [
            `/influence?minPosition=${minPosition}`,
            `/proposals?minPosition=${minPosition}`,
            `/participation?minPosition=${minPosition}`,
          ].map((p) => t.get(p, 'evaluator')),
        );
        return { influence: influence?.body, proposals: proposals?.body, participation: participation?.body };
      };
      const first = await submit('Benker ved fjorden');
      const one = await asked(first.globalPosition);
      expect(await asked(first.globalPosition)).toEqual(one);
      const second = await submit('Lys i lysløypa');
      const two = await asked(second.globalPosition);
      expect(two.influence.position).toBe(second.globalPosition);
      expect(two.influence.groups[0].submitted).toBe(one.influence.groups[0].submitted + 1);
      expect(two.proposals.items).toHaveLength(one.proposals.items.length + 1);
      expect(two.participation.position).toBe(second.globalPosition);
      // And an earlier position still gives the earlier answer.
      const back = await t.get(`/influence?asOf=${first.globalPosition}`, 'evaluator');
      expect(back.body).toEqual(one.influence);
    } finally {
      await t.close();
    }
  });
});

describe('views survive restarts and the loss of the read model', () => {
  test('identical after stop/start, and after deleting the read-model file', async () => {
    const t = await openLedgerApp({ LEDGER_CITIZEN_INITIATIVE_THRESHOLD: '3' });
    const trial = await buildTrial(t);
    await t.ledger.runner.waitFor(trial.lastPosition, 5000);
    const snapshot = async (app: Parameters<typeof request>[0]) => {
      const out: unknown[] = [];
      for (const p of [
        '/proposals?limit=500',
        '/influence?groupBy=origin',
        `/committees/${trial.heggedal}`,
        '/participation',
      ]) {
        out.push(
          (await request(app).get(`/api/v1${p}`).set('Authorization', `Bearer ${TOKENS.evaluator}`)).body,
        );
      }
      return out;
    };
    const original = await snapshot(t.app);
    await t.ledger.close();

    const reopen = async () => {
      const config = loadConfig({
        LEDGER_DATA_DIR: t.dataDir,
        LOG_LEVEL: 'silent',
        LEDGER_CITIZEN_INITIATIVE_THRESHOLD: '3',
        LEDGER_API_TOKENS: `evaluator=${TOKENS.evaluator}`,
      });
      const ledger = openLedger(config, createLogger('silent'));
      await ledger.runner.start();
      await ledger.runner.waitFor(trial.lastPosition, 5000);
      return { ledger, app: buildApp(ledger, loadTokens(config.apiTokens, config.dataDir).registry) };
    };
    const again = await reopen();
    expect(await snapshot(again.app)).toEqual(original);
    await again.ledger.close();

    const readModelFiles = fs.readdirSync(t.dataDir).filter((f) => f.startsWith(dataFiles.readModel));
    // The view database itself, and at most its WAL and shared-memory files beside it.
    expect(readModelFiles).toContain(dataFiles.readModel);
    const sideFiles = [`${dataFiles.readModel}-wal`, `${dataFiles.readModel}-shm`];
    expect(readModelFiles.filter((f) => f !== dataFiles.readModel && !sideFiles.includes(f))).toEqual([]);
    for (const f of readModelFiles) fs.rmSync(path.join(t.dataDir, f));
    const rebuilt = await reopen();
    expect(await snapshot(rebuilt.app)).toEqual(original);
    await rebuilt.ledger.close();
    fs.rmSync(t.dataDir, { recursive: true, force: true });
  });
});
