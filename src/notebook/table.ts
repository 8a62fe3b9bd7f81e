// Tables in notebooks: rows of records, or a danfo DataFrame (its index becomes the first column), as an
// HTML table plus an aligned text table for plain front-ends and scripts. Numbers that are not whole
// are written with 4 decimals; long text is shortened. metricsTable lines metric dictionaries up side by side.

import { shortMetricNames } from "../charts/metric-names.ts";
import { displayBundle, type MimeBundle } from "./display.ts";

export type TableRow = Readonly<Record<string, unknown>>;

/** The shape of a danfo DataFrame that tables read (columns, index, values). */
export interface DataFrameLike {
  columns: string[];
  index: (string | number)[];
  values: unknown[];
}

export interface TableOptions {
  /** Text longer than this is shortened with "…" (default 80). */
  maxTextLength?: number;
  /** At most this many rows are shown (default 50); the table says how many it left out. */
  maxRows?: number;
  /** A DataFrame's index as the first column (default true; false for the meaningless index of a groupby result). */
  index?: boolean;
}

/** Records from rows or a DataFrame (its index first, as column "", unless `index` is false). */
export function tableRows(table: readonly TableRow[] | DataFrameLike, options: Pick<TableOptions, "index"> = {}): TableRow[] {
  if (Array.isArray(table)) return [...table];
  const frame = table as DataFrameLike;
  return frame.values.map((row, i) => {
    const cells = Array.isArray(row) ? row : [row];
    const entries = frame.columns.map((column, j) => [column, cells[j]]);
    return Object.fromEntries(options.index === false ? entries : [["", frame.index[i]], ...entries]);
  });
}

export function formatCell(value: unknown, maxTextLength = 80): string {
  if (typeof value === "number") return Number.isInteger(value) || !Number.isFinite(value) ? String(value) : value.toFixed(4);
  const text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return text.length > maxTextLength ? `${text.slice(0, maxTextLength - 1)}…` : text;
}

function columnsOf(rows: readonly TableRow[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row)))];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function tableHtml(table: readonly TableRow[] | DataFrameLike, options: TableOptions = {}): string {
  const rows = tableRows(table, options);
  const shown = rows.slice(0, options.maxRows ?? 50);
  const columns = columnsOf(rows);
  const cell = (tag: string, value: unknown) => {
    const align = typeof value === "number" ? ' style="text-align: right"' : ' style="text-align: left"';
    return `<${tag}${align}>${escapeHtml(formatCell(value, options.maxTextLength))}</${tag}>`;
  };
  const head = `<tr>${columns.map((column) => cell("th", column)).join("")}</tr>`;
  const body = shown.map((row) => `<tr>${columns.map((column) => cell("td", row[column])).join("")}</tr>`).join("\n");
  const more = rows.length > shown.length ? `<p>… ${rows.length - shown.length} more rows</p>` : "";
  return `<table class="embedtune-table">\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>${more}`;
}

export function tableText(table: readonly TableRow[] | DataFrameLike, options: TableOptions = {}): string {
  const rows = tableRows(table, options);
  const shown = rows.slice(0, options.maxRows ?? 50);
  const columns = columnsOf(rows);
  const cells = [columns, ...shown.map((row) => columns.map((column) => formatCell(row[column], options.maxTextLength)))];
  const widths = columns.map((_, j) => Math.max(...cells.map((line) => line[j].length)));
  const lines = cells.map((line) => line.map((text, j) => text.padEnd(widths[j])).join("  ").trimEnd());
  if (rows.length > shown.length) lines.push(`… ${rows.length - shown.length} more rows`);
  return lines.join("\n");
}

export function tableBundle(table: readonly TableRow[] | DataFrameLike, options: TableOptions = {}): MimeBundle {
  return { "text/html": tableHtml(table, options), "text/plain": tableText(table, options) };
}

/** Shows a table below the running cell (printed as text outside a notebook). */
export function showTable(table: readonly TableRow[] | DataFrameLike, options: TableOptions = {}): void {
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
