/**
 * Serving: opens the ledger, builds the app, listens, and shuts down gracefully (stop accepting, let in-flight
 * requests finish, close the stores).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config';
import { createApp } from './http/app';
import { authenticate, loadTokens } from './http/auth';
import { auditRouter } from './http/routes/audit';
import { commandRouter } from './http/routes/commands';
import { feedsRouter } from './http/routes/feeds';
import { openApiRouter } from './http/openapi';
import { adminRouter } from './http/routes/admin';
import { readRouter } from './http/routes/reads';
import { exportsRouter } from './http/routes/exports';
import { traceRouter } from './http/routes/trace';
import { openLedger, type Ledger } from './ledger';
import type { Logger } from './logger';

export interface RunningServer {
  url: string;
  server: Server;
  ledger: Ledger;
  generatedAdminToken?: string;
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
    apiRouters: [
      commandRouter({ commands: ledger.commands, idempotency: ledger.idempotency }),
      auditRouter({ audit: ledger.audit, store: ledger.store }),
      feedsRouter({ store: ledger.store, shutdown, logger: ledger.logger }),
      readRouter({ runner: ledger.runner, store: ledger.store, people: ledger.people }),
      adminRouter({ runner: ledger.runner }),
      traceRouter({ runner: ledger.runner, audit: ledger.audit, store: ledger.store }),
      exportsRouter({ runner: ledger.runner, store: ledger.store, pseudonyms: ledger.pseudonyms }),
    ],
    rootRouters: [openApiRouter()],
    readiness: async () => {
      const views = ledger.runner.report();
      return { ready: ledger.runner.isCaughtUp(), checks: { views } };
    },
    authenticate: authenticate(registry, { failedPerMinute: ledger.config.rateLimit.failedAuthPerMinute }),
  });
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const ledger = openLedger(config, logger);
  await ledger.runner.start();
  // The follower logs its own failures and retries; start() only tells when the first catch-up is done.
  ledger.audit.start().catch(() => undefined);
  const tokens = loadTokens(config.apiTokens, config.dataDir);
  const shutdown = new AbortController();
  const app = buildApp(ledger, tokens.registry, shutdown.signal);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
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
      await ledger.close();
    })();
    return closing;
  };
  return { url, server, ledger, generatedAdminToken: tokens.generatedAdminToken, close };
}
