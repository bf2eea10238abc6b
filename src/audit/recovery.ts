/**
 * What an operator does when the audit trail does not hold together (`ledger audit recover`): rebuild the Merkle tree
 * from the events into a new audit database and hold it against every signed checkpoint on record (the journal and
 * what is left of the old database).
 *
 * - When the rebuilt tree matches them all and every event is authenticated (by its seal, or by lying under a
 *   verified signed checkpoint), the same history continues: the new database replaces the old one (kept aside),
 *   events the tree vouches for but that lack a seal under the current key are sealed, the journal records it.
 * - Otherwise nothing is changed, unless the operator asks for a new history (`newHistory`): then the events are
 *   accepted as they stand, sealed under a new key, and a new signed history starts at their length. The journal
 *   keeps the old history and the restart for good, and the report says plainly that checkpoints held outside are
 *   now the only proof of what the ledger held before.
 */
import fs from 'node:fs';
import type { KeyObject } from 'node:crypto';
import Database from 'better-sqlite3';
import { ensurePrivateFile, removeSqliteFiles, SQLITE_SUFFIXES } from '../dataDir';
import type { EventStore } from '../store/eventStore';
import type { SealFailure } from '../store/eventStore';
import { journalEntryOf } from './auditLog';
import {
  currentCheckpoints,
  operatorEntryVerifies,
  placeAfter,
  signOperatorEntry,
  unsoundOperatorEntries,
  type CheckpointJournal,
  type JournalEntry,
} from './checkpointJournal';
import { CheckpointStore, type StoredCheckpoint } from './checkpointStore';
import { MerkleLog } from './merkleLog';
import { storedEventLeafHash } from './eventLeaf';
import { publicKeyFromPrivate, signCheckpoint, verifyCheckpointNote } from './signedNote';

export interface RecoveryInput {
  store: EventStore;
  /** The audit database's path (it may be missing). */
  auditFile: string;
  journal: CheckpointJournal;
  signingKey: KeyObject;
  /** The log's name: configured, else the old database's, else the journal's. */
  origin: string | undefined;
  /** Called when a new seal key is needed (a new history, or a key that was lost); the store must seal with it after. */
  replaceSealKey(): Promise<EventStore>;
  newHistory?: { reason: string };
  /** Who runs it (user@host) and, optionally, why: the journal keeps both. */
  operator: string;
  reason?: string;
  clock?: () => Date;
  onProgress?: (done: number, total: number) => void;
}

export interface RecoveryReport {
  outcome: 'recovered' | 'refused' | 'new-history';
  events: number;
  /** Signed checkpoints on record (journal and old database), and how many the rebuilt tree matches. */
  checkpointsOnRecord: number;
  checkpointsMatched: number;
  /** The largest tree size a verified checkpoint covers. */
  coveredSize: number;
  /** Why it refused (or, with a new history, what it accepted), one line each. */
  findings: string[];
  /** Events newly sealed. */
  sealed: number;
  /** Where the replaced audit database was put. */
  replacedAuditFile?: string;
  /** Journal lines left out of the rewritten journal: not entries, or not signed by the log's key. */
  journalLinesDropped?: number;
  /** The new history's first checkpoint. */
  firstCheckpoint?: StoredCheckpoint;
}

const BATCH = 1000;

export async function recoverAuditTrail(input: RecoveryInput): Promise<RecoveryReport> {
  const clock = input.clock ?? (() => new Date());
  const publicKey = publicKeyFromPrivate(input.signingKey);
  const old = readOldAudit(input.auditFile);
  const journal = input.journal.read();
  const origin =
    input.origin ?? old.origin ?? firstLine(journal.entries.find((e) => e.kind === 'checkpoint')?.note);
  if (origin === undefined) throw new Error('the log has no name yet: set LEDGER_CHECKPOINT_ORIGIN');
  // Only what the log's key signed counts: a line that is no entry, or an entry nobody signed, proves nothing and is
  // left out of the journal this recovery writes (the old file is kept aside).
  const unsound = new Set(
    unsoundOperatorEntries(journal.entries, (e) => operatorEntryVerifies(e, publicKey, origin)),
  );
  const signedEntries = journal.entries.filter((e) =>
    e.kind === 'checkpoint'
      ? verifyCheckpointNote(e.note, publicKey, origin)?.treeSize === e.treeSize
      : !unsound.has(e),
  );
  const dropped = journal.entries.length - signedEntries.length + journal.unreadableLines.length;
  const journalNeedsRewrite = dropped > 0 || journal.tornTailBytes > 0;

  // Every signed checkpoint of the current history, from both copies (the journal's first where they differ).
  const onRecord = new Map<number, StoredCheckpoint>();
  for (const c of currentCheckpoints(signedEntries).values()) {
    onRecord.set(c.treeSize, {
      origin,
      treeSize: c.treeSize,
      rootHash: Buffer.from(c.rootHash, 'base64'),
      note: c.note,
      createdAt: c.createdAt,
    });
  }
  for (const c of old.checkpoints) if (!onRecord.has(c.treeSize)) onRecord.set(c.treeSize, c);

  const building = `${input.auditFile}.recovering`;
  removeSqliteFiles(building);
  ensurePrivateFile(building);
  const db = new Database(building);
  let keep = false;
  try {
    db.pragma('journal_mode = WAL');
    const merkle = new MerkleLog(db);
    const checkpointStore = new CheckpointStore(db);
    checkpointStore.setMeta('origin', origin);
    const findings: string[] = [];
    const events = await rebuildTree(input.store, merkle, findings, input.onProgress);

    let matched = 0;
    let coveredSize = 0;
    const matching: StoredCheckpoint[] = [];
    for (const checkpoint of [...onRecord.values()].sort((a, b) => a.treeSize - b.treeSize)) {
      const opened = verifyCheckpointNote(checkpoint.note, publicKey, origin);
      if (
        !opened ||
        opened.treeSize !== checkpoint.treeSize ||
        !opened.rootHash.equals(checkpoint.rootHash)
      ) {
        findings.push(
          `the checkpoint of tree size ${checkpoint.treeSize} on record is not signed by the log's key`,
        );
      } else if (checkpoint.treeSize > merkle.size()) {
        findings.push(
          `a signed checkpoint covers ${checkpoint.treeSize} events, but the event store holds ${merkle.size()}: events were removed from its end`,
        );
      } else if (!merkle.rootAt(checkpoint.treeSize).equals(checkpoint.rootHash)) {
        findings.push(
          `the tree rebuilt from the events does not match the signed checkpoint of tree size ${checkpoint.treeSize}: events it covers were changed`,
        );
      } else {
        matched++;
        coveredSize = Math.max(coveredSize, checkpoint.treeSize);
        matching.push(checkpoint);
      }
    }
    if (onRecord.size === 0 && events > 0) {
      findings.push(`no signed checkpoint is on record for the ${events} events: nothing vouches for them`);
    }

    let store = input.store;
    const seals = await sealFailures(store, events);
    const unauthenticated = seals.failures.filter((f) => f.kind === 'mismatch' || f.position >= coveredSize);
    for (const f of unauthenticated.slice(0, 10)) {
      findings.push(
        f.kind === 'mismatch'
          ? `the event at position ${f.position} does not match its seal: it was altered after it was written`
          : `the event at position ${f.position} carries no seal and no verified checkpoint covers it`,
      );
    }
    if (seals.keyMissing && events > coveredSize) {
      findings.push(
        `the event seal key is missing and events from position ${coveredSize} on are not covered by a verified checkpoint`,
      );
    }

    const report = {
      events,
      checkpointsOnRecord: onRecord.size,
      checkpointsMatched: matched,
      coveredSize,
      findings,
    };
    const at = clock().toISOString();
    if (!input.newHistory) {
      if (findings.length > 0) return { ...report, outcome: 'refused', sealed: 0 };
      if (seals.keyMissing) store = await input.replaceSealKey();
      const sealed = events > 0 ? await requireSeals(store).sealExisting(0, events - 1) : 0;
      for (const checkpoint of matching) checkpointStore.add(checkpoint);
      db.close();
      const replacedAuditFile = swapInto(building, input.auditFile, at);
      keep = true;
      const journaled = currentCheckpoints(signedEntries);
      const added = matching.filter((c) => !journaled.has(c.treeSize)).map(journalEntryOf);
      writeJournal(input.journal, signedEntries, journalNeedsRewrite, at, [
        ...added,
        signOperatorEntry(
          {
            kind: 'audit-recovered',
            after: placeAfter([...(journalNeedsRewrite ? signedEntries : journal.entries), ...added]),
            at,
            treeSize: events,
            checkpoints: matched,
            operator: input.operator,
            ...(input.reason ? { reason: input.reason } : {}),
          },
          input.signingKey,
          origin,
        ),
      ]);
      return {
        ...report,
        outcome: 'recovered',
        sealed,
        journalLinesDropped: dropped,
        ...(replacedAuditFile ? { replacedAuditFile } : {}),
      };
    }

    // A new history: the events as they stand, under a new seal key, signed afresh from their length on.
    store = await input.replaceSealKey();
    const sealed = events > 0 ? await requireSeals(store).sealExisting(0, events - 1) : 0;
    const rootHash = merkle.rootAt(events);
    const note = signCheckpoint({ origin, treeSize: events, rootHash }, input.signingKey, origin);
    const firstCheckpoint: StoredCheckpoint = { origin, treeSize: events, rootHash, note, createdAt: at };
    checkpointStore.add(firstCheckpoint);
    db.close();
    const replacedAuditFile = swapInto(building, input.auditFile, at);
    keep = true;
    writeJournal(input.journal, signedEntries, journalNeedsRewrite, at, [
      signOperatorEntry(
        {
          kind: 'history-restarted',
          after: placeAfter(journalNeedsRewrite ? signedEntries : journal.entries),
          at,
          treeSize: events,
          reason: input.newHistory.reason,
          previousCheckpoints: onRecord.size,
          operator: input.operator,
        },
        input.signingKey,
        origin,
      ),
      journalEntryOf(firstCheckpoint),
    ]);
    return {
      ...report,
      outcome: 'new-history',
      sealed,
      journalLinesDropped: dropped,
      firstCheckpoint,
      ...(replacedAuditFile ? { replacedAuditFile } : {}),
    };
  } finally {
    if (db.open) db.close();
    if (!keep) removeSqliteFiles(building);
  }
}

/** Appends the new entries, or, when the journal held lines nobody signed, writes it anew without them. */
function writeJournal(
  journal: CheckpointJournal,
  kept: readonly JournalEntry[],
  rewrite: boolean,
  at: string,
  added: readonly JournalEntry[],
): void {
  if (rewrite) journal.rewrite([...kept, ...added], at);
  else for (const entry of added) journal.append(entry);
}

function requireSeals(store: EventStore) {
  if (!store.seals.sealing) throw new Error('the event store does not seal its events');
  return store.seals;
}

/** The events' leaves, in order, into `merkle`; a gap or a repeat in the positions is a finding. */
async function rebuildTree(
  store: EventStore,
  merkle: MerkleLog,
  findings: string[],
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const total = (await store.headPosition()) + 1;
  let expected = 0;
  let leaves: Buffer[] = [];
  const flush = (): void => {
    merkle.appendLeafHashes(leaves);
    leaves = [];
  };
  for await (const page of store.readAllBatches(0)) {
    for (const event of page) {
      if (event.globalPosition !== expected) {
        findings.push(`the event store has a gap or a repeat at position ${expected}`);
        flush();
        return expected;
      }
      leaves.push(storedEventLeafHash(event));
      expected++;
    }
    if (leaves.length >= BATCH) flush();
    onProgress?.(expected, total);
  }
  flush();
  return expected;
}

async function sealFailures(
  store: EventStore,
  events: number,
): Promise<{ failures: SealFailure[]; keyMissing: boolean }> {
  const seals = requireSeals(store);
  if (seals.keyId === undefined) return { failures: [], keyMissing: true };
  if (events === 0) return { failures: [], keyMissing: false };
  const { failures } = await seals.check(0, events - 1, Number.MAX_SAFE_INTEGER);
  return { failures, keyMissing: false };
}

function readOldAudit(file: string): { origin: string | undefined; checkpoints: StoredCheckpoint[] } {
  if (!fs.existsSync(file)) return { origin: undefined, checkpoints: [] };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const checkpoints = new CheckpointStore(db);
    return { origin: checkpoints.meta('origin'), checkpoints: checkpoints.all() };
  } catch {
    // An unreadable file is as good as none: the journal is what counts.
    return { origin: undefined, checkpoints: [] };
  } finally {
    db?.close();
  }
}

function firstLine(note: string | undefined): string | undefined {
  if (note === undefined) return undefined;
  const end = note.indexOf('\n');
  return end < 0 ? note : note.slice(0, end);
}

/** Moves the old database aside (answering where) and the new one into its place. */
function swapInto(built: string, target: string, at: string): string | undefined {
  let aside: string | undefined;
  if (fs.existsSync(target)) {
    aside = `${target}.replaced-${at.replace(/[:.]/g, '-')}`;
    for (const suffix of SQLITE_SUFFIXES) {
      if (fs.existsSync(`${target}${suffix}`)) fs.renameSync(`${target}${suffix}`, `${aside}${suffix}`);
    }
  }
  for (const suffix of SQLITE_SUFFIXES) {
    if (fs.existsSync(`${built}${suffix}`)) fs.renameSync(`${built}${suffix}`, `${target}${suffix}`);
  }
  return aside;
}
