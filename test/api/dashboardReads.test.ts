/**
 * The reads the dashboard needs beyond the views of API.md's table: a proposal's public timeline, title search with
 * totals on the proposal list, the committee table, the arena and political body lookups. Shapes and numbers on a
 * small ledger worked out below, "as of" reads, suppression for anonymous callers, and hostile parameters (always a
 * 400 or 404 problem, never a 500).
 */
import fc from 'fast-check';
import { openLedgerApp, type LedgerApp, fullMandate } from '../support/ledgerApp';

interface Ledger {
  heggedal: string;
  vollen: string;
  council: string;
  administration: string;
  committeeId: string;
  otherCommitteeId: string;
  proposalId: string;
  voteId: string;
  meetingId: string;
  /** The position of the referral: a point in the middle of the proposal's path. */
  referredAt: number;
  /** The position before the second arena was registered. */
  beforeVollen: number;
  titles: Record<string, string>;
}

/**
 * Two arenas and two bodies (one without seats); a committee at Heggedal with six members and a budget; a proposal
 * that goes the whole way: submitted, amended, 15 supports (6 in January, 2 in February, 7 in March 2021), a public
 * meeting with 12 attendees, a vote (4 yes, 2 no), an adopted own decision with a grant, a referral, a political
 * decision and an implementation report. Further proposals, in both committees, carry the titles searched below.
 */
async function buildLedger(t: LedgerApp): Promise<Ledger> {
  const heggedal = (await t.record('/arenas', { name: 'Heggedal innbyggertorg', areas: ['Heggedal'] })).id;
  const beforeVollen = await t.head();
  const vollen = (await t.record('/arenas', { name: 'Bibliotektorget', areas: ['Vollen', 'Slemmestad'] })).id;
  const council = (await t.record('/political-bodies', { name: 'Kommunestyret', kind: 'council', seats: 47 }))
    .id;
  const administration = (
    await t.record('/political-bodies', { name: 'Kommunedirektøren', kind: 'administration' })
  ).id;
  const people: string[] = [];
  for (let i = 0; i < 15; i++) people.push((await t.record('/persons', { name: `Innbygger ${i}` })).id);
  const committee = async (name: string, arenaId?: string) =>
    (
      await t.record('/committees', {
        name,
        kind: 'local_community',
        ...(arenaId !== undefined && { arenaId }),
        areas: ['Heggedal'],
        theme: 'nærmiljø',
        mandate: fullMandate,
        coCreationForm: 'equal',
        period: { from: '2020-06-01', to: '2022-12-31' },
      })
    ).id;
  const committeeId = await committee('Lokalsamfunnsutvalget i Heggedal', heggedal);
  const otherCommitteeId = await committee('Oppgaveutvalget for møteplasser');
  for (const personId of people.slice(0, 6)) {
    await t.record(`/committees/${committeeId}/members`, {
      personId,
      role: 'member',
      actorGroup: 'resident',
      representationBasis: 'geographic_area',
      appointedOn: '2020-06-15',
    });
  }
  await t.record(`/committees/${committeeId}/budget`, { year: 2021, amountNok: 100_000 });

  const proposalId = (
    await t.record('/proposals', {
      committeeId,
      title: 'Møteplass ved skolen',
      description: 'Benker og bord.',
      origin: 'resident',
      submittedBy: people[7],
      theme: 'nærmiljø',
      area: 'Heggedal',
      submittedOn: '2021-01-02',
    })
  ).id;
  await t.record(`/proposals/${proposalId}/amendments`, {
    title: 'Møteplass ved Heggedal skole',
    amendedOn: '2021-01-03',
    reason: 'Mer presist sted',
  });
  const supportDays = [
    ...Array(6).fill('2021-01-10'),
    ...Array(2).fill('2021-02-10'),
    ...Array(7).fill('2021-03-10'),
  ] as string[];
  for (const [i, supportedOn] of supportDays.entries())
    await t.record(`/proposals/${proposalId}/supports`, { personId: people[i], supportedOn });
  const meetingId = (
    await t.record('/meetings', {
      committeeId,
      kind: 'public_meeting',
      heldOn: '2021-04-01',
      attendeeCount: 12,
      attendeePersonIds: people.slice(0, 3),
      agendaProposalIds: [proposalId],
    })
  ).id;
  const voteId = (
    await t.record('/votes', {
      proposalId,
      meetingId,
      question: 'Vedta forslaget?',
      rule: 'simple_majority',
      openedOn: '2021-04-01',
    })
  ).id;
  for (const [i, choice] of ['yes', 'yes', 'yes', 'yes', 'no', 'no'].entries())
    await t.record(`/votes/${voteId}/ballots`, { personId: people[i], choice, castOn: '2021-04-01' });
  await t.record(`/votes/${voteId}/close`, { closedOn: '2021-04-01' });
  await t.record(`/proposals/${proposalId}/committee-decisions`, {
    outcome: 'adopted',
    kind: 'own_decision',
    text: 'Vedtatt',
    voteId,
    grantNok: 40_000,
    decidedOn: '2021-04-02',
  });
  const referral = await t.record(`/proposals/${proposalId}/referrals`, {
    toBodyId: council,
    kind: 'recommendation',
    caseNumber: '21/314',
    referredOn: '2021-04-10',
  });
  await t.record(`/proposals/${proposalId}/referrals/${referral.id}/political-decision`, {
    outcome: 'adopted',
    caseNumber: '21/314',
    summary: 'Vedtatt som foreslått',
    decidedOn: '2021-05-01',
    votesFor: 40,
    votesAgainst: 7,
  });
  await t.record(`/proposals/${proposalId}/implementation`, {
    status: 'in_progress',
    progressPct: 30,
    note: 'Bestilt',
    reportedOn: '2021-06-01',
  });

  const titles: Record<string, string> = {};
  const more: Array<[string, string, string]> = [
    ['upper', 'NY MØTEPLASS PÅ TORGET', otherCommitteeId],
    ['letters', 'Sti langs ÆØÅ-vannet', committeeId],
    ['lower', 'sti ved æøå-bekken', otherCommitteeId],
    ['ligature', 'ﬁskebrygge i Vollen', committeeId],
    ['fullWidth', 'Ｇatelys i sentrum', otherCommitteeId],
    ['literal', 'Plan (fase 2) for .* og mer', committeeId],
    ['plain', 'Gatelys langs skoleveien', committeeId],
  ];
  for (const [i, [key, title, committee]] of more.entries()) {
    titles[key] = (
      await t.record('/proposals', {
        committeeId: committee,
        title,
        description: 'Forslag.',
        origin: 'member',
        submittedOn: `2021-0${(i % 9) + 1}-15`,
      })
    ).id;
  }
  await t.ledger.runner.waitFor(await t.head(), 5000);
  return {
    heggedal,
    vollen,
    council,
    administration,
    committeeId,
    otherCommitteeId,
    proposalId,
    voteId,
    meetingId,
    referredAt: referral.globalPosition,
    beforeVollen,
    titles,
  };
}

/** The fields each entry type shows, as the timeline's contract names them. */
const entryFields: Record<string, string[]> = {
  ProposalSubmitted: ['title', 'description', 'origin', 'theme', 'area', 'submittedOn'],
  ProposalAmended: ['title', 'description', 'amendedOn', 'reason'],
  ProposalWithdrawn: ['withdrawnOn', 'reason'],
  CommitteeDecisionRecorded: ['decisionId', 'outcome', 'kind', 'text', 'voteId', 'grantNok', 'decidedOn'],
  ProposalReferred: ['referralId', 'toBodyId', 'kind', 'caseNumber', 'referredOn'],
  PoliticalDecisionRecorded: [
    'referralId',
    'bodyId',
    'caseNumber',
    'outcome',
    'summary',
    'decidedOn',
    'votesFor',
    'votesAgainst',
  ],
  ImplementationReported: ['status', 'progressPct', 'note', 'reportedOn'],
  VoteOpened: ['voteId', 'question', 'rule', 'openedOn'],
  VoteClosed: ['voteId', 'closedOn', 'eligible', 'tally', 'result'],
  MeetingHeld: ['meetingId', 'kind', 'heldOn', 'attendeeCount'],
};

interface Envelope {
  globalPosition: number;
  recordedAt: string;
  occurredAt: string;
  type: string;
  streamId: string;
  data: Record<string, unknown>;
}

describe('reads for the dashboard', () => {
  let t: LedgerApp;
  let l: Ledger;
  beforeAll(async () => {
    t = await openLedgerApp();
    l = await buildLedger(t);
  });
  afterAll(() => t.close());

  describe('GET /proposals/:id/timeline', () => {
    /** The entries the proposal's events make, worked out from its trace (admin: the events as stored). */
    async function expectedEntries(upTo = Infinity): Promise<unknown[]> {
      const trace = await t.get(`/proposals/${l.proposalId}/trace`, 'admin');
      expect(trace.status).toBe(200);
      return (trace.body.events as Envelope[])
        .filter((e) => e.globalPosition <= upTo && e.type in entryFields)
        .map((e) => {
          const data: Record<string, unknown> =
            e.type === 'VoteClosed' ? { ...e.data, voteId: e.streamId.slice('vote-'.length) } : e.data;
          const fields = Object.fromEntries(
            (entryFields[e.type] ?? []).filter((f) => data[f] !== undefined).map((f) => [f, data[f]]),
          );
          const { globalPosition, recordedAt, occurredAt, type } = e;
          return { globalPosition, recordedAt, occurredAt, type, ...fields };
        });
    }

    test('evaluator: every event of the path as an entry, in ledger order; supports per month', async () => {
      const res = await t.get(`/proposals/${l.proposalId}/timeline`, 'evaluator');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        position: await t.head(),
        proposalId: l.proposalId,
        suppressionThreshold: null,
        suppressed: [],
      });
      expect(res.body.entries).toEqual(await expectedEntries());
      expect(res.body.entries.map((e: { type: string }) => e.type)).toEqual([
        'ProposalSubmitted',
        'ProposalAmended',
        'MeetingHeld',
        'VoteOpened',
        'VoteClosed',
        'CommitteeDecisionRecorded',
        'ProposalReferred',
        'PoliticalDecisionRecorded',
        'ImplementationReported',
      ]);
      expect(res.body.entries[4]).toMatchObject({
        voteId: l.voteId,
        eligible: 6,
        tally: { yes: 4, no: 2, abstain: 0 },
        result: 'passed',
      });
      expect(res.body.entries[2]).toEqual(
        expect.objectContaining({ meetingId: l.meetingId, attendeeCount: 12 }),
      );
      expect(res.body.entries[2]).not.toHaveProperty('attendeePersonIds');
      expect(res.body.entries[0]).not.toHaveProperty('submittedBy');
      expect(res.body.supports).toEqual([
        { month: '2021-01', added: 6, cumulative: 6 },
        { month: '2021-02', added: 2, cumulative: 8 },
        { month: '2021-03', added: 7, cumulative: 15 },
      ]);
      const status = await t.get(`/proposals/${l.proposalId}`, 'evaluator');
      const added = res.body.supports.reduce((sum: number, m: { added: number }) => sum + m.added, 0);
      expect(added).toBe(status.body.supports);
    });

    test('anonymous: the same entries and months, with counts of people under 5 hidden where they could be recovered', async () => {
      const res = await t.get(`/proposals/${l.proposalId}/timeline`, 'anonymous');
      expect(res.status).toBe(200);
      expect(res.body.suppressionThreshold).toBe(5);
      // 12 attendees are shown; 2 supports in February are hidden, and with them March's 7 (else 15 − 6 − 7 gives
      // February back) and February's running total (else 8 − 6 does).
      expect(res.body.entries).toEqual(await expectedEntries());
      expect(res.body.supports).toEqual([
        { month: '2021-01', added: 6, cumulative: 6 },
        { month: '2021-02', added: null, cumulative: null },
        { month: '2021-03', added: null, cumulative: 15 },
      ]);
      expect(res.body.suppressed).toEqual(['supports.1.added', 'supports.1.cumulative', 'supports.2.added']);
    });

    test('as of a position: only the events up to it, and their supports', async () => {
      const res = await t.get(`/proposals/${l.proposalId}/timeline?asOf=${l.referredAt}`, 'evaluator');
      expect(res.status).toBe(200);
      expect(res.body.position).toBe(l.referredAt);
      expect(res.body.entries).toEqual(await expectedEntries(l.referredAt));
      expect(res.body.entries.at(-1).type).toBe('ProposalReferred');
      const submitted = res.body.entries[0].globalPosition as number;
      const early = await t.get(`/proposals/${l.proposalId}/timeline?asOf=${submitted + 4}`, 'evaluator');
      expect(early.body.supports).toEqual([{ month: '2021-01', added: 3, cumulative: 3 }]);
      const before = await t.get(`/proposals/${l.proposalId}/timeline?asOf=${submitted - 1}`, 'anonymous');
      expect(before.status).toBe(404);
      expect(before.body.detail).toContain(`as of position ${submitted - 1}`);
      const byTime = await t.get(
        `/proposals/${l.proposalId}/timeline?asOf=${encodeURIComponent(res.body.entries.at(-1).recordedAt)}`,
        'evaluator',
      );
      expect(byTime.body.position).toBeGreaterThanOrEqual(l.referredAt);
      expect(byTime.body.entries).toEqual(await expectedEntries(byTime.body.position));
    });

    test('hostile ids and parameters: 404 or 400 problems, never 500', async () => {
      const ids = [
        '00000000-0000-7000-8000-000000000000',
        'not-a-uuid',
        "' OR 1=1 --",
        '..%2F..%2Fetc',
        l.voteId,
      ];
      for (const id of ids) {
        const res = await t.get(`/proposals/${id}/timeline`, 'anonymous');
        expect({ id, status: res.status, type: res.type }).toEqual({
          id,
          status: 404,
          type: 'application/problem+json',
        });
      }
      for (const query of ['asOf=yesterday', 'asOf=1&asOf=2', 'minPosition=-5', 'limit=3', 'q=x']) {
        const res = await t.get(`/proposals/${l.proposalId}/timeline?${query}`, 'anonymous');
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
      }
    });
  });

  describe('GET /proposals?q=', () => {
    const ids = async (query: string, role: 'anonymous' | 'evaluator' = 'anonymous') => {
      const res = await t.get(`/proposals?${query}`, role);
      expect(res.status).toBe(200);
      return {
        ids: (res.body.items as Array<{ proposalId: string }>).map((p) => p.proposalId).sort(),
        total: res.body.total as number,
      };
    };
    const sorted = (...xs: string[]) => [...xs].sort();

    test('finds titles case-insensitively after NFKC: æøå, ligatures and full-width letters', async () => {
      expect(await ids(`q=${encodeURIComponent('møteplass')}`)).toEqual({
        ids: sorted(l.proposalId, l.titles.upper as string),
        total: 2,
      });
      expect((await ids(`q=${encodeURIComponent('ÆØÅ')}`)).ids).toEqual(
        sorted(l.titles.letters as string, l.titles.lower as string),
      );
      expect((await ids(`q=${encodeURIComponent('æøå-BEKKEN')}`)).ids).toEqual([l.titles.lower]);
      expect((await ids('q=fiske')).ids).toEqual([l.titles.ligature]);
      expect((await ids('q=gatelys')).ids).toEqual(
        sorted(l.titles.fullWidth as string, l.titles.plain as string),
      );
      // The amended title is the one searched.
      expect((await ids(`q=${encodeURIComponent('ved skolen')}`)).total).toBe(0);
    });

    test('combines with the other filters and counts the total over every page', async () => {
      expect(await ids(`q=${encodeURIComponent('møteplass')}&committeeId=${l.otherCommitteeId}`)).toEqual({
        ids: [l.titles.upper],
        total: 1,
      });
      const page = await t.get(`/proposals?q=gatelys&limit=1`, 'anonymous');
      expect(page.body).toMatchObject({ total: 2, items: [expect.anything()] });
      expect(page.body.nextCursor).toEqual(expect.any(String));
      const next = await t.get(`/proposals?q=gatelys&limit=1&cursor=${page.body.nextCursor}`, 'anonymous');
      expect(next.body).toMatchObject({ total: 2, nextCursor: null });
      expect((await ids('')).total).toBe(8);
    });

    test('is literal text: regex metacharacters and SQL-ish strings find only what they spell', async () => {
      expect((await ids(`q=${encodeURIComponent('(fase 2)')}`)).ids).toEqual([l.titles.literal]);
      expect((await ids(`q=${encodeURIComponent('.*')}`)).ids).toEqual([l.titles.literal]);
      for (const q of ['.*(', '[', '\\', "' OR 1=1 --", '"; DROP TABLE events; --', '%', '_', '$where'])
        expect({ q, ...(await ids(`q=${encodeURIComponent(q)}`)) }).toEqual({ q, ids: [], total: 0 });
      expect((await ids(`q=${encodeURIComponent('🙂'.repeat(200))}`)).total).toBe(0);
    });

    test('a bad q is a 400 problem naming it', async () => {
      for (const q of ['a'.repeat(201), '', 'a\u0000b', 'tab\there', '\u202Eevil', 'x\u0085']) {
        const res = await t.get(`/proposals?q=${encodeURIComponent(q)}`, 'anonymous');
        expect({ q, status: res.status, type: res.type }).toEqual({
          q,
          status: 400,
          type: 'application/problem+json',
        });
        expect(res.body.errors).toEqual([expect.objectContaining({ path: 'q' })]);
      }
      expect((await t.get('/proposals?q=a&q=b', 'anonymous')).status).toBe(400);
    });

    test('property: paging with q through every cursor yields exactly the matching part of the full list', async () => {
      const full = await t.get('/proposals?limit=500', 'evaluator');
      const all = full.body.items as Array<{ proposalId: string; title: string; committeeId: string }>;
      const fold = (s: string) => s.normalize('NFKC').toLowerCase();
      const queries = ['a', 'ø', 'ÆØÅ', 'møte', 'gatelys', 'i', ' ', 'x', 'Sti', '(', 'ﬁ', 'ＧＡＴＥ'];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...queries),
          fc.integer({ min: 1, max: 4 }),
          fc.constantFrom(undefined, l.committeeId, l.otherCommitteeId),
          async (q, limit, committeeId) => {
            const expected = all
              .filter((p) => fold(p.title).includes(fold(q)))
              .filter((p) => committeeId === undefined || p.committeeId === committeeId)
              .map((p) => p.proposalId);
            const seen: string[] = [];
            let cursor: string | null = null;
            do {
              const query = new URLSearchParams({
                q,
                limit: String(limit),
                ...(committeeId !== undefined && { committeeId }),
                ...(cursor !== null && { cursor }),
              });
              const res = await t.get(`/proposals?${query}`, 'anonymous');
              expect(res.status).toBe(200);
              expect(res.body.total).toBe(expected.length);
              expect(res.body.items.length).toBeLessThanOrEqual(limit);
              seen.push(...res.body.items.map((p: { proposalId: string }) => p.proposalId));
              cursor = res.body.nextCursor;
            } while (cursor !== null);
            expect(seen).toEqual(expected);
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  describe('GET /committees: what a committee table needs', () => {
    test('each item carries the committee view’s arena, areas, theme, mandate, proposals by stage and budget', async () => {
      for (const role of ['anonymous', 'evaluator'] as const) {
        const list = await t.get('/committees', role);
        expect(list.status).toBe(200);
        for (const item of list.body.items) {
          const view = (await t.get(`/committees/${item.committeeId}`, role)).body;
          expect(item).toMatchObject({
            committeeId: view.committeeId,
            name: view.name,
            kind: view.kind,
            arenaId: view.arenaId,
            areas: view.areas,
            theme: view.theme,
            mandate: view.mandate,
            coCreationForm: view.coCreationForm,
            period: view.period,
            proposals: view.proposals.total,
            proposalsByStage: view.proposals.byStage,
            budget: view.budget,
          });
        }
      }
      const evaluator = (await t.get('/committees', 'evaluator')).body;
      const heggedal = evaluator.items.find((c: { committeeId: string }) => c.committeeId === l.committeeId);
      expect(heggedal).toMatchObject({
        arenaId: l.heggedal,
        activeMembers: 6,
        budget: [{ year: 2021, allocatedNok: 100_000, grantedNok: 40_000 }],
        proposalsByStage: { implementing: 1, submitted: 4 },
      });
      const other = evaluator.items.find(
        (c: { committeeId: string }) => c.committeeId === l.otherCommitteeId,
      );
      expect(other).toMatchObject({ arenaId: null, activeMembers: 0, budget: [] });
    });
  });

  describe('lookups: arenas and political bodies', () => {
    test('lists by name, with total; one item by id; seats null when not given', async () => {
      const arenas = await t.get('/arenas', 'anonymous');
      expect(arenas.body).toEqual({
        position: await t.head(),
        total: 2,
        items: [
          { arenaId: l.vollen, name: 'Bibliotektorget', areas: ['Vollen', 'Slemmestad'] },
          { arenaId: l.heggedal, name: 'Heggedal innbyggertorg', areas: ['Heggedal'] },
        ],
        nextCursor: null,
      });
      expect((await t.get(`/arenas/${l.heggedal}`, 'anonymous')).body).toEqual({
        position: await t.head(),
        arenaId: l.heggedal,
        name: 'Heggedal innbyggertorg',
        areas: ['Heggedal'],
      });
      const bodies = await t.get('/political-bodies', 'anonymous');
      expect(bodies.body).toEqual({
        position: await t.head(),
        total: 2,
        items: [
          { bodyId: l.administration, name: 'Kommunedirektøren', kind: 'administration', seats: null },
          { bodyId: l.council, name: 'Kommunestyret', kind: 'council', seats: 47 },
        ],
        nextCursor: null,
      });
      expect((await t.get(`/political-bodies/${l.council}`, 'clerk')).body).toEqual({
        position: await t.head(),
        bodyId: l.council,
        name: 'Kommunestyret',
        kind: 'council',
        seats: 47,
      });
    });

    test('as of a position: what was registered then', async () => {
      const arenas = await t.get(`/arenas?asOf=${l.beforeVollen}`, 'anonymous');
      expect(arenas.body).toMatchObject({
        position: l.beforeVollen,
        total: 1,
        items: [{ arenaId: l.heggedal }],
      });
      expect((await t.get('/arenas?asOf=-1', 'anonymous')).body).toEqual({
        position: -1,
        total: 0,
        items: [],
        nextCursor: null,
      });
      const gone = await t.get(`/arenas/${l.vollen}?asOf=${l.beforeVollen}`, 'anonymous');
      expect(gone.status).toBe(404);
      expect(gone.body.detail).toContain(`as of position ${l.beforeVollen}`);
      expect((await t.get(`/political-bodies?asOf=${l.beforeVollen}`, 'anonymous')).body.total).toBe(0);
    });

    test('hostile ids and parameters: 404 or 400 problems, never 500', async () => {
      for (const path of ['/arenas', '/political-bodies']) {
        for (const id of ['00000000-0000-7000-8000-000000000000', 'x', "'; DROP TABLE--", l.committeeId]) {
          const res = await t.get(`${path}/${encodeURIComponent(id)}`, 'anonymous');
          expect({ path, id, status: res.status, type: res.type }).toEqual({
            path,
            id,
            status: 404,
            type: 'application/problem+json',
          });
        }
        for (const query of ['asOf=soon', 'limit=0', 'limit=501', 'cursor=x', 'name=x', 'minPosition=1e3']) {
          const res = await t.get(`${path}?${query}`, 'anonymous');
          expect({ path, query, status: res.status }).toEqual({ path, query, status: 400 });
        }
      }
    });
  });
});
