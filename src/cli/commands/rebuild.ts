/** `ledger rebuild [view]`: rebuilds the views from the event log, with a progress bar and events/s. */
import { loadConfig, type Config } from '../../config';
import { LedgerBusyError, LedgerLock } from '../../ledgerLock';
import { openLedger } from '../../ledger';
import { createLogger } from '../../logger';
import type { EventSeals } from '../../store/eventStore';
import type { ParsedArgs } from '../args';
import { progress } from '../progress';

export const rebuildCommand = {
  summary: 'rebuild the views (all, or one) from the event log',
  usage: `ledger rebuild [VIEW]

Rebuilds the read model in LEDGER_DATA_DIR from the event log, in one pass: every view, or only VIEW
(proposalStatus, influence, participation, committee, traceIndex, votes, directory). Each view is built into a
fresh copy and swapped in atomically. It runs only while no server uses the data directory (it refuses otherwise); on a
running server use POST /api/v1/admin/projections/:name/rebuild instead.

It first checks every event's seal, as a starting server does: views built from events that did not come through
the ledger's own write path would present them as the record, so it refuses and names them (see \`ledger audit
status\` and \`ledger audit recover\`).

Exit code: 0 done, 1 a server is using the data directory or the log does not authenticate, 2 unknown view or bad
configuration.`,

  options: [],
  async run(args: ParsedArgs): Promise<number> {
    const config = loadConfig();
    let lock: LedgerLock;
    try {
      lock = LedgerLock.acquire(config.dataDir, 'ledger rebuild');
    } catch (error) {
      if (!(error instanceof LedgerBusyError)) throw error;
      process.stderr.write(
        `ledger rebuild: ${error.message}. Stop it first, or rebuild through it: POST /api/v1/admin/projections/:name/rebuild\n`,
      );
      return 1;
    }
    try {
      return await rebuild(args, config);
    } finally {
      lock.release();
    }
  },
};

async function rebuild(args: ParsedArgs, config: Config): Promise<number> {
  const ledger = openLedger(
    config,
    createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr),
  );
  try {
    const requested = args.positionals[0];
    if (requested !== undefined && !ledger.runner.names.includes(requested)) {
      process.stderr.write(
        `ledger rebuild: no view named "${requested}"; views: ${ledger.runner.names.join(', ')}\n`,
      );
      return 2;
    }
    const head = await ledger.store.headPosition();
    const refused = await unauthenticated(ledger.store.seals, head);
    if (refused) {
      process.stderr.write(`ledger rebuild: ${refused}\n`);
      return 1;
    }
    const bar = progress('rebuild', { unit: 'events' });
    const { events, seconds } = await ledger.runner.rebuildViews(
      requested ? [requested] : ledger.runner.names,
      (position) => bar.update(position + 1, head + 1),
    );
    bar.finish();
    process.stdout.write(
      `rebuilt ${requested ?? 'all views'} from ${events.toLocaleString('en')} events in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001)).toLocaleString('en')} events/s)\n`,
    );
    return 0;
  } finally {
    await ledger.close();
  }
}

/** Most failing positions named. */
const NAMED_FAILURES = 10;

/** Why the stored events [0, head] do not authenticate, or null when every one carries its seal. */
async function unauthenticated(seals: EventSeals, head: number): Promise<string | null> {
  if (!seals.sealing || head < 0) return null;
  if (seals.keyId === undefined) {
    return 'the seal key is missing, so no stored event can be authenticated; nothing was rebuilt (ledger audit status)';
  }
  const { failures, failureCount } = await seals.check(0, head, NAMED_FAILURES);
  if (failureCount === 0) return null;
  const named = failures.map((f) => `${f.position} (${f.kind})`).join(', ');
  return (
    `${failureCount.toLocaleString('en')} stored event${failureCount === 1 ? '' : 's'} did not come through the ` +
    `ledger's write path or were altered after it: position${failureCount === 1 ? '' : 's'} ${named}` +
    `${failureCount > failures.length ? ', …' : ''}. Nothing was rebuilt; see \`ledger audit status\`, then ` +
    '`ledger audit recover`'
  );
}
