// Tab completion at the cursor: REPL commands after a leading ".", file and folder paths after
// `.load ` and `.data `, properties after `name.` or `a.b.` (looked up on the live objects, through
// their prototypes), else the names in scope, then JavaScript's globals and keywords.
// The caller inserts the candidates' common prefix and lists them when several remain.

import { readdirSync, statSync } from "node:fs";
import { basename } from "node:path";

export interface Completion {
  /** The text from `from` to the cursor is what the candidates replace. */
  from: number;
  candidates: string[];
}

export interface CompletionSource {
  /** Names in scope (the kit, the user's), first in the list. */
  scopeNames(): string[];
  /** The value `path` names in scope (`["model", "transformer"]`), or undefined. */
  lookup(path: string[]): unknown;
  commands: readonly string[];
}

const KEYWORDS = ["await", "async", "class", "const", "false", "function", "let", "new", "null", "return", "true", "typeof", "undefined"];

export function complete(line: string, cursor: number, source: CompletionSource): Completion {
  const before = line.slice(0, cursor);
  const command = /^\s*(\.\w*)$/.exec(before);
  if (command) return { from: cursor - command[1].length, candidates: matching(source.commands, command[1]) };
  const pathArgument = /^\s*\.(?:load|data)\s+(\S*)$/.exec(before);
  if (pathArgument) return { from: cursor - pathArgument[1].length, candidates: completePath(pathArgument[1]) };
  const expression = /(?<![\w$.\])'"`])((?:[A-Za-z_$][\w$]*\s*\.\s*)*)([A-Za-z_$][\w$]*)?$/.exec(before);
  if (!expression) return { from: cursor, candidates: [] };
  const prefix = expression[2] ?? "";
  const from = cursor - prefix.length;
  if (expression[1] !== "") {
    const path = expression[1].split(".").map((part) => part.trim()).filter((part) => part !== "");
    return { from, candidates: matching(memberNames(source.lookup(path)), prefix) };
  }
  if (prefix === "") return { from, candidates: [] };
  const names = [...new Set([...source.scopeNames(), ...KEYWORDS, ...Object.getOwnPropertyNames(globalThis)])];
  return { from, candidates: matching(names, prefix) };
}

/** The longest text every candidate starts with. */
export function commonPrefix(candidates: readonly string[]): string {
  if (candidates.length === 0) return "";
  let prefix = candidates[0];
  for (const candidate of candidates) while (!candidate.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

function matching(names: readonly string[], prefix: string): string[] {
  return [...new Set(names.filter((name) => name.startsWith(prefix)))].sort((a, b) => a.localeCompare(b));
}

/** Own and inherited property names of a live value (not Object.prototype's, not private-looking ones). */
function memberNames(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const names = new Set<string>();
  let current: unknown = typeof value === "object" || typeof value === "function" ? value : Object(value);
  while (current !== null && current !== Object.prototype && current !== Function.prototype) {
    for (const name of Object.getOwnPropertyNames(current)) if (name !== "constructor" && !name.startsWith("_")) names.add(name);
    current = Object.getPrototypeOf(current);
  }
  return [...names];
}

function completePath(typed: string): string[] {
  const start = typed.endsWith("/") ? "" : basename(typed);
  const folder = typed.slice(0, typed.length - start.length);
  try {
    return readdirSync(folder === "" ? "." : folder)
      .filter((name) => name.startsWith(start) && (start.startsWith(".") || !name.startsWith(".")))
      .map((name) => (isFolder(folder + name) ? `${folder}${name}/` : folder + name))
      .sort();
  } catch {
    return [];
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
