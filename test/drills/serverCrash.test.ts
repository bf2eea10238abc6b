/**
 * R1, the crash drill: the simulated trial is sent to a real server process over HTTP, 16 commands in flight, and
 * the server is killed with SIGKILL DRILL_ROUNDS times (default 20) at random moments. The client does what a
 * careful client does: every command carries an Idempotency-Key, and one whose answer was lost is sent again, with
 * the same key, once the server is back. A resend must be answered like the first attempt (201, or 200 when the
 * key's record survived), never with a conflict: even when the crash came after the events were written and before
 * the key was recorded, the service finds what the first attempt wrote (application/idempotentIds.ts).
 *
 * After each restart, with the load paused: every acknowledged command's event is in the log where the answer said,
 * `GET /audit/verify` is ok, and every view read through the API equals the same read after a full rebuild of all
 * views. At the end: each stream holds exactly what the pure deciders produce running the trial one command at a time
 * (nothing lost, nothing twice). Replay a run with DRILL_SEED=<seed> (printed on failure).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { CommandName } from '../../src/domain/commands';
import type { DomainEvent } from '../../src/domain/events';
import { commandRoutes } from '../../src/http/routes/commandRoutes';
import { loadTrial, type CommandExecutor } from '../../src/simulation/loadTrial';
import { PureLedger } from '../../src/simulation/pureLedger';
import { trialCommands } from '../../src/simulation/trial';
import type { RecordedEvent } from '../../src/store/eventStore';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { seededRandom } from '../support/auditedLedger';
import { TOKENS } from '../support/ledgerApp';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const ROUNDS = Number(process.env.DRILL_ROUNDS ?? 20);
const SEED = Number(process.env.DRILL_SEED ?? Date.now() % 1_000_000);
const COMMANDS = 3_000;
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

/** An HTTP answer that is not a success: the command was refused (not retried, unless it was a resend). */
class Refused extends Error {}

/** Sends trial commands to whichever server process is up; waits while there is none. */
class HttpExecutor implements CommandExecutor {
  url = '';
  readonly acks: Ack[] = [];
  resent = 0;
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

  /** Resolves when no request is in flight (the gate keeps new ones back). */
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
        // The server died under the request: the answer is lost, the command may or may not be written.
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
          // The loader only counts results; nothing else is read from them.
          return { events: [], alreadyStored: true } as never;
        }
        throw new Refused(`${name}: ${response.status} ${JSON.stringify(answer)}`);
      } catch (error) {
        if (error instanceof Refused) throw error;
        // The connection broke while the answer was being read.
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

describe('R1: kill -9 under concurrent command load', () => {
  test(`${ROUNDS} crashes: acknowledged commands present exactly once, verify ok, views equal a rebuild`, async () => {
    const temp = makeTempDir('ledger-r1-');
    const random = seededRandom(SEED);
    const env = {
      LEDGER_DATA_DIR: temp.dir,
      LEDGER_API_TOKENS: `admin=${TOKENS.admin},clerk=${TOKENS.clerk},evaluator=${TOKENS.evaluator}`,
      LEDGER_CHECKPOINT_EVERY_EVENTS: '200',
    };
    const commands = trialCommands({ seed: 11, limit: COMMANDS });
    const executor = new HttpExecutor();
    let server: ServerProcess = await startServerProcess(env, 30_000);
    executor.resume(`${server.url}/api/v1`);
    const load = loadTrial({ commands: executor }, commands, { concurrency: 16, keepErrors: 3 });
    let finished = false;
    void load.finally(() => (finished = true));
    try {
      let rounds = 0;
      while (rounds < ROUNDS && !finished) {
        await sleep(100 + random() * 300);
        if (finished) break;
        executor.pause();
        server.child.kill('SIGKILL');
        await server.exited;
        await executor.settled();
        rounds++;
        server = await startServerProcess(env, 30_000);
        const url = `${server.url}/api/v1`;

        // Every acknowledged command is where its answer said.
        const store = new SqliteEventStore({ file: path.join(temp.dir, 'events.sqlite') });
        try {
          for (const ack of executor.acks) {
            const [event] = (await collect(
              store.readAll(ack.globalPosition, { limit: 1 }),
            )) as RecordedEvent[];
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
        } finally {
          await store.close();
        }
        const verify = await getJson(`${url}/audit/verify`);
        expect({ seed: SEED, round: rounds, verify: verify.body }).toMatchObject({ verify: { ok: true } });

        // Views after a restart equal the same views rebuilt from the whole log.
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
      server.child.kill('SIGTERM');
      await server.exited;
      const store = new SqliteEventStore({ file: path.join(temp.dir, 'events.sqlite') });
      const stored = new Map<string, string[]>();
      try {
        for await (const e of store.readAll(0))
          stored.set(e.streamId, [...(stored.get(e.streamId) ?? []), e.type]);
      } finally {
        await store.close();
      }
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
      console.info(
        `[R1] ${rounds} kills, ${executor.acks.length} acknowledged commands, ${executor.resent} resent, ` +
          `seed ${SEED}`,
      );
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      temp.cleanup();
    }
  }, 600_000);
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}
