/**
 * Serving: opens the ledger, builds the app, listens, and shuts down gracefully (stop accepting, let in-flight
 * requests finish, close the stores).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config';
import { createApp } from './http/app';
import { authenticate, loadTokens } from './http/auth';
import { commandRouter } from './http/routes/commands';
import { openLedger, type Ledger } from './ledger';
import type { Logger } from './logger';

export interface RunningServer {
  url: string;
  server: Server;
  ledger: Ledger;
  generatedAdminToken?: string;
  close(): Promise<void>;
}

export function buildApp(ledger: Ledger, registry: ReturnType<typeof loadTokens>['registry']) {
  return createApp({
    config: ledger.config,
    logger: ledger.logger,
    store: ledger.store,
    apiRouters: [commandRouter({ commands: ledger.commands, idempotency: ledger.idempotency })],
    authenticate: authenticate(registry),
  });
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const ledger = openLedger(config, logger);
  const tokens = loadTokens(config.apiTokens, config.dataDir);
  const app = buildApp(ledger, tokens.registry);
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
