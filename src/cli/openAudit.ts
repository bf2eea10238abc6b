/**
 * What the audit commands open: the configured data directory's event store and audit log, directly, so they
 * work whether or not a server is running on it (SQLite's WAL lets them read beside it).
 */
import fs from 'node:fs';
import type { AuditLog } from '../audit/auditLog';
import { ConfigError, loadConfig } from '../config';
import { dataFiles, openAuditLog, openEventStore, sqliteEventsFileOf } from '../ledger';
import { createLogger } from '../logger';
import type { EventStore } from '../store/eventStore';

export interface AuditStores {
  store: EventStore;
  audit: AuditLog;
  close(): Promise<void>;
}

/**
 * `signing: false` opens the audit log to bring its tree up to date only (verify), never to sign; `createNothing`
 * leaves a missing audit database or key missing (see openAuditLog).
 */
export function openAuditStores(options: { signing?: boolean; createNothing?: boolean } = {}): AuditStores {
  const config = loadConfig();
  const events = sqliteEventsFileOf(config);
  if (config.eventStore === 'sqlite' && !fs.existsSync(events)) {
    throw new ConfigError(
      `invalid LEDGER_DATA_DIR: there is no ledger in ${config.dataDir} (no ${dataFiles.events})`,
    );
  }
  // Logs go to stderr: stdout carries the command's result.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const store = openEventStore(config);
  let audit: AuditLog;
  try {
    audit = openAuditLog(config, store, logger, options);
  } catch (error) {
    void store.close();
    throw error;
  }
  return {
    store,
    audit,
    close: async () => {
      await audit.close();
      await store.close();
    },
  };
}
