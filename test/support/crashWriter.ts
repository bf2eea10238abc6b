/**
 * A writer process for the crash drill: 64 concurrent appenders through the store port. Each prints
 * "start <eventId>" before it hands an event to the store and "ack <eventId> <position>" only after the store has
 * acknowledged the append, so the drill knows what was in flight when it killed the process with SIGKILL. (Writes to
 * a pipe are synchronous on Linux: a line is out of the process before the next statement runs.)
 */
import { v7 as uuidv7 } from 'uuid';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';

const file = process.argv[2];
if (!file) throw new Error('usage: crashWriter <db-file>');
const store = new SqliteEventStore({ file });
let seq = 0;

async function appender(worker: number): Promise<void> {
  for (;;) {
    const eventId = uuidv7();
    const n = seq++;
    process.stdout.write(`start ${eventId}\n`);
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
    process.stdout.write(`ack ${eventId} ${result.positions[0]}\n`);
  }
}

for (let w = 0; w < 64; w++) void appender(w);
