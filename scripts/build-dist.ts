// `npm run build` (also run by `npm ci` through prepare): compiles the public API (src/index.ts and what
// it imports) with the project's TypeScript into dist/ as ESM JavaScript + .d.ts, for consumers that cannot
// run the .ts sources — CommonJS `require("embedtune")` (Node 20 loads the ESM through require(esm)) and
// tslab notebooks, whose compiler resolves packages the Node10 way. It then links node_modules/embedtune
// → dist/, so code anywhere in the project imports the kit by its package name, exactly as a user's would.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export const PROJECT_ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
export const DIST_DIRECTORY = join(PROJECT_ROOT, "dist");
const PACKAGE_LINK = join(PROJECT_ROOT, "node_modules", "embedtune");
/** dist/'s record of the sources it was compiled from (sourceStamp()). */
const STAMP_FILE = join(DIST_DIRECTORY, ".source-stamp");

/**
 * Compiles dist/ and links node_modules/embedtune to it; throws with the compiler's output when nothing
 * could be emitted. It compiles into a sibling folder and then swaps it in, so a notebook kernel or test
 * importing the kit meanwhile never finds dist/ missing or half written.
 */
export function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const staging = `${DIST_DIRECTORY}.tmp-${process.pid}`;
  const previous = `${DIST_DIRECTORY}.old-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, "-p", join(PROJECT_ROOT, "tsconfig.build.json"), "--outDir", staging], { encoding: "utf8" });
  // Status 2: type errors, files emitted anyway — reported here, failed by `npm test`'s type check, not by the build.
  if (result.status === 2) console.warn(`embedtune: dist/ built despite type errors:\n${result.stdout.trim()}`);
  else if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`tsc -p tsconfig.build.json failed:\n${result.stdout}${result.stderr}`);
  }
  const { name, version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { name: string; version: string };
  const distPackage = { name, version, private: true, type: "module", main: "./index.js", types: "./index.d.ts" };
  writeFileSync(join(staging, "package.json"), `${JSON.stringify(distPackage, null, 2)}\n`);
  if (result.status === 0) writeFileSync(join(staging, ".source-stamp"), sourceStamp());
  if (existsSync(DIST_DIRECTORY)) renameSync(DIST_DIRECTORY, previous);
  renameSync(staging, DIST_DIRECTORY);
  rmSync(previous, { recursive: true, force: true });
  linkPackage();
}

/** A hash of everything dist/ is compiled from: src/ (paths and contents), tsconfig*.json, package.json. */
export function sourceStamp(): string {
  const hash = createHash("sha256");
  const add = (path: string) => hash.update(`${path}\0`).update(readFileSync(join(PROJECT_ROOT, path))).update("\0");
  const walk = (folder: string): string[] =>
    readdirSync(join(PROJECT_ROOT, folder), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(folder, entry.name)) : [join(folder, entry.name)],
    );
  for (const path of [...walk("src").sort(), "tsconfig.json", "tsconfig.build.json", "package.json"]) add(path);
  return hash.digest("hex");
}

/** True when dist/ is ready and was compiled (without type errors) from the current sources. */
export function distIsCurrent(): boolean {
  return distIsReady() && existsSync(STAMP_FILE) && readFileSync(STAMP_FILE, "utf8") === sourceStamp();
}

/** node_modules/embedtune → ../dist (replaced when it is something else). */
export function linkPackage(): void {
  mkdirSync(join(PROJECT_ROOT, "node_modules"), { recursive: true });
  if (isPresent(PACKAGE_LINK)) rmSync(PACKAGE_LINK, { recursive: true, force: true });
  symlinkSync("../dist", PACKAGE_LINK, "dir");
}

/** True when dist/ is built and node_modules/embedtune resolves to it. */
export function distIsReady(): boolean {
  return existsSync(join(DIST_DIRECTORY, "index.js")) && existsSync(join(DIST_DIRECTORY, "index.d.ts")) && existsSync(join(PACKAGE_LINK, "index.d.ts"));
}

function isPresent(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  buildDist();
  console.log(`embedtune: built ${DIST_DIRECTORY} (node_modules/embedtune → dist)`);
}
