/**
 * A writer process for the crash drill: 64 concurrent appenders through the store port. Each prints
 * "start <eventId>" before it hands an event to the store and "ack <eventId> <position>" only after the store has
 * acknowledged the append, so the drill knows what was in flight when it killed the process with SIGKILL. Each line is
 * written with a blocking write before the next statement runs: process.stdout writes to a pipe only as long as the
 * pipe has room, and queues the line in memory once the drill reads slowly (a loaded machine), where a SIGKILL loses
 * it — an event then landed that the drill never heard was started.
 */
import fs from 'node:fs';
import { v7 as uuidv7 } from 'uuid';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';

const file = process.argv[2];
if (!file) throw new Error('usage: crashWriter <db-file>');
const store = new SqliteEventStore({ file });
let seq = 0;

/** Writes the whole line to fd 1 before returning, waiting (spinning) while the pipe is full. */
function say(line: string): void {
  const bytes = Buffer.from(line);
  let written = 0;
  while (written < bytes.length) {
    try {
      written += fs.writeSync(1, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

async function appender(worker: number): Promise<void> {
  for (;;) {
    const eventId = uuidv7();
    const n = seq++;
    say(`start ${eventId}\n`);
    const result = await store.append(`drill-${worker % 16}`, [
      {
        eventId,
        type: 'DrillEvent',
        schemaVersion: 1,
        occurredAt: '2021-01-01',
        actor: { principal: 'drill', role: 'admin' },
        correlationId: eventId,
        causationId: null,
        data: { worker, n, text: 'æøå'.repeat(20) },
      },
    ]);
    say(`ack ${eventId} ${result.positions[0]}\n`);
  }
}

for (let w = 0; w < 64; w++) void appender(w);
