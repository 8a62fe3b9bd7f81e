// A metrics dictionary ({ "sts-dev_spearman_cosine": 0.41, … }: a plain object of numbers) as a
// two-column table: metric, value; several of them side by side ({ before: {…}, after: {…} }) as one
// table: metric, then a column per dictionary. A key too long for the width is cut in the middle, so
// the end that tells keys apart stays (`squad-retr…cosine_precision@10`, not `squad-retrieval_cosine_pre…`).

import { formatCell } from "./cell.ts";
import { renderTable } from "./table.ts";

const GAP = 2;
const MIN_KEY = 12;

export function isMetrics(value: unknown): value is Record<string, number> {
  if (!isPlainRecord(value)) return false;
  const values = Object.values(value);
  return values.length > 0 && values.every((entry) => typeof entry === "number");
}

/** Two or more metrics dictionaries by name, e.g. { before: {...}, after: {...} }. */
export function isMetricsColumns(value: unknown): value is Record<string, Record<string, number>> {
  if (!isPlainRecord(value)) return false;
  const values = Object.values(value);
  return values.length >= 2 && values.every(isMetrics);
}

export function renderMetrics(metrics: Record<string, number>, width: number): string[] {
  return renderColumns(["value"], Object.entries(metrics).map(([key, value]) => [key, [value]]), width);
}

export function renderMetricsColumns(columns: Record<string, Record<string, number>>, width: number): string[] {
  const names = Object.keys(columns);
  const keys = [...new Set(names.flatMap((name) => Object.keys(columns[name])))];
  return renderColumns(names, keys.map((key) => [key, names.map((name) => columns[name][key] ?? "")]), width);
}

function renderColumns(names: string[], rows: [string, (number | string)[]][], width: number): string[] {
  const valueWidths = names.map((name, c) => Math.max(name.length, ...rows.map(([, values]) => formatCell(values[c]).length)));
  const keyWidth = Math.max(MIN_KEY, width - valueWidths.reduce((sum, w) => sum + w + GAP, 0));
  return renderTable(["metric", ...names], rows.map(([key, values]) => [shortenKey(key, keyWidth), ...values]), { width, countLine: false });
}

/** `key` cut in the middle to `width` characters, keeping more of its end than of its start. */
export function shortenKey(key: string, width: number): string {
  if (key.length <= width) return key;
  const tail = Math.ceil((width - 1) * 0.6);
  return `${key.slice(0, width - 1 - tail)}…${key.slice(key.length - tail)}`;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
