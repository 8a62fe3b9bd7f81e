// modules.json, the list of a sentence-transformers model's modules ({idx, name, path, type}), read with
// every module path kept inside the model folder and every type checked against the supported classes;
// and the ST files of a model whose modules are Pooling and an optional Normalize (init-model's).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { ModelLoadError } from "../../errors.ts";
import { moduleFolderEscape } from "../../io/contained-path.ts";
import { readJsonFile, writeJsonFile } from "../../io/model-folder.ts";
import { EMBEDTUNE_VERSION } from "../../version.ts";
import { MODULE_LOADERS, moduleClassName, moduleTypeName, saveModuleStack } from "./module-stack.ts";
import { Normalize } from "./normalize.ts";
import { Pooling } from "./pooling.ts";

/** The class name of a module: "Transformer" or a key of MODULE_LOADERS. */
export type ModuleKind = string;

export interface ModuleEntry {
  idx: number;
  name: string;
  path: string;
  type: string;
  kind: ModuleKind;
}

function supportedClasses(): string[] {
  return ["Transformer", ...Object.keys(MODULE_LOADERS)];
}

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
    const kind = moduleClassName(module.type);
    if (!module.type.startsWith("sentence_transformers.") || !supportedClasses().includes(kind)) {
      throw new ModelLoadError(
        path,
        `module ${index} has type ${module.type}, which embedtune does not support (it supports ${supportedClasses().map(moduleTypeName).join(", ")})`,
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
  const pooling = Pooling.fromConfig(files.poolingConfig, join(directory, "1_Pooling", "config.json"), 0);
  saveModuleStack(directory, files.normalize ? [pooling, new Normalize(pooling.outputDimension)] : [pooling]);
  writeSentenceTransformerConfig(directory, files);
}

/** config_sentence_transformers.json: prompts, the default prompt and the similarity function. */
export function writeSentenceTransformerConfig(directory: string, files: Omit<SentenceTransformerFiles, "poolingConfig" | "normalize">): void {
  writeJsonFile(join(directory, "config_sentence_transformers.json"), {
    __version__: { embedtune: EMBEDTUNE_VERSION, sentence_transformers: "3.4.1" },
    prompts: files.prompts ?? {},
    default_prompt_name: files.defaultPromptName ?? null,
    similarity_fn_name: files.similarityFnName,
  });
}
