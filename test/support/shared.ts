// Access to ../shared (models, data, golden values) that tests may read but the project never commits.
// Where it is absent a test skips with a message saying what is missing.
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const projectRoot = resolve(new URL("../..", import.meta.url).pathname);
export const sharedRoot = resolve(projectRoot, "../shared");

/** The absolute path of `relativePath` under ../shared. */
export function sharedPath(relativePath: string): string {
  return resolve(sharedRoot, relativePath);
}

/** A node:test `skip` value: false when the shared file exists, otherwise the reason to skip. */
export function skipUnlessShared(relativePath: string): false | string {
  return existsSync(sharedPath(relativePath))
    ? false
    : `../shared/${relativePath} is absent (tests that compare against shared reference files need it beside the project)`;
}
