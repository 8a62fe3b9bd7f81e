// The post-LayerNorm Transformer encoder of BERT, XLM-RoBERTa and MPNet, described once:
//   h0 = LayerNorm(word[ids] + position[pos] (+ tokenType[typeIds])), dropout
//   per layer: a = LayerNorm(h + dropout(Wo·Attention(h))),  h' = LayerNorm(a + dropout(W2·gelu(W1·a)))
//   Attention = softmax(Q·Kᵀ/√d + mask (+ bias)) · V per head, masked keys get float32 min, dropout on the probabilities.
// What differs between the families is a PostLnLayout: the parameter names (a names table), the position
// rule — absolute 0..T−1 (BERT) or RoBERTa's padding_idx + cumsum(ids ≠ padding_idx)·(ids ≠ padding_idx)
// with padding_idx = pad_token_id (XLM-R, MPNet) — whether token type embeddings exist, and an optional
// additive attention bias [heads, T, T] shared by every layer (MPNet's relative position bias), whose
// gradient the engines hand back summed over the batch.

import type * as tf from "@tensorflow/tfjs";
import type { EncoderConfig, EncoderInputs, ParameterSpec } from "../../../engines/architecture.ts";
import type { GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";

export interface PostLnConfig extends EncoderConfig {
  intermediateSize: number;
  maxPositionEmbeddings: number;
  /** Rows of the token type table; 0 when the family has none. */
  typeVocabSize: number;
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
}

/** Module names (without ".weight"/".bias") of one layer's Linear and LayerNorm modules. */
export interface PostLnLayerNames {
  query: string;
  key: string;
  value: string;
  attentionOutput: string;
  attentionNorm: string;
  intermediate: string;
  output: string;
  outputNorm: string;
}

export interface PostLnNames {
  /** Embedding tables' parameter names. */
  word: string;
  position: string;
  /** Absent: the family has no token type embeddings. */
  tokenType?: string;
  /** The embeddings' LayerNorm module. */
  embeddingNorm: string;
  layer(index: number): PostLnLayerNames;
}

/** An additive attention bias computed from the family's own parameters, added to every layer's scores. */
export interface AttentionBias<C extends PostLnConfig> {
  /** Its parameters (listed after the encoder's). */
  parameters(config: C): ParameterSpec[];
  /** tfjs: the bias [heads, T, T] or [1, heads, T, T] (differentiable in the weights). */
  tfjs(weights: ReadonlyMap<string, tf.Tensor>, config: C, inputs: EncoderInputs): tf.Tensor;
  /** ONNX: the bias value ([heads, T, T] or [1, heads, T, T]) computed in the graph from the token inputs and weights. */
  onnx(g: GraphBuilder, config: C, tokens: { inputIds: string; attentionMask: string }, weight: (name: string) => string): string;
  /** Its parameters' gradients from d(bias) [heads, T, T], summed over batch and layers. */
  gradients(config: C, inputs: EncoderInputs, biasGradient: Float32Array): Map<string, Float32Array>;
}

export interface PostLnLayout<C extends PostLnConfig> {
  names: PostLnNames;
  /** "absolute": 0..T−1; "padding-offset": RoBERTa's, from input_ids with padding_idx = config.padTokenId. */
  positions: "absolute" | "padding-offset";
  attentionBias?: AttentionBias<C>;
}

/** The names, as the BERT checkpoints spell them (XLM-RoBERTa's are the same). */
export const BERT_NAMES: PostLnNames = {
  word: "embeddings.word_embeddings.weight",
  position: "embeddings.position_embeddings.weight",
  tokenType: "embeddings.token_type_embeddings.weight",
  embeddingNorm: "embeddings.LayerNorm",
  layer: (index) => {
    const p = `encoder.layer.${index}`;
    return {
      query: `${p}.attention.self.query`,
      key: `${p}.attention.self.key`,
      value: `${p}.attention.self.value`,
      attentionOutput: `${p}.attention.output.dense`,
      attentionNorm: `${p}.attention.output.LayerNorm`,
      intermediate: `${p}.intermediate.dense`,
      output: `${p}.output.dense`,
      outputNorm: `${p}.output.LayerNorm`,
    };
  },
};

export function headSize(config: PostLnConfig): number {
  return config.hiddenSize / config.numAttentionHeads;
}

/** One layer's parameters in order (the checkpointed tfjs layer takes them as a list). */
export function layerParameters(config: PostLnConfig, names: PostLnLayerNames): ParameterSpec[] {
  const h = config.hiddenSize;
  const i = config.intermediateSize;
  const linear = (name: string, inputs: number, outputs: number): ParameterSpec[] => [
    { name: `${name}.weight`, torchShape: [outputs, inputs], linear: true },
    { name: `${name}.bias`, torchShape: [outputs], linear: false },
  ];
  const norm = (name: string): ParameterSpec[] => [
    { name: `${name}.weight`, torchShape: [h], linear: false },
    { name: `${name}.bias`, torchShape: [h], linear: false },
  ];
  return [
    ...linear(names.query, h, h),
    ...linear(names.key, h, h),
    ...linear(names.value, h, h),
    ...linear(names.attentionOutput, h, h),
    ...norm(names.attentionNorm),
    ...linear(names.intermediate, h, i),
    ...linear(names.output, i, h),
    ...norm(names.outputNorm),
  ];
}

/** Every parameter: embeddings, the layers, then the attention bias's. */
export function postLnParameters<C extends PostLnConfig>(config: C, layout: PostLnLayout<C>): ParameterSpec[] {
  const { names } = layout;
  const h = config.hiddenSize;
  const specs: ParameterSpec[] = [
    { name: names.word, torchShape: [config.vocabSize, h], linear: false },
    { name: names.position, torchShape: [config.maxPositionEmbeddings, h], linear: false },
  ];
  if (names.tokenType) specs.push({ name: names.tokenType, torchShape: [config.typeVocabSize, h], linear: false });
  specs.push(
    { name: `${names.embeddingNorm}.weight`, torchShape: [h], linear: false },
    { name: `${names.embeddingNorm}.bias`, torchShape: [h], linear: false },
  );
  for (let i = 0; i < config.numHiddenLayers; i++) specs.push(...layerParameters(config, names.layer(i)));
  specs.push(...(layout.attentionBias?.parameters(config) ?? []));
  return specs;
}

/**
 * Position ids [B·T] of a batch: t (absolute), or padding_idx + the running count of non-padding ids
 * up to and including t, padding_idx itself at padding ids (RoBERTa: decided by the ids, not the mask).
 */
export function positionIds(inputs: EncoderInputs, rule: PostLnLayout<PostLnConfig>["positions"], paddingIdx: number): Int32Array {
  const { batchSize, seqLength, inputIds } = inputs;
  const ids = new Int32Array(batchSize * seqLength);
  for (let b = 0; b < batchSize; b++) {
    let count = 0;
    for (let t = 0; t < seqLength; t++) {
      const token = b * seqLength + t;
      if (rule === "absolute") ids[token] = t;
      else ids[token] = inputIds[token] === paddingIdx ? paddingIdx : paddingIdx + ++count;
    }
  }
  return ids;
}

/** The longest sequence the position table serves: max_position_embeddings, less padding_idx + 1 for RoBERTa positions. */
export function longestSequence(rule: PostLnLayout<PostLnConfig>["positions"], maxPositionEmbeddings: number, paddingIdx: number): number {
  return rule === "absolute" ? maxPositionEmbeddings : maxPositionEmbeddings - paddingIdx - 1;
}
