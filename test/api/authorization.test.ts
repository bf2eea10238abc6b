/**
 * S1: every route × every role against API.md's matrix — commands for clerk and admin; reads of public views for
 * anyone; trace, feeds, streams, exports, verify and entry bundles for evaluator and admin; operator routes for
 * admin.
 * Every route is tried with a valid request on records that exist: a permitted role must succeed (2xx), so that a
 * 400 or 404 can never pass for "allowed"; a refused role gets 401 (no token) or 403 (wrong role) and changes
 * nothing. The routes walked are the declared operations (src/http/operations.ts), checked against those the app
 * serves, so a new route is walked without editing this file and cannot go untried. Who may call each is API.md's
 * matrix, written below as its rules, and each declaration is checked against it.
 */
import request from 'supertest';
import { DASHBOARD_PAGES } from '../../src/http/dashboard';
import type { Operation } from '../../src/http/operation';
import { operations } from '../../src/http/operations';
import { everyCommand } from '../support/everyCommand';
import { openLedgerApp, TOKENS, type LedgerApp, type TestRole } from '../support/ledgerApp';
import {
  declaredRoutes,
  isLiveFeed,
  readLiveFeed,
  requestOf,
  routeOf,
  servedRoutes,
  checkpointWithTiles,
  type KnownIds,
  type WalkedLedger,
} from '../support/servedRoutes';

const roles: TestRole[] = ['anonymous', 'clerk', 'evaluator', 'admin'];

type Access = 'anyone' | 'clerk' | 'evaluator' | 'admin';

/**
 * API.md's matrix: operator routes for admin; commands (and the person lookups) for clerk; the trace, the feeds,
 * streams, exports, verify and the tlog entry bundles for evaluator; everything else (public views, audit proofs, health, the document and
 * the dashboard) for anyone. Admin may do everything.
 */
function accessByApiMd(method: string, path: string): Access {
  if (path.startsWith('/admin/')) return 'admin';
  if (method === 'post' || /^\/persons(\/|$)/.test(path)) return 'clerk';
  if (
    /^\/(events|streams|exports|audit\/tlog\/tile\/entries)(\/|$)/.test(path) ||
    path === '/audit/verify' ||
    path.endsWith('/trace')
  )
    return 'evaluator';
  return 'anyone';
}

/** What an operation declares, in the matrix's terms. */
const declaredAccess = (operation: Operation): Access =>
  operation.access === 'anyone' ? 'anyone' : (operation.access.find((r) => r !== 'admin') ?? 'admin');

/** The command operations: the ones clerks may call, which everyCommand walks. */
const commandOperations = operations.filter((o) => o.method === 'post' && declaredAccess(o) === 'clerk');

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

/** The dashboard's page addresses on the records the commands left (its pages are one route each). */
function dashboardPages(records: KnownIds): string[] {
  return [
    '/',
    '/committees',
    `/committees/${records.committeeId}`,
    '/participation',
    '/proposals',
    `/proposals/${records.proposalId}`,
  ];
}

/** Each read route: the request that walks it on the records the commands left, and who may read it (API.md). */
const reads = (records: WalkedLedger): Array<[string, string, Access]> => [
  ...dashboardPages(records).map((address, i): [string, string, Access] => [
    `GET ${DASHBOARD_PAGES[i] as string}`,
    address,
    'anyone',
  ]),
  ...operations
    .filter((o) => o.method === 'get')
    .map((o): [string, string, Access] => [
      routeOf(o),
      requestOf(o, records),
      accessByApiMd(o.method, o.path),
    ]),
];

const liveFeeds = new Set(operations.filter(isLiveFeed).map(routeOf));

const REBUILD = 'POST /api/v1/admin/projections/:name/rebuild';

describe('S1: the authorisation matrix', () => {
  let t: LedgerApp;
  let records: Required<KnownIds> & WalkedLedger;
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
    const ids = await commandsAs('clerk');
    await commandsAs('admin');
    // Signs a checkpoint now, so that the audit routes have one to answer from, with tiles to walk.
    records = { ...ids, treeSize: await checkpointWithTiles(t) };
    await t.ledger.runner.waitFor(await t.head(), 5000);
  });
  afterAll(() => t.close());

  test('every command route: clerk and admin succeed, anonymous and evaluator are refused', () => {
    expect([...walked].sort()).toEqual(commandOperations.map((o) => `POST ${o.path}`).sort());
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
        const res = liveFeeds.has(route)
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

  test('every operation declares the access API.md gives its route', () => {
    const declared = operations.map((o) => [routeOf(o), declaredAccess(o)]);
    expect(declared).toEqual(operations.map((o) => [routeOf(o), accessByApiMd(o.method, o.path)]));
  });

  test('the matrix covers every route the app serves', () => {
    const matrix = [
      ...[...walked].map((route) => route.replace('POST ', 'POST /api/v1')),
      ...reads(records).map(([route]) => route),
      REBUILD,
    ];
    expect([...new Set(matrix)].sort()).toEqual(servedRoutes(t.app));
    expect(declaredRoutes()).toEqual(servedRoutes(t.app));
  });

  test('a token that is not configured is a 401 on any route, public or not', async () => {
    const bogus = await t
      .get('/influence', 'anonymous')
      .set('Authorization', 'Bearer not-a-configured-token-000');
    expect(bogus.status).toBe(401);
    expect(bogus.headers['www-authenticate']).toBe('Bearer');
  });
});
