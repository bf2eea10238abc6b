/**
 * One process at a time may run the ledger's long-lived writers on a data directory: a server, or an operator
 * command that rebuilds what a server would be using (views, the audit database). The lock is an exclusive SQLite
 * lock on `ledger.lock`, held for the life of the connection; the operating system drops it when the process dies,
 * even by `kill -9`, so a crash never leaves the directory locked.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensureDataDir, ensurePrivateFile } from './dataDir';

export const LOCK_FILE = 'ledger.lock';
const OWNER_FILE = 'ledger.lock.owner';

/** Another process holds the data directory. */
export class LedgerBusyError extends Error {
  override name = 'LedgerBusyError';
  constructor(
    readonly dataDir: string,
    /** What the holder wrote about itself ("ledger serve, pid 123, since …"), when it could be read. */
    readonly holder: string | undefined,
  ) {
    super(`another ledger process is using ${dataDir}${holder ? ` (${holder})` : ''}`);
  }
}

export class LedgerLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly ownerFile: string,
  ) {}

  /** Takes the lock for `purpose` (e.g. "ledger serve"), or throws LedgerBusyError at once. */
  static acquire(dataDir: string, purpose: string): LedgerLock {
    ensureDataDir(dataDir);
    const file = path.join(dataDir, LOCK_FILE);
    const ownerFile = path.join(dataDir, OWNER_FILE);
    ensurePrivateFile(file);
    // A lock file removed while its holder runs would let a second process take a new one: the owner file's pid says
    // whether the last holder is still alive.
    const owner = readOwner(ownerFile);
    const pid = Number(/pid (\d+)/.exec(owner ?? '')?.[1]);
    if (pid && pid !== process.pid && isAlive(pid)) throw new LedgerBusyError(dataDir, owner);
    const db = new Database(file, { timeout: 0 });
    try {
      // The rollback journal in memory: no ledger.lock-journal file beside it.
      db.pragma('journal_mode = MEMORY');
      db.pragma('locking_mode = EXCLUSIVE');
      // A write under EXCLUSIVE locking mode keeps the exclusive lock until the connection closes.
      db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock (held INTEGER); COMMIT;');
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') {
        throw new LedgerBusyError(dataDir, readOwner(ownerFile));
      }
      throw error;
    }
    fs.writeFileSync(ownerFile, `${purpose}, pid ${process.pid}, since ${new Date().toISOString()}\n`, {
      mode: 0o600,
    });
    return new LedgerLock(db, ownerFile);
  }

  release(): void {
    if (!this.db.open) return;
    // Only our own note: another process may have written its own meanwhile (if ours was removed by hand).
    if (new RegExp(`pid ${process.pid},`).test(readOwner(this.ownerFile) ?? '')) {
      fs.rmSync(this.ownerFile, { force: true });
    }
    this.db.close();
  }
}

function readOwner(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
