/**
 * The composition root: opens the event store and the stores beside it (personal-data keys, idempotency records,
 * the read model) in the data directory, and builds the services the HTTP layer and the CLI use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandService } from './application/commandService';
import { IdempotencyStore } from './application/idempotency';
import { AuditLog } from './audit/auditLog';
import { loadSigningKey } from './audit/signingKey';
import { ConfigError, type Config } from './config';
import type { Logger } from './logger';
import { createProjections, projectionList } from '../projections';
import { PersonDirectory } from './privacy/personDirectory';
import { PersonalDataVault } from './privacy/personalDataVault';
import { Pseudonyms } from './privacy/pseudonyms';
import { ProjectionRunner } from './views/projectionRunner';
import { ReadModelDb } from './views/readModelDb';
import type { EventStore } from './store/eventStore';
import { SqliteEventStore } from './store/sqlite/sqliteEventStore';

export interface Ledger {
  config: Config;
  logger: Logger;
  store: EventStore;
  vault: PersonalDataVault;
  idempotency: IdempotencyStore;
  commands: CommandService;
  /** The Merkle tree and signed checkpoints over the log; the server starts it following. */
  audit: AuditLog;
  /** The views (projections/), fed from the log; the server starts it. */
  runner: ProjectionRunner;
  /** Names, pseudonyms or nothing for a person id, as the caller's role allows. */
  people: PersonDirectory;
  /** Stable, irreversible pseudonyms for person ids (evaluator reads, exports). */
  pseudonyms: Pseudonyms;
  close(): Promise<void>;
}

export const dataFiles = {
  events: 'events.sqlite',
  personalKeys: 'personal-data-keys.sqlite',
  idempotency: 'idempotency.sqlite',
  readModel: 'read-model.sqlite',
  audit: 'audit.sqlite',
  checkpointKey: 'checkpoint-signing-key.pem',
};

export function openEventStore(config: Config): EventStore {
  if (config.eventStore === 'eventstoredb') {
    throw new Error(
      'LEDGER_EVENT_STORE=eventstoredb: the EventStoreDB adapter is not available in this version',
    );
  }
  return new SqliteEventStore({ file: path.join(config.dataDir, dataFiles.events) });
}

/** The audit log beside the event store (its own file, its own key); it follows the store once started. */
export function openAuditLog(config: Config, store: EventStore, logger: Logger): AuditLog {
  const configuredKey = config.checkpointKeyFile;
  // A configured key must exist: creating one where the operator pointed would hide a wrong path.
  if (configuredKey !== undefined && !fs.existsSync(configuredKey)) {
    throw new ConfigError(`invalid LEDGER_CHECKPOINT_KEY_FILE: there is no file at ${configuredKey}`);
  }
  const keyFile = configuredKey ?? path.join(config.dataDir, dataFiles.checkpointKey);
  const signing = loadSigningKey(keyFile, configuredKey === undefined);
  if (signing.created) logger.info({ keyFile }, 'created the checkpoint signing key');
  if (signing.looseMode)
    logger.warn({ keyFile }, 'the checkpoint signing key is readable by others: chmod 600 it');
  return new AuditLog({
    store,
    file: path.join(config.dataDir, dataFiles.audit),
    signingKey: signing.key,
    origin: config.checkpointOrigin,
    checkpointEveryEvents: config.checkpointEveryEvents,
    checkpointEverySeconds: config.checkpointEverySeconds,
    logger,
  });
}

/**
 * The views with this configuration. The proposal status view depends on the citizens' initiative threshold, so
 * the threshold is folded into its version: changing the threshold rebuilds that view on the next start.
 */
export function viewsFor(config: Config) {
  const views = createProjections({ citizenInitiativeThreshold: config.citizenInitiativeThreshold });
  return projectionList(views).map((p) =>
    p.name === 'proposalStatus'
      ? { ...p, version: p.version * 1_000_000 + config.citizenInitiativeThreshold }
      : p,
  );
}

export function openLedger(config: Config, logger: Logger): Ledger {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const store = openEventStore(config);
  const vault = new PersonalDataVault(path.join(config.dataDir, dataFiles.personalKeys));
  const idempotency = new IdempotencyStore(path.join(config.dataDir, dataFiles.idempotency));
  const audit = openAuditLog(config, store, logger);
  const commands = new CommandService({
    store,
    vault,
    citizenInitiativeThreshold: config.citizenInitiativeThreshold,
  });
  const readModel = new ReadModelDb(path.join(config.dataDir, dataFiles.readModel));
  const runner = new ProjectionRunner({
    store,
    readModel,
    projections: viewsFor(config),
    logger,
  });
  const pseudonyms = Pseudonyms.open(config.dataDir);
  const people = new PersonDirectory(store, vault, pseudonyms);
  return {
    config,
    logger,
    store,
    vault,
    idempotency,
    commands,
    audit,
    runner,
    people,
    pseudonyms,
    close: async () => {
      await runner.stop();
      readModel.close();
      await audit.close(); // first: it takes in the last events while the store is still open
      await store.close();
      idempotency.close();
      vault.close();
    },
  };
}
