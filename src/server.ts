/**
 * Wiring: opens the configured event store, builds the app, listens, and shuts down gracefully
 * (stop accepting, let in-flight requests finish, close the store).
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from './config';
import { createApp } from './http/app';
import type { Logger } from './logger';
import type { EventStore } from './store/eventStore';
import { SqliteEventStore } from './store/sqlite/sqliteEventStore';

export interface RunningServer {
  url: string;
  server: Server;
  store: EventStore;
  close(): Promise<void>;
}

export function openEventStore(config: Config): EventStore {
  if (config.eventStore === 'eventstoredb') {
    throw new Error(
      'LEDGER_EVENT_STORE=eventstoredb: the EventStoreDB adapter is not available in this version',
    );
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  return new SqliteEventStore({ file: path.join(config.dataDir, 'events.sqlite') });
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const store = openEventStore(config);
  const app = createApp({ config, logger, store });
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
      await store.close();
    })();
    return closing;
  };
  return { url, server, store, close };
}
