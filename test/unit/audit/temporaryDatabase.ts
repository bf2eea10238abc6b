/** A SQLite file in its own temporary directory, removed by `remove()`; the tests own their files. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TemporaryDatabase {
  path: string;
  open(): Database.Database;
  remove(): void;
}

export function temporaryDatabase(): TemporaryDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-audit-'));
  const path = join(dir, 'ledger.sqlite');
  return {
    path,
    open: () => new Database(path),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
