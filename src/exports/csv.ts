/**
 * RFC 4180 CSV. Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) get a leading
 * apostrophe: research exports are opened in spreadsheets, and the text in them comes from the public.
 */
export type Cell = string | number | boolean | null | undefined;

function escape(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  let text = String(cell);
  if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: Cell[]): string {
  return `${cells.map(escape).join(',')}\r\n`;
}
