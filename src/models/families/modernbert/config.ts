// config.json of a ModernBERT model (model_type "modernbert"), with ModernBertConfig's defaults where a key is
// absent. Both dialects are read: transformers 4.x (global_attn_every_n_layers, global_rope_theta,
// local_rope_theta) and 5.x (layer_types, rope_parameters {full_attention, sliding_attention: {rope_theta}}).
// Layer i is global ("full_attention") iff i % global_attn_every_n_layers == 0 unless layer_types says;
// local layers attend to keys with |i − j| ≤ local_attention // 2. norm_eps is the LayerNorm epsilon
// (layer_norm_eps, present in some files, is unused by ModernBERT).

import type { EncoderConfig } from "../../../engines/architecture.ts";
import { ModelLoadError } from "../../../errors.ts";

export type LayerType = "full_attention" | "sliding_attention";

export interface ModernBertConfig extends EncoderConfig {
  intermediateSize: number;
  normEps: number;
  normBias: boolean;
  attentionBias: boolean;
  mlpBias: boolean;
  /** Per layer: global (full) or sliding-window attention. */
  layerTypes: LayerType[];
  /** The whole window (keys within ±localAttention // 2). */
  localAttention: number;
  globalRopeTheta: number;
  localRopeTheta: number;
  embeddingDropout: number;
  attentionDropout: number;
  mlpDropout: number;
}

const DEFAULTS = {
  vocab_size: 50368,
  hidden_size: 768,
  intermediate_size: 1152,
  num_hidden_layers: 22,
  num_attention_heads: 12,
  max_position_embeddings: 8192,
  norm_eps: 1e-5,
  pad_token_id: 50283,
  global_attn_every_n_layers: 3,
  local_attention: 128,
  global_rope_theta: 160000,
  local_rope_theta: 10000,
};

export function parseModernBertConfig(raw: Record<string, unknown>, file: string): ModernBertConfig {
  const integer = (key: keyof typeof DEFAULTS, min = 0): number => {
    const value = raw[key] ?? DEFAULTS[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
      throw new ModelLoadError(file, `${key} must be an integer ≥ ${min}, got ${JSON.stringify(raw[key])}`);
    }
    return value;
  };
  const positive = (key: string, value: unknown): number => {
    if (typeof value !== "number" || !(value > 0)) throw new ModelLoadError(file, `${key} must be a positive number, got ${JSON.stringify(value)}`);
    return value;
  };
  const flag = (key: string): boolean => {
    const value = raw[key] ?? false;
    if (typeof value !== "boolean") throw new ModelLoadError(file, `${key} must be true or false, got ${JSON.stringify(value)}`);
    return value;
  };
  const fraction = (key: string): number => {
    const value = raw[key] ?? 0;
    if (typeof value !== "number" || !(value >= 0 && value < 1)) throw new ModelLoadError(file, `${key} must be in [0, 1), got ${JSON.stringify(value)}`);
    return value;
  };
  const activation = raw.hidden_activation ?? "gelu";
  if (activation !== "gelu") {
    throw new ModelLoadError(file, `hidden_activation ${JSON.stringify(activation)} is not supported (ModernBERT checkpoints use "gelu")`);
  }
  const hiddenSize = integer("hidden_size", 1);
  const numAttentionHeads = integer("num_attention_heads", 1);
  if (hiddenSize % numAttentionHeads !== 0 || (hiddenSize / numAttentionHeads) % 2 !== 0) {
    throw new ModelLoadError(file, `hidden_size ${hiddenSize} must split into num_attention_heads ${numAttentionHeads} heads of even size`);
  }
  const numHiddenLayers = integer("num_hidden_layers", 1);
  const every = integer("global_attn_every_n_layers", 1);
  const layerTypes = parseLayerTypes(raw.layer_types, numHiddenLayers, every, file);
  const rope = (raw.rope_parameters ?? {}) as Record<string, { rope_theta?: unknown } | undefined>;
  const globalRopeTheta = positive("global_rope_theta", rope.full_attention?.rope_theta ?? raw.global_rope_theta ?? DEFAULTS.global_rope_theta);
  // transformers 4.x: a null local_rope_theta means the global one.
  const localTheta = rope.sliding_attention?.rope_theta ?? (raw.local_rope_theta === null ? globalRopeTheta : raw.local_rope_theta);
  const localRopeTheta = positive("local_rope_theta", localTheta ?? DEFAULTS.local_rope_theta);
  for (const kind of ["full_attention", "sliding_attention"]) {
    const ropeType = (rope[kind] as { rope_type?: unknown } | undefined)?.rope_type ?? "default";
    if (ropeType !== "default") throw new ModelLoadError(file, `rope_parameters.${kind}.rope_type ${JSON.stringify(ropeType)} is not supported (only "default")`);
  }
  const normEps = positive("norm_eps", raw.norm_eps ?? DEFAULTS.norm_eps);
  return {
    modelType: "modernbert",
    vocabSize: integer("vocab_size", 1),
    hiddenSize,
    numHiddenLayers,
    numAttentionHeads,
    intermediateSize: integer("intermediate_size", 1),
    maxSequenceLength: integer("max_position_embeddings", 1),
    padTokenId: integer("pad_token_id"),
    normEps,
    normBias: flag("norm_bias"),
    attentionBias: flag("attention_bias"),
    mlpBias: flag("mlp_bias"),
    layerTypes,
    localAttention: integer("local_attention", 2),
    globalRopeTheta,
    localRopeTheta,
    embeddingDropout: fraction("embedding_dropout"),
    attentionDropout: fraction("attention_dropout"),
    mlpDropout: fraction("mlp_dropout"),
    raw,
  };
}

function parseLayerTypes(value: unknown, layers: number, every: number, file: string): LayerType[] {
  if (value === undefined || value === null) {
    return Array.from({ length: layers }, (_, i) => (i % every === 0 ? "full_attention" : "sliding_attention"));
  }
  const valid = Array.isArray(value) && value.length === layers && value.every((t) => t === "full_attention" || t === "sliding_attention");
  if (!valid) throw new ModelLoadError(file, `layer_types must list "full_attention" or "sliding_attention" for each of the ${layers} layers`);
  return value as LayerType[];
}

export function headSize(config: ModernBertConfig): number {
  return config.hiddenSize / config.numAttentionHeads;
}

/** Half the sliding window: a local layer's query i sees keys j with |i − j| ≤ this. */
export function halfWindow(config: ModernBertConfig): number {
  return Math.floor(config.localAttention / 2);
}

export function isGlobal(config: ModernBertConfig, layer: number): boolean {
  return config.layerTypes[layer] === "full_attention";
}

export function ropeTheta(config: ModernBertConfig, layer: number): number {
  return isGlobal(config, layer) ? config.globalRopeTheta : config.localRopeTheta;
}
