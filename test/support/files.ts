// What a folder holds, for tests that check a failed or refused write changed nothing, and what it
// takes on a tmpfs, for tests that size a small disk to fill up at a chosen moment.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file under `directory` (relative path → contents, base64), folders as "<dir>", sorted by path. */
export function snapshot(directory: string): Map<string, string> {
  return new Map(
    (readdirSync(directory, { recursive: true }) as string[]).sort().map((entry) => {
      const path = join(directory, entry);
      return [entry, statSync(path).isDirectory() ? "<dir>" : readFileSync(path).toString("base64")];
    }),
  );
}

/** Bytes `path` takes on a tmpfs: each file rounded up to 4 KiB pages, plus a page per folder. */
export function diskUsage(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return Math.ceil(stats.size / 4096) * 4096;
  let total = 4096;
  for (const name of readdirSync(path)) total += diskUsage(join(path, name));
  return total;
}
