/**
 * Opens, on a worker thread, the log a store described (EventStore.workerLog): the one place that maps a
 * description to its adapter's reader, so code that runs on workers (audit/leafHashWorker.ts) knows only the port.
 */
import type { WorkerLogDescription, WorkerLogReader } from './eventStore';
import { openSqliteWorkerLog } from './sqlite/sqliteWorkerLog';

export function openWorkerLog(description: WorkerLogDescription): WorkerLogReader {
  switch (description.adapter) {
    case 'sqlite':
      return openSqliteWorkerLog(description.file);
  }
}
