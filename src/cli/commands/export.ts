/** `ledger export DATASET`: the research exports, offline, to stdout. */
import { loadConfig } from '../../config';
import { datasets } from '../../exports/datasets';
import { writeExport } from '../../exports/writeExport';
import { openLedger } from '../../ledger';
import { createLogger } from '../../logger';
import { parseAsOf, resolveAsOf } from '../../views/asOf';
import type { ParsedArgs } from '../args';

export const exportCommand = {
  summary: 'write a research export (pseudonymised) to stdout',
  usage: `ledger export DATASET [--format csv|ndjson] [--as-of POSITION|TIMESTAMP]

Writes one of the research datasets of LEDGER_DATA_DIR's ledger to stdout, as GET /api/v1/exports/DATASET does:
${Object.values(datasets)
  .map((d) => `  ${d.name.padEnd(14)}${d.description}`)
  .join('\n')}
Person ids are pseudonyms (stable across exports, not reversible); names never appear.

Exit code: 0 done (also when the reader stops early, as a pipe into head does), 1 on a failure reading the ledger,
2 unknown dataset, format, as-of or option.`,

  options: ['format', 'as-of'],
  async run(args: ParsedArgs): Promise<number> {
    const name = args.positionals[0] ?? '';
    const dataset = Object.hasOwn(datasets, name) ? datasets[name] : undefined;
    const format = args.options.format ?? 'csv';
    if (!dataset || (format !== 'csv' && format !== 'ndjson')) {
      process.stderr.write(
        `ledger export: name a dataset (${Object.keys(datasets).join(', ')}) and --format csv|ndjson\n`,
      );
      return 2;
    }
    const rawAsOf = args.options['as-of'];
    const parsedAsOf = typeof rawAsOf === 'string' ? parseAsOf(rawAsOf) : undefined;
    if (parsedAsOf?.kind === 'invalid') {
      process.stderr.write(`ledger export: --as-of ${parsedAsOf.reason}\n`);
      return 2;
    }
    const config = loadConfig();
    const ledger = openLedger(config, createLogger('warn', process.stderr));
    try {
      await ledger.runner.start();
      const head = await ledger.store.headPosition();
      await ledger.runner.waitFor(head, 600_000);
      const at = await resolveAsOf(ledger.store, parsedAsOf, new Date());
      const position = Math.min(at.position ?? head, head);
      const rows = await writeExport(
        dataset,
        format,
        {
          runner: ledger.runner,
          store: ledger.store,
          pseudonyms: ledger.pseudonyms,
          position,
          date: at.date,
        },
        process.stdout,
      );
      process.stderr.write(`exported ${rows} rows of ${dataset.name} as of position ${position}\n`);
      return 0;
    } finally {
      await ledger.close();
    }
  },
};
