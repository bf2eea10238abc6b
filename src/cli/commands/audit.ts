/**
 * `ledger audit status|recover`: what the audit log's start-up checks say about the trail, and the operator's one way
 * out when it does not hold together (audit/recovery.ts). Recovery rewrites the audit database, so it runs only while
 * no server uses the data directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { currentCheckpoints } from '../../audit/checkpointJournal';
import { recoverAuditTrail, type RecoveryReport } from '../../audit/recovery';
import { loadSigningKey } from '../../audit/signingKey';
import { storedSealProblems, type TrailProblem } from '../../audit/trailIntegrity';
import { ConfigError, loadConfig, type Config } from '../../config';
import {
  checkpointJournalOf,
  checkpointKeyFileOf,
  dataFiles,
  openEventStore,
  sealKeyFileOf,
  sqliteEventsFileOf,
} from '../../ledger';
import { removeSqliteFiles } from '../../dataDir';
import { LedgerBusyError, LedgerLock } from '../../ledgerLock';
import { createLogger } from '../../logger';
import { SealKey, writeSealKey } from '../../store/eventSeal';
import type { EventStore } from '../../store/eventStore';
import { z } from 'zod';
import { line } from '../../domain/events';
import type { ParsedArgs } from '../args';
import { openAuditStores } from '../openAudit';
import { progress } from '../progress';

const usage = `ledger audit status
ledger audit recover [--reason TEXT] [--new-history --reason TEXT]

status   Runs the checks the server runs before it signs anything, and says whether the audit trail holds
         together: the checkpoint journal against the audit database, the event store's length against what was
         signed, the seal key, and every event's seal. Read-only; works beside a running server.

recover  For when the server refuses to sign (GET /readyz names the cause). Stop the server first. Rebuilds the
         Merkle tree from the events into a new audit database and holds it against every signed checkpoint on
         record (the journal and what is left of the old database).
         - If the rebuilt tree matches them all and every event is authenticated (by its seal, or by lying under a
           verified checkpoint), the same signed history continues: the new database replaces the old one, which
           is kept aside as audit.sqlite.replaced-<time>, and the journal records the recovery (who ran it, and
           --reason if given).
         - Otherwise it changes nothing and says why (events changed or removed, rows inserted, checkpoints
           missing; with no signed checkpoint on record at all — both the journal and the database lost — nothing
           vouches for the events, so only a new history is possible). Restore the files from a backup, or, if the events as they stand are to be the ledger:

  --new-history --reason TEXT
         Accepts the events as they stand, seals them under a new seal key (the old key file is kept aside), and
         starts a NEW signed history at their length. The journal records the restart and the reason for good.
         Checkpoints signed before then no longer match this ledger: copies held outside the server (by auditors,
         witnesses, mirrors) are the only proof of what it held before. Tell them.

Every step is logged. See docs/audit.md, "When the trail breaks".

Exit code: 0 the trail holds (status) or was recovered / restarted (recover), 1 it does not hold or recovery was
refused, 2 bad usage or configuration.`;

/** A reason the journal keeps for good: one line, held to the rules of the ledger's own text fields. */
const OperatorReason = line(z.string().trim().min(1).max(2000));

export const auditCommand = {
  summary: 'check the audit trail (status), or recover it when the server refuses to sign (recover)',
  usage,
  options: ['json', 'new-history', 'reason'],
  async run(args: ParsedArgs): Promise<number> {
    const action = args.positionals[0];
    if (action === 'status') return status(args);
    if (action === 'recover') return recover(args);
    process.stderr.write(
      `ledger audit: ${action ? `unknown action "${action}"` : 'name an action'}: status or recover\n\n${usage}\n`,
    );
    return 2;
  },
};

async function status(args: ParsedArgs): Promise<number> {
  const { store, audit, close } = openAuditStores({ signing: false, createNothing: true });
  try {
    const trail = await audit.compareTrail();
    const head = await store.headPosition();
    const problems: TrailProblem[] = [...trail.problems];
    const bar = progress('seals', { unit: 'events' });
    const seals = await storedSealProblems(store, head, 20);
    bar.update(head + 1, head + 1);
    bar.finish();
    problems.push(...seals.problems);
    const sealChecked = seals.checked;
    const journal = audit.journal?.read();
    const journaled = journal ? currentCheckpoints(journal.entries) : new Map();
    const restarts = journal?.entries.filter((e) => e.kind === 'history-restarted').length ?? 0;
    const summary = {
      holds: problems.length === 0,
      events: head + 1,
      treeSize: audit.treeSize(),
      checkpointsInDatabase: audit.checkpoints().length,
      checkpointsInJournal: journaled.size,
      journal: audit.journal?.file,
      journalExists: journal?.exists ?? false,
      historyRestarts: restarts,
      sealKey: store.seals.keyId ?? null,
      sealsChecked: sealChecked,
      problems,
    };
    if (args.options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      const lines = [
        summary.holds
          ? 'the audit trail holds together: the server may sign'
          : 'the audit trail does NOT hold together: the server refuses to sign',
        `  events ${summary.events.toLocaleString('en')}, tree ${summary.treeSize.toLocaleString('en')} leaves, seals checked ${sealChecked.toLocaleString('en')}`,
        `  checkpoints: ${summary.checkpointsInDatabase} in the audit database, ${summary.checkpointsInJournal} in the journal (${summary.journal ?? 'none'}${summary.journalExists ? '' : ', missing'})${restarts > 0 ? `; history restarted ${restarts === 1 ? 'once' : `${restarts} times`}` : ''}`,
        ...problems.map(
          (p) => `  ${p.position === undefined ? '' : `position ${p.position}: `}${p.cause}: ${p.detail}`,
        ),
      ];
      if (!summary.holds) lines.push('what to do: stop the server, then `ledger audit recover` (see --help)');
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return summary.holds ? 0 : 1;
  } finally {
    await close();
  }
}

async function recover(args: ParsedArgs): Promise<number> {
  if (typeof args.options['new-history'] === 'string') {
    process.stderr.write('ledger audit recover: --new-history is a flag and takes no value\n');
    return 2;
  }
  const newHistory = args.options['new-history'] === true;
  const reason = typeof args.options.reason === 'string' ? args.options.reason.trim() : '';
  // The journal keeps the reason for good, so it is held to the rules of the ledger's own text fields.
  if (reason.length > 0 && !OperatorReason.safeParse(reason).success) {
    process.stderr.write(
      'ledger audit recover: --reason must be one line of at most 2,000 characters, without control or bidirectional characters\n',
    );
    return 2;
  }
  if (args.options.reason !== undefined && reason.length === 0) {
    process.stderr.write('ledger audit recover: --reason needs a text, which the journal keeps\n');
    return 2;
  }
  if (newHistory && reason.length === 0) {
    process.stderr.write(
      'ledger audit recover: --new-history needs --reason TEXT, which the journal keeps\n',
    );
    return 2;
  }
  const config = loadConfig();
  if (config.role === 'replica') {
    // A replica's trail is derived only: its tree is rebuilt from the events, its checkpoints fetched again.
    process.stderr.write(
      "ledger audit recover: LEDGER_ROLE=replica: a replica signs nothing, so there is no history to recover here; stop it, remove its audit.sqlite and start it again (it rebuilds its tree and fetches the writer's checkpoints), or recover the writer\n",
    );
    return 2;
  }
  if (config.eventStore === 'sqlite' && !fs.existsSync(sqliteEventsFileOf(config))) {
    throw new ConfigError(`invalid LEDGER_DATA_DIR: there is no ledger in ${config.dataDir}`);
  }
  let lock: LedgerLock;
  try {
    lock = LedgerLock.acquire(config.dataDir, 'ledger audit recover');
  } catch (error) {
    if (!(error instanceof LedgerBusyError)) throw error;
    process.stderr.write(`ledger audit recover: ${error.message}: stop the server first\n`);
    return 1;
  }
  const logger = createLogger(config.logLevel === 'silent' ? 'silent' : 'info', process.stderr);
  let store: EventStore = openEventStore(config);
  try {
    if (!newHistory) {
      const { audit, close } = openAuditStores({ signing: false, createNothing: true });
      const trail = await audit.compareTrail();
      const seals = await storedSealProblems(store, await store.headPosition(), 1);
      await close();
      if (trail.problems.length === 0 && seals.problems.length === 0) {
        process.stdout.write('the audit trail holds together: nothing to recover\n');
        return 0;
      }
    }
    logger.warn(
      { dataDir: config.dataDir, newHistory, reason: reason || undefined },
      'audit recovery started',
    );
    const bar = progress('rebuild tree', { unit: 'events' });
    const report = await recoverAuditTrail({
      store,
      auditFile: path.join(config.dataDir, dataFiles.audit),
      journal: checkpointJournalOf(config),
      signingKey: signingKeyOf(config),
      origin: config.checkpointOrigin,
      replaceSealKey: async () => {
        await store.close();
        writeSealKey(sealKeyFileOf(config), SealKey.generate(), { replace: true });
        logger.warn({ file: sealKeyFileOf(config) }, 'a new event seal key was written');
        store = openEventStore(config);
        return store;
      },
      ...(newHistory ? { newHistory: { reason } } : {}),
      operator: `${os.userInfo().username}@${os.hostname()}`,
      ...(reason ? { reason } : {}),
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.finish();
    if (report.outcome !== 'refused') {
      // The views were folded from the events as they were; they are rebuilt from the log on the next start.
      removeSqliteFiles(path.join(config.dataDir, dataFiles.readModel));
    }
    logger.warn(
      { ...report, firstCheckpoint: report.firstCheckpoint?.treeSize },
      `audit recovery: ${report.outcome}`,
    );
    process.stdout.write(describe(report, config));
    return report.outcome === 'refused' ? 1 : 0;
  } finally {
    await store.close();
    lock.release();
  }
}

function signingKeyOf(config: Config) {
  const file = checkpointKeyFileOf(config);
  if (!fs.existsSync(file))
    throw new ConfigError(`invalid LEDGER_CHECKPOINT_KEY_FILE: there is no key at ${file}`);
  return loadSigningKey(file, false).key;
}

function describe(report: RecoveryReport, config: Config): string {
  const n = (x: number): string => x.toLocaleString('en');
  const lines: string[] = [];
  const record = `${n(report.events)} events; ${report.checkpointsMatched} of ${report.checkpointsOnRecord} signed checkpoints on record match the rebuilt tree`;
  switch (report.outcome) {
    case 'recovered':
      lines.push(
        `recovered: ${record}.`,
        `The same signed history continues; ${
          report.sealed === 0
            ? 'every event already carried its seal.'
            : `${n(report.sealed)} events the verified checkpoints vouch for were sealed under the current key.`
        }`,
      );
      break;
    case 'refused':
      lines.push(`REFUSED, nothing was changed: ${record}.`, ...report.findings.map((f) => `  - ${f}`));
      lines.push(
        'Restore events.sqlite and audit.sqlite from a backup taken together, or, if the events as they stand',
        'are to be the ledger, run `ledger audit recover --new-history --reason "…"`.',
      );
      break;
    case 'new-history':
      lines.push(
        `A NEW SIGNED HISTORY starts at tree size ${n(report.events)} (${record}).`,
        ...report.findings.map((f) => `  accepted as it stands: ${f}`),
        ...(report.checkpointsOnRecord === 0
          ? [
              'No earlier checkpoint was on record here. If any was ever signed, the copies held outside this server',
              '(by auditors, witnesses, mirrors, anyone who saved one) are now the ONLY proof of what the ledger held',
              'before. Tell them that the history was restarted, when and why; the journal',
            ]
          : [
              `The ${report.checkpointsOnRecord} checkpoint${report.checkpointsOnRecord === 1 ? '' : 's'} signed before no longer vouch for this ledger. Copies of them held`,
              'outside this server (by auditors, witnesses, mirrors, anyone who saved one) are now the ONLY proof of what',
              'the ledger held before. Tell them that the history was restarted, when and why; the journal',
            ]),
        `(${checkpointJournalOf(config).file}) records it for good.`,
        `A new event seal key was written to ${sealKeyFileOf(config)}: back it up now, apart from the data.`,
      );
      break;
  }
  if (report.replacedAuditFile) lines.push(`The old audit database is kept as ${report.replacedAuditFile}.`);
  if (report.outcome !== 'refused' && report.journalLinesDropped) {
    lines.push(
      `The journal held ${report.journalLinesDropped} line(s) the log's key did not sign; it was written anew without them (the old file is kept beside it).`,
    );
  }
  if (report.outcome !== 'refused') {
    lines.push('The views are rebuilt from the log when the server next starts.');
  }
  return `${lines.join('\n')}\n`;
}
