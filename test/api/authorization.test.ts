/**
 * S1: every route × every role against API.md's matrix — commands for clerk and admin; reads of public views for
 * anyone; trace, feeds, streams, exports and verify for evaluator and admin; operator routes for admin.
 * An allowed role may still get 400/404 (the probe sends no valid body or a random id), never 401/403; a refused
 * role gets 401 (no token) or 403 (wrong role).
 */
import { commandRoutes } from '../../src/http/routes/commandRoutes';
import { openLedgerApp, type LedgerApp, type TestRole } from '../support/ledgerApp';

const ID = '0190a7c0-0000-7000-8000-00000000abcd';
const roles: TestRole[] = ['anonymous', 'clerk', 'evaluator', 'admin'];

type Access = 'anyone' | 'clerk' | 'evaluator' | 'admin';

const reads: Array<[string, Access]> = [
  ['/proposals', 'anyone'],
  [`/proposals/${ID}`, 'anyone'],
  ['/committees', 'anyone'],
  [`/committees/${ID}`, 'anyone'],
  [`/votes/${ID}`, 'anyone'],
  ['/influence', 'anyone'],
  ['/participation', 'anyone'],
  ['/audit/checkpoint', 'anyone'],
  ['/audit/checkpoints', 'anyone'],
  ['/audit/inclusion?position=0&treeSize=1', 'anyone'],
  ['/audit/consistency?from=1&to=1', 'anyone'],
  [`/proposals/${ID}/trace`, 'evaluator'],
  ['/events?limit=1', 'evaluator'],
  [`/streams/proposal-${ID}`, 'evaluator'],
  ['/audit/verify', 'evaluator'],
  ['/exports', 'evaluator'],
  ['/exports/proposals', 'evaluator'],
  ['/admin/projections', 'admin'],
];

function allowed(access: Access, role: TestRole): boolean {
  if (access === 'anyone') return true;
  if (role === 'admin') return true;
  return access === role;
}

function expectVerdict(status: number, ok: boolean, role: TestRole, what: string): void {
  if (ok) {
    expect({ what, role, status: [401, 403].includes(status) ? status : 'allowed' }).toEqual({
      what,
      role,
      status: 'allowed',
    });
    expect(status).toBeLessThan(500);
  } else {
    expect({ what, role, status }).toEqual({ what, role, status: role === 'anonymous' ? 401 : 403 });
  }
}

describe('S1: the authorisation matrix', () => {
  let t: LedgerApp;
  beforeAll(async () => {
    t = await openLedgerApp();
    // One event, so that the audit routes have a tree to answer from.
    await t.post('/arenas', { name: 'Heggedal innbyggertorg', areas: ['Heggedal'] });
    await t.ledger.audit.waitForSize(1, 5000);
  });
  afterAll(() => t.close());

  test('every command route: clerk and admin only', async () => {
    for (const route of commandRoutes) {
      const path = route.path.replace(/:[A-Za-z]+/g, ID);
      for (const role of roles) {
        const res = await t.post(path, {}, role);
        expectVerdict(res.status, role === 'clerk' || role === 'admin', role, `POST ${route.path}`);
      }
    }
  });

  test('every read route, per role', async () => {
    for (const [path, access] of reads) {
      for (const role of roles) {
        const res = await t.get(path, role);
        expectVerdict(res.status, allowed(access, role), role, `GET ${path}`);
      }
    }
  });

  test('rebuilding a view is for admins only', async () => {
    for (const role of roles) {
      const res = await t.post('/admin/projections/influence/rebuild', {}, role);
      expectVerdict(res.status, role === 'admin', role, 'POST /admin/projections/:name/rebuild');
    }
  });

  test('a token that is not configured is a 401 on any route, public or not', async () => {
    const bogus = await t
      .get('/influence', 'anonymous')
      .set('Authorization', 'Bearer not-a-configured-token-000');
    expect(bogus.status).toBe(401);
    expect(bogus.headers['www-authenticate']).toBe('Bearer');
  });
});
