// sentence-transformers' Transformer module for any supported family: config.json (its model_type picks
// the family, models/families/) + model.safetensors + tokenizer, max_seq_length and do_lower_case from
// sentence_bert_config.json. It owns the trainable weights (tfjs variables keyed by parameter name, in
// the encoder's layout) and turns texts into token embeddings [batch, seq, hidden] through the family's
// tfjs reference forward. Weights come from model.safetensors or, when only that is absent, from sharded
// files listed in model.safetensors.index.json (merged); F16/BF16 tensors are widened to float32. Tensors
// the encoder does not use but the family keeps (the pooler) are written back unchanged on save. Every
// file is opened only when it resolves inside the model folder (contained-path.ts); NaN/Inf weights are
// refused naming the tensor (encoder-weights.ts). Remote code (auto_map in config.json) is ignored, with
// one note per process.

import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import type { EncoderConfig, EncoderInputs, ForwardOptions } from "../engines/architecture.ts";
import { ModelLoadError } from "../errors.ts";
import { assertContainedFile } from "../io/contained-path.ts";
import { noteWidenedWeights } from "./modules/widened-weights.ts";
import { readSafetensors, toFloat32, writeSafetensors, type SafetensorsEntry } from "../io/safetensors.ts";
import { readShardedSafetensors, SAFETENSORS_INDEX } from "../io/sharded-safetensors.ts";
import { readJsonFile, writeJsonFile } from "../io/model-folder.ts";
import { declaresRemoteCode } from "./families/bert/config.ts";
import type { ModelFamily } from "./families/family.ts";
import { familyOf } from "./families/index.ts";
import { weightsFromTensors, weightsToTensors, type NamedTensorValues } from "./encoder-weights.ts";
import { SentenceTokenizer } from "./tokenizer.ts";

export class Transformer {
  constructor(
    readonly family: ModelFamily,
    readonly config: EncoderConfig,
    readonly tokenizer: SentenceTokenizer,
    /** Every parameter by name (encoder layout), in family.parameters() order. */
    readonly weights: Map<string, tf.Variable>,
    public maxSeqLength: number,
    public doLowerCase: boolean,
    /** Stored tensors the encoder does not use but the checkpoint keeps (the pooler), written back on save. */
    readonly unusedTensors: NamedTensorValues[] = [],
  ) {}

  /**
   * Loads the module folder `directory` of the model folder `root` (default: the same folder). `quiet`
   * silences the once-per-process note that remote code in config.json is ignored.
   */
  static load(directory: string, options: { root?: string; quiet?: boolean } = {}): Transformer {
    const root = options.root ?? directory;
    const configPath = join(directory, "config.json");
    const raw = readJsonFile(configPath, { within: root });
    const family = familyOf(raw, configPath);
    const config = family.parseConfig(raw as Record<string, unknown>, configPath);
    if (!options.quiet) {
      const note = remoteCodeNote(config);
      if (note !== undefined) process.stderr.write(note);
    }
    const tokenizer = SentenceTokenizer.load(directory, root);
    if (tokenizer.vocabSize > config.vocabSize) {
      throw new ModelLoadError(join(directory, "tokenizer.json"), `has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${config.vocabSize}`);
    }
    const sentenceConfigPath = join(directory, "sentence_bert_config.json");
    const sentenceConfig = existsSync(sentenceConfigPath) ? (readJsonFile(sentenceConfigPath, { within: root }) as Record<string, unknown>) : {};
    const maxSeqLength = resolveMaxSeqLength(sentenceConfig.max_seq_length, config, tokenizer.modelMaxLength, sentenceConfigPath);
    const { weights, unusedTensors } = loadWeights(directory, root, family, config, options.quiet);
    return new Transformer(family, config, tokenizer, weights, maxSeqLength, sentenceConfig.do_lower_case === true, unusedTensors);
  }

  tokenize(texts: string[]): EncoderInputs {
    return this.tokenizer.encodeBatch(texts, { maxSeqLength: this.maxSeqLength, doLowerCase: this.doLowerCase });
  }

  /** Token embeddings [batch, seq, hidden] through the family's tfjs forward. */
  forward(inputs: EncoderInputs, options: ForwardOptions = {}): tf.Tensor3D {
    return this.family.forward(this.weights, this.config, inputs, options);
  }

  get hiddenSize(): number {
    return this.config.hiddenSize;
  }

  /** Weights with their Hugging Face names, e.g. "encoder.layer.0.attention.self.query.weight". */
  namedParameters(): { name: string; tensor: tf.Variable }[] {
    return [...this.weights].map(([name, tensor]) => ({ name, tensor }));
  }

  /** Writes config.json, model.safetensors (F32), the tokenizer files and sentence_bert_config.json. */
  save(directory: string): void {
    writeJsonFile(join(directory, "config.json"), this.family.configJson(this.config), { floatKeys: this.family.floatConfigKeys });
    writeSafetensors(join(directory, "model.safetensors"), [...weightsToTensors(this.family, this.config, this.weights), ...this.unusedTensors], { format: "pt" });
    for (const [name, text] of this.tokenizer.files) writeFileSync(join(directory, name), text);
    writeJsonFile(join(directory, "sentence_bert_config.json"), { max_seq_length: this.maxSeqLength, do_lower_case: this.doLowerCase });
  }

  dispose(): void {
    for (const variable of this.weights.values()) variable.dispose();
  }
}

let remoteCodeNoted = false;

/**
 * The one stderr line (with its newline) saying remote code is ignored, the first time a config that
 * declares it is loaded in this process; undefined otherwise (and every later time).
 */
export function remoteCodeNote(config: EncoderConfig): string | undefined {
  if (remoteCodeNoted || !declaresRemoteCode(config.raw)) return undefined;
  remoteCodeNoted = true;
  const what = config.raw.auto_map !== undefined && config.raw.auto_map !== null ? "auto_map" : "trust_remote_code";
  return (
    `embedtune: config.json declares ${what} (remote code); embedtune ignores remote code and loads the model as ` +
    `model_type ${JSON.stringify(config.modelType)} (saved models leave ${what} out)\n`
  );
}

/** What bounds max_seq_length, for messages: max_position_embeddings itself, or what RoBERTa positions leave of it. */
function sequenceBound(config: EncoderConfig): string {
  const positions = config.raw.max_position_embeddings;
  return typeof positions === "number" && positions !== config.maxSequenceLength
    ? `${config.maxSequenceLength}, what max_position_embeddings ${positions} of config.json leaves after padding_idx ${config.padTokenId} + 1`
    : `max_position_embeddings ${config.maxSequenceLength} of config.json`;
}

/** sentence-transformers: max_seq_length from sentence_bert_config.json, else min(model, tokenizer) limits. */
function resolveMaxSeqLength(value: unknown, config: EncoderConfig, tokenizerMaxLength: number, file: string): number {
  if (value === undefined || value === null) {
    return Number.isFinite(tokenizerMaxLength) && tokenizerMaxLength > 0 ? Math.min(config.maxSequenceLength, tokenizerMaxLength) : config.maxSequenceLength;
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < 2) {
    throw new ModelLoadError(file, `max_seq_length must be an integer ≥ 2, got ${JSON.stringify(value)}`);
  }
  if (value > config.maxSequenceLength) throw new ModelLoadError(file, `max_seq_length ${value} exceeds ${sequenceBound(config)}`);
  return value;
}

function loadWeights(
  directory: string,
  root: string,
  family: ModelFamily,
  config: EncoderConfig,
  quiet: boolean | undefined,
): { weights: Map<string, tf.Variable>; unusedTensors: NamedTensorValues[] } {
  const weightsPath = join(directory, "model.safetensors");
  const indexPath = join(directory, SAFETENSORS_INDEX);
  let tensors: Map<string, SafetensorsEntry & { file: string }>;
  let file: string;
  if (existsSync(weightsPath)) {
    assertContainedFile(root, weightsPath);
    tensors = new Map([...readSafetensors(weightsPath).tensors].map(([name, entry]) => [name, { ...entry, file: weightsPath }]));
    file = weightsPath;
  } else if (existsSync(indexPath)) {
    tensors = readShardedSafetensors(indexPath, root);
    file = indexPath;
  } else {
    if (existsSync(join(directory, "pytorch_model.bin"))) {
      throw new ModelLoadError(
        join(directory, "pytorch_model.bin"),
        "embedtune does not load pickled PyTorch weights; convert them to model.safetensors first " +
          "(Python: AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True))",
      );
    }
    throw new ModelLoadError(weightsPath, "missing; a model folder needs its weights as model.safetensors");
  }
  const read = (name: string) => {
    const entry = tensors.get(name)!;
    noteWidenedWeights(entry.file, entry.dtype, { quiet });
    return toFloat32(entry, entry.file);
  };
  const unusedTensors = [...tensors.values()]
    .filter((entry) => family.canonicalName(entry.name) === undefined && family.keepsUnused(entry.name))
    .map((entry) => ({ name: family.savedName?.(entry.name) ?? entry.name, shape: entry.shape, values: read(entry.name) }));
  return { weights: weightsFromTensors(family, config, tensors, read, file), unusedTensors };
}
