import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import { commandNames, commandSpecs } from '../../src/domain/commands';
import { commandRoutes } from '../../src/http/routes/commandRoutes';
import { bodySchemaOf, commandOperations } from '../../src/http/routes/commands';
import { openLedgerApp, type LedgerApp, fullMandate } from '../support/ledgerApp';

/** A council, a committee with three voting members and a budget, and a proposal ready for decisions. */
async function world(t: LedgerApp) {
  const arenaId = await t.recordId('/arenas', { name: 'Heggedal innbyggertorg', areas: ['Heggedal'] });
  const councilId = await t.recordId('/political-bodies', {
    name: 'Kommunestyret',
    kind: 'council',
    seats: 55,
  });
  const persons: string[] = [];
  for (const name of ['Kari Nordmann', 'Ola Nordmann', 'Åse Ødegård', 'Per Ærlig']) {
    persons.push(
      await t.recordId('/persons', { name, email: `${name.split(' ')[0]?.toLowerCase()}@example.org` }),
    );
  }
  const committeeId = await t.recordId('/committees', {
    name: 'Lokalsamfunnsutvalget i Heggedal',
    kind: 'local_community',
    arenaId,
    areas: ['Heggedal'],
    mandate: fullMandate,
    coCreationForm: 'equal',
    period: { from: '2020-06-01', to: '2022-12-31' },
  });
  for (const [i, personId] of persons.slice(0, 3).entries()) {
    await t.recordId(`/committees/${committeeId}/members`, {
      personId,
      role: i === 0 ? 'leader' : 'member',
      actorGroup: 'resident',
      representationBasis: 'geographic_area',
      appointedOn: '2020-06-15',
    });
  }
  await t.recordId(`/committees/${committeeId}/budget`, { year: 2021, amountNok: 100000 });
  const proposalId = await t.recordId('/proposals', {
    committeeId,
    title: 'Benker langs turstien',
    description: 'Sett opp benker langs turstien ved Heggedal.',
    origin: 'resident',
    submittedBy: persons[3],
    theme: 'friluftsliv',
    area: 'Heggedal',
    submittedOn: '2021-01-10',
  });
  return { arenaId, councilId, persons, committeeId, proposalId };
}

describe('commands: routes, registry and operations are one list', () => {
  test('every command has exactly one route, read off its declaration', () => {
    expect(commandRoutes.map((r) => r.command)).toEqual(commandNames);
    for (const route of commandRoutes) {
      const declared = commandSpecs[route.command].route;
      expect(route).toMatchObject({
        path: declared.path,
        params: declared.params,
        idField: declared.answers,
        operationId: declared.operationId,
        summary: declared.summary,
      });
      expect(route.creates).toBe(declared.fills);
    }
  });

  test('every route has one Operation with the same path, id and body, for clerks, answering 201', () => {
    expect(commandOperations).toHaveLength(commandRoutes.length);
    for (const [i, route] of commandRoutes.entries()) {
      const operation = commandOperations[i];
      expect(operation).toMatchObject({
        method: 'post',
        path: route.path,
        operationId: route.operationId,
        tag: route.tag,
        summary: route.summary,
        access: ['clerk'],
        answer: { status: 201 },
        headers: ['If-Match', 'Idempotency-Key'],
      });
      const body = operation?.body as z.ZodObject;
      expect(Object.keys(body.shape).sort()).toEqual(Object.keys(bodySchemaOf(route).shape).sort());
    }
  });

  test("each answer schema describes the route's answer exactly: a field more or less is refused", () => {
    const recorded = { id: uuidv7(), streamId: `vote-${uuidv7()}`, streamRevision: 3, globalPosition: 17 };
    const tallied = { ...recorded, tally: { yes: 2, no: 1, abstain: 0 }, eligible: 3, result: 'passed' };
    for (const [i, route] of commandRoutes.entries()) {
      const schema = commandOperations[i]?.answer.schema;
      if (!schema) throw new Error(`${route.operationId} has no answer schema`);
      const answer = route.command === 'CloseVote' ? tallied : recorded;
      expect(schema.safeParse(answer).success).toBe(true);
      expect(schema.safeParse({ ...answer, extra: 1 }).success).toBe(false);
      const { globalPosition: _missing, ...short } = answer;
      expect(schema.safeParse(short).success).toBe(false);
    }
  });
});

describe('commands: a proposal through every stage', () => {
  let t: LedgerApp;
  beforeAll(async () => {
    t = await openLedgerApp();
  });
  afterAll(() => t.close());

  test('submitted → supported → voted → deferred → adopted → referred → returned → adopted → referred → postponed → adopted with amendments → implementing → completed', async () => {
    const w = await world(t);
    const p = `/proposals/${w.proposalId}`;
    const steps: Array<[string, unknown]> = [
      [`${p}/supports`, { personId: w.persons[3], supportedOn: '2021-01-11' }],
      [
        `${p}/amendments`,
        { title: 'Benker og bord langs turstien', amendedOn: '2021-01-12', reason: 'innspill' },
      ],
      [
        `${p}/committee-decisions`,
        { outcome: 'deferred', kind: 'recommendation', text: 'Utsatt', decidedOn: '2021-01-20' },
      ],
    ];
    for (const [path, body] of steps) expect((await t.post(path, body)).status).toBe(201);

    const vote = await t.post('/votes', {
      proposalId: w.proposalId,
      question: 'Anbefale?',
      rule: 'simple_majority',
      openedOn: '2021-02-01',
    });
    expect(vote.status).toBe(201);
    const voteId = vote.body.id as string;
    for (const [i, choice] of ['yes', 'yes', 'no'].entries()) {
      const ballot = await t.post(`/votes/${voteId}/ballots`, {
        personId: w.persons[i],
        choice,
        castOn: '2021-02-01',
      });
      expect(ballot.status).toBe(201);
    }
    const close = await t.post(`/votes/${voteId}/close`, { closedOn: '2021-02-01' });
    expect(close.status).toBe(201);
    expect(close.body).toMatchObject({
      id: voteId,
      eligible: 3,
      tally: { yes: 2, no: 1, abstain: 0 },
      result: 'passed',
    });

    const adopt = await t.post(`${p}/committee-decisions`, {
      outcome: 'adopted',
      kind: 'recommendation',
      text: 'Anbefalt',
      voteId,
      decidedOn: '2021-02-02',
    });
    expect(adopt.status).toBe(201);
    const refer = await t.post(`${p}/referrals`, {
      toBodyId: w.councilId,
      kind: 'recommendation',
      caseNumber: '21/100',
      referredOn: '2021-02-10',
    });
    expect(refer.status).toBe(201);
    const referralId = refer.body.id as string;
    const returned = await t.post(`${p}/referrals/${referralId}/political-decision`, {
      outcome: 'returned',
      caseNumber: '21/100',
      summary: 'Sendt tilbake for kostnadsoverslag',
      decidedOn: '2021-03-01',
    });
    expect(returned.status).toBe(201);
    expect(
      (
        await t.post(`${p}/committee-decisions`, {
          outcome: 'adopted',
          kind: 'recommendation',
          text: 'Med overslag',
          decidedOn: '2021-03-10',
        })
      ).status,
    ).toBe(201);
    const refer2 = await t.post(`${p}/referrals`, {
      toBodyId: w.councilId,
      kind: 'recommendation',
      caseNumber: '21/200',
      referredOn: '2021-03-15',
    });
    expect(refer2.status).toBe(201);
    const r2 = refer2.body.id as string;
    const postponed = await t.post(`${p}/referrals/${r2}/political-decision`, {
      outcome: 'postponed',
      caseNumber: '21/200',
      summary: 'Utsatt',
      decidedOn: '2021-04-01',
    });
    expect(postponed.status).toBe(201);
    const decided = await t.post(`${p}/referrals/${r2}/political-decision`, {
      outcome: 'adopted_with_amendments',
      caseNumber: '21/200',
      summary: 'Vedtatt med endringer',
      decidedOn: '2021-04-20',
      votesFor: 40,
      votesAgainst: 15,
    });
    expect(decided.status).toBe(201);
    expect(
      (
        await t.post(`${p}/implementation`, {
          status: 'in_progress',
          progressPct: 40,
          note: 'Bestilt',
          reportedOn: '2021-06-01',
        })
      ).status,
    ).toBe(201);
    const done = await t.post(`${p}/implementation`, {
      status: 'completed',
      progressPct: 100,
      note: 'Ferdig',
      reportedOn: '2021-09-01',
    });
    expect(done.status).toBe(201);
    expect(done.headers.etag).toBe(`"${done.body.streamRevision}"`);

    const events = await t.ledger.store.readStream(`proposal-${w.proposalId}`);
    expect(events.map((e) => e.type)).toEqual([
      'ProposalSubmitted',
      'ProposalSupported',
      'ProposalAmended',
      'CommitteeDecisionRecorded',
      'CommitteeDecisionRecorded',
      'ProposalReferred',
      'PoliticalDecisionRecorded',
      'CommitteeDecisionRecorded',
      'ProposalReferred',
      'PoliticalDecisionRecorded',
      'PoliticalDecisionRecorded',
      'ImplementationReported',
      'ImplementationReported',
    ]);
    const last = events[events.length - 1];
    expect(last).toMatchObject({
      occurredAt: '2021-09-01',
      actor: { role: 'clerk' },
      streamRevision: done.body.streamRevision,
      globalPosition: done.body.globalPosition,
    });
  });

  test('the response carries id, streamId, streamRevision, globalPosition and an ETag', async () => {
    const res = await t.post('/arenas', {
      name: 'Slemmestad innbyggertorg',
      areas: ['Slemmestad', 'Vollen'],
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      streamId: `arena-${res.body.id}`,
      streamRevision: 0,
      globalPosition: await t.head(),
    });
    expect(res.headers.etag).toBe('"0"');
  });

  test('a client-chosen id is used; the same id twice is a 409', async () => {
    const id = uuidv7();
    const first = await t.post('/arenas', {
      id,
      name: 'Tofte innbyggertorg',
      areas: ['Tofte', 'Filtvet', 'Holmsbu', 'Kana'],
    });
    expect(first.status).toBe(201);
    expect(first.body.id).toBe(id);
    const again = await t.post('/arenas', { id, name: 'Tofte igjen', areas: [] });
    expect(again.status).toBe(409);
    expect(again.body.rule).toBe('already-exists');
  });

  test('an id in capitals is refused, not a second record of the same UUID: as a client id, a reference or in the path', async () => {
    const id = uuidv7();
    expect((await t.post('/arenas', { id, name: 'Hurum innbyggertorg', areas: [] })).status).toBe(201);
    const personId = await t.recordId('/persons', { name: 'Marit Hurum' });
    const before = await t.head();
    const twin = await t.post('/arenas', { id: id.toUpperCase(), name: 'Hurum igjen', areas: [] });
    expect(twin.status).toBe(400);
    expect(twin.body.errors).toEqual([{ path: 'id', message: 'must be a UUID written in lowercase' }]);
    const shadow = await t.post('/persons', { id: personId.toUpperCase(), name: 'Skyggen av Marit' });
    expect(shadow.status).toBe(400);
    const committee = await t.post('/committees', {
      name: 'Utvalg',
      arenaId: id.toUpperCase(),
      kind: 'local_community',
      areas: [],
      mandate: fullMandate,
      coCreationForm: 'equal',
      period: { from: '2021-01-01', to: '2021-12-31' },
    });
    expect(committee.status).toBe(400);
    expect((await t.get(`/arenas/${id.toUpperCase()}`, 'anonymous')).status).toBe(404);
    expect(await t.head()).toBe(before);
  });
});

describe('commands: Location names the record written to', () => {
  let t: LedgerApp;
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    t = await openLedgerApp();
    w = await world(t);
  });
  afterAll(() => t.close());

  /** POSTs and expects a 201 whose Location is exactly `location`. */
  async function expectLocation(path: string, body: unknown, location: (id: string) => string) {
    const res = await t.post(path, body);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(location(String(res.body.id)));
    return res;
  }

  test('a creating command: the new record, under its own collection', async () => {
    await expectLocation(
      '/arenas',
      { name: 'Vollen torg', areas: ['Vollen'] },
      (id) => `/api/v1/arenas/${id}`,
    );
    await expectLocation(
      '/political-bodies',
      { name: 'Formannskapet', kind: 'executive_committee' },
      (id) => `/api/v1/political-bodies/${id}`,
    );
    await expectLocation('/persons', { name: 'Liv Lokal' }, (id) => `/api/v1/persons/${id}`);
    await expectLocation(
      '/processes',
      {
        title: 'Turstier i Heggedal',
        committeeIds: [w.committeeId],
        coCreationForm: 'equal',
        startedOn: '2021-01-05',
      },
      (id) => `/api/v1/processes/${id}`,
    );
    await expectLocation(
      '/meetings',
      {
        committeeId: w.committeeId,
        kind: 'public_meeting',
        heldOn: '2021-01-15',
        attendeeCount: 12,
        agendaProposalIds: [w.proposalId],
      },
      (id) => `/api/v1/meetings/${id}`,
    );
  });

  test('a command on a record: that record, whatever id the answer names', async () => {
    const proposal = `/api/v1/proposals/${w.proposalId}`;
    await expectLocation(
      `/committees/${w.committeeId}/budget`,
      { year: 2022, amountNok: 5000 },
      () => `/api/v1/committees/${w.committeeId}`,
    );
    await expectLocation(
      `/proposals/${w.proposalId}/supports`,
      { personId: w.persons[0], supportedOn: '2021-01-11' },
      () => proposal,
    );
    // The answer's id is the new decision's, but the record written to is the proposal.
    const decided = await expectLocation(
      `/proposals/${w.proposalId}/committee-decisions`,
      { outcome: 'deferred', kind: 'recommendation', text: 'Utsatt', decidedOn: '2021-01-20' },
      () => proposal,
    );
    expect(decided.body.id).not.toBe(w.proposalId);
    const vote = await expectLocation(
      '/votes',
      { proposalId: w.proposalId, question: 'Anbefale?', rule: 'simple_majority', openedOn: '2021-02-01' },
      (id) => `/api/v1/votes/${id}`,
    );
    const voteId = String(vote.body.id);
    await expectLocation(
      `/votes/${voteId}/ballots`,
      { personId: w.persons[0], choice: 'yes', castOn: '2021-02-01' },
      () => `/api/v1/votes/${voteId}`,
    );
    await expectLocation(
      `/votes/${voteId}/close`,
      { closedOn: '2021-02-02' },
      () => `/api/v1/votes/${voteId}`,
    );
  });

  test('an idempotent replay carries the same Location', async () => {
    const key = { 'Idempotency-Key': 'location-replay' };
    const body = { name: 'Replay torg', areas: [] };
    const first = await t.post('/arenas', body, 'clerk', key);
    const again = await t.post('/arenas', body, 'clerk', key);
    expect(first.status).toBe(201);
    expect(first.headers.location).toBe(`/api/v1/arenas/${first.body.id}`);
    expect({ status: again.status, location: again.headers.location }).toEqual({
      status: 200,
      location: first.headers.location,
    });
  });

  test('a refused command (hostile or not) carries no Location and writes nothing', async () => {
    const before = await t.head();
    const refused = [
      await t.post('/arenas', { name: 'Torg\u202e', areas: [] }),
      await t.post(`/proposals/${w.proposalId}/supports`, {
        personId: w.persons[0],
        supportedOn: '2021-01-12',
      }),
      await t.post(`/proposals/${uuidv7()}/supports`, { personId: w.persons[1], supportedOn: '2021-01-12' }),
      await t.post('/arenas', { id: '../../etc/passwd', name: 'Sti', areas: [] }),
    ];
    expect(refused.map((res) => res.status)).toEqual([400, 409, 404, 400]);
    for (const res of refused) expect(res.headers.location).toBeUndefined();
    expect(await t.head()).toBe(before);
  });
});

describe('commands: concurrency and idempotency', () => {
  let t: LedgerApp;
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    t = await openLedgerApp();
    w = await world(t);
  });
  afterAll(() => t.close());

  test('If-Match with the current revision passes; a stale one is a 409 and writes nothing', async () => {
    const p = `/proposals/${w.proposalId}`;
    const current = await t.ledger.store.streamRevision(`proposal-${w.proposalId}`);
    const ok = await t.post(
      `${p}/amendments`,
      { description: 'Ny tekst', amendedOn: '2021-01-12', reason: 'presisering' },
      'clerk',
      { 'If-Match': `"${current}"` },
    );
    expect(ok.status).toBe(201);
    const before = await t.head();
    const stale = await t.post(
      `${p}/amendments`,
      { description: 'Enda en tekst', amendedOn: '2021-01-13', reason: 'x' },
      'clerk',
      { 'If-Match': `"${current}"` },
    );
    expect(stale.status).toBe(409);
    expect(await t.head()).toBe(before);
  });

  test('R2: 50 simultaneous supports on one proposal lose nothing', async () => {
    const persons: string[] = [];
    for (let i = 0; i < 50; i++) persons.push(await t.recordId('/persons', { name: `Støttespiller ${i}` }));
    const results = await Promise.all(
      persons.map((personId) =>
        t.post(`/proposals/${w.proposalId}/supports`, { personId, supportedOn: '2021-01-15' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(persons.map(() => 201));
    const events = await t.ledger.store.readStream(`proposal-${w.proposalId}`);
    const supporters = events
      .filter((e) => e.type === 'ProposalSupported')
      .map((e) => (e.data as { personId: string }).personId);
    expect(new Set(supporters)).toEqual(new Set(persons));
    expect(supporters).toHaveLength(50);
  });

  test('R3: the same Idempotency-Key sent 100 times at once appends one event', async () => {
    const before = await t.head();
    const body = { name: 'Idempotent torg', areas: ['Kana'] };
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        t.post('/arenas', body, 'clerk', { 'Idempotency-Key': 'arena-key-1' }),
      ),
    );
    expect(await t.head()).toBe(before + 1);
    const ids = new Set(results.map((r) => r.body.id as string));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(99);
    // Later, too, the key returns the first result.
    const later = await t.post('/arenas', body, 'clerk', { 'Idempotency-Key': 'arena-key-1' });
    expect(later.status).toBe(200);
    expect(later.body).toEqual(results[0]?.body);
    expect(await t.head()).toBe(before + 1);
  });

  test('the same Idempotency-Key with another body is a 422 and writes nothing', async () => {
    await t.post('/arenas', { name: 'A', areas: [] }, 'clerk', { 'Idempotency-Key': 'arena-key-2' });
    const before = await t.head();
    const res = await t.post('/arenas', { name: 'B', areas: [] }, 'clerk', {
      'Idempotency-Key': 'arena-key-2',
    });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(await t.head()).toBe(before);
  });

  test('the same body with its keys in another order, nested too, is the same request: a 200 replay, one event', async () => {
    const body = {
      name: 'Utvalg i annen rekkefølge',
      kind: 'task',
      areas: ['Vollen', 'Slemmestad'],
      mandate: { influence: true, decide: false, facilitate: true, support: false, arrange: false },
      coCreationForm: 'steered',
      period: { from: '2021-01-01', to: '2022-12-31' },
    };
    const reordered = {
      period: { to: '2022-12-31', from: '2021-01-01' },
      coCreationForm: 'steered',
      mandate: { arrange: false, support: false, facilitate: true, decide: false, influence: true },
      areas: ['Vollen', 'Slemmestad'],
      kind: 'task',
      name: 'Utvalg i annen rekkefølge',
    };
    const key = { 'Idempotency-Key': 'reordered-committee' };
    const before = await t.head();
    const first = await t.post('/committees', body, 'clerk', key);
    expect(first.status).toBe(201);
    const again = await t.post('/committees', reordered, 'clerk', key);
    expect({ status: again.status, replayed: again.headers['idempotent-replayed'] }).toEqual({
      status: 200,
      replayed: 'true',
    });
    expect(again.body).toEqual(first.body);
    expect(await t.head()).toBe(before + 1);
    // Array order is content, and so is every value: those are other requests.
    for (const other of [
      { ...reordered, areas: ['Slemmestad', 'Vollen'] },
      { ...reordered, mandate: { ...reordered.mandate, decide: true } },
    ]) {
      const res = await t.post('/committees', other, 'clerk', key);
      expect(res.status).toBe(422);
      expect(res.body.type).toBe('/api/v1/problems/idempotency-key-reused');
    }
    expect(await t.head()).toBe(before + 1);
  });

  test('a resend after the key was lost (crash between the events and its record) answers with what was written', async () => {
    const Database = (await import('better-sqlite3')).default;
    const path = await import('node:path');
    /** Deletes the key's record of the answer that named `id`: exactly one, or the resend proves nothing. */
    const forgetKey = (id: string): number => {
      const db = new Database(path.join(t.dataDir, 'idempotency.sqlite'));
      try {
        return db.prepare('DELETE FROM idempotency_keys WHERE body LIKE ?').run(`%${id}%`).changes;
      } finally {
        db.close();
      }
    };
    for (const [route, body] of [
      ['/arenas', { name: 'Torg etter krasj', areas: ['Heggedal'] }],
      ['/persons', { name: 'Kari Krasj', email: 'kari@example.org', birthYear: 1975, area: 'Vollen' }],
    ] as const) {
      const first = await t.post(route, body, 'clerk', { 'Idempotency-Key': `lost-${route}` });
      expect(first.status).toBe(201);
      const head = await t.head();
      expect(forgetKey(String(first.body.id))).toBe(1);
      const again = await t.post(route, body, 'clerk', { 'Idempotency-Key': `lost-${route}` });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(await t.head()).toBe(head);
      // Without a key nothing ties the two together: a second record (a new id) is written.
      const unkeyed = await t.post(route, body, 'clerk');
      expect(unkeyed.status).toBe(201);
      expect(unkeyed.body.id).not.toBe(first.body.id);
    }
  });

  test('keys are scoped to the caller: another token may reuse a key', async () => {
    const a = await t.post('/arenas', { name: 'C', areas: [] }, 'clerk', { 'Idempotency-Key': 'shared-key' });
    const b = await t.post('/arenas', { name: 'C', areas: [] }, 'admin', { 'Idempotency-Key': 'shared-key' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
  });
});

describe('personal data at rest', () => {
  test('names, emails and phones do not appear in plain text in the event store file', async () => {
    const t = await openLedgerApp();
    try {
      const name = 'Ingrid Særpreget-Ålesund';
      const email = 'ingrid.saerpreget@example.org';
      const phone = '+47 912 34 567';
      const res = await t.post('/persons', { name, email, phone, birthYear: 1980, area: 'Tofte' });
      expect(res.status).toBe(201);
      const [event] = await t.ledger.store.readStream(`person-${res.body.id}`);
      expect(event?.dataKeyId).toBeDefined();
      expect(JSON.stringify(event?.data)).not.toContain('Ingrid');
      await t.ledger.store.close();
      const fs = await import('node:fs');
      const path = await import('node:path');
      const files = ['events.sqlite', 'events.sqlite-wal'].filter((f) =>
        fs.existsSync(path.join(t.dataDir, f)),
      );
      expect(files).toContain('events.sqlite');
      const bytes = files.map((f) => fs.readFileSync(path.join(t.dataDir, f)));
      // The search covers the event: its person id, stored in the clear, is in the bytes searched.
      expect(bytes.some((b) => b.includes(Buffer.from(String(res.body.id), 'utf8')))).toBe(true);
      for (const needle of [name, email, phone, 'Ingrid', 'saerpreget']) {
        for (const b of bytes) expect(b.includes(Buffer.from(needle, 'utf8'))).toBe(false);
      }
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
