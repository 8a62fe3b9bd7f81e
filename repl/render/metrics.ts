// A metrics dictionary ({ "sts-dev_spearman_cosine": 0.41, … }: a plain object of numbers) as a
// two-column table: metric, value.

import { renderTable } from "./table.ts";

export function isMetrics(value: unknown): value is Record<string, number> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const values = Object.values(value);
  return values.length > 0 && values.every((entry) => typeof entry === "number");
}

export function renderMetrics(metrics: Record<string, number>, width: number): string[] {
  return renderTable(["metric", "value"], Object.entries(metrics), { width, countLine: false });
}
