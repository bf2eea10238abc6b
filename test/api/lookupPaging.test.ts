/**
 * The lookup lists a page at a time (routes/reads/viewAnswer.ts's `paging`): /meetings, /processes, /arenas,
 * /political-bodies, /persons (clerk) and /votes. Walking a list page by page visits every item once, in the list's
 * order, with the same total on every page and no cursor after the last; a filter pages too; a bad `limit` or
 * `cursor` is a 400 problem that changes nothing; the page is taken before any per-item work; 100 items a page
 * unless asked.
 */
import { openLedgerApp, type LedgerApp, type TestRole, fullMandate } from '../support/ledgerApp';

interface Ledger {
  committeeId: string;
  otherCommitteeId: string;
  arenaId: string;
  /** K1's meetings, in the list's order (by date, then id). */
  committeeMeetings: string[];
  /** A meeting of three attendees: its count is hidden from anonymous callers. */
  smallMeetingId: string;
}

/**
 * Four persons, three arenas, three political bodies, two committees, three processes, five meetings (three of
 * K1, two of them on the same day, so the id breaks the tie) and four votes on two proposals.
 */
async function build(t: LedgerApp): Promise<Ledger> {
  const persons: string[] = [];
  for (const name of ['Kari Sidesen', 'Ola Sidesen', 'Per Sidesen', 'Siri Sidesen'])
    persons.push(await t.recordId('/persons', { name }));
  const arenas: string[] = [];
  for (const name of ['Torget', 'Biblioteket', 'Torget'])
    arenas.push(await t.recordId('/arenas', { name, areas: [] }));
  for (const [name, kind] of [
    ['Kommunestyret', 'council'],
    ['Formannskapet', 'executive_committee'],
    ['Kommunedirektøren', 'administration'],
  ])
    await t.recordId('/political-bodies', { name, kind });
  const arenaId = arenas[0] as string;
  const committee = (name: string) =>
    t.recordId('/committees', {
      name,
      arenaId,
      kind: 'local_community',
      areas: ['Sida'],
      mandate: fullMandate,
      coCreationForm: 'equal',
      period: { from: '2020-06-01', to: '2022-12-31' },
    });
  const committeeId = await committee('Lokalsamfunnsutvalget i Sida');
  const otherCommitteeId = await committee('Lokalsamfunnsutvalget i Bakken');
  await t.recordId(`/committees/${committeeId}/members`, {
    personId: persons[0],
    role: 'member',
    actorGroup: 'resident',
    representationBasis: 'geographic_area',
    appointedOn: '2020-06-15',
  });
  for (const startedOn of ['2021-03-01', '2021-01-01', '2021-03-01'])
    await t.recordId('/processes', {
      title: 'Veikart',
      committeeIds: [committeeId],
      coCreationForm: 'equal',
      startedOn,
    });
  const meeting = (body: Record<string, unknown>) =>
    t.recordId('/meetings', { kind: 'committee_meeting', attendeeCount: 8, agendaProposalIds: [], ...body });
  const k1 = [
    await meeting({ committeeId, heldOn: '2021-05-01' }),
    await meeting({
      committeeId,
      heldOn: '2021-04-01',
      attendeeCount: 3,
      attendeePersonIds: persons.slice(0, 2),
    }),
    await meeting({ committeeId, heldOn: '2021-05-01' }),
  ];
  await meeting({ committeeId: otherCommitteeId, heldOn: '2021-04-15' });
  await meeting({ arenaId, kind: 'public_meeting', heldOn: '2021-06-01', attendeeCount: 40 });
  const proposal = (title: string) =>
    t.recordId('/proposals', {
      committeeId,
      title,
      description: 'Et forslag.',
      origin: 'resident',
      submittedOn: '2021-03-01',
    });
  for (const proposalId of [await proposal('Benker'), await proposal('Lys')])
    for (const openedOn of ['2021-04-01', '2021-04-02']) {
      const voteId = await t.recordId('/votes', {
        proposalId,
        question: 'Anbefale forslaget?',
        rule: 'simple_majority',
        openedOn,
      });
      await t.recordId(`/votes/${voteId}/ballots`, {
        personId: persons[0],
        choice: 'yes',
        castOn: openedOn,
      });
    }
  await t.ledger.runner.waitFor(await t.head(), 5000);
  const k1Ordered = [k1[1] as string, ...[k1[0] as string, k1[2] as string].sort()];
  return {
    committeeId,
    otherCommitteeId,
    arenaId,
    committeeMeetings: k1Ordered,
    smallMeetingId: k1[1] as string,
  };
}

/** Each list, its item's id field, who may read it. */
const lists: Array<{ path: string; idField: string; role: TestRole }> = [
  { path: '/meetings', idField: 'meetingId', role: 'anonymous' },
  { path: '/processes', idField: 'processId', role: 'anonymous' },
  { path: '/arenas', idField: 'arenaId', role: 'anonymous' },
  { path: '/political-bodies', idField: 'bodyId', role: 'anonymous' },
  { path: '/persons', idField: 'personId', role: 'clerk' },
  { path: '/votes', idField: 'voteId', role: 'anonymous' },
];

interface PageAnswer {
  position: number;
  total: number;
  items: Array<Record<string, unknown>>;
  nextCursor: string | null;
  suppressed?: string[];
}

const withQuery = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;

/** Every page of `path` at `limit`, following nextCursor from the first page to the last. */
async function walk(t: LedgerApp, path: string, role: TestRole, limit: number): Promise<PageAnswer[]> {
  const pages: PageAnswer[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`;
    const res = await t.get(withQuery(path, query), role);
    if (res.status !== 200) throw new Error(`${path} ${query} → ${res.status}: ${JSON.stringify(res.body)}`);
    const page = res.body as PageAnswer;
    pages.push(page);
    cursor = page.nextCursor;
    if (pages.length > 1000) throw new Error(`${path}: the cursor never ends`);
  } while (cursor !== null);
  return pages;
}

let t: LedgerApp;
let l: Ledger;
beforeAll(async () => {
  t = await openLedgerApp();
  l = await build(t);
});
afterAll(() => t.close());

describe('walking a lookup list page by page', () => {
  test.each(lists.flatMap((list) => [1, 2].map((limit) => ({ ...list, limit }))))(
    '$path at limit=$limit: every item once, in order, the same total on every page, no cursor after the last',
    async ({ path, idField, role, limit }) => {
      const whole = (await t.get(withQuery(path, 'limit=500'), role)).body as PageAnswer;
      const ids = whole.items.map((item) => item[idField]);
      expect(whole.total).toBeGreaterThanOrEqual(3);
      expect({ total: whole.total, nextCursor: whole.nextCursor, distinct: new Set(ids).size }).toEqual({
        total: ids.length,
        nextCursor: null,
        distinct: ids.length,
      });

      const pages = await walk(t, path, role, limit);
      expect(pages).toHaveLength(Math.ceil(ids.length / limit));
      expect(pages.flatMap((p) => p.items.map((item) => item[idField]))).toEqual(ids);
      expect(pages.flatMap((p) => p.items)).toEqual(whole.items);
      for (const [i, page] of pages.entries()) {
        const last = page.items[page.items.length - 1];
        expect({ total: page.total, position: page.position, size: page.items.length }).toEqual({
          total: whole.total,
          position: whole.position,
          size: i < pages.length - 1 ? limit : ids.length - limit * (pages.length - 1),
        });
        expect(page.nextCursor).toBe(i < pages.length - 1 ? last?.[idField] : null);
      }
    },
  );

  test('the orders are those of the views: arenas by name then id, meetings by date then id', async () => {
    const arenas = (await t.get('/arenas', 'anonymous')).body as PageAnswer;
    const keys = arenas.items.map((a) => [a.name, a.arenaId] as [string, string]);
    expect(keys.map((k) => k[0])).toEqual(['Biblioteket', 'Torget', 'Torget']);
    expect((keys[1] as [string, string])[1] < (keys[2] as [string, string])[1]).toBe(true);
    const mine = await walk(t, `/meetings?committeeId=${l.committeeId}`, 'anonymous', 1);
    expect(mine.flatMap((p) => p.items.map((m) => m.meetingId))).toEqual(l.committeeMeetings);
  });

  test('a filter pages too: meetings by committee, the total that of the filtered list', async () => {
    const pages = await walk(t, `/meetings?committeeId=${l.committeeId}&from=2021-01-01`, 'evaluator', 2);
    expect(pages.map((p) => ({ total: p.total, ids: p.items.map((m) => m.meetingId) }))).toEqual([
      { total: 3, ids: l.committeeMeetings.slice(0, 2) },
      { total: 3, ids: l.committeeMeetings.slice(2) },
    ]);
    const processes = await walk(t, `/processes?committeeId=${l.committeeId}`, 'anonymous', 2);
    expect(processes.map((p) => [p.total, p.items.length])).toEqual([
      [3, 2],
      [3, 1],
    ]);
    const none = (await t.get(`/processes?committeeId=${l.otherCommitteeId}&limit=1`, 'anonymous')).body;
    expect(none).toMatchObject({ total: 0, items: [], nextCursor: null });
  });

  test("the meeting list's suppressed paths name the page's items", async () => {
    const first = (await t.get(`/meetings?committeeId=${l.committeeId}&limit=1`, 'anonymous'))
      .body as PageAnswer;
    expect(first.items[0]?.meetingId).toBe(l.smallMeetingId);
    expect(first.suppressed).toEqual(['items.0.attendeeCount']);
    const second = (
      await t.get(`/meetings?committeeId=${l.committeeId}&limit=1&cursor=${first.nextCursor}`, 'anonymous')
    ).body as PageAnswer;
    expect(second.suppressed).toEqual([]);
    const all = (await t.get('/meetings', 'anonymous')).body as PageAnswer;
    const at = all.items.findIndex((m) => m.meetingId === l.smallMeetingId);
    expect(all.suppressed).toEqual([`items.${at}.attendeeCount`]);
  });

  test('past the last item: a cursor naming the last item answers an empty page', async () => {
    const whole = (await t.get('/political-bodies', 'anonymous')).body as PageAnswer;
    const last = whole.items[whole.items.length - 1]?.bodyId;
    const after = (await t.get(`/political-bodies?cursor=${String(last)}`, 'anonymous')).body;
    expect(after).toMatchObject({ total: whole.total, items: [], nextCursor: null });
  });
});

describe('bad paging parameters', () => {
  test.each(lists)(
    '$path: a bad limit or cursor is a 400 problem naming it, and changes nothing',
    async ({ path, role }) => {
      const head = await t.head();
      const unknown = '0190a9c4-0000-7000-8000-000000000000';
      const cases: Array<[string, string, string | RegExp]> = [
        ['limit=0', 'limit', 'must be between 1 and 500'],
        ['limit=501', 'limit', 'must be between 1 and 500'],
        ['limit=abc', 'limit', /whole number/],
        ['limit=-1', 'limit', /whole number/],
        ['limit=1.5', 'limit', /whole number/],
        ['limit=2&limit=3', 'limit', /once/],
        ['cursor=not-a-uuid', 'cursor', /UUID/],
        ['cursor=a&cursor=b', 'cursor', /./],
        [`cursor=${unknown}`, 'cursor', 'unknown cursor'],
        // An id of another list is no cursor of this one.
        [`cursor=${l.committeeId}`, 'cursor', 'unknown cursor'],
      ];
      for (const [query, field, message] of cases) {
        const res = await t.get(withQuery(path, query), role);
        expect({ query, status: res.status, type: res.body.type }).toEqual({
          query,
          status: 400,
          type: '/api/v1/problems/validation',
        });
        const errors = res.body.errors as Array<{ path: string; message: string }>;
        expect(errors.map((e) => e.path)).toContain(field);
        expect(errors.find((e) => e.path === field)?.message).toMatch(message);
        expect(res.headers.etag).toBeUndefined();
      }
      expect(await t.head()).toBe(head);
    },
  );

  test('a cursor of the unfiltered list that the filter leaves out is unknown to the filtered list', async () => {
    const all = (await t.get('/meetings', 'anonymous')).body as PageAnswer;
    const other = all.items.find((m) => m.committeeId === l.otherCommitteeId)?.meetingId;
    const res = await t.get(`/meetings?committeeId=${l.committeeId}&cursor=${String(other)}`, 'anonymous');
    expect({ status: res.status, detail: res.body.detail }).toEqual({
      status: 400,
      detail: 'cursor is not one this service gave out for this list',
    });
  });
});

describe('a page costs what its items cost', () => {
  test('persons: only the page’s names are unsealed', async () => {
    const spy = jest.spyOn(t.ledger.people, 'personal');
    try {
      const page = (await t.get('/persons?limit=1', 'clerk')).body as PageAnswer;
      expect(page.total).toBeGreaterThan(1);
      expect(page.items).toHaveLength(1);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  test('votes: only the page’s ballots are described', async () => {
    const spy = jest.spyOn(t.ledger.people, 'describe');
    try {
      const page = (await t.get('/votes?limit=1', 'evaluator')).body as PageAnswer;
      expect({ total: page.total, items: page.items.length }).toEqual({ total: 4, items: 1 });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the default page', () => {
  test('100 items unless limit says otherwise; total counts them all', async () => {
    const before = ((await t.get('/arenas?limit=500', 'anonymous')).body as PageAnswer).total;
    for (let i = 0; i < 101 - before + 5; i++)
      await t.recordId('/arenas', { name: `Torg ${String(i).padStart(3, '0')}`, areas: [] });
    await t.ledger.runner.waitFor(await t.head(), 5000);
    const first = (await t.get('/arenas', 'anonymous')).body as PageAnswer;
    expect({ total: first.total, size: first.items.length, more: first.nextCursor !== null }).toEqual({
      total: 106,
      size: 100,
      more: true,
    });
    const rest = (await t.get(`/arenas?cursor=${String(first.nextCursor)}`, 'anonymous')).body as PageAnswer;
    expect({ total: rest.total, size: rest.items.length, nextCursor: rest.nextCursor }).toEqual({
      total: 106,
      size: 6,
      nextCursor: null,
    });
    const whole = (await t.get('/arenas?limit=500', 'anonymous')).body as PageAnswer;
    expect([...first.items, ...rest.items]).toEqual(whole.items);
    expect(whole.items).toHaveLength(106);
  });
});
