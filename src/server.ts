/**
 * Serving: opens the ledger, builds the app, listens, and shuts down gracefully (stop accepting, let in-flight
 * requests finish, close the stores).
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from './config';
import { createApp } from './http/app';
import { authenticate, loadTokens } from './http/auth';
import { HttpProblem, problemBody, problems } from './http/problem';
import { auditRouter } from './http/routes/audit';
import { commandRouter } from './http/routes/commands';
import { feedsRouter } from './http/routes/feeds';
import { openApiRouter } from './http/openapi';
import { methodsAt } from './http/operations';
import { dashboardRouter } from './http/dashboard';
import { adminRouter } from './http/routes/admin';
import { readRouter } from './http/routes/reads';
import { exportsRouter } from './http/routes/exports';
import { tlogRouter } from './http/routes/tlog';
import { traceRouter } from './http/routes/trace';
import { openLedger, type Ledger } from './ledger';
import { LedgerLock } from './ledgerLock';
import type { Logger } from './logger';

export interface RunningServer {
  url: string;
  server: Server;
  ledger: Ledger;
  generatedAdminToken?: string;
  /** How many API tokens are in force (a replica without any serves anonymous reads only). */
  tokenCount: number;
  close(): Promise<void>;
}

/** `shutdown` ends the live feeds when the server stops (they would hold it open). */
export function buildApp(
  ledger: Ledger,
  registry: ReturnType<typeof loadTokens>['registry'],
  shutdown?: AbortSignal,
) {
  return createApp({
    config: ledger.config,
    logger: ledger.logger,
    store: ledger.store,
    metrics: ledger.metrics,
    apiRouters: [
      commandRouter({
        commands: ledger.commands,
        idempotency: ledger.idempotency,
        // The server listens only once the start-up checks decided, so this is ok or refusing, never checking.
        writesPaused: () => ledger.audit.integrity().state !== 'ok',
        writerUrl: ledger.config.role === 'replica' ? ledger.config.writerUrl : undefined,
      }),
      auditRouter({ audit: ledger.audit, store: ledger.store }),
      tlogRouter({ audit: ledger.audit, store: ledger.store }),
      feedsRouter({
        store: ledger.store,
        people: ledger.people,
        shutdown,
        logger: ledger.logger,
        liveFeedCaps: ledger.config.liveFeeds,
      }),
      readRouter({ runner: ledger.runner, store: ledger.store, people: ledger.people }),
      adminRouter({ runner: ledger.runner }),
      traceRouter({
        runner: ledger.runner,
        audit: ledger.audit,
        store: ledger.store,
        people: ledger.people,
        witnesses: ledger.witnesses,
        writerCheckpoints: ledger.writerCheckpoints,
        checkpointEverySeconds: ledger.config.checkpointEverySeconds,
      }),
      exportsRouter({ runner: ledger.runner, store: ledger.store, pseudonyms: ledger.pseudonyms }),
    ],
    rootRouters: [openApiRouter(), dashboardRouter()],
    methodsAt,
    readiness: async () => {
      const views = ledger.runner.report();
      const audit = ledger.audit.integrity();
      // Witnesses are reported, never waited for: a witness that is down or refuses must not stop commands, and
      // readiness gates the traffic that carries them. An ALARM shows here and in the log (docs/audit.md).
      const witnesses = ledger.witnesses?.report();
      // A replica says how far it is behind the store and what it makes of the writer's checkpoint; neither gates
      // its reads (they are of its own views and tree), but an ALARM shows here and in the log (docs/deploy.md).
      const writerCheckpoint = ledger.writerCheckpoints?.report();
      return {
        ready: ledger.runner.isCaughtUp() && audit.state === 'ok',
        ledgerRole: ledger.config.role,
        checks: {
          ...(ledger.config.role === 'replica' && { replica: await replicaLag(ledger, views) }),
          ...(writerCheckpoint && { writerCheckpoint }),
          views,
          audit: { ok: audit.state === 'ok', ...audit },
          ...(witnesses
            ? {
                witnesses: {
                  ok:
                    witnesses.latest?.quorumMet === true &&
                    witnesses.witnesses.every((w) => w.alarm === null),
                  ...witnesses,
                },
              }
            : {}),
        },
      };
    },
    authenticate: authenticate(registry, { failedPerMinute: ledger.config.rateLimit.failedAuthPerMinute }),
  });
}

/** How far a replica's views and tree are behind the store it follows. */
async function replicaLag(ledger: Ledger, views: ReadonlyArray<{ checkpoint: number }>) {
  const headPosition = await ledger.store.headPosition();
  const viewsPosition = views.reduce((min, v) => Math.min(min, v.checkpoint), headPosition);
  const auditTreeSize = ledger.audit.treeSize();
  const eventsBehind = Math.max(0, headPosition - viewsPosition, headPosition + 1 - auditTreeSize);
  return { ok: eventsBehind === 0, headPosition, viewsPosition, auditTreeSize, eventsBehind };
}

/**
 * Errors Node meets before a request reaches the app (a request or its headers too slow, malformed HTTP, headers
 * too large): answered as problems while nothing of a response has been written on the socket, then cut off.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    const problem =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problems.requestTimeout('The request, or its headers, did not arrive in time')
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? new HttpProblem(
              431,
              'headers-too-large',
              'Request headers too large',
              'The headers are too large',
            )
          : new HttpProblem(400, 'bad-request', 'Bad request', 'The request is not valid HTTP/1.1');
    const body = JSON.stringify(problemBody(problem));
    socket.write(
      `HTTP/1.1 ${problem.status} ${http.STATUS_CODES[problem.status] ?? ''}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

/**
 * Opens the ledger and listens. Holds the data directory's lock (ledgerLock.ts) for as long as it runs, so an
 * operator command that must not run beside a server (`ledger rebuild`, `ledger audit recover`) refuses instead.
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const lock = LedgerLock.acquire(config.dataDir, 'ledger serve');
  let ledger: Ledger | undefined;
  let server: Server;
  let tokens: ReturnType<typeof loadTokens>;
  const shutdown = new AbortController();
  try {
    ledger = openLedger(config, logger);
    await ledger.runner.start();
    // The follower logs its own failures and retries; start() only tells when the first catch-up is done.
    ledger.audit.start().catch(() => undefined);
    // The trail is checked before anything can be recorded on it (a few seconds for a million events).
    await ledger.audit.decided();
    // Submitting needs a trail that may be signed over; a refusing audit log signs nothing to submit.
    ledger.witnesses?.start();
    // A replica serves the writer's checkpoints once its own trail is known to hold.
    ledger.writerCheckpoints?.start();
    tokens = loadTokens(config.apiTokens, config.dataDir, { generate: config.role === 'writer' });
    const app = buildApp(ledger, tokens.registry, shutdown.signal);
    const { headersMs, requestMs } = config.timeouts;
    const listening = http.createServer(
      {
        headersTimeout: headersMs,
        requestTimeout: requestMs,
        // Node looks for overdue requests only this often (30 s unless told).
        connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersMs / 4))),
      },
      app,
    );
    listening.on('clientError', answerClientError);
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(config.port, config.host, () => {
        listening.off('error', reject);
        resolve();
      });
    });
    server = listening;
  } catch (error) {
    shutdown.abort();
    await ledger?.close();
    lock.release();
    throw error;
  }
  // Only now that it listens (and the caller shows the token) is a generated token's hash kept.
  tokens.keepGenerated();
  const running = ledger;
  server.keepAliveTimeout = 5_000;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shutdown.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
        server.closeIdleConnections();
      });
      await running.close();
      lock.release();
    })();
    return closing;
  };
  return {
    url,
    server,
    ledger: running,
    generatedAdminToken: tokens.generatedAdminToken,
    tokenCount: tokens.registry.size,
    close,
  };
}
