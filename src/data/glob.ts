// Data-file patterns as Hugging Face's data_files accepts them, minimally: `*` (any run of characters)
// and `?` (one character) in the last path segment only, matched against the files of that folder,
// hidden files skipped unless the pattern starts with a dot, matches sorted. Paths without wildcards pass unchanged.
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ArgumentError } from "../errors.ts";
import { DataLoadError } from "./errors.ts";

export function hasWildcard(path: string): boolean {
  return /[*?]/.test(path);
}

/** The files a pattern names, sorted; a path without wildcards is returned as it is (existence unchecked). */
export function expandPattern(pattern: string): string[] {
  if (!hasWildcard(pattern)) return [pattern];
  const folder = dirname(pattern);
  const namePattern = basename(pattern);
  if (hasWildcard(folder)) {
    throw new ArgumentError(`dataFiles "${pattern}"`, "wildcards (* and ?) are only supported in the file name, not in folder names");
  }
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    throw new DataLoadError(pattern, `no file matches this pattern (folder ${folder} cannot be read)`);
  }
  const matcher = wildcardRegExp(namePattern);
  const matches = entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => entry.name)
    .filter((name) => matcher.test(name) && (!name.startsWith(".") || namePattern.startsWith(".")))
    .sort()
    .map((name) => join(folder, name));
  if (matches.length === 0) throw new DataLoadError(pattern, "no file matches this pattern");
  return matches;
}

function wildcardRegExp(pattern: string): RegExp {
  const source = [...pattern].map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${source}$`, "s");
}
