// Tables in notebooks: rows of records, a danfo DataFrame (its index becomes the first column) or the
// kit's Dataset (only the rows shown are read), as an HTML table plus an aligned text table for plain
// front-ends and scripts. A numeric column holding any number that is not whole writes all its numbers
// with 4 decimals (one format per column; a column mixing numbers with text or flags writes each number as
// it is, 4 decimals for fractions); long text is shortened. metricsTable lines metric dictionaries up side by side.

import { shortMetricNames } from "../charts/metric-names.ts";
import { displayBundle, escapeHtml, type MimeBundle } from "./display.ts";

export type TableRow = Readonly<Record<string, unknown>>;

/** The shape of a danfo DataFrame that tables read (columns, index, values). */
export interface DataFrameLike {
  columns: string[];
  index: (string | number)[];
  values: unknown[];
}

/** The shape of the kit's Dataset that tables read (a row at a time, so a large one is not copied). */
export interface RowsLike {
  readonly numRows: number;
  readonly columnNames: string[];
  row(index: number): TableRow;
}

export type Table = readonly TableRow[] | DataFrameLike | RowsLike;

export interface TableOptions {
  /** Text longer than this is shortened with "…" (default 80). */
  maxTextLength?: number;
  /** At most this many rows are shown (default 50); the table says how many it left out. */
  maxRows?: number;
  /** A DataFrame's index as the first column (default true; false for the meaningless index of a groupby result). */
  index?: boolean;
}

function isRowsLike(table: Table): table is RowsLike {
  return !Array.isArray(table) && typeof (table as RowsLike).row === "function" && typeof (table as RowsLike).numRows === "number";
}

/** How many rows the table has. */
export function tableLength(table: Table): number {
  return Array.isArray(table) ? table.length : isRowsLike(table) ? table.numRows : (table as DataFrameLike).values.length;
}

/** Records from rows, a Dataset or a DataFrame (its index first, as column "", unless `index` is false); `limit` rows at most. */
export function tableRows(table: Table, options: Pick<TableOptions, "index"> = {}, limit = Infinity): TableRow[] {
  if (Array.isArray(table)) return table.slice(0, limit);
  if (isRowsLike(table)) return Array.from({ length: Math.min(limit, table.numRows) }, (_, i) => table.row(i));
  const frame = table as DataFrameLike;
  return frame.values.slice(0, limit).map((row, i) => {
    const cells = Array.isArray(row) ? row : [row];
    const entries = frame.columns.map((column, j) => [column, cells[j]]);
    return Object.fromEntries(options.index === false ? entries : [["", frame.index[i]], ...entries]);
  });
}

/** A cell as text: numbers with 4 decimals when `fractional` (their column holds a number that is not whole). */
export function formatCell(value: unknown, maxTextLength = 80, fractional = false): string {
  if (typeof value === "number") return Number.isFinite(value) && (fractional || !Number.isInteger(value)) ? value.toFixed(4) : String(value);
  const text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return text.length > maxTextLength ? `${text.slice(0, maxTextLength - 1)}…` : text;
}

function columnsOf(table: Table, rows: readonly TableRow[]): string[] {
  return isRowsLike(table) ? table.columnNames : [...new Set(rows.flatMap((row) => Object.keys(row)))];
}

/** Every cell of the column that holds something is a number. */
function isNumericColumn(rows: readonly TableRow[], column: string): boolean {
  return rows.every((row) => row[column] === null || row[column] === undefined || typeof row[column] === "number");
}

/** The rows shown, their columns, and which columns write numbers with 4 decimals (numeric ones holding a fraction). */
function layout(table: Table, options: TableOptions) {
  const rows = tableRows(table, options, options.maxRows ?? 50);
  const columns = columnsOf(table, rows);
  const fractional = new Set(columns.filter((column) => isNumericColumn(rows, column) && rows.some((row) => Number.isFinite(row[column]) && !Number.isInteger(row[column]))));
  const format = (column: string, value: unknown) => formatCell(value, options.maxTextLength, fractional.has(column));
  return { rows, columns, format, hidden: tableLength(table) - rows.length };
}


export function tableHtml(table: Table, options: TableOptions = {}): string {
  const { rows, columns, format, hidden } = layout(table, options);
  const cell = (tag: string, value: unknown, text: string) => {
    const align = typeof value === "number" ? ' style="text-align: right"' : ' style="text-align: left"';
    return `<${tag}${align}>${escapeHtml(text)}</${tag}>`;
  };
  const head = `<tr>${columns.map((column) => cell("th", column, formatCell(column, options.maxTextLength))).join("")}</tr>`;
  const body = rows.map((row) => `<tr>${columns.map((column) => cell("td", row[column], format(column, row[column]))).join("")}</tr>`).join("\n");
  const more = hidden > 0 ? `<p>… ${hidden} more rows</p>` : "";
  return `<table class="embedtune-table">\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>${more}`;
}

export function tableText(table: Table, options: TableOptions = {}): string {
  const { rows, columns, format, hidden } = layout(table, options);
  const cells = [columns, ...rows.map((row) => columns.map((column) => format(column, row[column])))];
  const widths = columns.map((_, j) => Math.max(...cells.map((line) => line[j].length)));
  const lines = cells.map((line) => line.map((text, j) => text.padEnd(widths[j])).join("  ").trimEnd());
  if (hidden > 0) lines.push(`… ${hidden} more rows`);
  return lines.join("\n");
}

export function tableBundle(table: Table, options: TableOptions = {}): MimeBundle {
  return { "text/html": tableHtml(table, options), "text/plain": tableText(table, options) };
}

/** Shows a table below the running cell (printed as text outside a notebook). */
export function showTable(table: Table, options: TableOptions = {}): void {
  displayBundle(tableBundle(table, options));
}

/**
 * One row per metric, one column per dictionary: metricsTable({ dev: devMetrics, test: testMetrics }).
 * Keys lose their evaluator prefix ("sts-dev_spearman_cosine" → "spearman_cosine") so that dictionaries
 * of differently named evaluators line up; rows follow the first dictionary's order.
 */
export function metricsTable(columns: Readonly<Record<string, Readonly<Record<string, number>>>>): TableRow[] {
  const shortened = Object.entries(columns).map(([label, metrics]) => {
    const keys = Object.keys(metrics);
    const names = shortMetricNames(keys);
    return [label, new Map(names.map((name, i) => [name, metrics[keys[i]]]))] as const;
  });
  const names = [...new Set(shortened.flatMap(([, metrics]) => [...metrics.keys()]))];
  return names.map((name) => Object.fromEntries([["metric", name], ...shortened.map(([label, metrics]) => [label, metrics.get(name)])]));
}
