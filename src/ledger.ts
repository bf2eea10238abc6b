/**
 * The composition root: opens the event store and the stores beside it (personal-data keys, idempotency records,
 * the read model) in the data directory, and builds the services the HTTP layer and the CLI use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandService } from './application/commandService';
import { IdempotencyStore } from './application/idempotency';
import type { Config } from './config';
import type { Logger } from './logger';
import { PersonalDataVault } from './privacy/personalDataVault';
import type { EventStore } from './store/eventStore';
import { SqliteEventStore } from './store/sqlite/sqliteEventStore';

export interface Ledger {
  config: Config;
  logger: Logger;
  store: EventStore;
  vault: PersonalDataVault;
  idempotency: IdempotencyStore;
  commands: CommandService;
  close(): Promise<void>;
}

export const dataFiles = {
  events: 'events.sqlite',
  personalKeys: 'personal-data-keys.sqlite',
  idempotency: 'idempotency.sqlite',
  readModel: 'read-model.sqlite',
};

export function openEventStore(config: Config): EventStore {
  if (config.eventStore === 'eventstoredb') {
    throw new Error(
      'LEDGER_EVENT_STORE=eventstoredb: the EventStoreDB adapter is not available in this version',
    );
  }
  return new SqliteEventStore({ file: path.join(config.dataDir, dataFiles.events) });
}

export function openLedger(config: Config, logger: Logger): Ledger {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const store = openEventStore(config);
  const vault = new PersonalDataVault(path.join(config.dataDir, dataFiles.personalKeys));
  const idempotency = new IdempotencyStore(path.join(config.dataDir, dataFiles.idempotency));
  const commands = new CommandService({
    store,
    vault,
    citizenInitiativeThreshold: config.citizenInitiativeThreshold,
  });
  return {
    config,
    logger,
    store,
    vault,
    idempotency,
    commands,
    close: async () => {
      await store.close();
      idempotency.close();
      vault.close();
    },
  };
}
