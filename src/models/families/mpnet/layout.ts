// MPNet as a post-LN encoder (engines/post-ln-encoder): BERT's layer with MPNet's parameter names
// (attention.attn.{q,k,v,o}, attention.LayerNorm, intermediate.dense, output.dense, output.LayerNorm), RoBERTa
// positions from input_ids with padding_idx 1, no token types, and the relative position bias
// bias[h, i, j] = encoder.relative_attention_bias.weight[bucket(j − i), h] added to every layer's scores. The table's
// gradient is the scatter-add of ∂bias (summed over batch and layers) over the buckets.

import type * as tf from "@tensorflow/tfjs";
import type { AttentionBias, PostLnLayout, PostLnNames } from "../post-ln-encoder/layout.ts";
import type { MpnetConfig } from "./config.ts";
import { relativeAttentionBias as onnxRelativeBias, relativeBuckets } from "./relative-bias-onnx.ts";
import { relativeAttentionBias as tfjsRelativeBias } from "./relative-bias-tfjs.ts";
import { relativeBiasTableGradient } from "./relative-position.ts";

export const RELATIVE_BIAS_PARAMETER = "encoder.relative_attention_bias.weight";

export const MPNET_NAMES: PostLnNames = {
  word: "embeddings.word_embeddings.weight",
  position: "embeddings.position_embeddings.weight",
  embeddingNorm: "embeddings.LayerNorm",
  layer: (index) => {
    const p = `encoder.layer.${index}`;
    return {
      query: `${p}.attention.attn.q`,
      key: `${p}.attention.attn.k`,
      value: `${p}.attention.attn.v`,
      attentionOutput: `${p}.attention.attn.o`,
      attentionNorm: `${p}.attention.LayerNorm`,
      intermediate: `${p}.intermediate.dense`,
      output: `${p}.output.dense`,
      outputNorm: `${p}.output.LayerNorm`,
    };
  },
};

const relativePositionBias: AttentionBias<MpnetConfig> = {
  parameters: (config) => [
    { name: RELATIVE_BIAS_PARAMETER, torchShape: [config.relativeAttentionNumBuckets, config.numAttentionHeads], linear: false },
  ],
  tfjs: (weights, _config, inputs) => tfjsRelativeBias(weights.get(RELATIVE_BIAS_PARAMETER) as tf.Tensor2D, inputs.seqLength),
  onnx: (g, _config, tokens, weight) => onnxRelativeBias(g, weight(RELATIVE_BIAS_PARAMETER), relativeBuckets(g, tokens.inputIds)),
  gradients: (config, inputs, biasGradient) =>
    new Map([[RELATIVE_BIAS_PARAMETER, relativeBiasTableGradient(biasGradient, inputs.seqLength, config.numAttentionHeads, config.relativeAttentionNumBuckets)]]),
};

export const MPNET_LAYOUT: PostLnLayout<MpnetConfig> = {
  names: MPNET_NAMES,
  positions: "padding-offset",
  attentionBias: relativePositionBias,
};
