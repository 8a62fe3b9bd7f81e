// config.json of a Hugging Face BERT model (model_type "bert"): the sizes the encoder is built from.
// Unknown fields are kept and written back unchanged, so a saved folder stays loadable by transformers.
// Remote code: a config with auto_map (classes in the repo's own Python files, which transformers runs
// only with trust_remote_code=True) is still loaded as model_type "bert" by embedtune's own encoder; the
// loader says so once per process (remoteCodeNote). Saving leaves auto_map (and a trust_remote_code
// field) out, unlike transformers, which keeps the config as loaded: embedtune neither copies the
// repo's modeling_*.py files nor ran that code, so the saved folder is what embedtune trained and
// evaluated, a plain BERT — keeping auto_map would make trust_remote_code loaders run (or fail to find)
// code that was never part of the fine-tuning.

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
      `model_type ${JSON.stringify(modelType)} is not supported (embedtune supports ${SUPPORTED_MODEL_TYPES.join(", ")})` +
        (declaresRemoteCode(raw) ? "; its auto_map names remote code, which embedtune never runs" : ""),
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

/** Whether config.json points at remote code (auto_map, or a trust_remote_code field). */
export function declaresRemoteCode(raw: Record<string, unknown>): boolean {
  return (raw.auto_map !== undefined && raw.auto_map !== null) || raw.trust_remote_code === true;
}

let remoteCodeNoted = false;

/**
 * The one stderr line (with its newline) saying remote code is ignored, the first time a config that
 * declares it is loaded in this process; undefined otherwise (and every later time).
 */
export function remoteCodeNote(config: BertConfig): string | undefined {
  if (remoteCodeNoted || !declaresRemoteCode(config.raw)) return undefined;
  remoteCodeNoted = true;
  const what = config.raw.auto_map !== undefined && config.raw.auto_map !== null ? "auto_map" : "trust_remote_code";
  return (
    `embedtune: config.json declares ${what} (remote code); embedtune ignores remote code and loads the model as ` +
    `model_type "bert" (saved models leave ${what} out)\n`
  );
}

/** The config as Hugging Face writes it (the raw fields, with the sizes this object holds; no remote code). */
export function bertConfigJson(config: BertConfig): Record<string, unknown> {
  const { auto_map: _autoMap, trust_remote_code: _trustRemoteCode, ...raw } = config.raw;
  return {
    architectures: ["BertModel"],
    ...raw,
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
