// config.json of the post-LN families (BERT; XLM-RoBERTa reads it the same way): the sizes the encoder is
// built from, with the config classes' defaults (BertConfig's and XLMRobertaConfig's are the same:
// layer_norm_eps 1e-12, type_vocab_size 2, max_position_embeddings 512, pad_token_id 0 for BERT, 1 for
// XLM-R). Unknown fields are kept and written back unchanged, so a saved folder stays loadable by transformers.
// Remote code: a config with auto_map (classes in the repo's own Python files, which transformers runs
// only with trust_remote_code=True) is still loaded by embedtune's own encoder for its model_type; the
// loader says so once per process (remoteCodeNote). Saving leaves auto_map (and a trust_remote_code
// field) out, unlike transformers, which keeps the config as loaded: embedtune neither copies the
// repo's modeling_*.py files nor ran that code, so the saved folder is what embedtune trained and
// evaluated — keeping auto_map would make trust_remote_code loaders run (or fail to find) code that was
// never part of the fine-tuning.

import { longestSequence, type PostLnConfig, type PostLnLayout } from "../post-ln-encoder/layout.ts";
import { ModelLoadError } from "../../../errors.ts";
import type { RandomModelSpec } from "../family.ts";

export type BertConfig = PostLnConfig;

/** config.json → the config of a post-LN family whose positions follow `positions`. */
export function parsePostLnConfig(
  raw: Record<string, unknown>,
  file: string,
  family: { modelType: string; padTokenId: number; positions: PostLnLayout<PostLnConfig>["positions"] },
): PostLnConfig {
  const hiddenAct = raw.hidden_act ?? "gelu";
  if (hiddenAct !== "gelu") {
    throw new ModelLoadError(file, `hidden_act ${JSON.stringify(hiddenAct)} is not supported (${family.modelType} uses "gelu")`);
  }
  const positionType = raw.position_embedding_type ?? "absolute";
  if (positionType !== "absolute") {
    throw new ModelLoadError(file, `position_embedding_type ${JSON.stringify(positionType)} is not supported (only "absolute")`);
  }
  const integer = (key: string, fallback?: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new ModelLoadError(file, `${key} must be a non-negative integer, got ${JSON.stringify(raw[key])}`);
    }
    return value;
  };
  const fraction = (key: string, fallback: number, max = 1): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== "number" || !(value >= 0 && value < max)) {
      throw new ModelLoadError(file, `${key} must be a number in [0, ${max}), got ${JSON.stringify(raw[key])}`);
    }
    return value;
  };
  const maxPositionEmbeddings = integer("max_position_embeddings", 512);
  const padTokenId = integer("pad_token_id", family.padTokenId);
  const config: PostLnConfig = {
    modelType: family.modelType,
    vocabSize: integer("vocab_size"),
    hiddenSize: integer("hidden_size"),
    numHiddenLayers: integer("num_hidden_layers"),
    numAttentionHeads: integer("num_attention_heads"),
    intermediateSize: integer("intermediate_size"),
    maxPositionEmbeddings,
    maxSequenceLength: longestSequence(family.positions, maxPositionEmbeddings, padTokenId),
    typeVocabSize: integer("type_vocab_size", 2),
    layerNormEps: fraction("layer_norm_eps", 1e-12),
    hiddenDropoutProb: fraction("hidden_dropout_prob", 0.1),
    attentionProbsDropoutProb: fraction("attention_probs_dropout_prob", 0.1),
    padTokenId,
    raw,
  };
  if (config.numAttentionHeads === 0 || config.hiddenSize % config.numAttentionHeads !== 0) {
    throw new ModelLoadError(file, `hidden_size ${config.hiddenSize} is not a multiple of num_attention_heads ${config.numAttentionHeads}`);
  }
  if (config.maxSequenceLength < 2) {
    throw new ModelLoadError(file, `max_position_embeddings ${maxPositionEmbeddings} leaves no room for positions after pad_token_id ${padTokenId}`);
  }
  return config;
}

/** Whether config.json points at remote code (auto_map, or a trust_remote_code field). */
export function declaresRemoteCode(raw: Record<string, unknown>): boolean {
  return (raw.auto_map !== undefined && raw.auto_map !== null) || raw.trust_remote_code === true;
}

/** config.json as Hugging Face writes it for a post-LN config: the raw fields (no remote code) with the sizes the config holds. */
export function postLnConfigJson(config: PostLnConfig, architecture: string): Record<string, unknown> {
  const { auto_map: _autoMap, trust_remote_code: _trustRemoteCode, ...raw } = config.raw;
  return {
    architectures: [architecture],
    ...raw,
    model_type: config.modelType,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    intermediate_size: config.intermediateSize,
    max_position_embeddings: config.maxPositionEmbeddings,
    type_vocab_size: config.typeVocabSize,
    layer_norm_eps: config.layerNormEps,
    hidden_act: "gelu",
    hidden_dropout_prob: config.hiddenDropoutProb,
    attention_probs_dropout_prob: config.attentionProbsDropoutProb,
    pad_token_id: config.padTokenId,
    position_embedding_type: "absolute",
  };
}

/**
 * A random post-LN model's config.json: the spec's sizes, GELU, dropout 0.1 and the family's own `fields`,
 * keys sorted as Hugging Face writes them.
 */
export function randomPostLnConfig(spec: RandomModelSpec, fields: Record<string, unknown>): Record<string, unknown> {
  const config: Record<string, unknown> = {
    attention_probs_dropout_prob: 0.1,
    hidden_act: "gelu",
    hidden_dropout_prob: 0.1,
    hidden_size: spec.hiddenSize,
    initializer_range: spec.initializerRange,
    intermediate_size: spec.intermediateSize,
    num_attention_heads: spec.numAttentionHeads,
    num_hidden_layers: spec.numHiddenLayers,
    position_embedding_type: "absolute",
    torch_dtype: "float32",
    ...fields,
  };
  return Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
