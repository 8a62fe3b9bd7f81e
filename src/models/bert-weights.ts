// Maps between Hugging Face BertModel tensor names (with or without the "bert." prefix) and the
// encoder's weights. torch's Linear.weight is [out, in]; the encoder keeps kernels as [in, out], so
// they are transposed on the way in and back on the way out. Pooler, MLM-head and position_ids
// tensors are accepted and ignored. Every encoder weight must be finite: a NaN/Inf weight (a model saved
// from a diverged run) is refused naming the tensor, instead of encoding every text to NaN (one pass
// over each Float32Array: ~20 ms for bge-small's 33M weights, against a ~3 s load); the ignored tensors
// are not checked.

import * as tf from "@tensorflow/tfjs";
import type { BertLayerWeights, BertWeights } from "../engines/tfjs/bert.ts";
import type { DenseWeights, NormWeights } from "../engines/tfjs/layers.ts";
import { ModelLoadError } from "../errors.ts";
import type { BertConfig } from "./bert-config.ts";

export interface NamedTensorValues {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** A weight as Hugging Face names it, with its torch shape and where it lives in BertWeights. */
interface WeightSlot {
  name: string;
  torchShape: number[];
  isLinearWeight: boolean;
  get: (weights: BertWeights) => tf.Tensor;
}

function weightSlots(config: BertConfig): WeightSlot[] {
  const hidden = config.hiddenSize;
  const intermediate = config.intermediateSize;
  const slots: WeightSlot[] = [];
  const plain = (name: string, shape: number[], get: (w: BertWeights) => tf.Tensor) =>
    slots.push({ name, torchShape: shape, isLinearWeight: false, get });
  const linear = (name: string, inputs: number, outputs: number, get: (w: BertWeights) => DenseWeights) => {
    slots.push({ name: `${name}.weight`, torchShape: [outputs, inputs], isLinearWeight: true, get: (w) => get(w).kernel });
    plain(`${name}.bias`, [outputs], (w) => get(w).bias);
  };
  const norm = (name: string, get: (w: BertWeights) => NormWeights) => {
    plain(`${name}.weight`, [hidden], (w) => get(w).gamma);
    plain(`${name}.bias`, [hidden], (w) => get(w).beta);
  };
  plain("embeddings.word_embeddings.weight", [config.vocabSize, hidden], (w) => w.wordEmbeddings);
  plain("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, hidden], (w) => w.positionEmbeddings);
  plain("embeddings.token_type_embeddings.weight", [config.typeVocabSize, hidden], (w) => w.tokenTypeEmbeddings);
  norm("embeddings.LayerNorm", (w) => w.embeddingNorm);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const prefix = `encoder.layer.${i}`;
    const layer = (w: BertWeights) => w.layers[i];
    linear(`${prefix}.attention.self.query`, hidden, hidden, (w) => layer(w).query);
    linear(`${prefix}.attention.self.key`, hidden, hidden, (w) => layer(w).key);
    linear(`${prefix}.attention.self.value`, hidden, hidden, (w) => layer(w).value);
    linear(`${prefix}.attention.output.dense`, hidden, hidden, (w) => layer(w).attentionOutput);
    norm(`${prefix}.attention.output.LayerNorm`, (w) => layer(w).attentionNorm);
    linear(`${prefix}.intermediate.dense`, hidden, intermediate, (w) => layer(w).intermediate);
    linear(`${prefix}.output.dense`, intermediate, hidden, (w) => layer(w).output);
    norm(`${prefix}.output.LayerNorm`, (w) => layer(w).outputNorm);
  }
  return slots;
}

const IGNORED_TENSOR = /^(pooler\.|cls\.|embeddings\.position_ids$)/;

/** Canonical name: no "bert." prefix, old LayerNorm gamma/beta spelled weight/bias. */
export function canonicalTensorName(name: string): string {
  return name
    .replace(/^bert\./, "")
    .replace(/LayerNorm\.gamma$/, "LayerNorm.weight")
    .replace(/LayerNorm\.beta$/, "LayerNorm.bias");
}

function transpose2d(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c];
  }
  return out;
}

/** How many values are NaN, +Inf or −Inf. */
export function countNonFinite(values: Float32Array): number {
  // Fast path: x·0 is ±0 for every finite x and NaN for NaN and ±Inf, so the sums stay 0 unless some
  // value is non-finite (four independent sums run about twice as fast as one).
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  const length = values.length;
  let index = 0;
  for (; index + 3 < length; index += 4) {
    sum0 += values[index] * 0;
    sum1 += values[index + 1] * 0;
    sum2 += values[index + 2] * 0;
    sum3 += values[index + 3] * 0;
  }
  for (; index < length; index++) sum0 += values[index] * 0;
  if (sum0 + sum1 + sum2 + sum3 === 0) return 0;
  let count = 0;
  for (index = 0; index < length; index++) if (!Number.isFinite(values[index])) count++;
  return count;
}

/**
 * Builds the encoder's trainable variables from named tensors. `readValues(name)` returns the
 * float32 values of a stored tensor; every required tensor must exist with config.json's shape and
 * hold finite values. Errors name the tensor's own `file` when it has one (a shard), else `file`.
 */
export function bertWeightsFromTensors(
  config: BertConfig,
  stored: Map<string, { shape: number[]; file?: string }>,
  readValues: (storedName: string) => Float32Array,
  file: string,
): BertWeights {
  const byCanonicalName = new Map<string, string>();
  for (const storedName of stored.keys()) {
    const canonical = canonicalTensorName(storedName);
    if (!IGNORED_TENSOR.test(canonical)) byCanonicalName.set(canonical, storedName);
  }
  const variables = new Map<string, tf.Variable>();
  try {
    for (const slot of weightSlots(config)) {
      const storedName = byCanonicalName.get(slot.name);
      if (storedName === undefined) throw new ModelLoadError(file, `required tensor ${slot.name} is missing`);
      const { shape, file: tensorFile = file } = stored.get(storedName)!;
      if (shape.length !== slot.torchShape.length || shape.some((size, i) => size !== slot.torchShape[i])) {
        throw new ModelLoadError(
          tensorFile,
          `tensor ${storedName} has shape [${shape.join(", ")}] but config.json implies [${slot.torchShape.join(", ")}]`,
        );
      }
      const values = readValues(storedName);
      const nonFinite = countNonFinite(values);
      if (nonFinite > 0) {
        throw new ModelLoadError(
          tensorFile,
          `tensor ${storedName} has ${nonFinite} non-finite value${nonFinite === 1 ? "" : "s"} (NaN/Inf); ` +
            "the model was probably saved from a diverged training run",
        );
      }
      const [rows, columns] = slot.torchShape;
      const initialValue = slot.isLinearWeight
        ? tf.tensor2d(transpose2d(values, rows, columns), [columns, rows])
        : tf.tensor(values, slot.torchShape);
      variables.set(slot.name, tf.variable(initialValue, true));
      initialValue.dispose();
    }
  } catch (error) {
    // A bad tensor part-way through must not leave the earlier ones allocated.
    for (const variable of variables.values()) variable.dispose();
    throw error;
  }
  const get = (name: string) => variables.get(name)!;
  const dense = (name: string): DenseWeights => ({
    kernel: get(`${name}.weight`) as tf.Variable<tf.Rank.R2>,
    bias: get(`${name}.bias`) as tf.Variable<tf.Rank.R1>,
  });
  const norm = (name: string): NormWeights => ({
    gamma: get(`${name}.weight`) as tf.Variable<tf.Rank.R1>,
    beta: get(`${name}.bias`) as tf.Variable<tf.Rank.R1>,
  });
  const layers: BertLayerWeights[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const prefix = `encoder.layer.${i}`;
    layers.push({
      query: dense(`${prefix}.attention.self.query`),
      key: dense(`${prefix}.attention.self.key`),
      value: dense(`${prefix}.attention.self.value`),
      attentionOutput: dense(`${prefix}.attention.output.dense`),
      attentionNorm: norm(`${prefix}.attention.output.LayerNorm`),
      intermediate: dense(`${prefix}.intermediate.dense`),
      output: dense(`${prefix}.output.dense`),
      outputNorm: norm(`${prefix}.output.LayerNorm`),
    });
  }
  return {
    wordEmbeddings: get("embeddings.word_embeddings.weight") as tf.Variable<tf.Rank.R2>,
    positionEmbeddings: get("embeddings.position_embeddings.weight") as tf.Variable<tf.Rank.R2>,
    tokenTypeEmbeddings: get("embeddings.token_type_embeddings.weight") as tf.Variable<tf.Rank.R2>,
    embeddingNorm: norm("embeddings.LayerNorm"),
    layers,
  };
}

/** Every weight with its Hugging Face name (for the optimizer's no-decay rule and for saving). */
export function namedBertWeights(config: BertConfig, weights: BertWeights): { name: string; tensor: tf.Tensor }[] {
  return weightSlots(config).map((slot) => ({ name: slot.name, tensor: slot.get(weights) }));
}

/** The weights as Hugging Face stores them (torch layout), ready for safetensors. */
export function bertWeightsToTensors(config: BertConfig, weights: BertWeights): NamedTensorValues[] {
  return weightSlots(config).map((slot) => {
    const values = slot.get(weights).dataSync() as Float32Array;
    const [rows, columns] = slot.torchShape;
    return {
      name: slot.name,
      shape: slot.torchShape,
      values: slot.isLinearWeight ? transpose2d(values, columns, rows) : Float32Array.from(values),
    };
  });
}

export function disposeBertWeights(config: BertConfig, weights: BertWeights): void {
  for (const { tensor } of namedBertWeights(config, weights)) tensor.dispose();
}
