// reportTo "csv": the run's log_history as two files in its logging folder, `<runName>.csv` (one row
// per log or evaluation entry, the columns the union of their keys in order of first appearance, an
// empty cell where an entry lacks a key) and its twin `<runName>.jsonl` (each entry as one JSON object,
// exactly as in trainer_state.json; NaN and infinities written as Python's json does). Both files are
// rewritten atomically (temporary file + rename) at every entry, so a reader never sees half a file.
// A resumed run starts again from the checkpoint's log_history and continues it.

import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withFileSystemErrorsSync } from "../../io/file-system-errors.ts";
import type { LogEntry, RunStart, RunTracker } from "./tracker.ts";

/** A run name as a file name: characters other than letters, digits, '.', '_' and '-' become '_'. */
export function runFileStem(runName: string): string {
  return runName.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_") || "run";
}

export class CsvLogTracker implements RunTracker {
  private rows: LogEntry[] = [];
  private csvPath = "";
  private jsonlPath = "";

  onTrainBegin(start: RunStart): void {
    const stem = runFileStem(start.runName);
    this.csvPath = join(start.loggingDir, `${stem}.csv`);
    this.jsonlPath = join(start.loggingDir, `${stem}.jsonl`);
    this.rows = [...start.history];
    this.write();
  }

  onLog(entry: LogEntry): void {
    this.rows.push(entry);
    this.write();
  }

  close(): void {
    this.rows = [];
  }

  private write(): void {
    writeTextAtomically(this.jsonlPath, this.rows.map((row) => `${pythonJson(row)}\n`).join(""));
    writeTextAtomically(this.csvPath, csvText(this.rows));
  }
}

export function csvText(rows: readonly LogEntry[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [columns.map(csvCell).join(",")];
  for (const row of rows) lines.push(columns.map((column) => (column in row ? String(row[column]) : "")).join(","));
  return `${lines.join("\n")}\n`;
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** JSON.stringify, except non-finite numbers as Python's json.dumps writes them (NaN, Infinity, -Infinity). */
function pythonJson(row: LogEntry): string {
  const parts = Object.entries(row).map(([key, value]) => `${JSON.stringify(key)}:${Number.isFinite(value) ? JSON.stringify(value) : String(value)}`);
  return `{${parts.join(",")}}`;
}

function writeTextAtomically(path: string, text: string): void {
  withFileSystemErrorsSync(path, "writing the run log", () => {
    const temporary = `${path}.tmp-${process.pid}`;
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  });
}
