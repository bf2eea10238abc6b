/**
 * R5 against the built server as a process: `count` generated bodies across every command route, hostile path
 * ids, queries and credentials on every read route (a third as many), and the malformed payloads. Every answer must
 * be below 500, a problem document when it is an error, with no internals in it; the process must never die; and
 * rejected requests must leave the ledger as it was: the events before the run unchanged byte for byte, and every
 * event after it written by a request that was accepted (a generated body is sometimes a valid command).
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import {
  drillServerEnv,
  stopIfRunning,
  type DrillServer,
  type DrillTokens,
  type StartServer,
} from './drillServer';
import {
  bodyArb,
  bodyRoutes,
  concretePath,
  credentialsArb,
  LEAKED_INTERNALS,
  malformedPayloads,
  notUtf8Proposal,
  pathIdsArb,
  queryArb,
  readPaths,
} from './hostileRequests';

export interface FuzzDrillOptions {
  dataDir: string;
  /** Generated command bodies; reads get a third as many. */
  count: number;
  seed: number;
  tokens: DrillTokens;
  start: StartServer;
  log?: (line: string) => void;
}

export interface FuzzDrillResult {
  seed: number;
  requests: number;
  /** Answers by status. */
  statuses: Record<string, number>;
  /** Commands a generated request got recorded (2xx). */
  accepted: number;
  eventsBefore: number;
  eventsAfter: number;
  verifyBefore: VerifyAnswer;
  verifyAfter: VerifyAnswer;
  failures: string[];
  seconds: number;
}

/** What GET /audit/verify answers, as far as the drill looks. */
interface VerifyAnswer {
  ok?: boolean;
  treeSize?: number;
  rootHash?: string;
}

interface Envelope {
  globalPosition: number;
  streamId: string;
  streamRevision: number;
}

const KEEP = 20;
/** Requests in flight at once: enough to keep two cores busy, few enough that none waits for long. */
const IN_FLIGHT = 8;

export async function runFuzzDrill(options: FuzzDrillOptions): Promise<FuzzDrillResult> {
  const { tokens, seed } = options;
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const failures: string[] = [];
  const statuses: Record<string, number> = {};
  // Rate limits off: a 429 would stop a request before the code under test sees it.
  const env = drillServerEnv(options.dataDir, tokens, {
    LEDGER_RATE_LIMIT_ANONYMOUS: '0',
    LEDGER_RATE_LIMIT_FAILED_AUTH: '0',
  });
  const server: DrillServer = await options.start(env);
  const origin = server.url;
  const api = `${origin}/api/v1`;
  const admin = { Authorization: `Bearer ${tokens.admin}` };
  let requests = 0;
  /** What accepted commands answered, by stream: the highest revision each left. */
  const acceptedRevision = new Map<string, number>();
  let accepted = 0;

  const check = async (what: string, response: Response, body: () => Promise<string>): Promise<void> => {
    requests++;
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    const text = await body();
    const problem = (response.headers.get('content-type') ?? '').startsWith('application/problem+json');
    const why =
      response.status >= 500
        ? `answered ${response.status}`
        : response.status >= 400 && !problem
          ? `answered ${response.status} without a problem document`
          : LEAKED_INTERNALS.test(text)
            ? 'showed internals'
            : null;
    if (why !== null && failures.length < KEEP) failures.push(`${what} ${why}: ${text.slice(0, 200)}`);
  };

  const post = async (
    path: string,
    body: string | Uint8Array<ArrayBuffer>,
    contentType = 'application/json',
  ) => {
    const response = await fetch(`${api}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': contentType, Authorization: `Bearer ${tokens.clerk}` },
      body,
    });
    let text = '';
    await check(`POST ${path.slice(0, 120)}`, response, async () => (text = await response.text()));
    if (response.status === 200 || response.status === 201) {
      const answer = JSON.parse(text) as Envelope;
      accepted++;
      acceptedRevision.set(
        answer.streamId,
        Math.max(acceptedRevision.get(answer.streamId) ?? -1, answer.streamRevision),
      );
    }
    return response.status;
  };

  /** The whole log, as the event feed serves it to an admin: lines as sent, and the envelopes. */
  const readLog = async (): Promise<{ lines: string[]; events: Envelope[] }> => {
    const lines: string[] = [];
    for (;;) {
      const response = await fetch(`${api}/events?from=${lines.length}&limit=10000`, { headers: admin });
      const page = (await response.text()).split('\n').filter((l) => l.length > 0);
      lines.push(...page);
      if (page.length < 10_000) break;
    }
    return { lines, events: lines.map((l) => JSON.parse(l) as Envelope) };
  };
  const verify = async (): Promise<VerifyAnswer> =>
    (await (await fetch(`${api}/audit/verify`, { headers: admin })).json()) as VerifyAnswer;

  /** Runs `send` over every item, IN_FLIGHT at a time. */
  const sendAll = async <T>(items: readonly T[], send: (item: T) => Promise<unknown>, label: string) => {
    let next = 0;
    let done = 0;
    let lastLog = Date.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (;;) {
          const i = next++;
          if (i >= items.length) return;
          try {
            await send(items[i] as T);
          } catch (error) {
            if (failures.length < KEEP)
              failures.push(
                `${label} #${i}: no answer (${error instanceof Error ? error.message : String(error)})`,
              );
          }
          done++;
          if (Date.now() - lastLog > 5000) {
            lastLog = Date.now();
            log(`  ${label}: ${done}/${items.length} sent, ${failures.length} failures so far`);
          }
        }
      }),
    );
  };

  try {
    // A few real records, so that some fuzzed ids hit existing streams.
    const committee = await fetch(`${api}/committees`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...admin },
      body: JSON.stringify({
        name: 'Utvalg',
        kind: 'task',
        areas: [],
        mandate: { influence: true, decide: false, facilitate: false, support: false, arrange: false },
        coCreationForm: 'steered',
        period: { from: '2020-06-01', to: '2022-12-31' },
      }),
    });
    const committeeId = ((await committee.json()) as { id: string }).id;
    const proposal = await fetch(`${api}/proposals`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...admin },
      body: JSON.stringify({
        committeeId,
        title: 'Forslag',
        description: 'Tekst',
        origin: 'resident',
        submittedOn: '2021-01-01',
      }),
    });
    const proposalId = ((await proposal.json()) as { id: string }).id;
    const known = { committeeId, proposalId };
    const before = await readLog();
    const verifyBefore = await verify();
    log(
      `server at ${origin}; the ledger holds ${before.events.length} events, verify ok: ${verifyBefore.ok}`,
    );

    const bodies = fc.sample(fc.tuple(fc.constantFrom(...bodyRoutes), pathIdsArb(2), bodyArb), {
      numRuns: options.count,
      seed,
    });
    log(`sending ${bodies.length} generated bodies across ${bodyRoutes.length} command routes ...`);
    await sendAll(
      bodies,
      ([route, ids, body]) => post(concretePath(route.path, ids, known), JSON.stringify(body)),
      'bodies',
    );

    const malformed = malformedPayloads(committeeId);
    log(
      `sending ${malformed.length + 2} malformed payloads (broken JSON, wrong types, deep nesting, huge bodies) ...`,
    );
    for (const [body, type] of malformed) await post('/proposals', body, type);
    const notUtf8 = await post('/proposals', notUtf8Proposal(committeeId));
    if (notUtf8 !== 400) failures.push(`a body that is not UTF-8 answered ${notUtf8}, not 400`);
    const huge = await post('/proposals', JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) }));
    if (huge !== 413) failures.push(`a 2 MB body answered ${huge}, not 413`);

    const reads = readPaths();
    const readCount = Math.ceil(options.count / 3);
    const gets = fc.sample(
      fc.tuple(fc.constantFrom(...reads), pathIdsArb(3), queryArb, credentialsArb(tokens)),
      { numRuns: readCount, seed: seed + 1 },
    );
    log(
      `sending ${gets.length} reads with hostile ids, queries and credentials across ${reads.length} routes ...`,
    );
    await sendAll(
      gets,
      async ([route, ids, q, headers]) => {
        const url = `${origin}${concretePath(route, ids, known)}${q ? `?${q}` : ''}`;
        // A live feed answers 200 and stays open: its headers are enough, then it is let go.
        const abort = new AbortController();
        const response = await fetch(url, { headers, signal: abort.signal });
        const live = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
        await check(`GET ${url.slice(origin.length, origin.length + 120)}`, response, async () =>
          live ? '' : response.text(),
        );
        abort.abort();
      },
      'reads',
    );

    // The process lives, and the ledger holds what it held plus what accepted requests wrote, nothing else.
    const alive = server.child.exitCode === null && server.child.signalCode === null;
    const health = alive ? (await fetch(`${origin}/healthz`)).status : 0;
    if (!alive || health !== 200)
      failures.push(`the server is not serving: alive ${alive}, /healthz ${health}`);
    const after = await readLog();
    const verifyAfter = await verify();
    if (verifyAfter.ok !== true)
      failures.push(`verify is not ok afterwards: ${JSON.stringify(verifyAfter).slice(0, 300)}`);
    if (!isDeepStrictEqual(after.lines.slice(0, before.lines.length), before.lines))
      failures.push('events recorded before the run changed');
    const revisionBefore = new Map<string, number>();
    for (const e of before.events) revisionBefore.set(e.streamId, e.streamRevision);
    const added = new Map<string, number>();
    for (const e of after.events.slice(before.events.length))
      added.set(e.streamId, (added.get(e.streamId) ?? 0) + 1);
    for (const [streamId, count] of added) {
      const expected =
        (acceptedRevision.get(streamId) ?? revisionBefore.get(streamId) ?? -1) -
        (revisionBefore.get(streamId) ?? -1);
      if (count !== expected && failures.length < KEEP)
        failures.push(`${streamId} gained ${count} events; accepted requests account for ${expected}`);
    }
    for (const [streamId, revision] of acceptedRevision)
      if (!added.has(streamId) && revision > (revisionBefore.get(streamId) ?? -1))
        failures.push(`an accepted request's events on ${streamId} are not in the log`);
    if (
      accepted === 0 &&
      (verifyAfter.rootHash !== verifyBefore.rootHash || verifyAfter.treeSize !== verifyBefore.treeSize)
    )
      failures.push(
        `nothing was accepted, yet the tree changed: size ${verifyBefore.treeSize} -> ${verifyAfter.treeSize}, ` +
          `root ${verifyBefore.rootHash} -> ${verifyAfter.rootHash}`,
      );
    log(
      `done: ${requests} requests, statuses ${JSON.stringify(statuses)}; ${accepted} accepted, ` +
        `${after.events.length - before.events.length} events added; server alive ${alive}`,
    );
    return {
      seed,
      requests,
      statuses,
      accepted,
      eventsBefore: before.events.length,
      eventsAfter: after.events.length,
      verifyBefore,
      verifyAfter,
      failures,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await stopIfRunning(server, 'SIGTERM');
  }
}
