// tslab depends on its private TypeScript 5.0 (@tslab/typescript-for-tslab), which also declares the
// bins `tsc` and `tsserver`; npm links whichever it meets last, and from a clean `npm ci` that is tslab's
// copy — so `tsc --noEmit` in npm test, `npx tsc`, and editors using node_modules/.bin would run
// TypeScript 5.0, which cannot parse the project (import attributes, TS 5.9 options). This points both
// links back at the project's own TypeScript (devDependency `typescript`).

import { lstatSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "./build-dist.ts";

const LINKS = { tsc: "../typescript/bin/tsc", tsserver: "../typescript/bin/tsserver" } as const;

/** Returns the bins it re-pointed (none when they already point at the project's TypeScript). */
export function linkProjectTypeScript(): string[] {
  const changed: string[] = [];
  for (const [name, target] of Object.entries(LINKS)) {
    const link = join(PROJECT_ROOT, "node_modules", ".bin", name);
    let current: string | undefined;
    try {
      current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : "(a file)";
    } catch {
      current = undefined;
    }
    if (current === target) continue;
    if (current !== undefined) rmSync(link, { force: true });
    symlinkSync(target, link);
    changed.push(name);
  }
  return changed;
}
