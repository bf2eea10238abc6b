/**
 * The view reads against their declarations (routes/reads/): every live answer parses with its operation's zod
 * answer schema for anonymous, evaluator and clerk callers; the lookups that resolve every id a client is given
 * (meetings, votes by proposal, processes, persons); and the ETag every view answer carries.
 */
import type { z } from 'zod';
import { readOperations } from '../../src/http/routes/reads';
import { publicCommitteeAnswer, publicVote } from '../../src/http/schemas/views';
import { openLedgerApp, type LedgerApp, type TestRole, fullMandate } from '../support/ledgerApp';

interface Trial {
  persons: Array<{ id: string; name: string }>;
  erased: { id: string; name: string };
  arenaId: string;
  bodyId: string;
  committeeId: string;
  otherCommitteeId: string;
  proposalId: string;
  initiativeId: string;
  processId: string;
  voteId: string;
  /** Three named attendees of twelve: its count is shown to anyone. */
  bigMeetingId: string;
  /** Three attendees in all, two named: a count anonymous callers do not see. */
  smallMeetingId: string;
  /** The last position before the meetings were held. */
  beforeMeetings: number;
}

/**
 * Six persons (one of them erased), an arena, a council, two committees, a process that went through a phase and
 * was completed, a proposal adopted after a closed vote, referred, decided and implemented, a citizens' initiative,
 * and two meetings: one small (its count hidden from anonymous callers), one large.
 */
async function buildTrial(t: LedgerApp): Promise<Trial> {
  const persons: Array<{ id: string; name: string }> = [];
  for (const given of ['Astrid', 'Bjørn', 'Cecilie', 'Dagfinn', 'Eirin', 'Frode']) {
    const name = `${given} Oppslagsen`;
    persons.push({
      id: (await t.record('/persons', { name, birthYear: 1970, area: 'Heggedal' })).id,
      name,
    });
  }
  const [a, b, c, d, e, f] = persons.map((p) => p.id) as [string, string, string, string, string, string];
  const arenaId = (await t.record('/arenas', { name: 'Heggedal innbyggertorg', areas: ['Heggedal'] })).id;
  const bodyId = (await t.record('/political-bodies', { name: 'Kommunestyret', kind: 'council', seats: 47 }))
    .id;
  const committee = async (name: string) =>
    (
      await t.record('/committees', {
        name,
        arenaId,
        kind: 'local_community',
        areas: ['Heggedal'],
        mandate: fullMandate,
        coCreationForm: 'equal',
        period: { from: '2020-06-01', to: '2022-12-31' },
      })
    ).id;
  const committeeId = await committee('Lokalsamfunnsutvalget i Heggedal');
  const otherCommitteeId = await committee('Lokalsamfunnsutvalget i Tofte');
  for (const [personId, role] of [
    [a, 'leader'],
    [b, 'member'],
    [c, 'member'],
    [f, 'deputy'],
  ] as const) {
    await t.record(`/committees/${committeeId}/members`, {
      personId,
      role,
      actorGroup: 'resident',
      representationBasis: 'geographic_area',
      appointedOn: '2020-06-15',
    });
  }
  await t.record(`/committees/${committeeId}/budget`, { year: 2021, amountNok: 100_000 });
  const processId = (
    await t.record('/processes', {
      title: 'Veikart for Heggedal sentrum',
      committeeIds: [committeeId],
      coCreationForm: 'equal',
      startedOn: '2021-01-10',
    })
  ).id;
  await t.record(`/processes/${processId}/phases`, { phase: 'co_creation', startedOn: '2021-02-01' });
  await t.record(`/processes/${processId}/completion`, { completedOn: '2021-12-01', summary: 'Ferdig.' });
  const proposalId = (
    await t.record('/proposals', {
      committeeId,
      processId,
      title: 'Gatelys langs skoleveien',
      description: 'Sett opp gatelys.',
      origin: 'resident',
      submittedBy: d,
      theme: 'trafikk',
      submittedOn: '2021-03-01',
    })
  ).id;
  await t.record(`/proposals/${proposalId}/supports`, { personId: e, supportedOn: '2021-03-05' });
  const initiativeId = (
    await t.record('/proposals', {
      committeeId: otherCommitteeId,
      title: 'Badeplass i Tofte',
      description: 'En badeplass.',
      origin: 'citizen_initiative',
      submittedOn: '2021-02-01',
    })
  ).id;
  const beforeMeetings = await t.head();
  const smallMeetingId = (
    await t.record('/meetings', {
      committeeId,
      kind: 'committee_meeting',
      heldOn: '2021-04-01',
      attendeeCount: 3,
      attendeePersonIds: [a, b],
      agendaProposalIds: [proposalId],
    })
  ).id;
  const bigMeetingId = (
    await t.record('/meetings', {
      arenaId,
      kind: 'public_meeting',
      heldOn: '2021-05-01',
      attendeeCount: 12,
      attendeePersonIds: [c, d, e],
      agendaProposalIds: [],
    })
  ).id;
  const voteId = (
    await t.record('/votes', {
      proposalId,
      meetingId: smallMeetingId,
      question: 'Anbefale forslaget?',
      rule: 'simple_majority',
      openedOn: '2021-04-01',
    })
  ).id;
  for (const [personId, choice] of [
    [a, 'yes'],
    [b, 'yes'],
    [c, 'no'],
  ])
    await t.record(`/votes/${voteId}/ballots`, { personId, choice, castOn: '2021-04-01' });
  await t.record(`/votes/${voteId}/close`, { closedOn: '2021-04-01' });
  await t.record(`/proposals/${proposalId}/committee-decisions`, {
    outcome: 'adopted',
    kind: 'recommendation',
    text: 'Anbefalt',
    voteId,
    decidedOn: '2021-04-01',
  });
  const referralId = (
    await t.record(`/proposals/${proposalId}/referrals`, {
      toBodyId: bodyId,
      kind: 'recommendation',
      caseNumber: '21/77',
      referredOn: '2021-04-10',
    })
  ).id;
  await t.record(`/proposals/${proposalId}/referrals/${referralId}/political-decision`, {
    outcome: 'adopted',
    caseNumber: '21/77',
    summary: 'Vedtatt',
    decidedOn: '2021-06-01',
    votesFor: 30,
    votesAgainst: 17,
  });
  await t.record(`/proposals/${proposalId}/implementation`, {
    status: 'in_progress',
    progressPct: 40,
    note: 'Bestilt',
    reportedOn: '2021-08-01',
  });
  await t.record(`/persons/${f}/erasure`, { erasedOn: '2022-01-10', reason: 'Begjæring om sletting' });
  await t.ledger.runner.waitFor(await t.head(), 5000);
  return {
    persons,
    erased: persons[5] as { id: string; name: string },
    arenaId,
    bodyId,
    committeeId,
    otherCommitteeId,
    proposalId,
    initiativeId,
    processId,
    voteId,
    bigMeetingId,
    smallMeetingId,
    beforeMeetings,
  };
}

/** The requests that walk each read operation on the trial, by operationId. */
function samples(l: Trial): Record<string, string[]> {
  return {
    listProposals: ['/proposals', `/proposals?committeeId=${l.committeeId}&limit=1`, '/proposals?asOf=-1'],
    getProposal: [`/proposals/${l.proposalId}`, `/proposals/${l.initiativeId}`],
    getProposalTimeline: [`/proposals/${l.proposalId}/timeline`],
    listCommittees: ['/committees'],
    getCommittee: [`/committees/${l.committeeId}`, `/committees/${l.otherCommitteeId}`],
    listVotes: ['/votes', `/votes?proposalId=${l.proposalId}`, '/votes?limit=1'],
    getVote: [`/votes/${l.voteId}`, `/votes/${l.voteId}?asOf=${l.beforeMeetings + 4}`],
    listMeetings: [
      '/meetings',
      `/meetings?committeeId=${l.committeeId}&from=2021-01-01&to=2021-12-31`,
      `/meetings?limit=1&cursor=${l.smallMeetingId}`,
    ],
    getMeeting: [`/meetings/${l.smallMeetingId}`, `/meetings/${l.bigMeetingId}`],
    listProcesses: ['/processes', `/processes?committeeId=${l.committeeId}`],
    getProcess: [`/processes/${l.processId}`],
    listArenas: ['/arenas'],
    getArena: [`/arenas/${l.arenaId}`],
    listPoliticalBodies: ['/political-bodies'],
    getPoliticalBody: [`/political-bodies/${l.bodyId}`],
    listPersons: ['/persons', '/persons?limit=2'],
    getPerson: [`/persons/${l.persons[0]?.id}`, `/persons/${l.erased.id}`],
    getInfluence: [
      'committee',
      'committeeKind',
      'origin',
      'coCreationForm',
      'theme',
      'politicalBody',
      'year',
      'all',
    ]
      .map((g) => `/influence?groupBy=${g}`)
      .concat(['/influence?from=2021-01-01&to=2021-12-31']),
    getParticipation: ['/participation', `/participation?committeeId=${l.committeeId}`],
  };
}

const roles: TestRole[] = ['anonymous', 'evaluator', 'clerk'];

/** Whether `role` may call an operation with this access. */
function allowed(access: (typeof readOperations)[number]['access'], role: TestRole): boolean {
  return access === 'anyone' || role === 'admin' || (role !== 'anonymous' && access.includes(role));
}

function mismatches(schema: z.ZodType | undefined, body: unknown): string[] {
  if (!schema) return ['no answer schema'];
  const parsed = schema.safeParse(body);
  return parsed.success
    ? []
    : parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`);
}

let t: LedgerApp;
let l: Trial;
beforeAll(async () => {
  t = await openLedgerApp();
  l = await buildTrial(t);
});
afterAll(() => t.close());

describe('every read answer is what its operation declares', () => {
  test('every read operation is walked below', () => {
    expect(Object.keys(samples(l)).sort()).toEqual(readOperations.map((o) => o.operationId).sort());
  });

  test.each(roles)('%s: each live answer parses with the operation’s answer schema', async (role) => {
    const failures: string[] = [];
    for (const operation of readOperations) {
      for (const path of samples(l)[operation.operationId] ?? []) {
        const res = await t.get(path, role);
        if (!allowed(operation.access, role)) {
          if (![401, 403].includes(res.status)) failures.push(`${path}: ${res.status}, not refused`);
          continue;
        }
        if (res.status !== 200) {
          failures.push(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
          continue;
        }
        for (const m of mismatches(operation.answer.schema, res.body)) failures.push(`${path}: ${m}`);
      }
    }
    expect(failures).toEqual([]);
  });

  test('anonymous callers get the public forms; tokens the forms with people in them', async () => {
    const committee = (await t.get(`/committees/${l.committeeId}`, 'anonymous')).body;
    expect(mismatches(publicCommitteeAnswer, committee)).toEqual([]);
    expect(
      mismatches(publicCommitteeAnswer, (await t.get(`/committees/${l.committeeId}`, 'evaluator')).body),
    ).not.toEqual([]);
    const { position: _p, ...vote } = (await t.get(`/votes/${l.voteId}`, 'anonymous')).body;
    expect(mismatches(publicVote, vote)).toEqual([]);
    const { position: _q, ...evaluatorsVote } = (await t.get(`/votes/${l.voteId}`, 'evaluator')).body;
    expect(mismatches(publicVote, evaluatorsVote)).not.toEqual([]);
  });

  test('a field the schema does not declare is a mismatch: the check can fail', () => {
    const schema = readOperations.find((o) => o.operationId === 'getArena')?.answer.schema;
    const arena = { position: 3, arenaId: l.arenaId, name: 'Torget', areas: [] };
    expect(mismatches(schema, arena)).toEqual([]);
    expect(mismatches(schema, { ...arena, personId: l.persons[0]?.id })).not.toEqual([]);
    expect(mismatches(schema, { ...arena, position: undefined })).not.toEqual([]);
  });
});

describe('lookups: every id a client receives resolves', () => {
  test('meetings: listed by date with a total, filtered by committee and date held', async () => {
    const all = (await t.get('/meetings', 'anonymous')).body;
    expect(all.total).toBe(2);
    expect(all.items.map((m: { meetingId: string }) => m.meetingId)).toEqual([
      l.smallMeetingId,
      l.bigMeetingId,
    ]);
    const mine = (await t.get(`/meetings?committeeId=${l.committeeId}`, 'anonymous')).body;
    expect(mine.items.map((m: { meetingId: string }) => m.meetingId)).toEqual([l.smallMeetingId]);
    const may = (await t.get('/meetings?from=2021-04-02&to=2021-05-01', 'anonymous')).body;
    expect({ total: may.total, ids: may.items.map((m: { meetingId: string }) => m.meetingId) }).toEqual({
      total: 1,
      ids: [l.bigMeetingId],
    });
    const before = (await t.get(`/meetings?asOf=${l.beforeMeetings}`, 'anonymous')).body;
    expect({ position: before.position, total: before.total }).toEqual({
      position: l.beforeMeetings,
      total: 0,
    });
  });

  test('meetings: anonymous callers get counts only, a small one hidden; evaluators pseudonyms; clerks names', async () => {
    const small = (await t.get(`/meetings/${l.smallMeetingId}`, 'anonymous')).body;
    expect(small).toMatchObject({
      attendeeCount: null,
      suppressionThreshold: 5,
      suppressed: ['attendeeCount'],
    });
    expect(small).not.toHaveProperty('attendees');
    const big = (await t.get(`/meetings/${l.bigMeetingId}`, 'anonymous')).body;
    expect(big).toMatchObject({ attendeeCount: 12, suppressed: [], arenaId: l.arenaId, committeeId: null });
    const list = (await t.get('/meetings', 'anonymous')).body;
    expect(list.suppressed).toEqual(['items.0.attendeeCount']);
    const anonymousText = JSON.stringify([small, big, list]);
    for (const p of l.persons) expect(anonymousText).not.toContain(p.id);

    const [a, b] = l.persons;
    const evaluators = (await t.get(`/meetings/${l.smallMeetingId}`, 'evaluator')).body;
    expect(evaluators.attendeeCount).toBe(3);
    expect(evaluators.attendees).toEqual([
      { pseudonym: t.ledger.people.pseudonymOf(a?.id ?? '') },
      { pseudonym: t.ledger.people.pseudonymOf(b?.id ?? '') },
    ]);
    expect(JSON.stringify(evaluators)).not.toContain(a?.id);
    const clerks = (await t.get(`/meetings/${l.smallMeetingId}`, 'clerk')).body;
    expect(clerks.attendees).toEqual([
      { personId: a?.id, name: a?.name },
      { personId: b?.id, name: b?.name },
    ]);
  });

  test('votes by proposal: a list with its total, the ballots as each role may see them', async () => {
    const onProposal = (await t.get(`/votes?proposalId=${l.proposalId}`, 'anonymous')).body;
    expect({
      total: onProposal.total,
      ids: onProposal.items.map((v: { voteId: string }) => v.voteId),
    }).toEqual({
      total: 1,
      ids: [l.voteId],
    });
    expect(onProposal.items[0]).toMatchObject({ result: 'passed', tally: { yes: 2, no: 1, abstain: 0 } });
    expect(onProposal.items[0]).not.toHaveProperty('ballots');
    const none = (await t.get(`/votes?proposalId=${l.initiativeId}`, 'anonymous')).body;
    expect({ total: none.total, items: none.items }).toEqual({ total: 0, items: [] });
    const evaluators = (await t.get(`/votes?proposalId=${l.proposalId}`, 'evaluator')).body;
    expect(evaluators.items[0].ballots).toHaveLength(3);
    expect(evaluators.items[0].ballots[0]).toEqual({
      pseudonym: t.ledger.people.pseudonymOf(l.persons[0]?.id ?? ''),
      choice: 'yes',
      castOn: '2021-04-01',
    });
  });

  test('processes: phases and completion; by committee', async () => {
    const process = (await t.get(`/processes/${l.processId}`, 'anonymous')).body;
    expect(process).toMatchObject({
      processId: l.processId,
      committeeIds: [l.committeeId],
      phases: [{ phase: 'co_creation', startedOn: '2021-02-01' }],
      completedOn: '2021-12-01',
      summary: 'Ferdig.',
    });
    expect((await t.get(`/processes?committeeId=${l.committeeId}`, 'anonymous')).body.total).toBe(1);
    expect((await t.get(`/processes?committeeId=${l.otherCommitteeId}`, 'anonymous')).body.total).toBe(0);
    expect((await t.get(`/proposals/${l.proposalId}`, 'anonymous')).body.processId).toBe(l.processId);
  });

  test('persons: clerks and admins only; names while they last, an erased person says so and shows nothing more', async () => {
    expect((await t.get('/persons', 'anonymous')).status).toBe(401);
    expect((await t.get('/persons', 'evaluator')).status).toBe(403);
    expect((await t.get(`/persons/${l.erased.id}`, 'evaluator')).status).toBe(403);
    const list = (await t.get('/persons', 'clerk')).body;
    expect(list.total).toBe(6);
    const astrid = (await t.get(`/persons/${l.persons[0]?.id}`, 'admin')).body;
    expect(astrid).toMatchObject({
      name: 'Astrid Oppslagsen',
      erased: false,
      birthYear: 1970,
      area: 'Heggedal',
    });
    const erased = (await t.get(`/persons/${l.erased.id}`, 'clerk')).body;
    expect(erased).toEqual({
      position: erased.position,
      personId: l.erased.id,
      name: null,
      erased: true,
      erasedOn: '2022-01-10',
      birthYear: null,
      area: null,
    });
    expect(JSON.stringify(list)).not.toContain(l.erased.name);
  });

  test('an unknown or malformed id is a 404 on every lookup by id', async () => {
    const unknown = '0190a9c4-0000-7000-8000-000000000000';
    for (const path of ['meetings', 'processes', 'persons', 'votes', 'arenas', 'political-bodies']) {
      for (const id of [unknown, "1'%20OR%20'1'='1", 'x'.repeat(5000), '%E2%80%AE', l.proposalId]) {
        const res = await t.get(`/${path}/${id}`, 'admin');
        expect({ path, status: res.status, type: res.body.type }).toEqual({
          path,
          status: 404,
          type: '/api/v1/problems/not-found',
        });
      }
    }
  });

  test('hostile query parameters are 400 problems that change nothing', async () => {
    const head = await t.head();
    for (const path of [
      '/meetings?committeeId=%27%20OR%201%3D1',
      '/meetings?from=2021-06-01&to=2021-01-01',
      '/meetings?from=2021-02-30',
      '/meetings?committeeId=a&committeeId=b',
      '/meetings?attendeePersonIds=x',
      '/votes?proposalId=__proto__',
      '/votes?proposalId[$ne]=1',
      '/processes?committeeId=' + 'x'.repeat(10_000),
      '/persons?asOf=1e3',
      '/persons?minPosition=-2',
      '/persons?limit=0',
      '/votes?cursor=' + '0190a9c4-0000-7000-8000-000000000000',
      '/arenas?limit=1&limit=1',
      '/influence?groupBy=person',
    ]) {
      const res = await t.get(path, 'admin');
      expect({ path, status: res.status, type: res.body.type }).toEqual({
        path,
        status: 400,
        type: '/api/v1/problems/validation',
      });
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(await t.head()).toBe(head);
  });

  test('a store failure while resolving a timestamp asOf is a server fault (500), not a bad asOf (400)', async () => {
    const store = t.ledger.store;
    const spy = jest.spyOn(store, 'readAll').mockImplementation(() => {
      throw new Error('SQLITE_IOERR: disk I/O error');
    });
    try {
      for (const path of [
        '/meetings?asOf=2021-06-01T00:00:00Z',
        '/persons?asOf=2021-06-01T00:00:00%2B02:00',
      ]) {
        const res = await t.get(path, 'admin');
        expect({ path, status: res.status, type: res.body.type }).toEqual({
          path,
          status: 500,
          type: '/api/v1/problems/internal',
        });
        expect(JSON.stringify(res.body)).not.toContain('SQLITE');
      }
    } finally {
      spy.mockRestore();
    }
  });

  test('the directory view rebuilds to the same answers', async () => {
    const paths = [
      '/meetings',
      `/processes/${l.processId}`,
      '/persons',
      `/meetings?asOf=${l.beforeMeetings + 1}`,
    ];
    const before = await Promise.all(paths.map(async (p) => (await t.get(p, 'clerk')).body));
    expect((await t.post('/admin/projections/directory/rebuild', {}, 'admin')).status).toBe(200);
    const after = await Promise.all(paths.map(async (p) => (await t.get(p, 'clerk')).body));
    expect(after).toEqual(before);
    expect(before[3].total).toBe(1);
  });
});

describe('ETag: a view at a position never changes', () => {
  test('the same question gets the same tag, and If-None-Match with it a 304 with no body', async () => {
    const first = await t.get('/influence?groupBy=origin', 'anonymous');
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    expect(first.headers.vary).toMatch(/Authorization/);
    expect((await t.get('/influence?groupBy=origin', 'anonymous')).headers.etag).toBe(tag);
    const again = await t.get('/influence?groupBy=origin', 'anonymous').set('If-None-Match', tag);
    expect({ status: again.status, text: again.text, etag: again.headers.etag }).toEqual({
      status: 304,
      text: '',
      etag: tag,
    });
    const inList = await t
      .get('/influence?groupBy=origin', 'anonymous')
      .set('If-None-Match', `"x", W/${tag}`);
    expect(inList.status).toBe(304);
    const other = await t.get('/influence?groupBy=origin', 'anonymous').set('If-None-Match', '"not-it"');
    expect(other.status).toBe(200);
    expect(other.body.groupBy).toBe('origin');
  });

  test('the tag differs by route, id, query and audience, and moves with the position', async () => {
    const tagOf = async (path: string, role: TestRole = 'anonymous') =>
      (await t.get(path, role)).headers.etag as string;
    const tags = [
      await tagOf('/influence?groupBy=origin'),
      await tagOf('/influence?groupBy=year'),
      await tagOf('/participation'),
      await tagOf('/participation', 'evaluator'),
      await tagOf(`/meetings/${l.smallMeetingId}`),
      await tagOf(`/meetings/${l.bigMeetingId}`),
      await tagOf(`/meetings/${l.bigMeetingId}`, 'clerk'),
    ];
    expect(new Set(tags).size).toBe(tags.length);
    // asOf and minPosition only choose the position: the same position is the same answer.
    const head = await t.head();
    expect(await tagOf(`/participation?asOf=${head}`)).toBe(await tagOf('/participation'));
    expect(await tagOf(`/participation?minPosition=${head}`)).toBe(await tagOf('/participation'));

    const past = await tagOf(`/meetings?asOf=${l.beforeMeetings + 1}`);
    const now = await tagOf('/meetings');
    const write = await t.record('/meetings', {
      committeeId: l.otherCommitteeId,
      kind: 'workshop',
      heldOn: '2021-09-01',
      attendeeCount: 7,
      agendaProposalIds: [],
    });
    const after = await t.get(`/meetings?minPosition=${write.globalPosition}`, 'anonymous');
    expect(after.body.total).toBe(3);
    expect(after.headers.etag).not.toBe(now);
    expect((await t.get('/meetings', 'anonymous').set('If-None-Match', now)).status).toBe(200);
    expect(await tagOf(`/meetings?asOf=${l.beforeMeetings + 1}`)).toBe(past);
  });

  test('a hostile If-None-Match is a plain 200, never a fault', async () => {
    for (const header of [',,,,' + ' ,'.repeat(3000), 'W/', '"', '""', 'W/"" , *x', '"a"'.repeat(2000)]) {
      const res = await t.get('/arenas', 'anonymous').set('If-None-Match', header);
      expect({ header: header.slice(0, 20), status: res.status }).toEqual({
        header: header.slice(0, 20),
        status: 200,
      });
      expect(res.body.total).toBe(1);
    }
  });

  test('a tag never vouches for a text the server no longer sends: a name at a past position, after erasure', async () => {
    const registered = await t.record('/persons', { name: 'Gunnhild Glemmesen' });
    const path = `/persons/${registered.id}?asOf=${registered.globalPosition}`;
    await t.ledger.runner.waitFor(registered.globalPosition, 5000);
    const before = await t.get(path, 'clerk');
    expect(before.body.name).toBe('Gunnhild Glemmesen');
    const erasure = await t.record(`/persons/${registered.id}/erasure`, {
      erasedOn: '2022-02-01',
      reason: 'Begjæring om sletting',
    });
    await t.ledger.runner.waitFor(erasure.globalPosition, 5000);
    const after = await t.get(path, 'clerk').set('If-None-Match', before.headers.etag as string);
    expect({ status: after.status, position: after.body.position, name: after.body.name }).toEqual({
      status: 200,
      position: registered.globalPosition,
      name: null,
    });
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.text).not.toContain('Gunnhild');
  });

  test('a problem carries no tag and is never a 304', async () => {
    const unknown = '0190a9c4-0000-7000-8000-000000000000';
    const res = await t.get(`/meetings/${unknown}`, 'anonymous').set('If-None-Match', '*');
    expect(res.status).toBe(404);
    expect(res.headers.etag).toBeUndefined();
  });
});
