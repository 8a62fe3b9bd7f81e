// sentence-transformers' Transformer module for BERT: config.json + model.safetensors + tokenizer,
// max_seq_length and do_lower_case from sentence_bert_config.json. It owns the trainable weights and
// turns texts into token embeddings [batch, seq, hidden] through the tfjs reference encoder.
// Weights come from model.safetensors or, when only that is absent, from sharded files listed in
// model.safetensors.index.json (merged). Every file is opened only when it resolves inside the model
// folder (contained-path.ts); NaN/Inf weights are refused naming the tensor (bert-weights.ts).

import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { bertForward, type BertWeights, type EncoderInputs, type ForwardOptions } from "../engines/tfjs/bert.ts";
import { ModelLoadError } from "../errors.ts";
import { assertContainedFile } from "../io/contained-path.ts";
import { readSafetensors, toFloat32, writeSafetensors, type SafetensorsEntry } from "../io/safetensors.ts";
import { readShardedSafetensors, SAFETENSORS_INDEX } from "../io/sharded-safetensors.ts";
import { readJsonFile, writeJsonFile } from "../io/model-folder.ts";
import { bertConfigJson, parseBertConfig, remoteCodeNote, type BertConfig } from "./bert-config.ts";
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

  /**
   * Loads the module folder `directory` of the model folder `root` (default: the same folder). `quiet`
   * silences the once-per-process note that remote code in config.json is ignored.
   */
  static load(directory: string, options: { root?: string; quiet?: boolean } = {}): Transformer {
    const root = options.root ?? directory;
    const configPath = join(directory, "config.json");
    const config = parseBertConfig(readJsonFile(configPath, { within: root }), configPath);
    if (!options.quiet) {
      const note = remoteCodeNote(config);
      if (note !== undefined) process.stderr.write(note);
    }
    const tokenizer = SentenceTokenizer.load(directory, root);
    if (tokenizer.vocabSize > config.vocabSize) {
      throw new ModelLoadError(
        join(directory, "tokenizer.json"),
        `has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${config.vocabSize}`,
      );
    }
    const sentenceConfigPath = join(directory, "sentence_bert_config.json");
    const sentenceConfig = existsSync(sentenceConfigPath)
      ? (readJsonFile(sentenceConfigPath, { within: root }) as Record<string, unknown>)
      : {};
    const maxSeqLength = resolveMaxSeqLength(sentenceConfig.max_seq_length, config, tokenizer.modelMaxLength, sentenceConfigPath);
    const { weights, poolerTensors } = loadWeights(directory, root, config);
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

function loadWeights(directory: string, root: string, config: BertConfig): { weights: BertWeights; poolerTensors: NamedTensorValues[] } {
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
    return toFloat32(entry, entry.file);
  };
  const poolerTensors = [...tensors.values()]
    .filter((entry) => canonicalTensorName(entry.name).startsWith("pooler."))
    .map((entry) => ({ name: canonicalTensorName(entry.name), shape: entry.shape, values: read(entry.name) }));
  return { weights: bertWeightsFromTensors(config, tensors, read, file), poolerTensors };
}
