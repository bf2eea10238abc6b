/**
 * The composition root: opens the event store and the stores beside it (personal-data keys, idempotency records,
 * the read model) in the data directory, and builds the services the HTTP layer and the CLI use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandService } from './application/commandService';
import { IdempotencyStore } from './application/idempotency';
import { AuditLog } from './audit/auditLog';
import { CheckpointJournal } from './audit/checkpointJournal';
import { loadSigningKey } from './audit/signingKey';
import { parseVerifierKey } from './audit/signedNote';
import { PolicyFileError, readPolicyFile } from './audit/policyVerification';
import { PolicyError, type Policy } from './audit/witnessPolicy';
import { WitnessSubmitter } from './audit/witnessSubmitter';
import { ConfigError, type Config } from './config';
import { ensureDataDir, ensurePrivateFile, warnAboutLooseModes } from './dataDir';
import type { Logger } from './logger';
import { LedgerMetrics } from './metrics/ledgerMetrics';
import { createProjections, projectionList } from '../projections';
import { PersonDirectory } from './privacy/personDirectory';
import { PersonalDataVault } from './privacy/personalDataVault';
import { PSEUDONYM_SECRET_FILE, Pseudonyms } from './privacy/pseudonyms';
import { WriterCheckpoints } from './replica/writerCheckpoints';
import { ProjectionRunner } from './views/projectionRunner';
import { ReadModelDb } from './views/readModelDb';
import { readSealKey, SealKey, writeSealKey } from './store/eventSeal';
import type { AppendObserver, EventStore } from './store/eventStore';
import { EventStoreDbEventStore } from './store/eventstoredb/eventStoreDbEventStore';
import { eventFileIsEmpty, SqliteEventStore } from './store/sqlite/sqliteEventStore';

export interface Ledger {
  config: Config;
  logger: Logger;
  store: EventStore;
  vault: PersonalDataVault;
  idempotency: IdempotencyStore;
  commands: CommandService;
  /** The Merkle tree and signed checkpoints over the log; the server starts it following. */
  audit: AuditLog;
  /**
   * The witnesses' client, when LEDGER_WITNESS_POLICY_FILE names a policy: the server starts it once the audit log
   * may sign; it submits every checkpoint and keeps the cosignatures.
   */
  witnesses: WitnessSubmitter | undefined;
  /** The views (projections/), fed from the log; the server starts it. */
  runner: ProjectionRunner;
  /** Names, pseudonyms or nothing for a person id, as the caller's role allows. */
  people: PersonDirectory;
  /** Stable, irreversible pseudonyms for person ids (evaluator reads, exports). */
  pseudonyms: Pseudonyms;
  /** This ledger's Prometheus registry and the observers feeding it (GET /metrics). */
  metrics: LedgerMetrics;
  /**
   * A replica's follower of the writer's signed checkpoints (src/replica/writerCheckpoints.ts); the server starts it.
   * Undefined on the writer, which signs its own.
   */
  writerCheckpoints: WriterCheckpoints | undefined;
  close(): Promise<void>;
}

export const dataFiles = {
  events: 'events.sqlite',
  /** The EventStoreDB adapter's local index (dense positions over $all), derived: rebuilt from $all when missing. */
  eventStoreDbIndex: 'eventstoredb-index.sqlite',
  personalKeys: 'personal-data-keys.sqlite',
  idempotency: 'idempotency.sqlite',
  readModel: 'read-model.sqlite',
  audit: 'audit.sqlite',
  checkpointKey: 'checkpoint-signing-key.pem',
  sealKey: 'event-seal-key',
  checkpointJournal: 'checkpoint-journal.ndjson',
  lock: 'ledger.lock',
};

/** The events file of the SQLite store: the configured one (a replica: the writer's), else the data directory's. */
export function sqliteEventsFileOf(config: Config): string {
  return config.sqliteEventsFile ?? path.join(config.dataDir, dataFiles.events);
}

/** The checkpoint signing key's file: the configured one, else the data directory's. */
export function checkpointKeyFileOf(config: Config): string {
  return config.checkpointKeyFile ?? path.join(config.dataDir, dataFiles.checkpointKey);
}

export function sealKeyFileOf(config: Config): string {
  return config.sealKeyFile ?? path.join(config.dataDir, dataFiles.sealKey);
}

export function checkpointJournalOf(config: Config): CheckpointJournal {
  return new CheckpointJournal(
    config.checkpointJournalFile ?? path.join(config.dataDir, dataFiles.checkpointJournal),
  );
}

/**
 * The event store, sealing what it appends. A new ledger gets its seal key and an empty checkpoint journal here, with
 * its first file: from then on, a key or journal that goes missing is noticed (audit/trailIntegrity.ts) instead of
 * being quietly created again over events it never sealed.
 */
export function openEventStore(
  config: Config,
  options: { observer?: AppendObserver; logger?: Logger } = {},
): EventStore {
  const { observer } = options;
  if (config.eventStore === 'eventstoredb') return openEventStoreDb(config, options);
  ensureDataDir(config.dataDir);
  const file = sqliteEventsFileOf(config);
  if (config.role === 'replica') return openSqliteReplicaStore(config, file);
  const keyFile = sealKeyFileOf(config);
  let key = readSealKey(keyFile);
  if (key === undefined && eventFileIsEmpty(file)) {
    key = SealKey.generate();
    writeSealKey(keyFile, key);
    checkpointJournalOf(config).create();
  }
  ensurePrivateFile(file);
  return new SqliteEventStore({ file, seal: { key, keyFile }, ...(observer ? { observer } : {}) });
}

/**
 * A replica's seal key: the writer's, which must exist (a replica never makes one: every event would fail its check).
 */
export function readReplicaSealKey(config: Config): { key: SealKey; keyFile: string } {
  const keyFile = sealKeyFileOf(config);
  const key = readSealKey(keyFile);
  if (key === undefined) {
    throw new ConfigError(
      `invalid LEDGER_EVENT_SEAL_KEY_FILE: there is no seal key at ${keyFile} (a replica checks every event with the writer's)`,
    );
  }
  return { key, keyFile };
}

/** The writer's events file, read-only: the replica follows what the writer appends and never writes to it. */
function openSqliteReplicaStore(config: Config, file: string): EventStore {
  const seal = readReplicaSealKey(config);
  if (!fs.existsSync(file)) {
    throw new ConfigError(
      `invalid LEDGER_SQLITE_EVENTS_FILE: there is no events file at ${file} (start the writer first: it creates it)`,
    );
  }
  return new SqliteEventStore({ file, seal, readOnly: true });
}

/**
 * The EventStoreDB store, with its local index in the data directory. A writer makes the seal key with its first
 * index, as the SQLite store does with its first file. Which events the server already holds is known only once the
 * index has followed `$all`, so a data directory that lost both its index and its key gets a new key, and every
 * event sealed under the old one then checks as unsealed: the audit refuses them rather than a key quietly sealing
 * around them. A replica never makes a key: it checks the writer's seals with the writer's key.
 */
function openEventStoreDb(
  config: Config,
  { observer, logger }: { observer?: AppendObserver; logger?: Logger },
): EventStore {
  const connectionString = config.eventStoreConnectionString;
  if (connectionString === undefined) {
    throw new ConfigError(
      'invalid EVENTSTORE_CONNECTION_STRING: required when LEDGER_EVENT_STORE=eventstoredb',
    );
  }
  ensureDataDir(config.dataDir);
  const indexFile = path.join(config.dataDir, dataFiles.eventStoreDbIndex);
  const writer = config.role !== 'replica';
  const keyFile = sealKeyFileOf(config);
  // A replica checks with the writer's key, which must be there; only a writer makes one.
  let key = writer ? readSealKey(keyFile) : readReplicaSealKey(config).key;
  if (key === undefined && writer && !fs.existsSync(indexFile)) {
    key = SealKey.generate();
    writeSealKey(keyFile, key);
    checkpointJournalOf(config).create();
  }
  ensurePrivateFile(indexFile);
  return new EventStoreDbEventStore({
    connectionString,
    indexFile,
    readOnly: !writer,
    seal: { key, keyFile },
    ...(logger ? { logger } : {}),
    ...(observer ? { observer } : {}),
  });
}

/**
 * The audit log beside the event store (its own file, its own key); it follows the store once started.
 * `signing: false` follows without signing (verify). `createNothing`: an operator's look at the files (status,
 * verify, checkpoint) makes no audit database or key that is missing — that would change the scene of an incident —
 * and works on an empty in-memory tree instead.
 */
export function openAuditLog(
  config: Config,
  store: EventStore,
  logger: Logger,
  options: { signing?: boolean; createNothing?: boolean } = {},
): AuditLog {
  if (config.role === 'replica') return openReplicaAuditLog(config, store, logger, options);
  const configuredKey = config.checkpointKeyFile;
  // A configured key must exist: creating one where the operator pointed would hide a wrong path.
  if (configuredKey !== undefined && !fs.existsSync(configuredKey)) {
    throw new ConfigError(`invalid LEDGER_CHECKPOINT_KEY_FILE: there is no file at ${configuredKey}`);
  }
  const keyFile = checkpointKeyFileOf(config);
  if (options.createNothing && !fs.existsSync(keyFile)) {
    throw new ConfigError(`the checkpoint signing key is missing: there is no file at ${keyFile}`);
  }
  const signing = loadSigningKey(keyFile, configuredKey === undefined);
  if (signing.created) logger.info({ keyFile }, 'created the checkpoint signing key');
  if (signing.looseMode)
    logger.warn({ keyFile }, 'the checkpoint signing key is readable by others: chmod 600 it');
  let file = path.join(config.dataDir, dataFiles.audit);
  if (options.createNothing && !fs.existsSync(file)) file = ':memory:';
  else ensurePrivateFile(file);
  return new AuditLog({
    store,
    file,
    signingKey: signing.key,
    origin: config.checkpointOrigin,
    checkpointEveryEvents: config.checkpointEveryEvents,
    checkpointEverySeconds: config.checkpointEverySeconds,
    journal: checkpointJournalOf(config),
    requireSeals: true,
    signing: options.signing ?? true,
    logger,
  });
}

/**
 * A replica's audit log: its own tree in its own data directory, never signed. It holds no signing key — one found in
 * its data directory is refused, since a replica that could sign would be a second writer of the log's history — and
 * no journal: the checkpoints it keeps are the writer's, adopted only when its tree reproduces them.
 */
function openReplicaAuditLog(
  config: Config,
  store: EventStore,
  logger: Logger,
  options: { createNothing?: boolean },
): AuditLog {
  const strayKey = path.join(config.dataDir, dataFiles.checkpointKey);
  if (fs.existsSync(strayKey)) {
    throw new ConfigError(
      `invalid LEDGER_DATA_DIR: a replica's data directory holds a checkpoint signing key (${strayKey}); only the writer signs, so move it away`,
    );
  }
  let file = path.join(config.dataDir, dataFiles.audit);
  if (options.createNothing && !fs.existsSync(file)) file = ':memory:';
  else ensurePrivateFile(file);
  return new AuditLog({
    store,
    file,
    verifierKey: config.checkpointVerifierKey as string,
    checkpointEveryEvents: config.checkpointEveryEvents,
    checkpointEverySeconds: config.checkpointEverySeconds,
    requireSeals: true,
    signing: false,
    logger,
  });
}

/** A shared file a replica opens but never creates: missing, it is a configuration error naming the variable. */
function sharedFile(variable: string, file: string | undefined, what: string): string {
  if (file === undefined || !fs.existsSync(file)) {
    throw new ConfigError(`invalid ${variable}: there is no ${what} at ${file ?? '(unset)'}`);
  }
  return file;
}

/**
 * The witness policy of LEDGER_WITNESS_POLICY_FILE, parsed at start before anything is opened: a file that is missing
 * or breaks tlog-policy is a configuration error naming the line.
 */
export function readWitnessPolicy(file: string): Policy {
  // The clients' reader, so that the server and `--policy` read one file alike (UTF-8 strictly, bounded).
  try {
    return readPolicyFile(file);
  } catch (error) {
    if (error instanceof PolicyFileError)
      throw new ConfigError(`invalid LEDGER_WITNESS_POLICY_FILE: ${error.message}`);
    if (error instanceof PolicyError) {
      throw new ConfigError(
        `invalid LEDGER_WITNESS_POLICY_FILE: ${file} line ${error.line}: ${error.reason}`,
      );
    }
    throw error;
  }
}

/**
 * A policy with `log` lines must list this ledger's key among them, since clients that use the same file would
 * otherwise refuse every checkpoint.
 */
export function checkPolicyNamesLedger(policy: Policy, file: string, verifierKey: string): void {
  const ours = parseVerifierKey(verifierKey);
  if (
    policy.logs.length > 0 &&
    !policy.logs.some((log) => log.key.keyName === ours.keyName && log.key.publicKey.equals(ours.publicKey))
  ) {
    throw new ConfigError(
      `invalid LEDGER_WITNESS_POLICY_FILE: ${file} has log lines but none is this ledger's key ${verifierKey} (clients using the file would refuse every checkpoint)`,
    );
  }
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
  const policyFile = config.witnessPolicyFile;
  const policy = policyFile === undefined ? undefined : readWitnessPolicy(policyFile);
  const metrics = new LedgerMetrics();
  const replica = config.role === 'replica';
  const store = openEventStore(config, { observer: metrics.appendObserver, logger });
  const privateFile = (name: string, configured?: string): string => {
    const file = configured ?? path.join(config.dataDir, name);
    ensurePrivateFile(file);
    return file;
  };
  // Shared with the writer, not copied (docs/deploy.md, "Replicas"): one key store, so an erasure shreds everywhere.
  const vault = replica
    ? new PersonalDataVault(
        sharedFile('LEDGER_PERSONAL_KEYS_FILE', config.personalKeysFile, 'personal-data key store'),
        { readOnly: true },
      )
    : new PersonalDataVault(privateFile(dataFiles.personalKeys, config.personalKeysFile));
  // Idempotency records are the writer's: a replica takes no command, so it keeps none (an empty one in memory).
  const idempotency = new IdempotencyStore(replica ? ':memory:' : privateFile(dataFiles.idempotency));
  const audit = openAuditLog(config, store, logger);
  let witnesses: WitnessSubmitter | undefined;
  if (policy !== undefined && policyFile !== undefined) {
    try {
      checkPolicyNamesLedger(policy, policyFile, audit.verifierKey);
    } catch (error) {
      void audit.close().then(() => store.close());
      throw error;
    }
    // Only the writer submits checkpoints to witnesses; a replica uses the policy to check the cosignatures it keeps.
    if (!replica) witnesses = new WitnessSubmitter({ audit, policy, logger });
  }
  const commands = new CommandService({
    store,
    vault,
    citizenInitiativeThreshold: config.citizenInitiativeThreshold,
    observer: metrics.commandObserver,
  });
  const readModel = new ReadModelDb(privateFile(dataFiles.readModel));
  const runner = new ProjectionRunner({
    store,
    readModel,
    projections: viewsFor(config),
    logger,
  });
  const pseudonyms = replica
    ? Pseudonyms.openFile(
        sharedFile('LEDGER_PSEUDONYM_KEY_FILE', config.pseudonymKeyFile, 'pseudonym secret'),
        {
          mustExist: true,
        },
      )
    : Pseudonyms.openFile(config.pseudonymKeyFile ?? path.join(config.dataDir, PSEUDONYM_SECRET_FILE));
  const writerCheckpoints = replica
    ? new WriterCheckpoints({ writerUrl: config.writerUrl as string, audit, store, logger, policy })
    : undefined;
  warnAboutLooseModes(config.dataDir, logger, [
    sealKeyFileOf(config),
    checkpointJournalOf(config).file,
    ...(config.checkpointKeyFile ? [config.checkpointKeyFile] : []),
  ]);
  const people = new PersonDirectory(store, vault, pseudonyms);
  metrics.watch({
    views: () => runner.report(),
    logSize: async () => (await store.headPosition()) + 1,
    treeSize: () => audit.treeSize(),
    witnesses: () =>
      (witnesses?.report().witnesses ?? []).map((w) => ({
        name: w.name,
        lastSizeCosigned: w.lastSizeCosigned,
        alarm: w.alarm !== null,
      })),
    // The embedded SQLite store is a file this process holds open: connected for as long as the ledger is open.
    storeConnected: () => store.status().ok,
  });
  return {
    config,
    logger,
    store,
    vault,
    idempotency,
    commands,
    audit,
    witnesses,
    runner,
    people,
    pseudonyms,
    metrics,
    writerCheckpoints,
    close: async () => {
      await witnesses?.stop();
      await writerCheckpoints?.stop();
      await runner.stop();
      readModel.close();
      await audit.close(); // first: it takes in the last events while the store is still open
      await store.close();
      idempotency.close();
      vault.close();
    },
  };
}
