/**
 * The data directory holds the record, its keys and its secrets, so only the server's user may read it (QUALITY.md
 * S6): the directory is 0700 and every file in it 0600. Files are created with those modes (SQLite gives its -wal
 * and -shm files the mode of the database file), and at every start the modes are checked and anything an operator
 * loosened is named in a warning.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger';

/** Creates the directory (0700) when it is missing; an existing one keeps its mode, which `looseModes` reports. */
export function ensureDataDir(dir: string): void {
  if (fs.existsSync(dir)) return;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700); // mkdir's mode passes through the umask
}

/** Creates `file` empty with mode 0600 unless it exists, so that whatever opens it next keeps that mode. */
export function ensurePrivateFile(file: string): void {
  try {
    fs.closeSync(
      fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Removes a SQLite database together with its write-ahead log and shared-memory files. */
export function removeSqliteFiles(file: string): void {
  for (const suffix of SQLITE_SUFFIXES) fs.rmSync(`${file}${suffix}`, { force: true });
}

/** A SQLite database's own file and the two WAL mode keeps beside it. */
export const SQLITE_SUFFIXES = ['', '-wal', '-shm'] as const;

/** The directory and the files in it (and `extraFiles`, kept elsewhere) that group or others may read. */
export function looseModes(dir: string, extraFiles: readonly string[] = []): string[] {
  const loose: string[] = [];
  const check = (file: string, allowed: number): void => {
    try {
      const stat = fs.statSync(file);
      if ((stat.isFile() || stat.isDirectory()) && (stat.mode & 0o077 & ~allowed) !== 0) {
        loose.push(`${file} (${(stat.mode & 0o777).toString(8).padStart(4, '0')})`);
      }
    } catch {
      // a file that is not there is not loose
    }
  };
  check(dir, 0);
  const files = new Set<string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    // A link is judged by what it points to: that is what gets read.
    if (entry.isFile() || entry.isSymbolicLink()) files.add(path.join(dir, entry.name));
  }
  for (const file of extraFiles) files.add(path.resolve(file));
  for (const file of files) check(file, 0);
  return loose;
}

/** Logs a warning naming each loosened file (and how to tighten them); answers how many there were. */
export function warnAboutLooseModes(dir: string, logger: Logger, extraFiles: readonly string[] = []): number {
  const loose = looseModes(dir, extraFiles);
  if (loose.length > 0) {
    logger.warn(
      { files: loose },
      `files of the ledger are readable by other users: chmod 700 ${dir} && chmod 600 ${dir}/*`,
    );
  }
  return loose.length;
}

/**
 * Writes a secret to a new file, readable by its owner only, synced before it returns: O_EXCL, so an existing file
 * (another process's key) is never overwritten — that fails with EEXIST, for the caller to handle.
 */
export function writeNewPrivateFile(file: string, text: string): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Syncs a folder's entries: a newly created file survives a power cut only once its name is on disk too. */
export function syncFolder(folder: string): void {
  const fd = fs.openSync(folder, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
