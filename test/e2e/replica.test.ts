/**
 * A writer and a read replica as processes (the built server) over one SQLite events file: the replica opens the
 * writer's file read-only, shares its seal key, personal-data key store and pseudonym secret, and keeps its own
 * views, Merkle tree and read model. Every read answers the same on both once the replica has caught up; commands on
 * the replica are 421 and append nothing; an erasure on the writer hides the name on the replica.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import type { z } from 'zod';
import { readinessAnswer } from '../../src/http/schemas/health';
import { commandOperations } from '../../src/http/routes/commands';
import { everyCommand } from '../support/everyCommand';
import { runLedger } from '../support/ledgerBin';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const ADMIN = 'admin-token-for-replica-test';
const CLERK = 'clerk-token-for-replica-test';
const EVALUATOR = 'evaluator-token-for-replica-test';
const TOKENS = `admin=${ADMIN},clerk=${CLERK},evaluator=${EVALUATOR}`;
/** In the replicas' port range (4500–4549). */
const WRITER_PORT = '4540';
const REPLICA_PORT = '4541';

const temp = makeTempDir('ledger-replica-e2e-');
const writerDir = path.join(temp.dir, 'writer');
const replicaDir = path.join(temp.dir, 'replica');
let writer: ServerProcess;
let replica: ServerProcess;
let verifierKey: string;

async function stop(server: ServerProcess | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  await server.exited;
}

function replicaEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    LEDGER_ROLE: 'replica',
    LEDGER_DATA_DIR: replicaDir,
    PORT: REPLICA_PORT,
    LEDGER_API_TOKENS: TOKENS,
    LEDGER_WRITER_URL: writer.url,
    LEDGER_CHECKPOINT_VERIFIER_KEY: verifierKey,
    LEDGER_SQLITE_EVENTS_FILE: path.join(writerDir, 'events.sqlite'),
    LEDGER_EVENT_SEAL_KEY_FILE: path.join(writerDir, 'event-seal-key'),
    LEDGER_PERSONAL_KEYS_FILE: path.join(writerDir, 'personal-data-keys.sqlite'),
    LEDGER_PSEUDONYM_KEY_FILE: path.join(writerDir, 'pseudonym-secret'),
    LEDGER_CHECKPOINT_EVERY_SECONDS: '3600',
    ...extra,
  };
}

beforeAll(async () => {
  fs.mkdirSync(writerDir, { mode: 0o700 });
  writer = await startServerProcess({
    LEDGER_DATA_DIR: writerDir,
    PORT: WRITER_PORT,
    LEDGER_API_TOKENS: TOKENS,
    LEDGER_CHECKPOINT_EVERY_SECONDS: '3600',
  });
  verifierKey = /the verifier key auditors pin: (\S+)/.exec(writer.output())?.[1] as string;
  expect(verifierKey).toBeDefined();
  replica = await startServerProcess(replicaEnv());
}, 30_000);

afterAll(async () => {
  await stop(replica);
  await stop(writer);
  temp.cleanup();
});

const auth = (token: string | undefined): Record<string, string> =>
  token === undefined ? {} : { Authorization: `Bearer ${token}` };

async function get(server: ServerProcess, route: string, token?: string): Promise<Response> {
  return fetch(`${server.url}${route}`, { headers: auth(token) });
}

async function post(
  server: ServerProcess,
  route: string,
  body: unknown,
  token: string | null = CLERK,
): Promise<Response> {
  return fetch(`${server.url}/api/v1${route}`, {
    method: 'POST',
    headers: { ...auth(token ?? undefined), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function readiness(server: ServerProcess): Promise<z.infer<typeof readinessAnswer>> {
  return readinessAnswer.parse(await (await get(server, '/readyz')).json());
}

/** Until the replica holds, in its views and its tree, every event the writer has recorded. */
async function caughtUp(): Promise<number> {
  const head = (await readiness(writer)).checks.eventStore.headPosition;
  for (let i = 0; i < 200; i++) {
    const ready = await readiness(replica);
    const lag = ready.checks.replica;
    if (lag && lag.viewsPosition >= head && lag.auditTreeSize >= head + 1) return head;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the replica did not catch up with position ${head}`);
}

/** Until the replica serves the writer's newest checkpoint (it asks every 2 s, or at once for a trace). */
async function sameCheckpoint(): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const mine = await (await get(writer, '/api/v1/audit/checkpoint')).json();
    const theirs = await (await get(replica, '/api/v1/audit/checkpoint')).json();
    if (JSON.stringify(mine) === JSON.stringify(theirs)) return mine as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the replica does not serve the writer’s checkpoint');
}

/** The same request on both: status and body identical, and the body returned. */
async function same(route: string, token?: string): Promise<string> {
  const [a, b] = await Promise.all([get(writer, route, token), get(replica, route, token)]);
  const [bodyA, bodyB] = await Promise.all([a.text(), b.text()]);
  expect({ route, status: b.status, body: bodyB }).toEqual({ route, status: a.status, body: bodyA });
  expect({ route, status: a.status }).toEqual({ route, status: 200 });
  return bodyA;
}

describe('a read replica beside the writer', () => {
  let ids: Awaited<ReturnType<typeof everyCommand>>;

  test('it says it is a replica, of which writer, and that it signs nothing', async () => {
    expect(replica.output()).toMatch(/Role: replica of the writer http:\/\/127\.0\.0\.1:4540/);
    expect(writer.output()).toMatch(/Role: writer/);
    const ready = await readiness(replica);
    expect(ready).toMatchObject({ status: 'ready', ledgerRole: 'replica' });
    expect((await readiness(writer)).ledgerRole).toBe('writer');
    // It made no signing key, journal, idempotency records or events file of its own.
    const own = fs.readdirSync(replicaDir);
    for (const file of [
      'checkpoint-signing-key.pem',
      'checkpoint-journal.ndjson',
      'idempotency.sqlite',
      'events.sqlite',
    ])
      expect(own).not.toContain(file);
    expect(own).toEqual(expect.arrayContaining(['audit.sqlite', 'read-model.sqlite']));
  });

  test('what is recorded on the writer is read alike on both: views, lookups, votes, the dashboard', async () => {
    ids = await everyCommand(async (_route, route, body) => {
      const answer = await post(writer, route, body);
      expect(answer.status).toBeLessThan(300);
      return ((await answer.json()) as { id: string }).id;
    }, 'replika');
    await caughtUp();
    const reads = [
      `/api/v1/proposals/${ids.proposalId}`,
      `/api/v1/proposals?committeeId=${ids.committeeId}`,
      '/api/v1/influence?groupBy=committee',
      '/api/v1/influence?groupBy=theme&asOf=3',
      `/api/v1/participation?committeeId=${ids.committeeId}`,
      `/api/v1/committees/${ids.committeeId}`,
      '/api/v1/committees',
      `/api/v1/votes/${ids.voteId}`,
      `/api/v1/meetings/${ids.meetingId}`,
      '/api/v1/political-bodies',
      '/',
    ];
    for (const route of reads) for (const token of [undefined, EVALUATOR, ADMIN]) await same(route, token);
    // Person rows: names for admins, the same pseudonyms for evaluators (one shared secret).
    await same(`/api/v1/persons/${ids.personId}`, ADMIN);
    expect(await same(`/api/v1/votes/${ids.voteId}`, EVALUATOR)).toMatch(/"p-[0-9a-f]{20}"/);
    await same('/api/v1/events?from=0&limit=1000', EVALUATOR);
    await same('/api/v1/exports/proposals?format=csv', EVALUATOR);
  });

  test("the replica's live feed carries what the writer records", async () => {
    const head = await caughtUp();
    const abort = new AbortController();
    const feed = await fetch(`${replica.url}/api/v1/events/live?from=${head + 1}`, {
      headers: auth(EVALUATOR),
      signal: abort.signal,
    });
    expect(feed.status).toBe(200);
    const reader = (feed.body as ReadableStream<Uint8Array>).getReader();
    const recorded = await post(writer, '/arenas', { name: 'Tofte innbyggertorg', areas: ['Tofte'] });
    const { globalPosition } = (await recorded.json()) as { globalPosition: number };
    let text = '';
    const deadline = Date.now() + 5_000;
    while (!text.includes('Tofte innbyggertorg') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    abort.abort();
    expect(text).toContain(`id: ${globalPosition}`);
    expect(text).toContain('Tofte innbyggertorg');
  });

  test('the Merkle tree is the same: checkpoint, proofs, tiles, a trace with its proofs, verify', async () => {
    // A trace on the writer signs a checkpoint covering its events; the replica then serves that one.
    await same(`/api/v1/proposals/${ids.proposalId}`, EVALUATOR);
    const writerTrace = await get(writer, `/api/v1/proposals/${ids.proposalId}/trace`, EVALUATOR);
    expect(writerTrace.status).toBe(200);
    const checkpoint = await sameCheckpoint();
    const treeSize = checkpoint.treeSize as number;
    expect(treeSize).toBeGreaterThan(20);
    await same(`/api/v1/proposals/${ids.proposalId}/trace`, EVALUATOR);
    await same('/api/v1/audit/tlog/checkpoint');
    await same(`/api/v1/audit/inclusion?position=7&treeSize=${treeSize}`);
    await same(`/api/v1/audit/consistency?from=5&to=${treeSize}`);
    await same(`/api/v1/audit/tlog/tile/0/000.p/${treeSize % 256}`);
    await same(`/api/v1/audit/tlog/tile/entries/000.p/${treeSize % 256}`, EVALUATOR);
    const verify = (await (await get(replica, '/api/v1/audit/verify', ADMIN)).json()) as Record<
      string,
      unknown
    >;
    expect(verify).toMatchObject({ ok: true, problems: [] });
    const ready = await readiness(replica);
    expect(ready.checks.writerCheckpoint).toMatchObject({
      ok: true,
      served: { treeSize, rootHash: checkpoint.rootHash },
      alarm: null,
    });
  });

  test('commands on the replica are 421, naming the writer, and append nothing anywhere', async () => {
    const head = await caughtUp();
    const answer = await post(replica, '/arenas', { name: 'Slemmestad', areas: ['Slemmestad'] });
    expect(answer.status).toBe(421);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.headers.get('location')).toBeNull();
    const problem = (await answer.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      type: '/api/v1/problems/not-the-writer',
      status: 421,
      writer: writer.url,
    });
    expect(problem.detail).toContain(writer.url);
    // An erasure, a body that is not even JSON, an Idempotency-Key: all 421, none read.
    const erasure = await post(replica, `/persons/${ids.personId}/erasure`, {
      erasedOn: '2022-01-01',
      reason: 'x',
    });
    expect(erasure.status).toBe(421);
    const junk = await fetch(`${replica.url}/api/v1/arenas`, {
      method: 'POST',
      headers: { ...auth(CLERK), 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1' },
      body: '{"name": ',
    });
    expect(junk.status).toBe(421);
    // The role check comes first, as on the writer: no token 401, an evaluator 403.
    expect((await post(replica, '/arenas', { name: 'x', areas: [] }, null)).status).toBe(401);
    expect((await post(replica, '/arenas', { name: 'x', areas: [] }, EVALUATOR)).status).toBe(403);
    await new Promise((r) => setTimeout(r, 600));
    expect((await readiness(writer)).checks.eventStore.headPosition).toBe(head);
    expect((await readiness(replica)).checks.eventStore.headPosition).toBe(head);
    // Rebuilding a view stays local: the replica rebuilds its own.
    const rebuild = await post(replica, '/admin/projections/influence/rebuild', {}, ADMIN);
    expect(rebuild.status).toBeLessThan(300);
  });

  test('every command route is 421 on the replica, before its body is read', async () => {
    const head = await caughtUp();
    expect(commandOperations.length).toBeGreaterThan(20);
    for (const operation of commandOperations) {
      const route = operation.path.replace(/:[A-Za-z]+/g, '01900000-0000-7000-8000-000000000000');
      const answer = await post(replica, route, {});
      expect({ route, status: answer.status }).toEqual({ route, status: 421 });
    }
    expect((await readiness(writer)).checks.eventStore.headPosition).toBe(head);
  });

  test('an erasure on the writer hides the name on the replica, which had shown it', async () => {
    const registered = await post(writer, '/persons', { name: 'Kari Replikasen', email: 'kari@example.no' });
    const { id } = (await registered.json()) as { id: string };
    await caughtUp();
    const before = await (await get(replica, `/api/v1/persons/${id}`, ADMIN)).json();
    expect(before).toMatchObject({ name: 'Kari Replikasen' });
    expect(
      (await post(writer, `/persons/${id}/erasure`, { erasedOn: '2022-01-01', reason: 'Ønsket' })).status,
    ).toBe(201);
    await caughtUp();
    const after = await same(`/api/v1/persons/${id}`, ADMIN);
    expect(after).not.toContain('Kari');
    expect(JSON.parse(after)).toMatchObject({ name: null, erased: true });
    // Nowhere in the replica's own files either.
    for (const file of fs.readdirSync(replicaDir)) {
      const bytes = fs.readFileSync(path.join(replicaDir, file));
      expect({ file, found: bytes.includes('Kari Replikasen') }).toEqual({ file, found: false });
    }
  });

  test('a trace whose events no writer checkpoint covers yet waits, then is 503 with Retry-After', async () => {
    // The writer stopped: nothing signs the newest events, while the replica still serves reads of them.
    const proposal = await post(writer, '/proposals', {
      committeeId: ids.committeeId,
      title: 'Ny benk ved torget',
      description: 'En benk.',
      origin: 'resident',
      submittedOn: '2021-03-01',
    });
    expect(proposal.status).toBe(201);
    const { id } = (await proposal.json()) as { id: string };
    await caughtUp();
    await stop(writer);
    const started = Date.now();
    const trace = await get(replica, `/api/v1/proposals/${id}/trace`, EVALUATOR);
    const waited = Date.now() - started;
    expect(trace.status).toBe(503);
    expect(trace.headers.get('retry-after')).toBe('3600');
    expect(((await trace.json()) as { detail: string }).detail).toMatch(/No checkpoint signed by the writer/);
    expect(waited).toBeGreaterThanOrEqual(2_500);
    // Reads go on; the writer being gone shows in /readyz, and does not make the replica unready.
    expect((await get(replica, `/api/v1/proposals/${id}`)).status).toBe(200);
    const ready = await readiness(replica);
    expect(ready.status).toBe('ready');
    expect(ready.checks.writerCheckpoint).toMatchObject({ ok: false, alarm: { cause: 'unreachable' } });
  });
});

describe('the events file changed behind both servers’ backs', () => {
  test('a row altered: the replica refuses it, as the writer does, naming the same position', async () => {
    await stop(replica);
    await stop(writer);
    const attacker = new Database(path.join(writerDir, 'events.sqlite'));
    attacker.exec('DROP TRIGGER events_no_update');
    attacker.prepare("UPDATE events SET occurred_at = '1999-12-31' WHERE global_position = 4").run();
    attacker.close();
    writer = await startServerProcess({
      LEDGER_DATA_DIR: writerDir,
      PORT: WRITER_PORT,
      LEDGER_API_TOKENS: TOKENS,
    });
    replica = await startServerProcess(replicaEnv({ LEDGER_DATA_DIR: path.join(temp.dir, 'fresh-replica') }));
    for (const server of [writer, replica]) {
      const ready = await readiness(server);
      expect(ready.status).toBe('not_ready');
      expect(ready.checks.audit).toMatchObject({
        state: 'refusing',
        problems: [expect.objectContaining({ cause: 'event-seal-mismatch', position: 4 })],
      });
    }
    // The replica takes in none of the writer's checkpoints over a trail that does not hold, and says so.
    let alarm: unknown = null;
    for (let i = 0; i < 100 && alarm === null; i++) {
      alarm = (await readiness(replica)).checks.writerCheckpoint?.alarm ?? null;
      if (alarm === null) await new Promise((r) => setTimeout(r, 50));
    }
    expect(alarm).toMatchObject({ cause: 'trail-refusing' });
    const served = await get(replica, '/api/v1/audit/tlog/checkpoint');
    expect(served.status).toBe(503);
    expect(((await served.json()) as { type: string }).type).toBe('/api/v1/problems/audit-trail-broken');
  });
});

describe('a replica that is not set up as one does not start', () => {
  const run = (env: Record<string, string>) => runLedger(['serve'], env);
  let env: Record<string, string>;
  beforeAll(() => {
    env = { ...replicaEnv(), PORT: '4542', LEDGER_DATA_DIR: path.join(temp.dir, 'other-replica') };
  });

  test("without the writer's events file: exit 2, naming LEDGER_SQLITE_EVENTS_FILE", () => {
    const result = run({ ...env, LEDGER_SQLITE_EVENTS_FILE: path.join(temp.dir, 'no-such-events.sqlite') });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/invalid LEDGER_SQLITE_EVENTS_FILE: there is no events file/);
    expect(fs.existsSync(path.join(temp.dir, 'no-such-events.sqlite'))).toBe(false);
  });

  test("with the writer's signing key configured: exit 2, naming LEDGER_CHECKPOINT_KEY_FILE", () => {
    const result = run({
      ...env,
      LEDGER_CHECKPOINT_KEY_FILE: path.join(writerDir, 'checkpoint-signing-key.pem'),
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /invalid LEDGER_CHECKPOINT_KEY_FILE: a replica never holds the writer's signing key/,
    );
  });

  test('with a signing key in its data directory: exit 2, naming it', () => {
    const dir = path.join(temp.dir, 'converted-writer');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.copyFileSync(
      path.join(writerDir, 'checkpoint-signing-key.pem'),
      path.join(dir, 'checkpoint-signing-key.pem'),
    );
    const result = run({ ...env, LEDGER_DATA_DIR: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /invalid LEDGER_DATA_DIR: a replica's data directory holds a checkpoint signing key/,
    );
  });

  test('without a verifier key: exit 2, naming LEDGER_CHECKPOINT_VERIFIER_KEY', () => {
    const result = run({ ...env, LEDGER_CHECKPOINT_VERIFIER_KEY: '' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /invalid LEDGER_CHECKPOINT_VERIFIER_KEY: required when LEDGER_ROLE=replica/,
    );
  });

  test('without tokens it serves anonymous reads, says so, and makes no token', async () => {
    const dir = path.join(temp.dir, 'anonymous-replica');
    const server = await startServerProcess({ ...env, LEDGER_DATA_DIR: dir, LEDGER_API_TOKENS: '' });
    try {
      expect(server.output()).toMatch(
        /No API tokens are configured, so this replica serves anonymous reads only/,
      );
      expect(server.output()).not.toMatch(/admin token was generated/);
      expect(fs.existsSync(path.join(dir, 'api-tokens.json'))).toBe(false);
      expect((await get(server, '/api/v1/influence?groupBy=committee')).status).toBe(200);
      expect((await get(server, '/api/v1/events', ADMIN)).status).toBe(401);
    } finally {
      await stop(server);
    }
  });
});
