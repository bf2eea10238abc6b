/**
 * S5, who sees what (API.md "Who sees what"): every read route × every role on a small ledger with real people.
 * Anonymous answers hold no person id, name, e-mail or pseudonym anywhere, and hide counts of people under 5;
 * evaluators' answers hold pseudonyms and never a raw person id, name or e-mail; clerks and admins see names where
 * a route shows people. The whole text of every answer is searched, so a new field that leaks is caught too.
 *
 * One exception, by API.md: a trace's `leaf` is the stored canonical text of its event, which an inclusion proof
 * covers, and stored events name people by their ids. Evaluators' answers are searched with `leaf` left out, and
 * the tlog entry bundles, which are nothing but leaf texts, are not searched for them.
 */
import request from 'supertest';
import { eventDataSchemas } from '../../src/domain/events';
import { DASHBOARD_PAGES } from '../../src/http/dashboard';
import { operations } from '../../src/http/operations';
import { openLedgerApp, TOKENS, type LedgerApp, type TestRole, fullMandate } from '../support/ledgerApp';
import {
  checkpointWithTiles,
  isLiveFeed,
  readLiveFeed,
  requestOf,
  routeOf,
  servedRoutes,
} from '../support/servedRoutes';

const roles: TestRole[] = ['anonymous', 'evaluator', 'clerk', 'admin'];

interface Person {
  id: string;
  name: string;
  email: string;
}

interface Ledger {
  persons: Person[];
  committeeId: string;
  proposalId: string;
  voteId: string;
  meetingId: string;
  arenaId: string;
  bodyId: string;
  processId: string;
  /** A person to look up: the committee's leader. */
  personId: string;
  streamIds: string[];
  /** The latest checkpoint's size, whose tiles the tlog routes are walked on. */
  treeSize: number;
}

/**
 * A committee of 3 active members (and 1 former), a proposal submitted by a resident and supported by two people,
 * a meeting with named attendees, a closed vote with 3 ballots: every kind of event that names a person.
 */
async function buildLedger(t: LedgerApp): Promise<Ledger> {
  const persons: Person[] = [];
  for (const given of ['Astrid', 'Bjørn', 'Cecilie', 'Dagfinn', 'Eirin', 'Frode']) {
    const name = `${given} Vitnesen`;
    const email = `${given.toLowerCase().replace('ø', 'o')}.vitnesen@example.org`;
    persons.push({ id: await t.recordId('/persons', { name, email, area: 'Heggedal' }), name, email });
  }
  const [a, b, c, d, e, f] = persons.map((p) => p.id) as [string, string, string, string, string, string];
  const arenaId = await t.recordId('/arenas', { name: 'Heggedal innbyggertorg', areas: ['Heggedal'] });
  const bodyId = await t.recordId('/political-bodies', { name: 'Kommunestyret', kind: 'council', seats: 47 });
  const committeeId = await t.recordId('/committees', {
    name: 'Lokalsamfunnsutvalget i Heggedal',
    arenaId,
    kind: 'local_community',
    areas: ['Heggedal'],
    mandate: fullMandate,
    coCreationForm: 'equal',
    period: { from: '2020-06-01', to: '2022-12-31' },
  });
  const processId = await t.recordId('/processes', {
    title: 'Medvirkning om skoleveien',
    committeeIds: [committeeId],
    coCreationForm: 'equal',
    startedOn: '2020-09-01',
  });
  const members: Array<[string, string, string]> = [
    [a, 'leader', 'resident'],
    [b, 'member', 'resident'],
    [c, 'member', 'voluntary_org'],
    [f, 'member', 'politician'],
  ];
  for (const [personId, role, actorGroup] of members) {
    await t.recordId(`/committees/${committeeId}/members`, {
      personId,
      role,
      actorGroup,
      representationBasis: 'geographic_area',
      represents: 'Heggedal grendelag',
      appointedOn: '2020-06-15',
    });
  }
  await t.recordId(`/committees/${committeeId}/members/${f}/leave`, { leftOn: '2020-12-31' });
  const proposalId = await t.recordId('/proposals', {
    committeeId,
    title: 'Gatelys langs skoleveien',
    description: 'Sett opp gatelys.',
    origin: 'resident',
    submittedBy: d,
    submittedOn: '2021-03-01',
  });
  for (const personId of [d, e])
    await t.recordId(`/proposals/${proposalId}/supports`, { personId, supportedOn: '2021-03-05' });
  const meetingId = await t.recordId('/meetings', {
    committeeId,
    kind: 'public_meeting',
    heldOn: '2021-04-01',
    attendeeCount: 3,
    attendeePersonIds: [a, e],
    agendaProposalIds: [proposalId],
  });
  const voteId = await t.recordId('/votes', {
    proposalId,
    meetingId,
    question: 'Anbefale forslaget?',
    rule: 'simple_majority',
    openedOn: '2021-04-01',
  });
  for (const [personId, choice] of [
    [a, 'yes'],
    [b, 'yes'],
    [c, 'no'],
  ])
    await t.recordId(`/votes/${voteId}/ballots`, { personId, choice, castOn: '2021-04-01' });
  await t.recordId(`/votes/${voteId}/close`, { closedOn: '2021-04-01' });
  await t.recordId(`/proposals/${proposalId}/committee-decisions`, {
    outcome: 'adopted',
    kind: 'recommendation',
    text: 'Anbefalt',
    voteId,
    decidedOn: '2021-04-01',
  });
  await t.recordId(`/proposals/${proposalId}/referrals`, {
    toBodyId: bodyId,
    kind: 'recommendation',
    caseNumber: '21/77',
    referredOn: '2021-04-10',
  });
  const streamIds = new Set<string>();
  for await (const event of t.ledger.store.readAll(0)) streamIds.add(event.streamId);
  // Persons without personal data fill the tree to a full and a partial tile, for the tlog routes.
  const treeSize = await checkpointWithTiles(t);
  await t.ledger.runner.waitFor(await t.head(), 5000);
  return {
    treeSize,
    persons,
    committeeId,
    proposalId,
    voteId,
    meetingId,
    arenaId,
    bodyId,
    processId,
    personId: a,
    streamIds: [...streamIds],
  };
}

/**
 * The requests beyond the one each declared operation is walked with: every stream, every export in both formats,
 * filtered lists and other groupings, so that every kind of answer is searched.
 */
function moreRequests(l: Ledger): Record<string, string[]> {
  const api = (paths: string[]) => paths.map((p) => `/api/v1${p}`);
  return {
    'GET /api/v1/proposals': api([`/proposals?committeeId=${l.committeeId}`]),
    'GET /api/v1/streams/:streamId': api(l.streamIds.map((s) => `/streams/${s}`)),
    'GET /api/v1/influence': api(['/influence?groupBy=origin']),
    'GET /api/v1/participation': api([`/participation?committeeId=${l.committeeId}`]),
    'GET /api/v1/exports/:dataset': api(
      ['proposals', 'decisions', 'votes', 'participation', 'events'].flatMap((d) => [
        `/exports/${d}?format=csv`,
        `/exports/${d}?format=ndjson`,
      ]),
    ),
  };
}

/** Each GET route: the dashboard's pages, and every declared operation with the requests that walk it here. */
function requestsPerRoute(l: Ledger): Record<string, string[]> {
  const more = moreRequests(l);
  const routes: Record<string, string[]> = {};
  DASHBOARD_PAGES.forEach((page) => {
    routes[`GET ${page}`] = [
      page.replace(':id', page.startsWith('/committees') ? l.committeeId : l.proposalId),
    ];
  });
  for (const operation of operations.filter((o) => o.method === 'get')) {
    const route = routeOf(operation);
    routes[route] = [...(routes[route] ?? []), requestOf(operation, l), ...(more[route] ?? [])];
  }
  return routes;
}

const liveFeeds = new Set(operations.filter(isLiveFeed).map(routeOf));
/** The tlog entry bundles: leaf texts, the stored bytes by API.md. */
const entryBundleRoutes = new Set(
  operations.filter((o) => o.path.startsWith('/audit/tlog/tile/entries/')).map(routeOf),
);

/**
 * The fields of a row about one person: a membership, a ballot, a support, a submitter, an attendee list, and the
 * pseudonym that stands for a person id.
 */
const perPersonFields = new Set([
  ...Object.keys(eventDataSchemas.MemberAppointed.shape),
  ...Object.keys(eventDataSchemas.BallotCast.shape),
  ...Object.keys(eventDataSchemas.ProposalSupported.shape),
  'submittedBy',
  'attendeePersonIds',
  'pseudonym',
]);

/** Every object key anywhere in a JSON text, or none for a text that is not JSON. */
function keysIn(text: string): Set<string> {
  const keys = new Set<string>();
  try {
    JSON.parse(text, (key, value: unknown) => {
      keys.add(key);
      return value;
    });
  } catch {
    // CSV, HTML, scripts: no rows of JSON
  }
  return keys;
}

/** The routes whose answers show people (for evaluators by pseudonym, for clerks and admins by name). */
const showsPeopleByName = ['GET /api/v1/committees/:id', 'GET /api/v1/votes/:id'];

interface Answer {
  route: string;
  path: string;
  role: TestRole;
  status: number;
  /** The whole body, less any repetition of the request's own path. */
  text: string;
}

/** The answer's text, JSON bodies with every `leaf` (the stored canonical text, see above) taken out. */
function withoutLeaves(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), (key, value: unknown) => (key === 'leaf' ? undefined : value));
  } catch {
    return text; // NDJSON, SSE, CSV, HTML and scripts carry no leaf texts
  }
}

describe('S5: who sees what, on every read route for every role', () => {
  let t: LedgerApp;
  let l: Ledger;
  const answers: Answer[] = [];
  const pseudonymOf = (p: Person) => t.ledger.pseudonyms.of(p.id);

  beforeAll(async () => {
    t = await openLedgerApp();
    l = await buildLedger(t);
    for (const [route, paths] of Object.entries(requestsPerRoute(l))) {
      for (const path of paths) {
        for (const role of roles) {
          const headers: Record<string, string> =
            role === 'anonymous' ? {} : { Authorization: `Bearer ${TOKENS[role]}` };
          const res = liveFeeds.has(route)
            ? await readLiveFeed(t.app, path, headers)
            : await request(t.app).get(path).set(headers);
          // Binary answers (tiles) are searched as UTF-8 too: an entry bundle's entries are text.
          const raw: unknown = 'body' in res ? res.body : undefined;
          const body = res.text ?? (Buffer.isBuffer(raw) ? raw.toString('utf8') : '');
          // A problem's `instance` repeats the caller's own request, which is no leak: it is left out.
          const text = body.split(path).join('');
          answers.push({ route, path, role, status: res.status, text });
        }
      }
    }
  });
  afterAll(() => t.close());

  test('walks every GET route the app serves', () => {
    const served = servedRoutes(t.app).filter((r) => r.startsWith('GET '));
    expect(Object.keys(requestsPerRoute(l)).sort()).toEqual(served);
    // … and the extra requests name routes that exist.
    expect(Object.keys(moreRequests(l)).filter((r) => !served.includes(r))).toEqual([]);
  });

  test('every answer a role may have is a success: the searches below read real answers', () => {
    const failed = answers.filter((a) => a.status >= 400 && ![401, 403].includes(a.status));
    expect(failed.map((a) => `${a.role} ${a.path} → ${a.status}`)).toEqual([]);
    const unread = answers.filter((a) => a.status === 200 && !a.text);
    expect(unread.map((a) => `${a.role} ${a.path}`)).toEqual([]);
    for (const role of roles) expect(answers.some((a) => a.role === role && a.status === 200)).toBe(true);
  });

  test('anonymous: no row about a person on any route (no member list, no ballots, no supporters)', () => {
    const rows: string[] = [];
    // The OpenAPI document names these fields as it describes the commands' bodies: it holds no data.
    for (const a of answers.filter((x) => x.role === 'anonymous' && x.route !== 'GET /openapi.json')) {
      for (const key of keysIn(a.text)) if (perPersonFields.has(key)) rows.push(`${a.path}: ${key}`);
    }
    expect(rows).toEqual([]);
  });

  test('anonymous: no person id, name, e-mail or pseudonym anywhere', () => {
    const leaks: string[] = [];
    for (const a of answers.filter((x) => x.role === 'anonymous')) {
      for (const p of l.persons) {
        for (const [what, value] of [
          ['id', p.id],
          ['name', p.name],
          ['email', p.email],
          ['pseudonym', pseudonymOf(p)],
        ] as const) {
          if (a.text.includes(value)) leaks.push(`${a.path}: ${what} of ${p.name}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  test('evaluator: no raw person id, name or e-mail anywhere; pseudonyms where a route shows people', () => {
    const leaks: string[] = [];
    for (const a of answers.filter((x) => x.role === 'evaluator' && !entryBundleRoutes.has(x.route))) {
      const text = withoutLeaves(a.text);
      for (const p of l.persons) {
        for (const [what, value] of [
          ['id', p.id],
          ['name', p.name],
          ['email', p.email],
        ] as const) {
          if (text.includes(value)) leaks.push(`${a.path}: ${what} of ${p.name}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    const text = (route: string) =>
      answers
        .filter((a) => a.role === 'evaluator' && a.route === route)
        .map((a) => a.text)
        .join('\n');
    const [astrid, bjorn, cecilie, dagfinn, eirin, frode] = l.persons as [
      Person,
      Person,
      Person,
      Person,
      Person,
      Person,
    ];
    expect(text('GET /api/v1/committees/:id')).toContain(pseudonymOf(frode));
    for (const voter of [astrid, bjorn, cecilie])
      expect(text('GET /api/v1/votes/:id')).toContain(pseudonymOf(voter));
    for (const attendee of [astrid, eirin])
      expect(text('GET /api/v1/meetings/:id')).toContain(pseudonymOf(attendee));
    for (const person of [astrid, bjorn, cecilie, dagfinn, eirin]) {
      // submitter, supporters, attendees and voters, in the trace's display fields and in the feeds
      expect(withoutLeaves(text('GET /api/v1/proposals/:id/trace'))).toContain(pseudonymOf(person));
      expect(text('GET /api/v1/events')).toContain(pseudonymOf(person));
      expect(text('GET /api/v1/events/live')).toContain(pseudonymOf(person));
      expect(text('GET /api/v1/streams/:streamId')).toContain(pseudonymOf(person));
    }
  });

  test('clerk and admin: names where a route shows people', () => {
    for (const role of ['clerk', 'admin'] as const) {
      const named = answers.filter((a) => a.role === role && showsPeopleByName.includes(a.route));
      const text = named.map((a) => a.text).join('\n');
      const [astrid, bjorn, cecilie, , , frode] = l.persons as Person[];
      for (const person of [astrid, bjorn, cecilie, frode]) expect(text).toContain(person?.name);
      const answer = (route: string) =>
        answers
          .filter((a) => a.role === role && a.route === route)
          .map((a) => a.text)
          .join('\n');
      for (const attendee of [astrid, l.persons[4]])
        expect(answer('GET /api/v1/meetings/:id')).toContain(attendee?.name);
      for (const person of l.persons) expect(answer('GET /api/v1/persons')).toContain(person.name);
    }
  });

  test('anonymous: counts of people under 5 are hidden as null and listed, as /participation does', () => {
    const body = (path: string) =>
      JSON.parse(answers.find((a) => a.role === 'anonymous' && a.path === `/api/v1${path}`)?.text ?? 'null');
    const committee = body(`/committees/${l.committeeId}`);
    expect(committee).toMatchObject({
      suppressionThreshold: 5,
      members: {
        activeCount: null,
        formerCount: null,
        byActorGroup: { resident: null, voluntary_org: null, politician: 0 },
        byRole: { leader: null, member: null, deputy: 0 },
      },
      meetings: [{ meetingId: l.meetingId, attendeeCount: null }],
    });
    expect(committee.suppressed).toEqual(
      expect.arrayContaining(['members.activeCount', 'members.byRole.leader', 'meetings.0.attendeeCount']),
    );
    expect(body('/committees')).toMatchObject({
      suppressionThreshold: 5,
      items: [{ activeMembers: null }],
      suppressed: ['items.0.activeMembers'],
    });
    expect(body(`/proposals/${l.proposalId}`)).toMatchObject({
      supports: null,
      suppressionThreshold: 5,
      suppressed: ['supports'],
    });
    expect(body('/proposals')).toMatchObject({
      items: [{ supports: null }],
      suppressed: ['items.0.supports'],
    });
    // The timeline: the meeting's attendees and the two supporters are counts of people under 5.
    const timeline = body(`/proposals/${l.proposalId}/timeline`);
    expect(timeline).toMatchObject({
      suppressionThreshold: 5,
      supports: [{ month: '2021-03', added: null, cumulative: null }],
    });
    const meeting = timeline.entries.findIndex((e: { type: string }) => e.type === 'MeetingHeld');
    expect(timeline.entries[meeting]).toMatchObject({ meetingId: l.meetingId, attendeeCount: null });
    expect(timeline.suppressed).toEqual([
      `entries.${meeting}.attendeeCount`,
      'supports.0.added',
      'supports.0.cumulative',
    ]);
    // A vote's tally is the public outcome of a decision: it stays, the ballots do not.
    const vote = body(`/votes/${l.voteId}`);
    expect(vote).toMatchObject({ tally: { yes: 2, no: 1, abstain: 0 }, eligible: 3, result: 'passed' });
    expect(vote).not.toHaveProperty('ballots');
  });
});
