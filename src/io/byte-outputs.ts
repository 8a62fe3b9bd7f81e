// Where streamed output bytes go. `atomicFileOutput(path)` writes a temporary file beside `path` and
// renames it into place on commit (flushed to disk first); any failure or discard removes the temporary
// file and leaves an earlier `path` as it was. `standardOutput()` writes to process.stdout: to a pipe or
// terminal through the stream, waiting for each write to be taken (memory stays bounded by one chunk, a
// slow reader slows the writer); redirected to a file or device with a writeSync loop that completes
// short writes (Node's stream drops the rest of a short write: a disk filling up during the last write
// cut the output with exit 0), so a full disk always surfaces as ENOSPC. Errors:
// an errno failure becomes a one-line FileSystemError naming the file (for stdout: the file or device it
// is redirected to, when Linux tells us) and "while writing <what> to …"; EPIPE on stdout (the reader,
// e.g. `| head -1`, has gone) is an OutputClosedError, which commands end on quietly with exit 0: the
// reader already has all it wanted, and a `set -o pipefail` script should not fail because of `| head`.

import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { fstatSync, readlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileSystemError, isErrnoError } from "./file-system-errors.ts";

export interface ByteOutput {
  /** Appends bytes (or UTF-8 text) after everything written so far. */
  append(bytes: Uint8Array | string): Promise<void>;
  /** Overwrites bytes at `position` (files only; undefined on streams). */
  overwrite?: (bytes: Uint8Array, position: number) => Promise<void>;
  /** Makes the output final (for a file: flushes, closes and renames it into place). */
  commit(): Promise<void>;
  /** Gives up: a file output removes its temporary file. Never throws. */
  discard(): Promise<void>;
}

/** The reader of standard output closed it (EPIPE): stop writing, quietly. Not a user error. */
export class OutputClosedError extends Error {
  constructor() {
    super("standard output was closed by its reader");
    this.name = "OutputClosedError";
  }
}

/**
 * A temporary file beside `path` (same folder, so the rename is atomic), created now: a folder that
 * cannot be written fails here, before any long work. `what` names the content ("the embeddings").
 */
export async function atomicFileOutput(path: string, what: string): Promise<ByteOutput> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const action = `writing ${what} to ${path}`;
  const advice = "an earlier file there is left as it was";
  const failure = (error: unknown) => (isErrnoError(error) ? fileSystemError(error, path, action, advice) : error);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, "w");
  } catch (error) {
    throw failure(error);
  }
  let position = 0;
  const writeAll = async (bytes: Uint8Array, at: number) => {
    for (let done = 0; done < bytes.byteLength; ) {
      const { bytesWritten } = await handle!.write(bytes, done, bytes.byteLength - done, at + done);
      done += bytesWritten;
    }
  };
  const discard = async () => {
    await handle?.close().catch(() => {});
    handle = undefined;
    await rm(temporary, { force: true }).catch(() => {});
  };
  const guarded = async (work: () => Promise<void>) => {
    if (!handle) throw new Error(`${path}: output already committed or discarded`);
    try {
      await work();
    } catch (error) {
      await discard();
      throw failure(error);
    }
  };
  return {
    append: (data) =>
      guarded(async () => {
        const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
        await writeAll(bytes, position);
        position += bytes.byteLength;
      }),
    overwrite: (bytes, at) => guarded(() => writeAll(bytes, at)),
    commit: () =>
      guarded(async () => {
        await handle!.sync();
        await handle!.close();
        handle = undefined;
        try {
          await rename(temporary, path);
        } catch (error) {
          await rm(temporary, { force: true }).catch(() => {});
          throw error;
        }
      }),
    discard,
  };
}

/** What standard output is redirected to (e.g. /dev/full, /tmp/out.jsonl), or "standard output". */
function standardOutputName(): string {
  try {
    const target = readlinkSync("/proc/self/fd/1");
    if (target.startsWith("/")) return target;
  } catch {
    // Not Linux, or no /proc: say what we know.
  }
  return "standard output";
}

/**
 * process.stdout (or `stream`) as a ByteOutput; `what` names the content ("the embeddings"). Redirected
 * to a file or a device, stdout is written with our own writeSync loop: Node's stream for it ignores a
 * short write, so on a disk that fills up during the last write the output was cut short with exit 0.
 */
export function standardOutput(what: string, stream: NodeJS.WriteStream = process.stdout): ByteOutput {
  const action = `writing ${what} to standard output`;
  const failure = (error: unknown) => {
    if (isErrnoError(error) && error.code === "EPIPE") return new OutputClosedError();
    if (isErrnoError(error)) return fileSystemError(error, standardOutputName(), action);
    return error;
  };
  const streamFd = (stream as { fd?: unknown }).fd;
  const fd = typeof streamFd === "number" ? streamFd : 1;
  let direct = false;
  try {
    const stats = fstatSync(fd);
    direct = stats.isFile() || (stats.isCharacterDevice() && !stream.isTTY);
  } catch {
    // Not a real descriptor (a test double): use the stream.
  }
  if (direct) {
    return {
      append: async (data) => {
        const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
        try {
          for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done);
        } catch (error) {
          throw failure(error);
        }
      },
      commit: async () => {},
      discard: async () => {},
    };
  }
  // A failed write also emits 'error' on the stream; without a listener Node would crash with a stack.
  stream.on("error", () => {});
  let closed: unknown;
  return {
    append: (data) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return reject(closed);
        stream.write(data, (error) => {
          if (!error) return resolve();
          closed = failure(error);
          reject(closed);
        });
      }),
    commit: async () => {},
    discard: async () => {},
  };
}
