/**
 * A writer process for the crash drill: 64 concurrent appenders through the store port, printing
 * "ack <eventId> <position>" only after the store has acknowledged the append. The drill kills it with SIGKILL.
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
