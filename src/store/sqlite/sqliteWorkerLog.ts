/**
 * The SQLite log as a worker thread reads it (store/workerLog.ts): its own read-only connection to the same file,
 * so several threads read their ranges at once beside the server's connection (WAL allows it).
 */
import Database from 'better-sqlite3';
import type { WorkerLogReader } from '../eventStore';
import { rowToEvent } from './eventRows';
import { EVENT_COLUMNS, type EventRow } from './schema';

export function openSqliteWorkerLog(file: string): WorkerLogReader {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const range = db.prepare<[number, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE global_position >= ? AND global_position < ? ORDER BY global_position`,
  );
  return {
    readRange: (fromPosition, toPosition) => range.all(fromPosition, toPosition).map(rowToEvent),
    close: () => db.close(),
  };
}
