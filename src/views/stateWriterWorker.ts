/**
 * A worker thread that writes a rebuild's states into the read model (see stateWriter.ts): the thread that folds
 * the views serialises each state in parts and hands them over; this one does the SQLite inserts, on the second
 * core. Everything it writes belongs to the rebuild's new generation, invisible to readers until the swap.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { INSERT_SNAPSHOT_PART, INSERT_STATE_PART } from './readModelDb';

export type StateWriterMessage =
  | {
      kind: 'snapshotPart';
      name: string;
      generation: number;
      version: number;
      position: number;
      seq: number;
      part: string;
    }
  | { kind: 'statePart'; name: string; generation: number; seq: number; part: string }
  | { kind: 'flush'; id: number };

export type StateWriterReply = { kind: 'flushed'; id: number } | { kind: 'failed'; message: string };

export interface StateWriterData {
  file: string;
}

function serve(): void {
  const port = parentPort;
  if (port === null) throw new Error('stateWriterWorker must run as a worker thread');
  const { file } = workerData as StateWriterData;
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  const snapshotPart = db.prepare(INSERT_SNAPSHOT_PART);
  const statePart = db.prepare(INSERT_STATE_PART);
  let failed = false;
  port.on('message', (message: StateWriterMessage) => {
    if (failed) return;
    try {
      if (message.kind === 'snapshotPart') {
        const { name, generation, version, position, seq, part } = message;
        snapshotPart.run(name, generation, version, position, seq, part);
      } else if (message.kind === 'statePart') {
        statePart.run(message.name, message.generation, message.seq, message.part);
      } else {
        port.postMessage({ kind: 'flushed', id: message.id } satisfies StateWriterReply);
      }
    } catch (error) {
      failed = true;
      port.postMessage({ kind: 'failed', message: (error as Error).message } satisfies StateWriterReply);
    }
  });
}

serve();
