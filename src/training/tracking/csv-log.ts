// reportTo "csv": the run's log_history as two files in its logging folder, `<runName>.csv` (one row
// per log or evaluation entry, the columns the union of their keys in order of first appearance, an
// empty cell where an entry lacks a key) and its twin `<runName>.jsonl` (each entry as one JSON object,
// exactly as in trainer_state.json; NaN and infinities written as Python's json does).
// When training starts both files are rewritten atomically (temporary file + rename) from the run's
// log_history — empty for a new run, the checkpoint's for a resumed one, which drops what an interrupted
// run logged after its checkpoint. Each later entry is appended as one line (one write); the CSV is
// rewritten atomically instead when the entry brings a new column (the first evaluation, the closing
// train_runtime entry).

import { appendFileSync } from "node:fs";
import { writeFileAtomically } from "../../io/atomic-file.ts";
import { join } from "node:path";
import { withFileSystemErrorsSync } from "../../io/file-system-errors.ts";
import type { LogEntry, RunStart, RunTracker } from "./tracker.ts";

/** A run name as a file name: characters other than letters, digits, '.', '_' and '-' become '_'. */
export function runFileStem(runName: string): string {
  return runName.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_") || "run";
}

export class CsvLogTracker implements RunTracker {
  private rows: LogEntry[] = [];
  private columns: string[] = [];
  private csvPath = "";
  private jsonlPath = "";

  onTrainBegin(start: RunStart): void {
    const stem = runFileStem(start.runName);
    this.csvPath = join(start.loggingDir, `${stem}.csv`);
    this.jsonlPath = join(start.loggingDir, `${stem}.jsonl`);
    this.rows = [...start.history];
    this.columns = columnsOf(this.rows);
    writeTextAtomically(this.jsonlPath, this.rows.map(jsonLine).join(""));
    writeTextAtomically(this.csvPath, csvText(this.columns, this.rows));
  }

  onLog(entry: LogEntry): void {
    this.rows.push(entry);
    appendText(this.jsonlPath, jsonLine(entry));
    const columns = columnsOf(this.rows);
    if (columns.length === this.columns.length) {
      appendText(this.csvPath, csvLine(this.columns, entry));
    } else {
      this.columns = columns;
      writeTextAtomically(this.csvPath, csvText(columns, this.rows));
    }
  }

  close(): void {
    this.rows = [];
  }
}

function columnsOf(rows: readonly LogEntry[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row)))];
}

function csvText(columns: readonly string[], rows: readonly LogEntry[]): string {
  return [columns.map(csvCell).join(",") + "\n", ...rows.map((row) => csvLine(columns, row))].join("");
}

function csvLine(columns: readonly string[], row: LogEntry): string {
  return `${columns.map((column) => (column in row ? String(row[column]) : "")).join(",")}\n`;
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** JSON.stringify's line, except non-finite numbers as Python's json.dumps writes them (NaN, Infinity, -Infinity). */
function jsonLine(row: LogEntry): string {
  const parts = Object.entries(row).map(([key, value]) => `${JSON.stringify(key)}:${Number.isFinite(value) ? JSON.stringify(value) : String(value)}`);
  return `{${parts.join(",")}}\n`;
}

function appendText(path: string, text: string): void {
  withFileSystemErrorsSync(path, "writing the run log", () => appendFileSync(path, text));
}

function writeTextAtomically(path: string, text: string): void {
  withFileSystemErrorsSync(path, "writing the run log", () => writeFileAtomically(path, text));
}
