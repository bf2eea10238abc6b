/**
 * The checkpoint journal: a second, append-only copy of the signed checkpoint history, in its own file
 * (`checkpoint-journal.ndjson`, or LEDGER_CHECKPOINT_JOURNAL_FILE — ideally on another volume). The audit database
 * holds the tree and the checkpoints; if it is deleted, or restored from an old backup, the journal still says which
 * signed history the ledger had, so the server refuses to sign a new one over it (trailIntegrity.ts).
 *
 * One JSON object per line, fsynced on every append. Operator actions on the history are journaled too, so that a
 * restarted history is on record for good. A line cut short by a crash is the tail of an append that never
 * completed: it is set aside (truncated) before the next append, never in the middle of the file.
 */
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson } from './canonicalJson';
import { openNote, signNote } from './signedNote';

export type JournalEntry =
  | {
      kind: 'checkpoint';
      treeSize: number;
      /** Base64 of the signed root. */
      rootHash: string;
      /** The signed note, as issued. */
      note: string;
      createdAt: string;
    }
  | {
      /** An operator started a new signed history (`ledger audit recover --new-history`): what preceded it stays. */
      kind: 'history-restarted';
      at: string;
      treeSize: number;
      reason: string;
      previousCheckpoints: number;
      /** Who ran it: the operating-system user and host. */
      operator?: string;
      /** The checkpoint the journal held last when it was written (null: none): binds the entry to its place. */
      after?: JournalPlace;
      /** A signed note over the entry (operatorEntryText), by the log's key: see signOperatorEntry. */
      signature?: string;
    }
  | {
      /** An operator rebuilt the audit database, and the rebuilt tree matched every journaled checkpoint. */
      kind: 'audit-recovered';
      at: string;
      treeSize: number;
      checkpoints: number;
      operator?: string;
      reason?: string;
      after?: JournalPlace;
      signature?: string;
    };

/** Where in the history an operator's entry was written: after the checkpoint of this size and root. */
export type JournalPlace = { treeSize: number; rootHash: string } | null;

export type JournaledCheckpoint = Extract<JournalEntry, { kind: 'checkpoint' }>;
export type OperatorEntry = Exclude<JournalEntry, { kind: 'checkpoint' }>;

/**
 * An operator's entry is signed by the log's key, as checkpoints are: one that is not would let anyone who can write
 * the journal declare the signed history restarted and so void every checkpoint before it.
 */
function operatorEntryText(entry: OperatorEntry): string {
  const { signature: _signature, ...signed } = entry;
  return `participation-ledger journal entry v1\n${canonicalJson(signed)}\n`;
}

export function signOperatorEntry<E extends OperatorEntry>(
  entry: E,
  signingKey: KeyObject,
  origin: string,
): E {
  return { ...entry, signature: signNote(operatorEntryText(entry), signingKey, origin) };
}

export function operatorEntryVerifies(entry: OperatorEntry, publicKey: Uint8Array, origin: string): boolean {
  return (
    entry.signature !== undefined && openNote(entry.signature, publicKey, origin) === operatorEntryText(entry)
  );
}

/** The place a new entry appended after `entries` takes: the last checkpoint among them. */
export function placeAfter(entries: readonly JournalEntry[]): JournalPlace {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry?.kind === 'checkpoint') return { treeSize: entry.treeSize, rootHash: entry.rootHash };
  }
  return null;
}

/**
 * The operator entries that do not hold: not signed by the log's key, or not where they were written (a genuine
 * "history restarted" copied further down would otherwise void every checkpoint before its new place).
 */
export function unsoundOperatorEntries(
  entries: readonly JournalEntry[],
  verifies: (entry: OperatorEntry) => boolean,
): OperatorEntry[] {
  const unsound: OperatorEntry[] = [];
  entries.forEach((entry, i) => {
    if (entry.kind === 'checkpoint') return;
    const place = placeAfter(entries.slice(0, i));
    const at = entry.after ?? null;
    const inPlace =
      (place === null && at === null) ||
      (place !== null && at !== null && place.treeSize === at.treeSize && place.rootHash === at.rootHash);
    if (!inPlace || !verifies(entry)) unsound.push(entry);
  });
  return unsound;
}

export interface JournalReading {
  /** False when the file does not exist. */
  exists: boolean;
  entries: JournalEntry[];
  /** Lines that are not journal entries (1-based line numbers), a sign of tampering. */
  unreadableLines: number[];
  /** Bytes after the last newline: an append a crash cut short. */
  tornTailBytes: number;
  /** Those bytes, as text. */
  tornTail: string;
}

function isEntry(value: unknown): value is JournalEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const whole = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;
  switch (v.kind) {
    case 'checkpoint':
      return (
        whole(v.treeSize) &&
        typeof v.rootHash === 'string' &&
        typeof v.note === 'string' &&
        typeof v.createdAt === 'string'
      );
    case 'history-restarted':
      return typeof v.at === 'string' && whole(v.treeSize) && typeof v.reason === 'string';
    case 'audit-recovered':
      return typeof v.at === 'string' && whole(v.treeSize) && whole(v.checkpoints);
    default:
      return false;
  }
}

export class CheckpointJournal {
  constructor(readonly file: string) {}

  exists(): boolean {
    return fs.existsSync(this.file);
  }

  /** Creates the journal, empty, unless it exists: a new ledger starts with one. */
  create(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw error;
    }
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  read(): JournalReading {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { exists: false, entries: [], unreadableLines: [], tornTailBytes: 0, tornTail: '' };
      }
      throw error;
    }
    const end = text.lastIndexOf('\n') + 1;
    const entries: JournalEntry[] = [];
    const unreadableLines: number[] = [];
    const lines = text.slice(0, end).split('\n');
    lines.pop(); // after the last newline
    lines.forEach((line, i) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      if (isEntry(value)) entries.push(value);
      else unreadableLines.push(i + 1);
    });
    const tornTail = text.slice(end);
    return { exists: true, entries, unreadableLines, tornTailBytes: Buffer.byteLength(tornTail), tornTail };
  }

  /** Appends one entry and fsyncs it; a torn tail left by a crash is cut off first. Creates the file if needed. */
  append(entry: JournalEntry): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const fd = fs.openSync(
      this.file,
      fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND,
      0o600,
    );
    try {
      const size = fs.fstatSync(fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) fs.ftruncateSync(fd, this.lastNewlineEnd(fd, size));
      }
      fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Replaces the journal with `entries` (an operator's recovery drops lines that are not entries): written beside it,
   * fsynced, then renamed over it; the old file is kept as `<file>.replaced-<time>`.
   */
  rewrite(entries: readonly JournalEntry[], at: string): string | undefined {
    const fresh = `${this.file}.rewriting`;
    fs.writeFileSync(fresh, entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
    const fd = fs.openSync(fresh, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    let aside: string | undefined;
    if (fs.existsSync(this.file)) {
      aside = `${this.file}.replaced-${at.replace(/[:.]/g, '-')}`;
      fs.renameSync(this.file, aside);
    }
    fs.renameSync(fresh, this.file);
    return aside;
  }

  /** The offset just after the last newline in the first `size` bytes (0 when there is none). */
  private lastNewlineEnd(fd: number, size: number): number {
    const chunk = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - chunk.length);
      const n = fs.readSync(fd, chunk, 0, end - start, start);
      const at = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (at >= 0) return start + at + 1;
      end = start;
    }
    return 0;
  }
}

/** The checkpoints of the current history: those after the last restart, by tree size (the first of a size wins). */
export function currentCheckpoints(entries: readonly JournalEntry[]): Map<number, JournaledCheckpoint> {
  let restartAt = -1;
  entries.forEach((entry, i) => {
    if (entry.kind === 'history-restarted') restartAt = i;
  });
  const checkpoints = new Map<number, JournaledCheckpoint>();
  for (const entry of entries.slice(restartAt + 1)) {
    if (entry.kind === 'checkpoint' && !checkpoints.has(entry.treeSize))
      checkpoints.set(entry.treeSize, entry);
  }
  return checkpoints;
}
