// The modules after the Transformer, as modules.json lists them: a registry from sentence-transformers'
// class names to loaders (any spelling ST has written: "sentence_transformers.models.Dense" (v3),
// "sentence_transformers.base.modules.dense.Dense" (v6), … — the class name is the last part), loading
// with the dimensions checked along the chain (Pooling's word_embedding_dimension = the Transformer's
// hidden size, Dense in_features = the previous output), ST's default for a plain Hugging Face folder
// (mean pooling, said once on stderr), the forward pass through them, and saving as ST lays them out:
// modules.json entries {idx, name: "idx", path: "idx_ClassName", type} and one folder per module.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ModelLoadError } from "../../errors.ts";
import { readJsonFile, writeJsonFile } from "../../io/model-folder.ts";
import { Dense } from "./dense.ts";
import type { ModuleFeatures, SentenceModule } from "./module.ts";
import type { ModuleEntry } from "./modules-json.ts";
import { Normalize } from "./normalize.ts";
import { Pooling } from "./pooling.ts";

type ModuleLoader = (folder: string, root: string, inputDimension: number, options: { quiet?: boolean }) => SentenceModule;

/** sentence-transformers' class name → loader of its folder. */
export const MODULE_LOADERS: Record<string, ModuleLoader> = {
  Pooling: (folder, root, inputDimension) => {
    const path = join(folder, "config.json");
    return Pooling.fromConfig(readJsonFile(path, { within: root }), path, inputDimension);
  },
  Dense: (folder, root, _inputDimension, options) => Dense.load(folder, root, options),
  Normalize: (_folder, _root, inputDimension) => new Normalize(inputDimension),
};

/** The class name a modules.json type names ("sentence_transformers.models.Dense" → "Dense"). */
export function moduleClassName(type: string): string {
  return type.split(".").pop()!;
}

/** How embedtune writes a type: ST v3's spelling, which every sentence-transformers version reads. */
export function moduleTypeName(className: string): string {
  return `sentence_transformers.models.${className}`;
}

/**
 * The modules after the Transformer: `entries` are modules.json's entries after the first (undefined:
 * the folder has no modules.json, so mean pooling, as ST does). `inputDimension` is the Transformer's
 * hidden size. Pooling must come first (the only module reading token embeddings), exactly once.
 */
export function loadModuleStack(
  modelDirectory: string,
  entries: ModuleEntry[] | undefined,
  inputDimension: number,
  options: { quiet?: boolean } = {},
): SentenceModule[] {
  if (entries === undefined) {
    if (!options.quiet) {
      process.stderr.write(`embedtune: No sentence-transformers model found with name ${modelDirectory}. Creating a new one with mean pooling.\n`);
    }
    return [new Pooling(inputDimension, "mean")];
  }
  const modulesFile = join(modelDirectory, "modules.json");
  const modules: SentenceModule[] = [];
  try {
    let dimension = inputDimension;
    for (const entry of entries) {
      const className = moduleClassName(entry.type);
      const load = MODULE_LOADERS[className];
      if (load === undefined || !entry.type.startsWith("sentence_transformers.")) {
        throw new ModelLoadError(modulesFile, `module ${entry.idx} has type ${entry.type}, which embedtune does not support after the Transformer (it supports ${supportedTypes()})`);
      }
      if ((className === "Pooling") !== (modules.length === 0)) {
        throw new ModelLoadError(modulesFile, `module ${entry.idx} is a ${className}; embedtune needs exactly one Pooling, right after the Transformer`);
      }
      const folder = join(modelDirectory, entry.path);
      const module = load(folder, modelDirectory, dimension, options);
      modules.push(module);
      checkInputDimension(module, dimension, join(folder, "config.json"));
      dimension = module.outputDimension;
    }
    if (modules.length === 0) throw new ModelLoadError(modulesFile, "lists no Pooling module after the Transformer");
  } catch (error) {
    for (const module of modules) module.dispose();
    throw error;
  }
  return modules;
}

function supportedTypes(): string {
  return Object.keys(MODULE_LOADERS).map(moduleTypeName).join(", ");
}

function checkInputDimension(module: SentenceModule, dimension: number, file: string): void {
  if (module instanceof Pooling && module.wordEmbeddingDimension !== dimension) {
    throw new ModelLoadError(file, `word_embedding_dimension ${module.wordEmbeddingDimension} differs from the encoder's hidden_size ${dimension}`);
  }
  if (module instanceof Dense && module.inFeatures !== dimension) {
    throw new ModelLoadError(file, `in_features ${module.inFeatures} differs from the previous module's output dimension ${dimension}`);
  }
}

/** The sentence embeddings [B, D]: the token embeddings through every module, in order (differentiable). */
export function forwardModuleStack(modules: SentenceModule[], features: ModuleFeatures): tf.Tensor2D {
  return tf.tidy(() => {
    let sentenceEmbedding: tf.Tensor2D | undefined;
    for (const module of modules) sentenceEmbedding = module.forward({ ...features, sentenceEmbedding });
    return sentenceEmbedding!;
  });
}

/** Every module's trainable variables, named "<folder>/<name>" ("2_Dense/linear.weight"). */
export function moduleStackParameters(modules: SentenceModule[]): Map<string, tf.Variable> {
  return new Map(
    modules.flatMap((module, index) => [...module.trainableParameters()].map(([name, variable]) => [`${moduleFolderName(module, index)}/${name}`, variable] as const)),
  );
}

/** ST's folder of the module at position `index` after the Transformer: "1_Pooling", "2_Dense", …. */
export function moduleFolderName(module: SentenceModule, index: number): string {
  return `${index + 1}_${module.className}`;
}

/**
 * modules.json (the Transformer at idx 0, its files in the folder itself) and one folder per module,
 * as ST's save writes them. The Transformer's own files are the caller's.
 */
export function saveModuleStack(directory: string, modules: SentenceModule[]): void {
  const entries = [
    { idx: 0, name: "0", path: "", type: moduleTypeName("Transformer") },
    ...modules.map((module, index) => ({ idx: index + 1, name: String(index + 1), path: moduleFolderName(module, index), type: moduleTypeName(module.className) })),
  ];
  writeJsonFile(join(directory, "modules.json"), entries);
  modules.forEach((module, index) => {
    const folder = join(directory, moduleFolderName(module, index));
    mkdirSync(folder, { recursive: true });
    module.save(folder);
  });
}
