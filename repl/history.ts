// Input history kept from one run to the next: one JSON string per line in $EMBEDTUNE_REPL_HISTORY
// (else ~/.embedtune_repl_history; an empty value keeps none), so multi-line inputs survive whole.
// The newest 1000 entries are kept; an entry equal to the one before is not added again.
// older()/newer() walk back and forth from the line being typed, as ↑ and ↓ do.

import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const LIMIT = 1000;

export function defaultHistoryFile(): string | null {
  const configured = process.env.EMBEDTUNE_REPL_HISTORY;
  if (configured !== undefined) return configured === "" ? null : configured;
  return join(homedir(), ".embedtune_repl_history");
}

export class History {
  private readonly items: string[];
  /** Position while walking: items.length means "the line being typed". */
  private position: number;
  private draft = "";

  constructor(private readonly file: string | null) {
    this.items = file === null ? [] : readEntries(file);
    if (file !== null && this.items.length > LIMIT) {
      this.items.splice(0, this.items.length - LIMIT);
      writeEntries(file, this.items);
    }
    this.position = this.items.length;
  }

  get entries(): readonly string[] {
    return this.items;
  }

  add(entry: string): void {
    if (entry.trim() !== "" && this.items.at(-1) !== entry) this.save(entry);
    this.resetWalk();
  }

  private save(entry: string): void {
    this.items.push(entry);
    if (this.file === null) return;
    try {
      appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    } catch {
      // An unwritable history file must not break the REPL; the entry stays for this run.
    }
  }

  /** The entry before the current one (the line being typed is remembered), or undefined at the oldest. */
  older(current: string): string | undefined {
    if (this.position === 0) return undefined;
    if (this.position === this.items.length) this.draft = current;
    this.position -= 1;
    return this.items[this.position];
  }

  /** The entry after the current one, the remembered line after the newest, or undefined when not walking. */
  newer(): string | undefined {
    if (this.position >= this.items.length) return undefined;
    this.position += 1;
    return this.position === this.items.length ? this.draft : this.items[this.position];
  }

  /** Back to the line being typed (after a submission or an edit). */
  resetWalk(): void {
    this.position = this.items.length;
  }
}

function readEntries(file: string): string[] {
  if (!existsSync(file)) return [];
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line) => {
        if (line.trim() === "") return [];
        try {
          const entry = JSON.parse(line) as unknown;
          return typeof entry === "string" ? [entry] : [];
        } catch {
          return [line];
        }
      });
  } catch {
    return [];
  }
}

function writeEntries(file: string, entries: readonly string[]): void {
  try {
    writeFileSync(file, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(""));
  } catch {
    // Trimming is an optimisation; an unwritable file keeps its old entries.
  }
}
