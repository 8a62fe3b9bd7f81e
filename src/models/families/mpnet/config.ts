// config.json of an MPNet model (model_type "mpnet"), read with transformers' MPNetConfig defaults where a key
// is absent (the class defaults differ from real checkpoints: layer_norm_eps 1e-12 vs 1e-5, max_position_embeddings
// 512 vs 514). No type_vocab_size: MPNet has no token types. Positions are RoBERTa's (padding_idx 1 + running count),
// so the longest sequence is max_position_embeddings − 2. padTokenId is the embeddings' padding_idx, which
// MPNetEmbeddings hard-codes to 1 whatever config.json's pad_token_id says (that one is written back as read). The relative attention bias table has
// relative_attention_num_buckets rows, of which Hugging Face uses the first 32 (it passes the default 32).

import type { EncoderConfig } from "../../../engines/architecture.ts";
import { ModelLoadError } from "../../../errors.ts";
import { RELATIVE_BUCKETS } from "./relative-position.ts";
import { MPNET_PADDING_INDEX } from "./positions.ts";

export interface MpnetConfig extends EncoderConfig {
  intermediateSize: number;
  maxPositionEmbeddings: number;
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  /** Rows of encoder.relative_attention_bias.weight (≥ 32; buckets 0..31 are used). */
  relativeAttentionNumBuckets: number;
}

export function parseMpnetConfig(raw: Record<string, unknown>, file: string): MpnetConfig {
  const hiddenAct = raw.hidden_act ?? "gelu";
  if (hiddenAct !== "gelu") {
    throw new ModelLoadError(file, `hidden_act ${JSON.stringify(hiddenAct)} is not supported (MPNet uses "gelu")`);
  }
  const integer = (key: string, fallback: number, min = 0): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
      throw new ModelLoadError(file, `${key} must be an integer of at least ${min}, got ${JSON.stringify(raw[key])}`);
    }
    return value;
  };
  const fraction = (key: string, fallback: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== "number" || !(value >= 0 && value < 1)) {
      throw new ModelLoadError(file, `${key} must be a number in [0, 1), got ${JSON.stringify(raw[key])}`);
    }
    return value;
  };
  const maxPositionEmbeddings = integer("max_position_embeddings", 512, MPNET_PADDING_INDEX + 2);
  const config: MpnetConfig = {
    modelType: "mpnet",
    vocabSize: integer("vocab_size", 30527, MPNET_PADDING_INDEX + 1),
    hiddenSize: integer("hidden_size", 768, 1),
    numHiddenLayers: integer("num_hidden_layers", 12),
    numAttentionHeads: integer("num_attention_heads", 12, 1),
    intermediateSize: integer("intermediate_size", 3072, 1),
    maxPositionEmbeddings,
    maxSequenceLength: maxPositionEmbeddings - MPNET_PADDING_INDEX - 1,
    layerNormEps: fraction("layer_norm_eps", 1e-12),
    hiddenDropoutProb: fraction("hidden_dropout_prob", 0.1),
    attentionProbsDropoutProb: fraction("attention_probs_dropout_prob", 0.1),
    relativeAttentionNumBuckets: integer("relative_attention_num_buckets", 32, RELATIVE_BUCKETS),
    padTokenId: MPNET_PADDING_INDEX,
    raw,
  };
  if (config.hiddenSize % config.numAttentionHeads !== 0) {
    throw new ModelLoadError(file, `hidden_size ${config.hiddenSize} is not a multiple of num_attention_heads ${config.numAttentionHeads}`);
  }
  return config;
}

/** The config as Hugging Face writes it: the raw fields with the sizes this object holds (no remote code). */
export function mpnetConfigJson(config: MpnetConfig): Record<string, unknown> {
  const { auto_map: _autoMap, trust_remote_code: _trustRemoteCode, ...raw } = config.raw;
  return {
    architectures: ["MPNetModel"],
    ...raw,
    model_type: "mpnet",
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    intermediate_size: config.intermediateSize,
    max_position_embeddings: config.maxPositionEmbeddings,
    layer_norm_eps: config.layerNormEps,
    hidden_act: "gelu",
    hidden_dropout_prob: config.hiddenDropoutProb,
    attention_probs_dropout_prob: config.attentionProbsDropoutProb,
    relative_attention_num_buckets: config.relativeAttentionNumBuckets,
    pad_token_id: raw.pad_token_id ?? MPNET_PADDING_INDEX,
  };
}
