import path from 'node:path';
import type { Express } from 'express';
import { loadConfig, type Config } from '../../src/config';
import { createApp, type AppServices } from '../../src/http/app';
import { createLogger } from '../../src/logger';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { makeTempDir } from './tempDir';

export interface TestApp {
  app: Express;
  store: SqliteEventStore;
  config: Config;
  close(): Promise<void>;
}

/** The real app on a temporary SQLite file. */
export function buildTestApp(
  overrides: Partial<AppServices> = {},
  env: Record<string, string> = {},
): TestApp {
  const temp = makeTempDir('ledger-api-');
  const config = loadConfig({ LEDGER_DATA_DIR: temp.dir, LOG_LEVEL: 'silent', ...env });
  const store = new SqliteEventStore({ file: path.join(temp.dir, 'events.sqlite') });
  const app = createApp({ config, logger: createLogger('silent'), store, ...overrides });
  return {
    app,
    store,
    config,
    close: async () => {
      await store.close();
      temp.cleanup();
    },
  };
}
