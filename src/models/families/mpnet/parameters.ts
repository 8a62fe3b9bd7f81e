// MPNet's parameters, named as Hugging Face MPNetModel's state_dict (what sentence-transformers saves), in its
// order: embeddings (word, position, LayerNorm), per layer attention.attn.{q,k,v,o}, attention.LayerNorm,
// intermediate.dense, output.dense, output.LayerNorm, then encoder.relative_attention_bias.weight [buckets, heads].
// Checkpoints of MPNetFor* heads prefix everything with "mpnet." and add lm_head.*; the pooler and an old
// embeddings.position_ids buffer are not used by the encoder (the pooler is written back on save).
// Row 1 (padding_idx, hard-coded) of both embeddings never gets a gradient.

import type { FrozenRow, ParameterSpec } from "../../../engines/architecture.ts";
import type { MpnetConfig } from "./config.ts";
import { MPNET_PADDING_INDEX } from "./positions.ts";

export const RELATIVE_BIAS_PARAMETER = "encoder.relative_attention_bias.weight";

/** The four projections of one layer's self-attention, Hugging Face names without the layer prefix. */
export const ATTENTION_PROJECTIONS = ["attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o"] as const;

export function mpnetParameters(config: MpnetConfig): ParameterSpec[] {
  const { hiddenSize: h, intermediateSize: i } = config;
  const specs: ParameterSpec[] = [];
  const add = (name: string, torchShape: number[], linear = false) => specs.push({ name, torchShape, linear });
  const linear = (name: string, inputs: number, outputs: number) => {
    add(`${name}.weight`, [outputs, inputs], true);
    add(`${name}.bias`, [outputs]);
  };
  const norm = (name: string) => {
    add(`${name}.weight`, [h]);
    add(`${name}.bias`, [h]);
  };
  add("embeddings.word_embeddings.weight", [config.vocabSize, h]);
  add("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, h]);
  norm("embeddings.LayerNorm");
  for (let layer = 0; layer < config.numHiddenLayers; layer++) {
    const prefix = `encoder.layer.${layer}`;
    for (const projection of ATTENTION_PROJECTIONS) linear(`${prefix}.${projection}`, h, h);
    norm(`${prefix}.attention.LayerNorm`);
    linear(`${prefix}.intermediate.dense`, h, i);
    linear(`${prefix}.output.dense`, i, h);
    norm(`${prefix}.output.LayerNorm`);
  }
  add(RELATIVE_BIAS_PARAMETER, [config.relativeAttentionNumBuckets, config.numAttentionHeads]);
  return specs;
}

export function mpnetFrozenRows(): FrozenRow[] {
  return [
    { parameter: "embeddings.word_embeddings.weight", row: MPNET_PADDING_INDEX },
    { parameter: "embeddings.position_embeddings.weight", row: MPNET_PADDING_INDEX },
  ];
}

const ENCODER_PARTS = /^(embeddings|encoder|pooler)\./;

/** A stored tensor's parameter name ("mpnet." removed), or undefined for the pooler, heads and buffers. */
export function mpnetCanonicalName(stored: string): string | undefined {
  const name = stored.startsWith("mpnet.") ? stored.slice("mpnet.".length) : stored;
  if (!ENCODER_PARTS.test(name) || name.startsWith("pooler.") || name === "embeddings.position_ids") return undefined;
  return name;
}

/** The pooler is part of the checkpoint, never trained: written back on save. */
export function mpnetKeepsUnused(stored: string): boolean {
  return /^(mpnet\.)?pooler\./.test(stored);
}
