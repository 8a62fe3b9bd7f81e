// One value as a short single-line cell for tables and metrics: floats to 4 decimals (exponent form
// when tiny or huge), strings on one line, anything else inspected compactly; cut to a width with "…".

import { inspect } from "node:util";

export function formatNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 1e6 || magnitude < 1e-4 ? value.toExponential(3) : value.toFixed(4);
}

export function formatCell(value: unknown): string {
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "string") return value.replace(/\r?\n/g, "⏎");
  if (value === null || value === undefined) return String(value);
  return inspect(value, { depth: 1, breakLength: Infinity, compact: true, maxArrayLength: 8, maxStringLength: 60 });
}

export function truncate(text: string, width: number): string {
  if (width <= 0) return "";
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}
