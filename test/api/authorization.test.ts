/**
 * S1: every route × every role against API.md's matrix — commands for clerk and admin; reads of public views for
 * anyone; trace, feeds, streams, exports and verify for evaluator and admin; operator routes for admin.
 * Every route is tried with a valid request on records that exist: a permitted role must succeed (2xx), so that a
 * 400 or 404 can never pass for "allowed"; a refused role gets 401 (no token) or 403 (wrong role) and changes
 * nothing. The routes walked are checked against those the app serves, so a new route cannot go untried.
 */
import request from 'supertest';
import { commandRoutes } from '../../src/http/routes/commandRoutes';
import { DASHBOARD_PAGES } from '../../src/http/dashboard';
import { openLedgerApp, TOKENS, type LedgerApp, type TestRole } from '../support/ledgerApp';
import { readLiveFeed, servedRoutes } from '../support/servedRoutes';

const roles: TestRole[] = ['anonymous', 'clerk', 'evaluator', 'admin'];
const mandate = { influence: true, decide: true, facilitate: true, support: true, arrange: true };

type Access = 'anyone' | 'clerk' | 'evaluator' | 'admin';

function allowed(access: Access, role: TestRole): boolean {
  if (access === 'anyone') return true;
  if (role === 'admin') return true;
  return access === role;
}

const headersOf = (role: TestRole): Record<string, string> =>
  role === 'anonymous' ? {} : { Authorization: `Bearer ${TOKENS[role]}` };

/** "allowed" for a 2xx, else the status; a refused role must see 401 or 403 exactly. */
function verdict(status: number): number | 'allowed' {
  return status >= 200 && status < 300 ? 'allowed' : status;
}
const expected = (ok: boolean, role: TestRole): number | 'allowed' =>
  ok ? 'allowed' : role === 'anonymous' ? 401 : 403;

/** The ids one run of every command leaves behind, for the reads. */
interface Records {
  committeeId: string;
  proposalId: string;
  voteId: string;
  arenaId: string;
  bodyId: string;
}

/**
 * Every command route once (POST /persons and /proposals more than once), in an order in which each is valid: a
 * person to erase, a member who leaves, a vote closed and used by an adopted decision, a referral decided, a second
 * proposal withdrawn, and the committee dissolved last. `step` sends each request; it returns the answer's `id`.
 */
async function everyCommand(
  step: (route: string, path: string, body: Record<string, unknown>) => Promise<string>,
  run: string,
): Promise<Records> {
  const arenaId = await step('/arenas', '/arenas', { name: `Innbyggertorg ${run}`, areas: ['Heggedal'] });
  const bodyId = await step('/political-bodies', '/political-bodies', {
    name: `Kommunestyret ${run}`,
    kind: 'council',
    seats: 47,
  });
  const leader = await step('/persons', '/persons', { name: `Leder ${run}` });
  const leaver = await step('/persons', '/persons', { name: `Utgått ${run}` });
  const erased = await step('/persons', '/persons', { name: `Slettet ${run}` });
  await step('/persons/:id/erasure', `/persons/${erased}/erasure`, {
    erasedOn: '2021-01-01',
    reason: 'Ønsket sletting',
  });
  const committeeId = await step('/committees', '/committees', {
    name: `Lokalsamfunnsutvalget ${run}`,
    kind: 'local_community',
    arenaId,
    areas: ['Heggedal'],
    mandate,
    coCreationForm: 'equal',
    period: { from: '2020-06-01', to: '2022-12-31' },
  });
  for (const [personId, role] of [
    [leader, 'leader'],
    [leaver, 'member'],
  ]) {
    await step('/committees/:id/members', `/committees/${committeeId}/members`, {
      personId,
      role,
      actorGroup: 'resident',
      representationBasis: 'geographic_area',
      appointedOn: '2020-06-15',
    });
  }
  await step(
    '/committees/:id/members/:personId/leave',
    `/committees/${committeeId}/members/${leaver}/leave`,
    { leftOn: '2020-12-31' },
  );
  await step('/committees/:id/budget', `/committees/${committeeId}/budget`, {
    year: 2021,
    amountNok: 10_000,
  });
  const processId = await step('/processes', '/processes', {
    title: `Veikart ${run}`,
    committeeIds: [committeeId],
    coCreationForm: 'equal',
    startedOn: '2021-01-01',
  });
  await step('/processes/:id/phases', `/processes/${processId}/phases`, {
    phase: 'knowledge_base',
    startedOn: '2021-02-01',
  });
  await step('/processes/:id/completion', `/processes/${processId}/completion`, {
    completedOn: '2021-06-01',
    summary: 'Ferdig',
  });
  const submit = (title: string) =>
    step('/proposals', '/proposals', {
      committeeId,
      title,
      description: `${title}.`,
      origin: 'resident',
      submittedBy: leader,
      submittedOn: '2021-03-01',
    });
  const proposalId = await submit(`Gatelys ${run}`);
  await step('/proposals/:id/amendments', `/proposals/${proposalId}/amendments`, {
    title: `Gatelys langs skoleveien ${run}`,
    amendedOn: '2021-03-02',
    reason: 'Presisering',
  });
  await step('/proposals/:id/supports', `/proposals/${proposalId}/supports`, {
    personId: leader,
    supportedOn: '2021-03-03',
  });
  const meetingId = await step('/meetings', '/meetings', {
    committeeId,
    kind: 'committee_meeting',
    heldOn: '2021-04-01',
    attendeeCount: 1,
    attendeePersonIds: [leader],
    agendaProposalIds: [proposalId],
  });
  const voteId = await step('/votes', '/votes', {
    proposalId,
    meetingId,
    question: 'Anbefale forslaget?',
    rule: 'simple_majority',
    openedOn: '2021-04-01',
  });
  await step('/votes/:id/ballots', `/votes/${voteId}/ballots`, {
    personId: leader,
    choice: 'yes',
    castOn: '2021-04-01',
  });
  await step('/votes/:id/close', `/votes/${voteId}/close`, { closedOn: '2021-04-01' });
  await step('/proposals/:id/committee-decisions', `/proposals/${proposalId}/committee-decisions`, {
    outcome: 'adopted',
    kind: 'recommendation',
    text: 'Anbefalt',
    voteId,
    decidedOn: '2021-04-02',
  });
  const referralId = await step('/proposals/:id/referrals', `/proposals/${proposalId}/referrals`, {
    toBodyId: bodyId,
    kind: 'recommendation',
    caseNumber: '21/1',
    referredOn: '2021-04-10',
  });
  await step(
    '/proposals/:id/referrals/:referralId/political-decision',
    `/proposals/${proposalId}/referrals/${referralId}/political-decision`,
    { outcome: 'adopted', caseNumber: '21/1', summary: 'Vedtatt', decidedOn: '2021-05-01' },
  );
  await step('/proposals/:id/implementation', `/proposals/${proposalId}/implementation`, {
    status: 'in_progress',
    progressPct: 50,
    note: 'Godt i gang',
    reportedOn: '2021-06-01',
  });
  const withdrawn = await submit(`Benker ${run}`);
  await step('/proposals/:id/withdrawal', `/proposals/${withdrawn}/withdrawal`, {
    withdrawnOn: '2021-03-10',
    reason: 'Trukket av forslagsstilleren',
  });
  await step('/committees/:id/dissolution', `/committees/${committeeId}/dissolution`, {
    dissolvedOn: '2022-06-30',
    reason: 'Ny ordning',
  });
  return { committeeId, proposalId, voteId, arenaId, bodyId };
}

function dashboardPages(records: Records): string[] {
  return [
    '/',
    '/committees',
    `/committees/${records.committeeId}`,
    '/participation',
    '/proposals',
    `/proposals/${records.proposalId}`,
  ];
}

/** Each read route: the request that walks it on the records the commands left, and who may read it. */
const reads = (records: Records): Array<[string, string, Access]> => [
  ['GET /healthz', '/healthz', 'anyone'],
  ['GET /readyz', '/readyz', 'anyone'],
  ['GET /openapi.json', '/openapi.json', 'anyone'],
  ['GET /docs', '/docs', 'anyone'],
  ['GET /docs/docs.js', '/docs/docs.js', 'anyone'],
  // The dashboard's pages are one route (src/http/dashboard.ts); each page address is walked.
  ...dashboardPages(records).map((address): [string, string, Access] => [
    `GET ${DASHBOARD_PAGES.join(',')}`,
    address,
    'anyone',
  ]),
  ['GET /proposals', '/api/v1/proposals', 'anyone'],
  ['GET /proposals/:id', `/api/v1/proposals/${records.proposalId}`, 'anyone'],
  ['GET /proposals/:id/timeline', `/api/v1/proposals/${records.proposalId}/timeline`, 'anyone'],
  ['GET /committees', '/api/v1/committees', 'anyone'],
  ['GET /committees/:id', `/api/v1/committees/${records.committeeId}`, 'anyone'],
  ['GET /votes/:id', `/api/v1/votes/${records.voteId}`, 'anyone'],
  ['GET /influence', '/api/v1/influence', 'anyone'],
  ['GET /participation', '/api/v1/participation', 'anyone'],
  ['GET /arenas', '/api/v1/arenas', 'anyone'],
  ['GET /arenas/:id', `/api/v1/arenas/${records.arenaId}`, 'anyone'],
  ['GET /political-bodies', '/api/v1/political-bodies', 'anyone'],
  ['GET /political-bodies/:id', `/api/v1/political-bodies/${records.bodyId}`, 'anyone'],
  ['GET /positions/live', '/api/v1/positions/live?from=0', 'anyone'],
  ['GET /audit/checkpoint', '/api/v1/audit/checkpoint', 'anyone'],
  ['GET /audit/checkpoints', '/api/v1/audit/checkpoints', 'anyone'],
  ['GET /audit/inclusion', '/api/v1/audit/inclusion?position=0', 'anyone'],
  ['GET /audit/consistency', '/api/v1/audit/consistency?from=1', 'anyone'],
  ['GET /proposals/:id/trace', `/api/v1/proposals/${records.proposalId}/trace`, 'evaluator'],
  ['GET /events', '/api/v1/events?limit=10', 'evaluator'],
  ['GET /events/live', '/api/v1/events/live?from=0', 'evaluator'],
  ['GET /streams/:streamId', `/api/v1/streams/proposal-${records.proposalId}`, 'evaluator'],
  ['GET /audit/verify', '/api/v1/audit/verify', 'evaluator'],
  ['GET /exports', '/api/v1/exports', 'evaluator'],
  ['GET /exports/:dataset', '/api/v1/exports/proposals', 'evaluator'],
  ['GET /admin/projections', '/api/v1/admin/projections', 'admin'],
];

const REBUILD = 'POST /admin/projections/:name/rebuild';

describe('S1: the authorisation matrix', () => {
  let t: LedgerApp;
  let records: Records;
  const verdicts: Array<{
    what: string;
    role: TestRole;
    verdict: number | 'allowed';
    expected: number | 'allowed';
  }> = [];
  /** The command routes the run of every command went through. */
  const walked = new Set<string>();
  /** Refused requests that changed the ledger all the same (there must be none). */
  const changes: string[] = [];

  const record = (what: string, role: TestRole, status: number, ok: boolean): void => {
    verdicts.push({ what, role, verdict: verdict(status), expected: expected(ok, role) });
  };

  beforeAll(async () => {
    t = await openLedgerApp();
    // Each command as every role: the refused ones first (they must change nothing), then clerk's or admin's.
    const commandsAs = (permitted: 'clerk' | 'admin') =>
      everyCommand(async (route, path, body) => {
        walked.add(`POST ${route}`);
        for (const role of roles.filter((r) => r !== 'clerk' && r !== 'admin')) {
          const head = await t.head();
          const res = await t.post(path, body, role);
          record(`POST ${route}`, role, res.status, false);
          if ((await t.head()) !== head) changes.push(`POST ${path} as ${role}`);
        }
        const res = await t.post(path, body, permitted);
        record(`POST ${route}`, permitted, res.status, true);
        if (res.status !== 201) throw new Error(`POST ${path} as ${permitted} → ${res.status}: ${res.text}`);
        return res.body.id as string;
      }, permitted);
    records = await commandsAs('clerk');
    await commandsAs('admin');
    await t.ledger.runner.waitFor(await t.head(), 5000);
    await t.ledger.audit.waitForSize((await t.head()) + 1, 5000);
    // Signs a checkpoint now, so that the audit routes have one to answer from.
    t.ledger.audit.checkpointNow();
  });
  afterAll(() => t.close());

  test('every command route: clerk and admin succeed, anonymous and evaluator are refused', () => {
    expect([...walked].sort()).toEqual(commandRoutes.map((r) => `POST ${r.path}`).sort());
    expect(changes).toEqual([]);
    const commands = verdicts.filter((v) => v.what.startsWith('POST '));
    expect(commands.map(({ what, role, verdict }) => ({ what, role, verdict }))).toEqual(
      commands.map(({ what, role, expected }) => ({ what, role, verdict: expected })),
    );
  });

  test('every read route, per role', async () => {
    const answers: Array<{ what: string; role: TestRole; verdict: number | 'allowed' }> = [];
    const wanted: typeof answers = [];
    for (const [route, path, access] of reads(records)) {
      for (const role of roles) {
        const res =
          route === 'GET /events/live' || route === 'GET /positions/live'
            ? await readLiveFeed(t.app, path, headersOf(role))
            : await request(t.app).get(path).set(headersOf(role));
        answers.push({ what: route, role, verdict: verdict(res.status) });
        wanted.push({ what: route, role, verdict: expected(allowed(access, role), role) });
      }
    }
    expect(answers).toEqual(wanted);
  });

  test('rebuilding a view is for admins only', async () => {
    for (const role of roles) {
      const head = await t.head();
      const res = await t.post('/admin/projections/influence/rebuild', {}, role);
      expect(await t.head()).toBe(head);
      expect({ role, verdict: verdict(res.status) }).toEqual({
        role,
        verdict: expected(role === 'admin', role),
      });
    }
  });

  test('the matrix covers every route the app serves', () => {
    const matrix = [...walked, ...reads(records).map(([route]) => route), REBUILD];
    expect([...new Set(matrix)].sort()).toEqual(servedRoutes(t.app));
  });

  test('a token that is not configured is a 401 on any route, public or not', async () => {
    const bogus = await t
      .get('/influence', 'anonymous')
      .set('Authorization', 'Bearer not-a-configured-token-000');
    expect(bogus.status).toBe(401);
    expect(bogus.headers['www-authenticate']).toBe('Bearer');
  });
});
