// Temporary folders for tests, removed when the process exits.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const created: string[] = [];
process.on("exit", () => created.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

export function temporaryDirectory(prefix = "embedtune-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}
