// Writing a model into a folder the user names without ever losing the user's files (as
// sentence-transformers' save() and Hugging Face's save_pretrained leave other files alone).
// `fill` writes into a staging sibling `.<name>.tmp-<pid>-<unique>`; a failure there (disk full)
// removes it and leaves the target untouched. Then the staged files move into the target one by one
// with rename, replacing only files of the same relative path; the replaced ones wait in
// `.<name>.old-<pid>-<unique>` until every file is in place, so a move failing midway is rolled back.
// Nothing else in the target is deleted. A non-empty folder holding no model (no config.json, no
// modules.json) is refused unless `overwrite` is set. Errno failures become one-line FileSystemErrors.

import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, type Stats } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { EmbedtuneError } from "../errors.ts";
import { FileSystemError, fileSystemError, isErrnoError } from "./file-system-errors.ts";

export interface OutputFolderOptions {
  /** Allow writing into a non-empty folder that holds no model (only the model's files are added or replaced). */
  overwrite?: boolean;
  /** How the refusal names the switch that allows it: "--overwrite" in the CLI; default "overwrite: true". */
  argument?: string;
  /** What is written, for messages: default "the model". */
  what?: string;
}

/** A non-empty folder that holds no model, named as an output without `overwrite`. */
export class FolderNotEmptyError extends EmbedtuneError {
  constructor(
    readonly folder: string,
    readonly entries: string[],
    argument: string,
  ) {
    const shown = entries.slice(0, 3).join(", ") + (entries.length > 3 ? ", …" : "");
    super(
      `${folder}: folder is not empty and holds no model (${shown}); ` +
        `choose a new or empty folder, or pass ${argument} to add the model's files beside what is there`,
    );
  }
}

const NOTHING_CHANGED = "nothing was changed there";

/** `.<name>.<kind>-<pid>-<unique>`: the staging (tmp) or backup (old) sibling of `target` (parsed by stale-staging cleanup). */
export function siblingName(target: string, kind: "tmp" | "old", unique = uniqueSuffix()): string {
  return `.${basename(resolve(target))}.${kind}-${process.pid}-${unique}`;
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

function statOrUndefined(path: string, follow = true): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (error) {
    if (isErrnoError(error) && error.code === "ENOENT") return undefined;
    throw error;
  }
}

function isOwnSibling(entry: string, target: string): boolean {
  const name = basename(target);
  return entry.startsWith(`.${name}.tmp-`) || entry.startsWith(`.${name}.old-`);
}

/** A folder that holds a model: embedtune's, sentence-transformers' or Hugging Face's output. */
export function isModelFolder(directory: string): boolean {
  return existsSync(join(directory, "config.json")) || existsSync(join(directory, "modules.json"));
}

/**
 * Checks that `target` can take a model before any long work: it is missing, an empty folder, a model
 * folder, or (with `overwrite`) any folder. Throws FolderNotEmptyError or a one-line FileSystemError.
 * Returns whether the target exists.
 */
export function checkOutputFolder(target: string, options: OutputFolderOptions = {}): boolean {
  const absolute = resolve(target);
  const action = `writing ${options.what ?? "the model"}`;
  let stats: Stats | undefined;
  try {
    stats = statOrUndefined(absolute);
  } catch (error) {
    if (isErrnoError(error)) throw fileSystemError(error, absolute, action, NOTHING_CHANGED);
    throw error;
  }
  if (stats === undefined) return false;
  if (!stats.isDirectory()) {
    throw new FileSystemError(absolute, "ENOTDIR", `${absolute} is a file, not a folder (ENOTDIR) while ${action}: ${NOTHING_CHANGED}`);
  }
  if (options.overwrite) return true;
  let entries: string[];
  try {
    entries = readdirSync(absolute).filter((entry) => !isOwnSibling(entry, absolute)).sort();
  } catch (error) {
    if (isErrnoError(error)) throw fileSystemError(error, absolute, action, NOTHING_CHANGED);
    throw error;
  }
  if (entries.length > 0 && !isModelFolder(absolute)) throw new FolderNotEmptyError(absolute, entries, options.argument ?? "overwrite: true");
  return true;
}

/** Folders (parents first) and files under `directory`, relative to it. */
function listTree(directory: string, prefix = ""): { folders: string[]; files: string[] } {
  const folders: string[] = [];
  const files: string[] = [];
  for (const entry of readdirSync(join(directory, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = prefix === "" ? entry.name : join(prefix, entry.name);
    if (entry.isDirectory()) {
      folders.push(path);
      const inner = listTree(directory, path);
      folders.push(...inner.folders);
      files.push(...inner.files);
    } else {
      files.push(path);
    }
  }
  return { folders, files };
}

/** The files that make a folder look like a valid model move last, so a half-moved folder does not look complete. */
const MOVED_LAST = ["config.json", "modules.json"];

function moveOrder(files: string[]): string[] {
  const rank = (file: string) => MOVED_LAST.indexOf(file);
  return [...files].sort((a, b) => rank(a) - rank(b));
}

/**
 * Where staging and backup siblings go: the target's parent, unless the target is an existing folder
 * on another device (a mount point: rename cannot cross it), then inside the target itself.
 */
function stagingParent(target: string, existing: boolean): string {
  const parent = dirname(target);
  if (existing && statSync(target).dev !== statSync(parent).dev) return target;
  return parent;
}

interface Moved {
  destination: string;
  /** Where the replaced file waits until success. */
  backup?: string;
  /** The new file is in place (else only the original was set aside). */
  placed: boolean;
}

/** Undoes a partial move; returns the paths that could not be restored. */
function rollBack(moved: Moved[], createdFolders: string[]): string[] {
  const failed: string[] = [];
  for (const entry of moved.reverse()) {
    try {
      if (entry.placed) rmSync(entry.destination, { force: true });
      if (entry.backup) renameSync(entry.backup, entry.destination);
    } catch {
      failed.push(entry.destination);
    }
  }
  for (const folder of createdFolders.reverse()) {
    try {
      rmdirSync(folder);
    } catch {
      // Not empty (something else wrote there) or already gone: leave it.
    }
  }
  return failed;
}

/** The target has a file where the model has a folder, or the other way round. */
class Conflict extends Error {
  constructor(
    readonly destination: string,
    readonly detail: string,
    readonly code: string,
  ) {
    super(`${destination} ${detail}`);
  }
}

/** Moves every file of `staging` into `target` (an existing folder), replacing same-named files only; all or nothing. */
function mergeInto(staging: string, target: string, backupRoot: string, action: string): void {
  const { folders, files } = listTree(staging);
  const moved: Moved[] = [];
  const createdFolders: string[] = [];
  try {
    for (const folder of folders) {
      const destination = join(target, folder);
      const existing = statOrUndefined(destination, false);
      if (existing === undefined) {
        mkdirSync(destination);
        createdFolders.push(destination);
      } else if (!existing.isDirectory() && !statOrUndefined(destination)?.isDirectory()) {
        throw new Conflict(destination, "is a file where the model has a folder", "ENOTDIR");
      }
    }
    for (const file of moveOrder(files)) {
      const destination = join(target, file);
      const existing = statOrUndefined(destination, false);
      const entry: Moved = { destination, placed: false };
      if (existing !== undefined) {
        if (existing.isDirectory()) throw new Conflict(destination, "is a folder where the model has a file", "EISDIR");
        entry.backup = join(backupRoot, file);
        mkdirSync(dirname(entry.backup), { recursive: true });
        renameSync(destination, entry.backup);
      }
      moved.push(entry);
      renameSync(join(staging, file), destination);
      entry.placed = true;
    }
  } catch (error) {
    const failed = rollBack(moved, createdFolders);
    let advice = NOTHING_CHANGED;
    if (failed.length === 0) rmSync(backupRoot, { recursive: true, force: true });
    else advice = `${failed.length} replaced file(s) could not be put back (${failed.map((path) => relative(target, path)).join(", ")}); the originals are in ${backupRoot}`;
    if (error instanceof Conflict) {
      throw new FileSystemError(error.destination, error.code, `${error.message} (${error.code}) while ${action}: ${advice}`);
    }
    if (isErrnoError(error) && !(error instanceof EmbedtuneError)) throw fileSystemError(error, target, action, advice);
    throw error;
  }
  rmSync(backupRoot, { recursive: true, force: true });
}

/**
 * Writes a model into `target`: `fill` writes every file into a staging folder, which then moves into
 * the target file by file. Files of the target that the model does not have stay as they are.
 */
export async function writeModelFolder(
  target: string,
  fill: (directory: string) => void | Promise<void>,
  options: OutputFolderOptions = {},
): Promise<void> {
  const absolute = resolve(target);
  const action = `writing ${options.what ?? "the model"}`;
  const existing = checkOutputFolder(absolute, options);
  const unique = uniqueSuffix();
  let staging: string | undefined;
  try {
    if (!existing) mkdirSync(dirname(absolute), { recursive: true });
    const parent = stagingParent(absolute, existing);
    staging = join(parent, siblingName(absolute, "tmp", unique));
    mkdirSync(staging);
    await fill(staging);
    if (!existing && !existsSync(absolute)) {
      renameSync(staging, absolute);
      staging = undefined;
      return;
    }
    mkdirSync(absolute, { recursive: true });
    mergeInto(staging, absolute, join(parent, siblingName(absolute, "old", unique)), action);
  } catch (error) {
    if (isErrnoError(error) && !(error instanceof EmbedtuneError)) throw fileSystemError(error, absolute, action, NOTHING_CHANGED);
    throw error;
  } finally {
    if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
  }
}
