/**
 * Whether the audit trail still holds together, checked before the server signs anything: the two copies of the
 * signed checkpoint history (the audit database and the checkpoint journal), the Merkle tree, the event store's
 * length and its seal key must agree. Any disagreement means something changed behind the ledger's back (a file
 * deleted, restored from an old copy, or edited), and signing over it would start a new history silently; the
 * audit log refuses instead, until an operator runs `ledger audit recover` (docs/audit.md, "When the trail breaks").
 *
 * These checks are cheap (no event is read): the seals of the events themselves are checked by the audit log as it
 * starts and as it follows the store.
 */
import type { EventStore, SealFailure } from '../store/eventStore';
import type { StoredCheckpoint } from './checkpointStore';
import {
  currentCheckpoints,
  unsoundOperatorEntries,
  type JournalReading,
  type JournaledCheckpoint,
  type OperatorEntry,
} from './checkpointJournal';
import type { Checkpoint } from './signedNote';

export type TrailCause =
  /** The journal holds checkpoints and the audit database none: it was deleted or replaced. */
  | 'audit-missing'
  /** The audit database lacks checkpoints the journal holds: restored from an older copy, or rows deleted. */
  | 'audit-behind'
  /** Neither copy of the history exists, yet the store holds events. */
  | 'trail-missing'
  /** The two copies disagree on the checkpoint of one tree size. */
  | 'checkpoint-conflict'
  /** A checkpoint either copy holds is not signed by the log's key. */
  | 'checkpoint-signature'
  /** The journal has lines that are not journal entries, or operator entries the log's key did not sign. */
  | 'journal-corrupt'
  /** The checkpoint journal is missing: deleted, or a ledger from before it (then `ledger audit recover`). */
  | 'journal-missing'
  /** The store holds fewer events than the tree or a signed checkpoint covers: events were removed from its end. */
  | 'store-truncated'
  /** The stored tree disagrees with the newest checkpoint it should contain. */
  | 'stored-tree'
  /** The store holds events but the key that seals them is missing. */
  | 'seal-key-missing'
  /** An event carries no seal: it did not come through the ledger's write path. */
  | 'event-unsealed'
  /** An event's seal does not match it: it was altered after it was written. */
  | 'event-seal-mismatch'
  /** A file of the trail could not be read at all (replaced by a directory, a device, unreadable). */
  | 'trail-unreadable'
  /** The store skips a position: a row removed, or one put beyond the end by hand. */
  | 'store-gap';

export interface TrailProblem {
  cause: TrailCause;
  detail: string;
  position?: number;
}

export interface TrailState {
  /** The journal as read; absent when the audit log keeps none (then only the database is judged). */
  journal?: JournalReading;
  /** The audit database's checkpoints, oldest first. */
  stored: readonly StoredCheckpoint[];
  /** Leaves in the stored tree. */
  treeSize: number;
  /** The stored tree's root at a size (throws when the tree cannot give it). */
  storedRootAt(size: number): Buffer;
  /** Events in the store (head position + 1). */
  storeEvents: number;
  /** 'not-sealing': the store seals nothing (tests of other parts); production stores always seal. */
  sealKey: 'present' | 'missing' | 'not-sealing';
  /** The checkpoint a note signs, when its signature is the log's; null otherwise. */
  openNote(note: string): Checkpoint | null;
  /** Whether an operator's journal entry carries the log's signature. */
  operatorEntryVerifies(entry: OperatorEntry): boolean;
}

export interface TrailComparison {
  problems: TrailProblem[];
  /** Checkpoints the audit database holds and the journal lacks, signatures checked: to be journaled. */
  toJournal: StoredCheckpoint[];
  /** The journal file is missing and will be recreated from the audit database. */
  journalMissing: boolean;
}

const count = (n: number, what: string, plural = `${what}s`): string =>
  `${n.toLocaleString('en')} ${n === 1 ? what : plural}`;

function signedAs(
  openNote: TrailState['openNote'],
  c: { treeSize: number; note: string; rootHash: string },
): boolean {
  const opened = openNote(c.note);
  return (
    opened !== null && opened.treeSize === c.treeSize && opened.rootHash.toString('base64') === c.rootHash
  );
}

export function compareTrail(state: TrailState): TrailComparison {
  const problems: TrailProblem[] = [];
  const { stored } = state;
  const journal = state.journal ?? {
    exists: true,
    entries: [],
    unreadableLines: [],
    tornTailBytes: 0,
    tornTail: '',
  };
  const keepsJournal = state.journal !== undefined;
  if (journal.unreadableLines.length > 0) {
    problems.push({
      cause: 'journal-corrupt',
      detail: `line ${journal.unreadableLines.slice(0, 5).join(', ')}${journal.unreadableLines.length > 5 ? ' …' : ''} of the checkpoint journal is not a journal entry: the file was edited`,
    });
  }
  const forged = unsoundOperatorEntries(journal.entries, state.operatorEntryVerifies);
  if (forged.length > 0) {
    problems.push({
      cause: 'journal-corrupt',
      detail: `the checkpoint journal holds ${count(forged.length, 'operator entry', 'operator entries')} (${forged[0]?.kind}) not signed by the log's key, or not where it was written: the file was edited`,
    });
  }
  const journaled = currentCheckpoints(journal.entries);
  if (journal.tornTailBytes > 0) {
    // The database is written before the journal, so an append a crash cut short is of a checkpoint it holds.
    const size = /"treeSize":(\d+)/.exec(journal.tornTail)?.[1];
    if (size === undefined || !stored.some((c) => c.treeSize === Number(size))) {
      problems.push({
        cause: 'journal-corrupt',
        detail:
          "the checkpoint journal's last line is cut short, and the audit database does not hold the checkpoint it was writing: the file was cut",
      });
    }
  }
  conflictsWithinJournal(journal, journaled, problems);
  const storedBySize = new Map(stored.map((c) => [c.treeSize, c]));

  const onlyInJournal: JournaledCheckpoint[] = [];
  for (const entry of journaled.values()) {
    const mine = storedBySize.get(entry.treeSize);
    if (mine && mine.note === entry.note) continue;
    if (!signedAs(state.openNote, entry)) {
      problems.push({
        cause: 'journal-corrupt',
        detail: `the checkpoint journal's entry for tree size ${entry.treeSize} is not signed by the log's key`,
      });
    } else if (mine) {
      problems.push({
        cause: 'checkpoint-conflict',
        detail: `the audit database and the checkpoint journal hold different signed checkpoints of tree size ${entry.treeSize}`,
      });
    } else onlyInJournal.push(entry);
  }
  if (onlyInJournal.length > 0) {
    const newest = onlyInJournal.reduce((max, c) => Math.max(max, c.treeSize), 0);
    problems.push(
      stored.length === 0
        ? {
            cause: 'audit-missing',
            detail: `the audit database holds no signed checkpoint, but the checkpoint journal holds ${count(onlyInJournal.length, 'checkpoint')} (the newest of tree size ${newest.toLocaleString('en')}): the audit database was deleted or replaced`,
          }
        : {
            cause: 'audit-behind',
            detail: `the audit database lacks ${count(onlyInJournal.length, 'signed checkpoint')} the checkpoint journal holds (the newest of tree size ${newest.toLocaleString('en')}): it was restored from an older copy or altered`,
          },
    );
  }

  const toJournal: StoredCheckpoint[] = [];
  for (const checkpoint of keepsJournal ? stored : []) {
    if (journaled.has(checkpoint.treeSize)) continue;
    const asJournaled = { ...checkpoint, rootHash: checkpoint.rootHash.toString('base64') };
    if (signedAs(state.openNote, asJournaled)) toJournal.push(checkpoint);
    else {
      problems.push({
        cause: 'checkpoint-signature',
        detail: `the audit database's checkpoint of tree size ${checkpoint.treeSize} is not signed by the log's key`,
      });
    }
  }
  if (keepsJournal && !journal.exists) {
    // A ledger gets its journal with its first file, so a missing one was removed (or the ledger is older than it).
    problems.push(
      stored.length === 0 && state.storeEvents > 0
        ? {
            cause: 'trail-missing',
            detail: `neither the audit database nor the checkpoint journal holds a signed history, but the event store holds ${count(state.storeEvents, 'event')}: whatever was signed before is known only to those who hold its checkpoints`,
          }
        : {
            cause: 'journal-missing',
            detail:
              stored.length > 0
                ? `the checkpoint journal is missing, while the audit database holds ${count(stored.length, 'checkpoint')}: it was deleted (or the ledger is older than the journal)`
                : 'the checkpoint journal is missing though the ledger has a seal key: its event store, audit database and journal were removed',
          },
    );
  }

  // A reduce, not Math.max(...): a long-lived ledger has more checkpoints than a call takes arguments.
  let signedSize = 0;
  for (const size of journaled.keys()) signedSize = Math.max(signedSize, size);
  for (const size of storedBySize.keys()) signedSize = Math.max(signedSize, size);
  const covered = Math.max(signedSize, state.treeSize);
  if (state.storeEvents < covered) {
    problems.push({
      cause: 'store-truncated',
      position: state.storeEvents,
      detail: `${signedSize >= state.treeSize ? `a signed checkpoint covers ${count(signedSize, 'event')}` : `the Merkle tree holds ${count(state.treeSize, 'leaf')}`} but the event store holds only ${state.storeEvents.toLocaleString('en')}: events were removed from its end, from position ${state.storeEvents} on`,
    });
  }
  storedTreeAgrees(state, problems);
  if (state.sealKey === 'missing' && state.storeEvents > 0) {
    problems.push({
      cause: 'seal-key-missing',
      detail: `the event seal key is missing, so none of the ${count(state.storeEvents, 'stored event')} can be authenticated`,
    });
  }
  return {
    problems,
    toJournal: journal.exists ? toJournal : [],
    journalMissing: keepsJournal && !journal.exists,
  };
}

/** Two journal entries of one tree size with different notes: the log's key signed two histories. */
function conflictsWithinJournal(
  journal: JournalReading,
  first: Map<number, JournaledCheckpoint>,
  problems: TrailProblem[],
): void {
  let restarted = false;
  for (const entry of [...journal.entries].reverse()) {
    if (entry.kind === 'history-restarted') restarted = true;
    if (restarted || entry.kind !== 'checkpoint') continue;
    const kept = first.get(entry.treeSize);
    if (kept && kept.note !== entry.note) {
      problems.push({
        cause: 'checkpoint-conflict',
        detail: `the checkpoint journal holds two different checkpoints of tree size ${entry.treeSize}`,
      });
      return;
    }
  }
}

/** The stored tree must hold the newest stored checkpoint's size, with that checkpoint's root. */
function storedTreeAgrees(state: TrailState, problems: TrailProblem[]): void {
  const newest = state.stored[state.stored.length - 1];
  if (!newest) return;
  if (state.treeSize < newest.treeSize) {
    problems.push({
      cause: 'stored-tree',
      detail: `the stored Merkle tree holds ${count(state.treeSize, 'leaf')}, fewer than the newest checkpoint's ${newest.treeSize.toLocaleString('en')}`,
    });
    return;
  }
  let root: Buffer | undefined;
  try {
    root = state.storedRootAt(newest.treeSize);
  } catch {
    root = undefined;
  }
  if (!root?.equals(newest.rootHash)) {
    problems.push({
      cause: 'stored-tree',
      detail: `the stored Merkle tree's root at size ${newest.treeSize.toLocaleString('en')} is not the newest checkpoint's signed root`,
    });
  }
}

/** Seal failures as trail problems, each naming its position. */
export function sealProblems(failures: readonly SealFailure[]): TrailProblem[] {
  return failures.map(({ position, kind }) =>
    kind === 'gap'
      ? {
          cause: 'store-gap' as const,
          position,
          detail: `the event store has no event at position ${position} though later ones follow: a row was removed, or one put beyond the end by hand`,
        }
      : position < 0
        ? {
            cause: 'event-unsealed' as const,
            position,
            detail: `a row at position ${position}, below the start of the log, was put into the database file by hand: no event belongs there`,
          }
        : kind === 'unsealed'
          ? {
              cause: 'event-unsealed' as const,
              position,
              detail: `the event at position ${position} carries no seal: it did not come through the ledger's write path (inserted directly into the database file)`,
            }
          : {
              cause: 'event-seal-mismatch' as const,
              position,
              detail: `the event at position ${position} does not match its seal: it was altered after it was written`,
            },
  );
}

/**
 * Every stored event's seal up to `head`, as problems (the first `limit` named, then one for the rest), and how many
 * were checked: what verify and `ledger audit status` report. Nothing is checked without a key (that is a problem of
 * its own, `seal-key-missing`, which compareTrail names).
 */
export async function storedSealProblems(
  store: EventStore,
  head: number,
  limit: number,
): Promise<{ problems: TrailProblem[]; checked: number }> {
  if (store.seals.keyId === undefined || head < 0) return { problems: [], checked: 0 };
  const { checked, failures, failureCount } = await store.seals.check(0, head, limit);
  const problems = sealProblems(failures);
  if (failureCount > failures.length) {
    problems.push({
      cause: 'event-unsealed',
      detail: `… and ${failureCount - failures.length} more events whose seal does not authenticate them`,
    });
  }
  return { problems, checked };
}
