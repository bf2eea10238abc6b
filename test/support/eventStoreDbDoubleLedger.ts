/**
 * The real ledger over `LEDGER_EVENT_STORE=eventstoredb`, its EventStoreDB being the test double
 * (eventStoreDbDouble/): the same composition as `ledger serve` (ledgerApp.ts), with the double's connection string.
 *
 * The adapter (src/store/eventstoredb/) comes from its own branch; where it is not present, the suites that need it
 * are skipped under a name that says so (`describeOverEventStoreDb`), never passed without running.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  startEventStoreDbDouble,
  type EventStoreDbDouble,
  type EventStoreDbDoubleOptions,
} from './eventStoreDbDouble';
import { openLedgerApp, type LedgerApp } from './ledgerApp';

const root = path.resolve(__dirname, '../..');

/** Why the ledger cannot run over EventStoreDB on this branch, or undefined when it can. */
export const eventStoreDbAdapterMissing: string | undefined = fs.existsSync(
  path.join(root, 'src/store/eventstoredb'),
)
  ? undefined
  : 'src/store/eventstoredb/ (the EventStoreDB adapter, branch issue13-esdb-adapter) is not on this branch';

/** `describe`, or — without the adapter — one skipped test whose name gives the reason. */
export function describeOverEventStoreDb(name: string, body: () => void): void {
  if (eventStoreDbAdapterMissing === undefined) {
    describe(name, body);
    return;
  }
  describe(`${name} — SKIPPED: ${eventStoreDbAdapterMissing}`, () => {
    test.skip(`needs ${eventStoreDbAdapterMissing}`, () => {
      // Intentionally empty: skipped, and the skip is reported under this name.
    });
  });
}

/** The environment that points a ledger at an EventStoreDB (or its double). */
export function eventStoreDbEnv(connectionString: string): Record<string, string> {
  return { LEDGER_EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: connectionString };
}

export interface LedgerAppOverDouble extends LedgerApp {
  double: EventStoreDbDouble;
}

/** A fresh double and the ledger app over it; `close` ends both. */
export async function openLedgerAppOverDouble(
  options: EventStoreDbDoubleOptions & { env?: Record<string, string> } = {},
): Promise<LedgerAppOverDouble> {
  const double = await startEventStoreDbDouble(options);
  try {
    const app = await openLedgerApp({ ...eventStoreDbEnv(double.connectionString), ...options.env });
    return {
      ...app,
      double,
      close: async () => {
        await app.close();
        await double.close();
      },
    };
  } catch (error) {
    await double.close();
    throw error;
  }
}
