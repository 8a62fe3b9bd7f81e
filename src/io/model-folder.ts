// The files of a sentence-transformers model folder besides the weights: JSON reading with one-line
// errors, modules.json (both v3 and v5.4+ module type spellings), and atomic saving: everything is
// written into a temporary sibling folder which then replaces the target with a rename.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { EmbedtuneError, ModelLoadError } from "../errors.ts";
import { assertContainedFile, moduleFolderEscape } from "./contained-path.ts";
import { parseJsonText } from "./json-error.ts";
import { EMBEDTUNE_VERSION } from "../version.ts";
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

export function writeJsonFile(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

export type ModuleKind = "Transformer" | "Pooling" | "Normalize";

export interface ModuleEntry {
  idx: number;
  name: string;
  path: string;
  type: string;
  kind: ModuleKind;
}

const MODULE_TYPES: Record<ModuleKind, string> = {
  Transformer: "sentence_transformers.models.Transformer",
  Pooling: "sentence_transformers.models.Pooling",
  Normalize: "sentence_transformers.models.Normalize",
};

/**
 * modules.json, or undefined when the folder is a plain Hugging Face model without one. Every module
 * path must stay inside the model folder (contained-path.ts); `../evil`, `/etc` or a symlink to another
 * folder is refused before anything in it is read.
 */
export function readModules(directory: string): ModuleEntry[] | undefined {
  const path = join(directory, "modules.json");
  if (!existsSync(path)) return undefined;
  const json = readJsonFile(path, { within: directory });
  if (!Array.isArray(json)) throw new ModelLoadError(path, "is not a JSON list of modules");
  return json.map((entry, index) => {
    const module = entry as Partial<ModuleEntry>;
    if (typeof module !== "object" || module === null || typeof module.type !== "string" || typeof (module.path ?? "") !== "string") {
      throw new ModelLoadError(path, `module ${index} has no "type" and "path"`);
    }
    const kind = (Object.keys(MODULE_TYPES) as ModuleKind[]).find((name) => module.type!.split(".").pop() === name);
    if (kind === undefined) {
      throw new ModelLoadError(
        path,
        `module type ${module.type} is not supported (embedtune supports Transformer, Pooling, Normalize)`,
      );
    }
    const modulePath = module.path ?? "";
    const escape = moduleFolderEscape(directory, modulePath);
    if (escape !== undefined) {
      const shown = modulePath.length > 200 ? `${modulePath.slice(0, 200)}…` : modulePath;
      throw new ModelLoadError(
        path,
        `module ${index} (${kind}) has path ${JSON.stringify(shown)}, which ${escape}; a module folder must be inside the model folder`,
      );
    }
    return { idx: module.idx ?? index, name: module.name ?? String(index), path: modulePath, type: module.type, kind };
  });
}

export interface SentenceTransformerFiles {
  /** 1_Pooling/config.json. */
  poolingConfig: Record<string, unknown>;
  normalize: boolean;
  similarityFnName: string;
  prompts?: Record<string, string>;
  defaultPromptName?: string | null;
}

/**
 * The sentence-transformers v3 files around the Transformer's own: modules.json, 1_Pooling/config.json,
 * 2_Normalize/ (an empty folder) and config_sentence_transformers.json.
 */
export function writeSentenceTransformerFiles(directory: string, files: SentenceTransformerFiles): void {
  const modules = [
    { idx: 0, name: "0", path: "", type: MODULE_TYPES.Transformer },
    { idx: 1, name: "1", path: "1_Pooling", type: MODULE_TYPES.Pooling },
    ...(files.normalize ? [{ idx: 2, name: "2", path: "2_Normalize", type: MODULE_TYPES.Normalize }] : []),
  ];
  writeJsonFile(join(directory, "modules.json"), modules);
  mkdirSync(join(directory, "1_Pooling"), { recursive: true });
  writeJsonFile(join(directory, "1_Pooling", "config.json"), files.poolingConfig);
  if (files.normalize) mkdirSync(join(directory, "2_Normalize"), { recursive: true });
  writeJsonFile(join(directory, "config_sentence_transformers.json"), {
    __version__: { embedtune: EMBEDTUNE_VERSION, sentence_transformers: "3.4.1" },
    prompts: files.prompts ?? {},
    default_prompt_name: files.defaultPromptName ?? null,
    similarity_fn_name: files.similarityFnName,
  });
}

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
