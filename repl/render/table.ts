// A table as text lines for a person: a header, a rule, the rows, and a count line ("998 rows ×
// 3 columns, first 10 shown"). Numeric columns are right-aligned; cells are cut with "…" so the
// whole table fits the terminal width (the widest columns give way first).

import { formatCell, truncate } from "./cell.ts";

export interface TableOptions {
  /** The terminal width to fit. */
  width: number;
  /** Row labels shown in a first, unnamed column (a DataFrame's index, row numbers). */
  index?: readonly unknown[];
  /** How many rows there are in all, when `rows` shows only the first ones. */
  totalRows?: number;
  /** Print the count line (default true). */
  countLine?: boolean;
}

const MAX_CELL = 48;
const MIN_CELL = 6;
const GAP = "  ";

export function renderTable(columns: readonly string[], rows: readonly (readonly unknown[])[], options: TableOptions): string[] {
  const hasIndex = options.index !== undefined;
  const header = [...(hasIndex ? [""] : []), ...columns];
  const cells = rows.map((row, r) => [...(hasIndex ? [formatCell(options.index![r])] : []), ...columns.map((_, c) => formatCell(row[c]))]);
  const numeric = header.map((_, c) => (hasIndex && c === 0) || (rows.length > 0 && rows.every((row) => typeof row[hasIndex ? c - 1 : c] === "number")));
  const widths = header.map((name, c) => Math.min(MAX_CELL, Math.max(name.length, ...cells.map((row) => row[c].length))));
  fitWidths(widths, options.width - GAP.length * (widths.length - 1));
  const line = (values: string[]) =>
    values.map((value, c) => (numeric[c] ? truncate(value, widths[c]).padStart(widths[c]) : truncate(value, widths[c]).padEnd(widths[c]))).join(GAP).trimEnd();
  const lines = [line(header), widths.map((width) => "─".repeat(width)).join(GAP), ...cells.map(line)];
  if (options.countLine !== false) {
    const total = options.totalRows ?? rows.length;
    const shown = rows.length < total ? `, first ${rows.length} shown` : "";
    lines.push(`${total} ${total === 1 ? "row" : "rows"} × ${columns.length} ${columns.length === 1 ? "column" : "columns"}${shown}`);
  }
  return lines;
}

function fitWidths(widths: number[], available: number): void {
  while (widths.reduce((sum, width) => sum + width, 0) > available) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest] <= MIN_CELL) return;
    widths[widest] -= 1;
  }
}
