// config.json of a Hugging Face BERT model (model_type "bert"): the sizes the encoder is built from.
// Unknown fields are kept and written back unchanged, so a saved folder stays loadable by transformers.

import { ModelLoadError } from "../errors.ts";

export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  padTokenId: number;
  /** The whole config.json as read, for saving it back. */
  raw: Record<string, unknown>;
}

const SUPPORTED_MODEL_TYPES = ["bert"];

export function parseBertConfig(json: unknown, file: string): BertConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ModelLoadError(file, "is not a JSON object");
  }
  const raw = json as Record<string, unknown>;
  const modelType = raw.model_type;
  if (typeof modelType !== "string" || !SUPPORTED_MODEL_TYPES.includes(modelType)) {
    throw new ModelLoadError(
      file,
      `model_type ${JSON.stringify(modelType)} is not supported (embedtune supports ${SUPPORTED_MODEL_TYPES.join(", ")})`,
    );
  }
  const hiddenAct = raw.hidden_act ?? "gelu";
  if (hiddenAct !== "gelu") {
    throw new ModelLoadError(file, `hidden_act ${JSON.stringify(hiddenAct)} is not supported (BERT uses "gelu")`);
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
  const config: BertConfig = {
    vocabSize: integer("vocab_size"),
    hiddenSize: integer("hidden_size"),
    numHiddenLayers: integer("num_hidden_layers"),
    numAttentionHeads: integer("num_attention_heads"),
    intermediateSize: integer("intermediate_size"),
    maxPositionEmbeddings: integer("max_position_embeddings", 512),
    typeVocabSize: integer("type_vocab_size", 2),
    layerNormEps: fraction("layer_norm_eps", 1e-12),
    hiddenDropoutProb: fraction("hidden_dropout_prob", 0.1),
    attentionProbsDropoutProb: fraction("attention_probs_dropout_prob", 0.1),
    padTokenId: integer("pad_token_id", 0),
    raw,
  };
  if (config.numAttentionHeads === 0 || config.hiddenSize % config.numAttentionHeads !== 0) {
    throw new ModelLoadError(
      file,
      `hidden_size ${config.hiddenSize} is not a multiple of num_attention_heads ${config.numAttentionHeads}`,
    );
  }
  return config;
}

/** The config as Hugging Face writes it (the raw fields, with the sizes this object holds). */
export function bertConfigJson(config: BertConfig): Record<string, unknown> {
  return {
    architectures: ["BertModel"],
    ...config.raw,
    model_type: "bert",
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

export function headSize(config: BertConfig): number {
  return config.hiddenSize / config.numAttentionHeads;
}
