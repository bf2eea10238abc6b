/** `ledger rebuild [view]`: rebuilds the views from the event log, with a progress bar and events/s. */
import { loadConfig, type Config } from '../../config';
import { LedgerBusyError, LedgerLock } from '../../ledgerLock';
import { openLedger } from '../../ledger';
import { createLogger } from '../../logger';
import type { ParsedArgs } from '../args';
import { progress } from '../progress';

export const rebuildCommand = {
  summary: 'rebuild the views (all, or one) from the event log',
  usage: `ledger rebuild [VIEW]

Rebuilds the read model in LEDGER_DATA_DIR from the event log, in one pass: every view, or only VIEW
(proposalStatus, influence, participation, committee, traceIndex, votes, directory). Each view is built into a
fresh copy and swapped in atomically. It runs only while no server uses the data directory (it refuses otherwise); on a
running server use POST /api/v1/admin/projections/:name/rebuild instead.

Exit code: 0 done, 1 a server is using the data directory, 2 unknown view or bad configuration.`,

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
