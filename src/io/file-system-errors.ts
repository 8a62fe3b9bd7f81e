// File-system failures as one line a person can act on: which path, what went wrong (disk full,
// read-only, no permission, a file where a folder should be) and, where the caller knows it, what is
// still safe. `FileSystemError` is an EmbedtuneError, so the CLI prints it as `embedtune: error: …`
// and exits 1; bugs (anything that is not an errno failure) pass through unchanged.

import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { EmbedtuneError } from "../errors.ts";

/** A read or write of `path` failed for a reason outside the program (errno `code`). */
export class FileSystemError extends EmbedtuneError {
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const CAUSES: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "is a folder, not a file",
  ENOENT: "no such file or folder",
  EEXIST: "already exists",
  EMFILE: "too many open files",
  ENAMETOOLONG: "the name is too long",
  EIO: "input/output error",
  EXDEV: "cannot move across file systems",
  EPIPE: "the reader closed the pipe",
  EBUSY: "busy",
};

export function isErrnoError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string" && /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!);
}

/** The first existing ancestor that is a file: what makes ENOTDIR happen. */
function fileInTheWay(path: string): string | undefined {
  let current = resolve(path);
  for (;;) {
    try {
      if (!statSync(current).isDirectory()) return current;
      return undefined;
    } catch {
      const parent = dirname(current);
      if (parent === current) return undefined;
      current = parent;
    }
  }
}

/**
 * One line for an errno failure while `action` (e.g. "writing checkpoint-6") on `path`;
 * `advice` is appended after a colon (e.g. "earlier checkpoints are intact, resume with --resume").
 */
export function fileSystemError(error: NodeJS.ErrnoException, path: string, action: string, advice?: string): FileSystemError {
  const code = error.code;
  let cause = (code && CAUSES[code]) ?? (error.message.split("\n")[0] || "failed");
  if (code === "ENOTDIR") {
    const file = fileInTheWay(path);
    if (file) cause = `${file} is a file, not a folder`;
  }
  const where = code === "ENOSPC" || code === "EDQUOT" ? `${cause} holding ${path}` : `${path}: ${cause}`;
  return new FileSystemError(path, code, `${where} (${code ?? "error"}) while ${action}${advice ? `: ${advice}` : ""}`);
}

/** Runs `work`; an errno failure becomes a FileSystemError naming `path` and `action`. */
export async function withFileSystemErrors<T>(path: string, action: string, work: () => T | Promise<T>, advice?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isErrnoError(error)) throw fileSystemError(error, path, action, advice);
    throw error;
  }
}

/** The synchronous twin of withFileSystemErrors. */
export function withFileSystemErrorsSync<T>(path: string, action: string, work: () => T, advice?: string): T {
  try {
    return work();
  } catch (error) {
    if (isErrnoError(error)) throw fileSystemError(error, path, action, advice);
    throw error;
  }
}

/**
 * mkdir -p one level at a time: Node's recursive mkdirSync reports ENOENT where the real cause is
 * EROFS or EACCES (a read-only mount), which this surfaces.
 */
function makeFolders(directory: string): void {
  if (existsSync(directory)) return;
  makeFolders(dirname(directory));
  try {
    mkdirSync(directory);
  } catch (error) {
    if (!(isErrnoError(error) && error.code === "EEXIST")) throw error;
  }
}

/**
 * Checks before long work that `directory` can be written: creates it (and its parents) when missing,
 * then writes and removes a probe file. Throws a FileSystemError naming `argument` (e.g. "--output").
 * A folder this creates is left in place (it is where the output will go).
 */
export function assertWritableFolder(directory: string, argument: string): void {
  const absolute = resolve(directory);
  withFileSystemErrorsSync(absolute, `checking that ${argument} can be written`, () => {
    if (existsSync(absolute) && !statSync(absolute).isDirectory()) {
      throw Object.assign(new Error(`${absolute} is not a folder`), { code: "ENOTDIR" });
    }
    makeFolders(absolute);
    accessSync(absolute, constants.W_OK);
    const probe = `${absolute}${sep}.embedtune-write-test-${process.pid}`;
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
  });
}
