/**
 * The EventStoreDB adapter's append rate through the store port, against the gRPC test double of the Streams service
 * (test/support/eventStoreDbDouble) — not a server: the double keeps its log in memory and fsyncs nothing, so these
 * figures say what the adapter costs (its catch-up reads, sealing, the index), not what EventStoreDB sustains. The
 * baseline is the plain client appending the same events to the same double in the same run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { v7 as uuidv7 } from 'uuid';
import { SealKey } from '../src/store/eventSeal';
import { EventStoreDbEventStore } from '../src/store/eventstoredb/eventStoreDbEventStore';
import { startEventStoreDbDouble } from '../test/support/eventStoreDbDouble';
import { appendConcurrently } from './append';
import { report } from './report';

const CALLERS = 64;

async function throughPort(total: number, dir: string): Promise<{ rate: number; sealRate: number }> {
  const double = await startEventStoreDbDouble();
  const store = new EventStoreDbEventStore({
    connectionString: double.connectionString,
    indexFile: path.join(dir, `index-${uuidv7()}.sqlite`),
    seal: { key: SealKey.generate(), keyFile: 'unused' },
  });
  try {
    await store.opened();
    const started = process.hrtime.bigint();
    await appendConcurrently(store, total, CALLERS);
    const rate = total / (Number(process.hrtime.bigint() - started) / 1e9);
    const checkStarted = process.hrtime.bigint();
    const { checked, failureCount } = await store.seals.check(0, total - 1);
    if (failureCount > 0) throw new Error(`${failureCount} seals did not check out`);
    const sealRate = checked / (Number(process.hrtime.bigint() - checkStarted) / 1e9);
    return { rate, sealRate };
  } finally {
    await store.close();
    await double.close();
  }
}

async function plainClient(total: number): Promise<number> {
  const double = await startEventStoreDbDouble();
  const client = EventStoreDBClient.connectionString(double.connectionString);
  try {
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        for (;;) {
          const i = next++;
          if (i >= total) return;
          await client.appendToStream(
            `proposal-${i % 5000}`,
            jsonEvent({ id: uuidv7(), type: 'ProposalSupported', data: { personId: uuidv7(), n: i } }),
          );
        }
      }),
    );
    return total / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await client.dispose();
    await double.close();
  }
}

export async function benchEventStoreDb(args: { events?: number }): Promise<void> {
  const total = args.events ?? 3_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-esdb-'));
  try {
    const plain1 = await plainClient(total);
    const port1 = await throughPort(total, dir);
    const plain2 = await plainClient(total);
    const port2 = await throughPort(total, dir);
    const plain = Math.max(plain1, plain2);
    const port = Math.max(port1.rate, port2.rate);
    report({
      name: 'eventstoredb',
      command: `npm run bench -- eventstoredb --events ${total}`,
      rows: [
        {
          what: `store port on the gRPC test double (NOT a server), ${CALLERS} concurrent single-event appends, sealed`,
          value: port,
          unit: 'events/s',
          note: `runs ${Math.round(port1.rate)} / ${Math.round(port2.rate)}`,
        },
        {
          what: 'plain @eventstore/db-client appends to the same double (baseline)',
          value: plain,
          unit: 'events/s',
          note: `runs ${Math.round(plain1)} / ${Math.round(plain2)}`,
        },
        { what: 'ratio port / plain client', value: port / plain, unit: '×' },
        {
          what: 'checking every seal through the index and $all reads',
          value: Math.max(port1.sealRate, port2.sealRate),
          unit: 'events/s',
          note: `${total} events`,
        },
      ],
      // No target: QUALITY.md sets none for this adapter, and the double is not the server a target would be about.
      checks: [],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
