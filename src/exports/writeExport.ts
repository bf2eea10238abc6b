/** Streams one dataset as CSV (with a header row) or NDJSON to a writable, honouring back-pressure. */
import type { Writable } from 'node:stream';
import { csvLine } from './csv';
import type { Dataset, ExportContext } from './datasets';

export type ExportFormat = 'csv' | 'ndjson';

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

export async function writeExport(
  dataset: Dataset,
  format: ExportFormat,
  ctx: ExportContext,
  out: Writable,
): Promise<number> {
  const names = dataset.columns.map((c) => c.name);
  if (format === 'csv') await write(out, csvLine(names));
  let rows = 0;
  let buffer = '';
  for await (const row of dataset.rows(ctx)) {
    buffer +=
      format === 'csv'
        ? csvLine(names.map((n) => row[n]))
        : `${JSON.stringify(Object.fromEntries(names.map((n) => [n, row[n] ?? null])))}\n`;
    rows++;
    if (buffer.length > 64 * 1024) {
      await write(out, buffer);
      buffer = '';
    }
  }
  if (buffer) await write(out, buffer);
  return rows;
}
