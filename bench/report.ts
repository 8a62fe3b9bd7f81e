// The Markdown table (stdout) and bench/results.json.

import { writeFileSync } from "node:fs";
import { fmt, type BenchmarkResult, type Row } from "./common.ts";
import type { MachineInfo } from "./machine.ts";

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function ratioCell(row: Row): string {
  if (row.ratio === null || row.ratio === undefined) return row.reference ? "n/a" : "—";
  const r = row.ratio;
  let word = "";
  if (row.better !== "equal" && Math.abs(r - 1) >= 0.005) {
    const isRate = row.better === "higher";
    const good = isRate ? r > 1 : r < 1;
    if (row.unit === "s" || isRate) word = good ? "faster" : "slower";
    else word = r > 1 ? "more" : "less";
  }
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×${word ? ` ${word}` : ""}`;
}

export function renderTable(results: BenchmarkResult[]): string {
  const header = ["benchmark", "measured", "metric", "value", "reference", "reference value", "ratio (value / ref.)", "notes"];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const result of results) {
    for (const row of result.rows) {
      const cells = [
        row.benchmark,
        row.subject,
        row.metric,
        row.value === null ? (row.missing ?? "n/a") : fmt(row.value),
        row.reference ?? "(reference)",
        row.reference ? fmt(row.referenceValue) : "—",
        ratioCell(row),
        row.note ?? "",
      ];
      lines.push(`| ${cells.map((cell) => escapeCell(String(cell))).join(" | ")} |`);
    }
  }
  return lines.join("\n");
}

export function writeResults(
  path: string,
  data: { machine: MachineInfo; flags: Record<string, unknown>; started: string; finished: string; results: BenchmarkResult[] },
): void {
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
