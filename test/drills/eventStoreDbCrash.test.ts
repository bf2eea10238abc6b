/**
 * R1 over EventStoreDB: the crash drill of serverCrash.test.ts with `LEDGER_EVENT_STORE=eventstoredb`, the store
 * being the EventStoreDB test double in a process of its own, which lives on while the built server is killed with
 * SIGKILL DRILL_ROUNDS times (default 3) under 16 concurrent commands. The client resends a command whose answer was
 * lost, with the same Idempotency-Key.
 *
 * After each restart, with the load paused: every acknowledged command's event is where its answer said (read back
 * through GET /events), `GET /audit/verify` is ok, and every view read through the API equals the same read after a
 * full rebuild. At the end: each stream holds exactly what the pure deciders produce one command at a time, and in
 * the EventStoreDB itself no event id of the ledger's is stored twice (the server's own deduplication is best
 * effort, so exactly-once is the adapter's to keep). Replay a run with DRILL_SEED=<seed> (printed on failure).
 */
import { createHash } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import type { CommandName } from '../../src/domain/commands';
import type { DomainEvent } from '../../src/domain/events';
import { commandRoutes } from '../../src/http/routes/commandRoutes';
import { loadTrial, type CommandExecutor } from '../../src/simulation/loadTrial';
import { PureLedger } from '../../src/simulation/pureLedger';
import { trialCommands } from '../../src/simulation/trial';
import { seededRandom } from '../support/auditedLedger';
import { describeOverEventStoreDb, eventStoreDbEnv } from '../support/eventStoreDbDoubleLedger';
import { startEventStoreDbDoubleProcess } from '../support/eventStoreDbDoubleProcess';
import { TOKENS } from '../support/ledgerApp';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const ROUNDS = Number(process.env.DRILL_ROUNDS ?? 3);
const SEED = Number(process.env.DRILL_SEED ?? Date.now() % 1_000_000);
const COMMANDS = 800;
// This file's port: 4440 for the double's process (the esdb-double range is 4400–4449).
const DOUBLE_PORT = 4440;
const VIEWS = [
  'proposalStatus',
  'influence',
  'participation',
  'committee',
  'traceIndex',
  'votes',
  'directory',
];
const READS = ['/influence', '/participation', '/committees', '/proposals?limit=200'];

const routeOf = new Map(commandRoutes.map((r) => [r.command, r]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Ack {
  command: CommandName;
  streamId: string;
  streamRevision: number;
  globalPosition: number;
}

interface Envelope {
  eventId: string;
  streamId: string;
  streamRevision: number;
  globalPosition: number;
  type: string;
}

/** An HTTP answer that is not a success: the command was refused (not retried). */
class Refused extends Error {}

/** Sends trial commands to whichever server process is up; waits while there is none (serverCrash.test.ts's). */
class HttpExecutor implements CommandExecutor {
  url = '';
  readonly acks: Ack[] = [];
  resent = 0;
  unavailable = 0;
  private active = 0;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  pause(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  resume(url: string): void {
    this.url = url;
    this.open();
  }

  async settled(): Promise<void> {
    while (this.active > 0) await sleep(10);
  }

  async execute(name: CommandName, input: unknown): Promise<never> {
    const route = routeOf.get(name);
    if (!route) throw new Error(`no route for ${name}`);
    const fields = { ...(input as Record<string, unknown>) };
    let url = route.path;
    for (const [param, field] of Object.entries(route.params)) {
      url = url.replace(`:${param}`, String(fields[field]));
      delete fields[field];
    }
    if (route.creates) {
      fields.id = fields[route.creates];
      delete fields[route.creates];
    }
    const body = JSON.stringify(fields);
    const key = createHash('sha256')
      .update(`${name}\u0000${JSON.stringify(input)}`)
      .digest('hex');
    for (;;) {
      await this.gate;
      this.active++;
      let response: Response;
      try {
        response = await fetch(`${this.url}${url}`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${TOKENS.admin}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': key,
          },
          body,
        });
      } catch {
        this.active--;
        this.resent++;
        await sleep(20);
        continue;
      }
      try {
        const answer = (await response.json()) as Record<string, unknown>;
        if (response.status === 201 || response.status === 200) {
          this.acks.push({
            command: name,
            streamId: String(answer.streamId),
            streamRevision: Number(answer.streamRevision),
            globalPosition: Number(answer.globalPosition),
          });
          return { events: [], alreadyStored: true } as never;
        }
        // A store that is still reconnecting after the restart answers 503: a careful client tries again.
        if (response.status === 503) {
          this.unavailable++;
          await sleep(100);
          continue;
        }
        throw new Refused(`${name}: ${response.status} ${JSON.stringify(answer)}`);
      } catch (error) {
        if (error instanceof Refused) throw error;
        this.resent++;
        await sleep(20);
        continue;
      } finally {
        this.active--;
      }
    }
  }
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${TOKENS.admin}` } });
  return { status: response.status, body: await response.json() };
}

/** The whole log as the server gives it (admin: the envelopes as stored), a page at a time. */
async function envelopes(url: string): Promise<Envelope[]> {
  const all: Envelope[] = [];
  for (;;) {
    const response = await fetch(`${url}/events?from=${all.length}&limit=10000`, {
      headers: { Authorization: `Bearer ${TOKENS.admin}` },
    });
    expect(response.status).toBe(200);
    const page = (await response.text())
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Envelope);
    if (page.length === 0) return all;
    all.push(...page);
  }
}

describeOverEventStoreDb('R1 over EventStoreDB: kill -9 of the ledger under concurrent command load', () => {
  test(`${ROUNDS} crashes: acknowledged commands present exactly once, verify ok, views equal a rebuild`, async () => {
    const temp = makeTempDir('ledger-r1-esdb-');
    const random = seededRandom(SEED);
    const store = await startEventStoreDbDoubleProcess({ port: DOUBLE_PORT });
    const env = {
      LEDGER_DATA_DIR: temp.dir,
      LEDGER_API_TOKENS: `admin=${TOKENS.admin},clerk=${TOKENS.clerk},evaluator=${TOKENS.evaluator}`,
      LEDGER_CHECKPOINT_EVERY_EVENTS: '200',
      ...eventStoreDbEnv(store.connectionString),
    };
    const commands = trialCommands({ seed: 11, limit: COMMANDS });
    const executor = new HttpExecutor();
    let server: ServerProcess | undefined;
    try {
      server = await startServerProcess(env, 30_000);
      executor.resume(`${server.url}/api/v1`);
      const load = loadTrial({ commands: executor }, commands, { concurrency: 16, keepErrors: 3 });
      let finished = false;
      void load.finally(() => (finished = true));
      let rounds = 0;
      while (rounds < ROUNDS && !finished) {
        await sleep(300 + random() * 700);
        if (finished) break;
        executor.pause();
        server.child.kill('SIGKILL');
        await server.exited;
        await executor.settled();
        rounds++;
        server = await startServerProcess(env, 30_000);
        const url = `${server.url}/api/v1`;

        // Every acknowledged command is where its answer said.
        const log = await envelopes(url);
        for (const ack of executor.acks) {
          const event = log[ack.globalPosition];
          expect({
            seed: SEED,
            round: rounds,
            ack,
            at: event && [event.streamId, event.streamRevision],
          }).toEqual({
            seed: SEED,
            round: rounds,
            ack,
            at: [ack.streamId, ack.streamRevision],
          });
        }
        expect(log.map((e) => e.globalPosition)).toEqual(log.map((_e, i) => i));
        const verify = await getJson(`${url}/audit/verify`);
        expect({ seed: SEED, round: rounds, verify: verify.body }).toMatchObject({ verify: { ok: true } });

        const before = await Promise.all(READS.map((r) => getJson(`${url}${r}`)));
        for (const view of VIEWS) {
          const response = await fetch(`${url}/admin/projections/${view}/rebuild`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${TOKENS.admin}` },
          });
          expect(response.status).toBe(200);
        }
        const after = await Promise.all(READS.map((r) => getJson(`${url}${r}`)));
        for (const [i, read] of READS.entries()) {
          expect(before[i]?.status).toBe(200);
          expect({ seed: SEED, round: rounds, read, body: before[i]?.body }).toEqual({
            seed: SEED,
            round: rounds,
            read,
            body: after[i]?.body,
          });
        }
        executor.resume(url);
      }
      const report = await load;
      expect({ seed: SEED, rejected: report.rejected, errors: report.errors }).toEqual({
        seed: SEED,
        rejected: 0,
        errors: [],
      });
      expect(rounds).toBe(ROUNDS);

      // Nothing lost, nothing twice: each stream holds what the deciders produce one command at a time.
      const log = await envelopes(`${server.url}/api/v1`);
      const stored = new Map<string, string[]>();
      for (const e of log) stored.set(e.streamId, [...(stored.get(e.streamId) ?? []), e.type]);
      const pure = new PureLedger({
        citizenInitiativeThreshold: 300,
        today: new Date().toISOString().slice(0, 10),
      });
      const expected = new Map<string, string[]>();
      for (const c of commands) {
        const { streamId, events } = pure.execute(c);
        expected.set(streamId, [
          ...(expected.get(streamId) ?? []),
          ...events.map((e: DomainEvent) => e.type),
        ]);
      }
      expect(stored.size).toBe(expected.size);
      for (const [streamId, types] of expected)
        expect({ streamId, types: stored.get(streamId) }).toEqual({ streamId, types });

      // And in the EventStoreDB itself: every ledger event once, none of the ledger's ids twice.
      const client = EventStoreDBClient.connectionString(store.connectionString);
      const ids = new Map<string, number>();
      try {
        for await (const resolved of client.readAll()) {
          const e = resolved.event;
          if (!e || e.streamId.startsWith('$') || e.type.startsWith('$')) continue;
          ids.set(e.id, (ids.get(e.id) ?? 0) + 1);
        }
      } finally {
        await client.dispose();
      }
      expect([...ids].filter(([, n]) => n > 1)).toEqual([]);
      expect(ids.size).toBe(log.length);
      expect([...ids.keys()].sort()).toEqual(log.map((e) => e.eventId).sort());
      console.info(
        `[R1 eventstoredb] ${rounds} kills, ${executor.acks.length} acknowledged commands, ${executor.resent} resent, ` +
          `${executor.unavailable} answered 503, seed ${SEED}`,
      );
    } finally {
      if (server && server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      await store.stop();
      temp.cleanup();
    }
  }, 600_000);
});
