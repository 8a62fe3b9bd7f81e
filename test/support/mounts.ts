// Small file systems for tests of full and read-only disks: a tmpfs of a given size mounted at a
// folder. Mounting needs root; where it is not permitted (or NO_MOUNT is set, to try the unprivileged
// path as root) mountTmpfs returns undefined and the test skips with NO_TMPFS or simulates the
// failure. Whatever is mounted is unmounted, newest first, by an after() hook registered with the
// first mount (at a test file's top level: when that file's tests have ended).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { after } from "node:test";

/** The skip reason of a test that needs a tmpfs where none can be mounted. */
export const NO_TMPFS = "mounting a tmpfs is not permitted here (needs root)";

const mounted: string[] = [];
let unmountRegistered = false;

function succeeds(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: "ignore" }).status === 0;
}

/**
 * Mounts a fresh tmpfs of `size` (bytes, or with a unit: "1m") at `point` (created if missing),
 * read-only when asked (then a failed remount fails the caller). Returns `point`, or undefined where
 * mounting is not permitted.
 */
export function mountTmpfs(point: string, size: string | number, options: { readOnly?: boolean } = {}): string | undefined {
  mkdirSync(point, { recursive: true });
  if (process.env.NO_MOUNT || !succeeds("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", point])) return undefined;
  mounted.push(point);
  if (!unmountRegistered) {
    unmountRegistered = true;
    after(() => {
      unmountRegistered = false;
      for (const mountPoint of mounted.splice(0).reverse()) succeeds("umount", [mountPoint]);
    });
  }
  if (options.readOnly) remountReadOnly(point);
  return point;
}

/** Makes the tmpfs at `point` read-only, keeping what it holds; fails the caller if it cannot. */
export function remountReadOnly(point: string): void {
  assert.ok(succeeds("mount", ["-o", "remount,ro", point]), `remount ${point} read-only`);
}
