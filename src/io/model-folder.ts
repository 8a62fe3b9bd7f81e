// The files of a sentence-transformers model folder besides the weights: JSON reading with one-line
// errors, and atomic saving: everything is written into a temporary sibling folder which then
// replaces the target with a rename.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { EmbedtuneError, ModelLoadError } from "../errors.ts";
import { assertContainedFile } from "./contained-path.ts";
import { parseJsonText } from "./json-error.ts";
import { fileSystemError, isErrnoError } from "./file-system-errors.ts";
import { siblingName, uniqueSuffix } from "./output-folder.ts";

/**
 * Reads and parses a JSON file. With `within` (the model folder the file belongs to) a symlink that
 * resolves outside that folder is refused first (see contained-path.ts). Errors never quote the text.
 */
export function readJsonFile(path: string, options: { within?: string } = {}): unknown {
  if (options.within !== undefined) assertContainedFile(options.within, path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelLoadError(path, code === "ENOENT" ? "missing" : `cannot be read (${code ?? (error as Error).message})`);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new ModelLoadError(path, `is not valid JSON (${parsed.problem})`);
  return parsed.value;
}

/**
 * Writes `value` as JSON (indent 2, final newline). Numbers under `floatKeys` are written as floats
 * even when integral ("initializer_cutoff_factor": 2.0, not 2): transformers 5 checks config fields typed
 * `float` strictly and refuses an int, and JSON numbers parsed into JavaScript no longer say which they were.
 */
export function writeJsonFile(path: string, value: unknown, options: { floatKeys?: readonly string[] } = {}): void {
  const floatKeys = new Set(options.floatKeys ?? []);
  const marker = "\u0000float:";
  const text = JSON.stringify(value, (key, item) => (floatKeys.has(key) && Number.isInteger(item) ? `${marker}${item}` : item), 2);
  writeFileSync(path, `${text.replace(/"\\u0000float:(-?\d+)"/g, "$1.0")}\n`);
}

// modules.json and the ST files beside the weights live with the modules (models/modules/modules-json.ts).

export function assertModelDirectory(directory: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch {
    throw new ModelLoadError(directory, "model folder does not exist");
  }
  if (!isDirectory) throw new ModelLoadError(directory, "is not a folder (a model is a folder with config.json, model.safetensors, tokenizer.json)");
}

/**
 * Writes a folder atomically: `fill` writes into a fresh temporary sibling, which then takes the
 * target's place by rename. A failure leaves the previous folder untouched and removes the temporary
 * one; an errno failure (disk full, read-only) becomes a one-line FileSystemError. Only for folders
 * embedtune owns entirely (checkpoint-N): anything else in the target is replaced. Folders a user
 * names go through writeModelFolder (output-folder.ts), which never deletes a file it did not write.
 */
export async function writeFolderAtomically(target: string, fill: (directory: string) => void | Promise<void>): Promise<void> {
  const absoluteTarget = resolve(target);
  const parent = dirname(absoluteTarget);
  const unique = uniqueSuffix();
  const temporary = join(parent, siblingName(absoluteTarget, "tmp", unique));
  const previous = join(parent, siblingName(absoluteTarget, "old", unique));
  const action = `writing ${basename(absoluteTarget)}`;
  let created = false;
  try {
    mkdirSync(parent, { recursive: true });
    mkdirSync(temporary);
    created = true;
    await fill(temporary);
    const replacing = existsSync(absoluteTarget);
    if (replacing) renameSync(absoluteTarget, previous);
    try {
      renameSync(temporary, absoluteTarget);
    } catch (error) {
      if (replacing) renameSync(previous, absoluteTarget);
      throw error;
    }
    created = false;
    if (replacing) rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    if (isErrnoError(error) && !(error instanceof EmbedtuneError)) throw fileSystemError(error, absoluteTarget, action, "nothing was changed there");
    throw error;
  } finally {
    if (created) rmSync(temporary, { recursive: true, force: true });
  }
}
