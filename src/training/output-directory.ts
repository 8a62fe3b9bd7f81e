// The run's output folder: before a run trains, openOutputFolder checks the folder can be written
// (creating it), takes its lock and tidies what stopped runs left behind.
//   Lock: `.embedtune.lock` holds {pid, host, startedAt} as JSON, created exclusively (flag "wx"), so
//   two runs cannot both take it. A second run refuses with one line naming the folder and the pid; a
//   lock whose process is dead is taken over with a one-line note. A process may open the same folder
//   again while it holds it (the CLI around trainer.train()); the lock goes with the last release or
//   when the process exits.
//   Staging: writeFolderAtomically stages in `.<name>.tmp-<pid>-…` and moves the old folder aside to
//   `.<name>.old-<pid>-…`. For a pid that is no longer alive, a `.tmp-` is removed; an `.old-` is
//   renamed back when `<name>` is missing (killed between the two renames), else removed.

import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { assertWritableFolder, isErrnoError, withFileSystemErrorsSync } from "../io/file-system-errors.ts";
import { OutputFolderInUseError } from "./errors.ts";

export const LOCK_FILE = ".embedtune.lock";
const STAGING = /^\.(.+)\.(tmp|old)-(\d+)-/;
/** A lock file without readable content younger than this is a run that is just writing it. */
const UNREADABLE_LOCK_GRACE_MS = 5_000;

interface LockContent {
  pid: number;
  host: string;
  startedAt: string;
}

export interface OutputFolder {
  /** The absolute folder. */
  readonly directory: string;
  /** Gives the lock back (once per open; the file goes with the last holder in this process). */
  release(): void;
}

/** Folders whose lock this process holds, with how many opens share it. */
const held = new Map<string, { count: number; onExit: () => void }>();

/**
 * Checks `directory` can be written (errors name `argument`: "outputDir" or "--output"), takes its
 * lock and removes (or restores) staging folders of dead processes. Call release() when the run ends.
 */
export function openOutputFolder(directory: string, argument: string): OutputFolder {
  const absolute = resolve(directory);
  assertWritableFolder(absolute, argument);
  const existing = held.get(absolute);
  if (existing) existing.count += 1;
  else {
    takeLock(absolute, argument);
    const onExit = () => removeLockFile(absolute);
    process.on("exit", onExit);
    held.set(absolute, { count: 1, onExit });
    const cleaned = cleanStaleStaging(absolute);
    if (cleaned.length > 0) console.error(`embedtune: tidied ${absolute} after an interrupted run: ${cleaned.join("; ")}`);
  }
  let released = false;
  return {
    directory: absolute,
    release() {
      if (released) return;
      released = true;
      const entry = held.get(absolute);
      if (!entry) return;
      entry.count -= 1;
      if (entry.count > 0) return;
      held.delete(absolute);
      process.off("exit", entry.onExit);
      removeLockFile(absolute);
    },
  };
}

function takeLock(directory: string, argument: string): void {
  const path = join(directory, LOCK_FILE);
  const mine: LockContent = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createLockFile(path, mine)) return;
    const holder = readLock(path);
    if (holder === "gone") continue;
    if (holder === "unreadable") {
      const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
      if (modified === undefined) continue;
      if (Date.now() - modified < UNREADABLE_LOCK_GRACE_MS) {
        throw new OutputFolderInUseError(argument, directory, undefined, `${path} was just created by another run`);
      }
      console.error(`embedtune: taking over ${path}: it holds no run's details (a run stopped while writing it)`);
    } else if (holder.host !== hostname()) {
      throw new OutputFolderInUseError(argument, directory, holder.pid, `pid ${holder.pid} on host ${holder.host}, since ${holder.startedAt}; if no run uses it, delete ${path}`);
    } else if (holder.pid !== process.pid && isAlive(holder.pid)) {
      // (A lock naming this process but not held by it is from an earlier process given the same id.)
      throw new OutputFolderInUseError(argument, directory, holder.pid, `pid ${holder.pid}, since ${holder.startedAt}`);
    } else {
      console.error(`embedtune: taking over the lock of ${directory} from a run that stopped without releasing it (pid ${holder.pid}, since ${holder.startedAt})`);
    }
    withFileSystemErrorsSync(path, "removing a stale lock", () => rmSync(path, { force: true }));
  }
  throw new OutputFolderInUseError(argument, directory, undefined, "other runs keep taking its lock");
}

/** True when this process created the lock; false when a lock file exists already. */
function createLockFile(path: string, content: LockContent): boolean {
  try {
    writeFileSync(path, `${JSON.stringify(content)}\n`, { flag: "wx" });
    return true;
  } catch (error) {
    if (isErrnoError(error) && error.code === "EEXIST") return false;
    rmSync(path, { force: true }); // e.g. created, then ENOSPC while writing its content
    return withFileSystemErrorsSync(path, "taking the lock of the output folder", () => {
      throw error;
    });
  }
}

function readLock(path: string): LockContent | "gone" | "unreadable" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (isErrnoError(error) && error.code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const content = JSON.parse(text) as Partial<LockContent>;
    if (Number.isInteger(content.pid) && content.pid! > 0 && typeof content.host === "string") {
      return { pid: content.pid!, host: content.host, startedAt: String(content.startedAt) };
    }
  } catch {
    // fall through
  }
  return "unreadable";
}

function removeLockFile(directory: string): void {
  const path = join(directory, LOCK_FILE);
  try {
    const holder = readLock(path);
    if (typeof holder === "object" && holder.pid === process.pid && holder.host === hostname()) unlinkSync(path);
  } catch {
    // The folder went away or became unwritable: nothing to release.
  }
}

/** Whether a process with this id exists (EPERM: it does, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !(isErrnoError(error) && error.code === "ESRCH");
  }
}

/**
 * Removes staging folders of processes that are gone (see the header); returns what was done, one
 * phrase each, for the caller's note.
 */
export function cleanStaleStaging(directory: string): string[] {
  if (!existsSync(directory)) return [];
  const done: string[] = [];
  const entries = readdirSync(directory).map((name) => ({ name, match: STAGING.exec(name) })).filter(({ match }) => match);
  // Restore first, so a .tmp- beside a restored .old- is judged against the restored folder.
  entries.sort((a, b) => (a.match![2] === "old" ? -1 : 0) - (b.match![2] === "old" ? -1 : 0));
  for (const { name, match } of entries) {
    const [, target, kind, pid] = match!;
    if (isAlive(Number(pid))) continue;
    const path = join(directory, name);
    const targetPath = join(directory, target);
    withFileSystemErrorsSync(path, "tidying after an interrupted run", () => {
      if (kind === "old" && !existsSync(targetPath)) {
        renameSync(path, targetPath);
        done.push(`restored ${target} from ${name}`);
      } else {
        rmSync(path, { recursive: true, force: true });
        done.push(`removed ${name}`);
      }
    });
  }
  return done;
}
