// What ModernBERT's training forward saves for its backward: the values only a matrix product gives and
// the backward cannot rebuild more cheaply than it can read them back, as forward outputs named
// SAVED_PREFIX… that the backward takes back as inputs. Per layer i (T tokens, H hidden, I GLU width,
// heads × d = H):
//   saved.layers.{i}.input          [B, T, H]             the layer's input (i ≥ 1; layer 0's is drop(LN(tok[ids])))
//   saved.layers.{i}.query / .key   [B, heads, T, d]      after RoPE
//   saved.layers.{i}.value          [B, heads, T, d]
//   saved.layers.{i}.middle         [B, T, H]             after the attention residual (mlp_norm's input)
//   saved.layers.{i}.wide           [B, T, 2I]            Wi's output (GELU input and gate)
//   saved.final_norm.input          [B, T, H]
// per token 4·(5H + 2I) bytes a layer (4·(4H + 2I) on layer 0): at the base shape (H = 768, I = 1152,
// 22 layers, T = 512) 24.6 kB a layer, 540 kB a token in all.
// The backward rebuilds the rest (restoreModernBertForward): element-wise, the embeddings' and every
// LayerNorm's output, mean and 1/σ from its input, the local blocks from the heads, the GeGLU from
// `wide`, the RoPE tables from T; and the attention with the forward's own ModernBertOps.attention, from
// the saved q, k, v and attention_mask: P = softmax(Q·Kᵀ/√d + mask), P' = P ⊙ dropout mask and
// merged = merge(P'·V). Saving them would cost more than recomputing them: P is heads·T floats a token
// (global) or heads·3b (local) — with merged 393 of the 934 kB a token they took at the base shape — and
// copying a float out of onnxruntime into JS costs ~4 ns, while recomputing a score costs 2·d FLOPs (~1–2 ns).

import { SAVED_PREFIX } from "../../../engines/architecture.ts";
import type { Dimension, GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";
import { headSize, type ModernBertConfig } from "./config.ts";
import { BATCH, SEQUENCE, type DropoutMaskNames, type ForwardValues, type LayerValues, type ModernBertOps } from "./onnx-forward.ts";

type SavedLayerValue = "input" | "query" | "key" | "value" | "middle" | "wide";

interface SavedSpec {
  name: string;
  dims: Dimension[];
}

/** Layer i's saved values. */
function savedLayer(config: ModernBertConfig, i: number): Map<SavedLayerValue, SavedSpec> {
  const H = config.hiddenSize;
  const tokens = (width: number): Dimension[] => [BATCH, SEQUENCE, width];
  const perHead: Dimension[] = [BATCH, config.numAttentionHeads, SEQUENCE, headSize(config)];
  const specs = new Map<SavedLayerValue, Dimension[]>([
    ["query", perHead],
    ["key", perHead],
    ["value", perHead],
    ["middle", tokens(H)],
    ["wide", tokens(2 * config.intermediateSize)],
  ]);
  if (i > 0) specs.set("input", tokens(H));
  return new Map([...specs].map(([value, dims]) => [value, { name: `${SAVED_PREFIX}layers.${i}.${value}`, dims }]));
}

function finalNormInput(config: ModernBertConfig): SavedSpec {
  return { name: `${SAVED_PREFIX}final_norm.input`, dims: [BATCH, SEQUENCE, config.hiddenSize] };
}

function layerValue(layer: LayerValues, value: SavedLayerValue): string {
  return value === "query" || value === "key" || value === "value" ? layer.heads[value] : layer[value];
}

/** Adds the saved values to the training forward's outputs. */
export function outputSavedValues(g: GraphBuilder, config: ModernBertConfig, forward: ForwardValues): void {
  forward.layers.forEach((layer, i) => {
    for (const [value, spec] of savedLayer(config, i)) g.output(layerValue(layer, value), "float", spec.dims, spec.name);
  });
  const final = finalNormInput(config);
  g.output(forward.finalNorm.input, "float", final.dims, final.name);
}

/**
 * The backward graph's view of the forward: the saved values as inputs, everything else recomputed from
 * them (the attention from q, k, v and attention_mask; the rest element-wise). `weight` declares the
 * weights it reads.
 */
export function restoreModernBertForward(ops: ModernBertOps, inputIds: string, attentionMask: string, weight: (name: string) => string, masks: DropoutMaskNames): ForwardValues {
  const { g, config } = ops;
  const positions = ops.positions(inputIds);
  const attentionMasks = ops.attentionMasks(attentionMask, positions);
  const embeddings = ops.embeddings(inputIds, weight, masks.embeddings);
  const layers: LayerValues[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layerMasks = masks.layers[i];
    const specs = savedLayer(config, i);
    const saved = (value: SavedLayerValue) => g.input(specs.get(value)!.name, "float", specs.get(value)!.dims);
    const input = i === 0 ? embeddings.output : saved("input");
    const attentionNorm = ops.attentionNorm(input, i, weight);
    const heads = { query: saved("query"), key: saved("key"), value: saved("value") };
    const operands = ops.attentionOperands(i, heads, positions);
    const middle = saved("middle");
    const wide = saved("wide");
    layers.push({
      input,
      attentionNorm,
      normed: attentionNorm?.output ?? input,
      heads,
      ...operands,
      ...ops.attention(i, operands, attentionMasks, positions, layerMasks.probabilities),
      middle,
      mlpNorm: ops.layerNorm(middle, `layers.${i}.mlp_norm`, weight),
      wide,
      ...ops.mlpActivation(wide, layerMasks.output),
    });
  }
  const final = finalNormInput(config);
  const finalNorm = ops.layerNorm(g.input(final.name, "float", final.dims), "final_norm", weight);
  return { ...positions, embeddingNorm: embeddings.norm, layers, finalNorm, hidden: finalNorm.output };
}
