// `embedtune init-model`: writes a randomly initialised model of a family (default BERT) in the
// sentence-transformers layout (config.json, model.safetensors, tokenizer files, modules.json, 1_Pooling,
// 2_Normalize): the family makes its config.json and tokenizer (vocabulary learnt from a text file; BERT
// can take a vocab.txt as it is), the weights come from its parameters() (random-weights.ts). Presets:
// "tiny" (the project's test and default model) and "bge-small" (BAAI/bge-small-en-v1.5's exact architecture).

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ArgumentError } from "../errors.ts";
import { writeJsonFile } from "../io/model-folder.ts";
import { writeSentenceTransformerFiles } from "../models/modules/modules-json.ts";
import { checkOutputFolder, writeModelFolder, type OutputFolderOptions } from "../io/output-folder.ts";
import { writeSafetensors } from "../io/safetensors.ts";
import { familyNamed, supportedModelTypes } from "../models/families/index.ts";
import { Pooling } from "../models/modules/pooling.ts";
import { randomWeights } from "./random-weights.ts";

export interface InitModelOptions extends Pick<OutputFolderOptions, "overwrite" | "argument"> {
  /** The folder to write; files already there that the model does not have stay (see output-folder.ts). */
  out: string;
  /** config.json's model_type of the new model (default "bert"). */
  family?: string;
  preset?: keyof typeof PRESETS;
  hidden?: number;
  layers?: number;
  heads?: number;
  intermediate?: number;
  pooling?: "cls" | "mean";
  normalize?: boolean;
  /** Text files the WordPiece vocabulary is learnt from (default: the project's corpus). */
  vocabFrom?: string | string[];
  /** An existing vocab.txt used as it is (e.g. bert-base-uncased's; BERT only). */
  vocab?: string;
  /** Vocabulary size; a learnt vocabulary shorter than this is padded with [unusedN] tokens. */
  vocabSize?: number;
  maxSeqLength?: number;
  seed?: number;
}

interface Preset {
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  pooling: "cls" | "mean";
  vocabSize: number;
  maxSeqLength: number;
}

export const PRESETS = {
  tiny: { hidden: 64, layers: 2, heads: 4, intermediate: 256, pooling: "mean", vocabSize: 4096, maxSeqLength: 128 },
  "bge-small": { hidden: 384, layers: 12, heads: 12, intermediate: 1536, pooling: "cls", vocabSize: 30522, maxSeqLength: 512 },
} satisfies Record<string, Preset>;

export const DEFAULT_CORPUS = new URL("../../data/vocabulary-corpus.txt", import.meta.url).pathname;

const MAX_POSITION_EMBEDDINGS = 512;
const INITIALIZER_RANGE = 0.02;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ArgumentError(name, `must be a positive integer, got ${value}`);
  return value;
}

function readText(path: string, argument: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ArgumentError(argument, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** The tokens of a vocab.txt, in id order. */
function vocabFile(path: string): string[] {
  const tokens = readText(path, "--vocab").split("\n");
  if (tokens.at(-1) === "") tokens.pop();
  return tokens;
}

/** The lines of text the vocabulary is learnt from. */
function corpus(options: InitModelOptions): string[] {
  const files = [options.vocabFrom ?? DEFAULT_CORPUS].flat();
  const lines = files.flatMap((file) => readText(file, "--vocab-from").split("\n")).filter((line) => line.trim() !== "");
  if (lines.length === 0) throw new ArgumentError("--vocab-from", `${files.join(", ")} has no text`);
  return lines;
}

export interface InitModelResult {
  directory: string;
  vocabSize: number;
  parameterCount: number;
}

export async function initModel(options: InitModelOptions): Promise<InitModelResult> {
  const preset: Preset = PRESETS[options.preset ?? "tiny"];
  if (!preset) throw new ArgumentError("--preset", `${JSON.stringify(options.preset)} is not one of ${Object.keys(PRESETS).join(", ")}`);
  const hidden = positiveInteger("--hidden", options.hidden ?? preset.hidden);
  const heads = positiveInteger("--heads", options.heads ?? preset.heads);
  if (hidden % heads !== 0) throw new ArgumentError("--heads", `hidden size ${hidden} is not a multiple of ${heads} heads`);
  const layers = positiveInteger("--layers", options.layers ?? preset.layers);
  const intermediate = positiveInteger("--intermediate", options.intermediate ?? (options.hidden ? 4 * hidden : preset.intermediate));
  const maxSeqLength = positiveInteger("--max-seq-length", options.maxSeqLength ?? preset.maxSeqLength);
  if (maxSeqLength < 2 || maxSeqLength > MAX_POSITION_EMBEDDINGS) {
    throw new ArgumentError("--max-seq-length", `must be in [2, ${MAX_POSITION_EMBEDDINGS}], got ${maxSeqLength}`);
  }
  const output: OutputFolderOptions = { overwrite: options.overwrite, argument: options.argument, what: "the new model" };
  checkOutputFolder(options.out, output);
  const pooling = options.pooling ?? preset.pooling;
  if (pooling !== "cls" && pooling !== "mean") throw new ArgumentError("--pooling", `must be cls or mean, got ${JSON.stringify(pooling)}`);
  const modelType = options.family ?? "bert";
  const family = familyNamed(modelType);
  if (family === undefined) throw new ArgumentError("--family", `${JSON.stringify(modelType)} is not one of ${supportedModelTypes().join(", ")}`);
  if (options.vocab !== undefined && modelType !== "bert") throw new ArgumentError("--vocab", `takes a WordPiece vocab.txt, for --family bert only`);
  const files = family.randomModel({
    hiddenSize: hidden,
    numHiddenLayers: layers,
    numAttentionHeads: heads,
    intermediateSize: intermediate,
    maxSequenceLength: MAX_POSITION_EMBEDDINGS,
    words: options.vocab === undefined ? corpus(options) : [],
    vocabulary: options.vocab === undefined ? undefined : vocabFile(options.vocab),
    vocabSize: positiveInteger("--vocab-size", options.vocabSize ?? preset.vocabSize),
    initializerRange: INITIALIZER_RANGE,
  });
  const config = family.parseConfig(files.config, "config.json");
  const weights = randomWeights(family, config, INITIALIZER_RANGE, options.seed ?? 42);
  await writeModelFolder(options.out, (directory) => {
    writeJsonFile(join(directory, "config.json"), files.config, { floatKeys: family.floatConfigKeys });
    writeSafetensors(join(directory, "model.safetensors"), weights, { format: "pt" });
    for (const [name, text] of files.tokenizerFiles) writeFileSync(join(directory, name), text);
    writeJsonFile(join(directory, "sentence_bert_config.json"), { max_seq_length: maxSeqLength, do_lower_case: false });
    writeSentenceTransformerFiles(directory, {
      poolingConfig: new Pooling(hidden, pooling).toConfig(),
      normalize: options.normalize ?? true,
      similarityFnName: "cosine",
    });
  }, output);
  return {
    directory: options.out,
    vocabSize: config.vocabSize,
    parameterCount: weights.reduce((sum, tensor) => sum + tensor.values.length, 0),
  };
}
