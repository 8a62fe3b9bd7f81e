// sentence-transformers' Transformer module for BERT: config.json + model.safetensors + tokenizer,
// max_seq_length and do_lower_case from sentence_bert_config.json. It owns the trainable weights and
// turns texts into token embeddings [batch, seq, hidden] through the tfjs reference encoder.

import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { bertForward, type BertWeights, type EncoderInputs, type ForwardOptions } from "../engines/tfjs/bert.ts";
import { ModelLoadError } from "../errors.ts";
import { readSafetensors, toFloat32, writeSafetensors } from "../io/safetensors.ts";
import { readJsonFile, writeJsonFile } from "../io/model-folder.ts";
import { bertConfigJson, parseBertConfig, type BertConfig } from "./bert-config.ts";
import {
  bertWeightsFromTensors,
  bertWeightsToTensors,
  canonicalTensorName,
  disposeBertWeights,
  namedBertWeights,
  type NamedTensorValues,
} from "./bert-weights.ts";
import { SentenceTokenizer } from "./tokenizer.ts";

export class Transformer {
  constructor(
    readonly config: BertConfig,
    readonly tokenizer: SentenceTokenizer,
    readonly weights: BertWeights,
    public maxSeqLength: number,
    public doLowerCase: boolean,
    /** The pooler's weights, unused by sentence-transformers but written back so the folder stays complete. */
    readonly poolerTensors: NamedTensorValues[] = [],
  ) {}

  static load(directory: string): Transformer {
    const config = parseBertConfig(readJsonFile(join(directory, "config.json")), join(directory, "config.json"));
    const tokenizer = SentenceTokenizer.load(directory);
    if (tokenizer.vocabSize > config.vocabSize) {
      throw new ModelLoadError(
        join(directory, "tokenizer.json"),
        `has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${config.vocabSize}`,
      );
    }
    const sentenceConfigPath = join(directory, "sentence_bert_config.json");
    const sentenceConfig = existsSync(sentenceConfigPath)
      ? (readJsonFile(sentenceConfigPath) as Record<string, unknown>)
      : {};
    const tokenizerMaxLength = Number(JSON.parse(tokenizer.files.get("tokenizer_config.json") ?? "{}").model_max_length);
    const maxSeqLength = resolveMaxSeqLength(sentenceConfig.max_seq_length, config, tokenizerMaxLength, sentenceConfigPath);
    const { weights, poolerTensors } = loadWeights(directory, config);
    return new Transformer(config, tokenizer, weights, maxSeqLength, sentenceConfig.do_lower_case === true, poolerTensors);
  }

  tokenize(texts: string[]): EncoderInputs {
    return this.tokenizer.encodeBatch(texts, { maxSeqLength: this.maxSeqLength, doLowerCase: this.doLowerCase });
  }

  /** Token embeddings [batch, seq, hidden]. */
  forward(inputs: EncoderInputs, options: ForwardOptions = {}): tf.Tensor3D {
    return bertForward(this.weights, this.config, inputs, options);
  }

  get hiddenSize(): number {
    return this.config.hiddenSize;
  }

  /** Weights with their Hugging Face names, e.g. "encoder.layer.0.attention.self.query.weight". */
  namedParameters(): { name: string; tensor: tf.Variable }[] {
    return namedBertWeights(this.config, this.weights).map(({ name, tensor }) => ({ name, tensor: tensor as tf.Variable }));
  }

  /** Writes config.json, model.safetensors (F32), the tokenizer files and sentence_bert_config.json. */
  save(directory: string): void {
    writeJsonFile(join(directory, "config.json"), bertConfigJson(this.config));
    writeSafetensors(
      join(directory, "model.safetensors"),
      [...bertWeightsToTensors(this.config, this.weights), ...this.poolerTensors],
      { format: "pt" },
    );
    for (const [name, text] of this.tokenizer.files) writeFileSync(join(directory, name), text);
    writeJsonFile(join(directory, "sentence_bert_config.json"), {
      max_seq_length: this.maxSeqLength,
      do_lower_case: this.doLowerCase,
    });
  }

  dispose(): void {
    disposeBertWeights(this.config, this.weights);
  }
}

/** sentence-transformers: max_seq_length from sentence_bert_config.json, else min(model, tokenizer) limits. */
function resolveMaxSeqLength(value: unknown, config: BertConfig, tokenizerMaxLength: number, file: string): number {
  if (value === undefined || value === null) {
    return Number.isFinite(tokenizerMaxLength) && tokenizerMaxLength > 0
      ? Math.min(config.maxPositionEmbeddings, tokenizerMaxLength)
      : config.maxPositionEmbeddings;
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < 2) {
    throw new ModelLoadError(file, `max_seq_length must be an integer ≥ 2, got ${JSON.stringify(value)}`);
  }
  if (value > config.maxPositionEmbeddings) {
    throw new ModelLoadError(file, `max_seq_length ${value} exceeds max_position_embeddings ${config.maxPositionEmbeddings} of config.json`);
  }
  return value;
}

function loadWeights(directory: string, config: BertConfig): { weights: BertWeights; poolerTensors: NamedTensorValues[] } {
  const weightsPath = join(directory, "model.safetensors");
  if (!existsSync(weightsPath)) {
    if (existsSync(join(directory, "pytorch_model.bin"))) {
      throw new ModelLoadError(
        join(directory, "pytorch_model.bin"),
        "embedtune does not load pickled PyTorch weights; convert them to model.safetensors first " +
          "(Python: AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True))",
      );
    }
    throw new ModelLoadError(weightsPath, "missing; a model folder needs its weights as model.safetensors");
  }
  const file = readSafetensors(weightsPath);
  const read = (name: string) => toFloat32(file.tensors.get(name)!, weightsPath);
  const poolerTensors = [...file.tensors.values()]
    .filter((entry) => canonicalTensorName(entry.name).startsWith("pooler."))
    .map((entry) => ({ name: canonicalTensorName(entry.name), shape: entry.shape, values: read(entry.name) }));
  return { weights: bertWeightsFromTensors(config, file.tensors, read, weightsPath), poolerTensors };
}
