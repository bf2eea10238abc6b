/**
 * R1, the crash drill: the simulated trial is sent to a real server process over HTTP, 16 commands in flight, and
 * the server is killed with SIGKILL `rounds` times at random moments. The client does what a careful client does:
 * every command carries an Idempotency-Key, and one whose answer was lost is sent again, with the same key, once
 * the server is back. A resend must be answered like the first attempt (201, or 200 when the key's record
 * survived), never with a conflict: even when the crash came after the events were written and before the key was
 * recorded, the service finds what the first attempt wrote (application/idempotentIds.ts).
 *
 * After each restart, with the load paused: every acknowledged command's event is in the log where the answer said,
 * `GET /audit/verify` is ok, and every view read through the API equals the same read after a full rebuild of all
 * views. At the end: each stream holds exactly what the pure deciders produce running the trial one command at a
 * time (nothing lost, nothing twice). `npm run drill -- crash` and test/drills/serverCrash.test.ts both run it.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { CommandName } from '../../src/domain/commands';
import type { DomainEvent } from '../../src/domain/events';
import { commandRoutes } from '../../src/http/routes/commandRoutes';
import { loadTrial, type CommandExecutor } from '../../src/simulation/loadTrial';
import { PureLedger } from '../../src/simulation/pureLedger';
import { trialCommands } from '../../src/simulation/trial';
import type { RecordedEvent } from '../../src/store/eventStore';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { seededRandom } from './auditedLedger';
import {
  drillServerEnv,
  stopIfRunning,
  type DrillServer,
  type DrillTokens,
  type StartServer,
} from './drillServer';

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
/** Failures kept per check, so that a broken round reports its first mismatches, not thousands. */
const KEEP = 10;

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

  constructor(private readonly token: string) {}

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
            Authorization: `Bearer ${this.token}`,
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

async function getJson(url: string, token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

export interface CrashDrillOptions {
  /** The server's data directory (empty at the start). */
  dataDir: string;
  rounds: number;
  seed: number;
  /** Trial commands sent (3,000 leave room for 20 kills on this machine kind). */
  commands: number;
  tokens: DrillTokens;
  start: StartServer;
  log?: (line: string) => void;
}

export interface CrashDrillResult {
  seed: number;
  rounds: number;
  acknowledged: number;
  resent: number;
  /** Every check that did not hold, first ones of each kind; empty when the drill passed. */
  failures: string[];
  seconds: number;
}

/** Runs the drill; a failed check is reported in `failures`, never thrown (a server that cannot start is). */
export async function runCrashDrill(options: CrashDrillOptions): Promise<CrashDrillResult> {
  const { dataDir, seed, tokens } = options;
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const failures: string[] = [];
  const fail = (check: string, detail: unknown): void => {
    failures.push(`${check}: ${JSON.stringify({ seed, ...(detail as object) })}`);
  };
  const random = seededRandom(seed);
  const env = drillServerEnv(dataDir, tokens, { LEDGER_CHECKPOINT_EVERY_EVENTS: '200' });
  const commands = trialCommands({ seed: 11, limit: options.commands });
  const executor = new HttpExecutor(tokens.admin);
  let server: DrillServer = await options.start(env);
  executor.resume(`${server.url}/api/v1`);
  log(`started the server at ${server.url}; sending ${commands.length} trial commands, 16 in flight`);
  const load = loadTrial({ commands: executor }, commands, { concurrency: 16, keepErrors: 3 });
  let finished = false;
  void load.finally(() => (finished = true));
  let rounds = 0;
  try {
    while (rounds < options.rounds && !finished) {
      await sleep(100 + random() * 300);
      if (finished) break;
      executor.pause();
      server.child.kill('SIGKILL');
      await server.exited;
      await executor.settled();
      rounds++;
      server = await options.start(env);
      const url = `${server.url}/api/v1`;

      // Every acknowledged command is where its answer said.
      let misplaced = 0;
      const store = new SqliteEventStore({ file: path.join(dataDir, 'events.sqlite') });
      try {
        for (const ack of executor.acks) {
          const [event] = (await collect(store.readAll(ack.globalPosition, { limit: 1 }))) as RecordedEvent[];
          if (event?.streamId !== ack.streamId || event.streamRevision !== ack.streamRevision) {
            if (misplaced++ < KEEP)
              fail('an acknowledged command is not where its answer said', {
                round: rounds,
                ack,
                at: event && [event.streamId, event.streamRevision],
              });
          }
        }
      } finally {
        await store.close();
      }
      const verify = await getJson(`${url}/audit/verify`, tokens.admin);
      const verified = (verify.body as { ok?: unknown } | null)?.ok === true;
      if (!verified) fail('GET /audit/verify is not ok', { round: rounds, verify: verify.body });

      // Views after a restart equal the same views rebuilt from the whole log.
      const before = await Promise.all(READS.map((r) => getJson(`${url}${r}`, tokens.admin)));
      for (const view of VIEWS) {
        const response = await fetch(`${url}/admin/projections/${view}/rebuild`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${tokens.admin}` },
        });
        if (response.status !== 200)
          fail('a rebuild was refused', { round: rounds, view, status: response.status });
      }
      const after = await Promise.all(READS.map((r) => getJson(`${url}${r}`, tokens.admin)));
      let viewsEqual = true;
      for (const [i, read] of READS.entries()) {
        if (before[i]?.status !== 200)
          fail('a read failed', { round: rounds, read, status: before[i]?.status });
        if (!isDeepStrictEqual(before[i]?.body, after[i]?.body)) {
          viewsEqual = false;
          fail('a view differs from its rebuild', { round: rounds, read });
        }
      }
      log(
        `kill ${rounds}/${options.rounds}: ${executor.acks.length} acknowledged so far, ${executor.resent} resent; ` +
          `acks in place ${misplaced === 0 ? 'yes' : `NO (${misplaced})`}, verify ${verified ? 'ok' : 'NOT ok'}, ` +
          `views equal a rebuild ${viewsEqual ? 'yes' : 'NO'}`,
      );
      executor.resume(url);
    }
    const report = await load;
    if (report.rejected !== 0 || report.errors.length > 0)
      fail('the server refused trial commands', { rejected: report.rejected, errors: report.errors });
    if (rounds !== options.rounds)
      fail('the trial ended before every kill', {
        rounds,
        wanted: options.rounds,
        commands: commands.length,
      });

    // Nothing lost, nothing twice: each stream holds what the deciders produce one command at a time.
    await stopIfRunning(server, 'SIGTERM');
    log('load done; comparing every stream with the pure deciders run one command at a time');
    const stored = new Map<string, string[]>();
    const store = new SqliteEventStore({ file: path.join(dataDir, 'events.sqlite') });
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
      expected.set(streamId, [...(expected.get(streamId) ?? []), ...events.map((e: DomainEvent) => e.type)]);
    }
    if (stored.size !== expected.size)
      fail('the log holds another number of streams', { stored: stored.size, expected: expected.size });
    let differing = 0;
    for (const [streamId, types] of expected)
      if (!isDeepStrictEqual(stored.get(streamId), types) && differing++ < KEEP)
        fail('a stream differs from the deciders', {
          streamId,
          stored: stored.get(streamId),
          expected: types,
        });
  } finally {
    await stopIfRunning(server);
  }
  return {
    seed,
    rounds,
    acknowledged: executor.acks.length,
    resent: executor.resent,
    failures,
    seconds: (Date.now() - started) / 1000,
  };
}
