// What ModernBERT's training forward saves for its backward: the values only a matrix product (or the
// attention) gives, as forward outputs named SAVED_PREFIX… that the backward takes back as inputs. Per
// layer i (T tokens, H hidden, I GLU width, heads × d = H, b = local_attention / 2, n = ⌈T / b⌉ blocks):
//   saved.layers.{i}.input          [B, T, H]             the layer's input (i ≥ 1; layer 0's is drop(LN(tok[ids])))
//   saved.layers.{i}.query / .key   [B, heads, T, d]      after RoPE
//   saved.layers.{i}.value          [B, heads, T, d]
//   saved.layers.{i}.probabilities  [B, heads, T, T]      softmax, undropped (global layer)
//                                   [B, heads, n, b, 3b]  its windowed blocks (local layer)
//   saved.layers.{i}.merged         [B, T, H]             P'·V with the heads merged (Wo's input)
//   saved.layers.{i}.middle         [B, T, H]             after the attention residual (mlp_norm's input)
//   saved.layers.{i}.wide           [B, T, 2I]            Wi's output (GELU input and gate)
//   saved.final_norm.input          [B, T, H]
// per token 4·(6H + 2I) bytes a layer (4·(5H + 2I) on layer 0) plus its probabilities, 4·heads·T (global) or 4·heads·3b (local).
// The backward rebuilds the rest element-wise (restoreModernBertForward): the embeddings' and every
// LayerNorm's output, mean and 1/σ from its input, the local blocks from the heads, P ⊙ mask, the GeGLU
// from `wide`, the RoPE tables from T.

import { SAVED_PREFIX } from "../../../engines/architecture.ts";
import type { Dimension, GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";
import { headSize, isGlobal, type ModernBertConfig } from "./config.ts";
import { BATCH, SEQUENCE, type DropoutMaskNames, type ForwardValues, type LayerValues, type ModernBertOps } from "./onnx-forward.ts";

type SavedLayerValue = "input" | "query" | "key" | "value" | "probabilities" | "merged" | "middle" | "wide";

interface SavedSpec {
  name: string;
  dims: Dimension[];
}

const LOCAL_BLOCKS = "blocks";

/** Layer i's saved values. */
function savedLayer(config: ModernBertConfig, i: number): Map<SavedLayerValue, SavedSpec> {
  const H = config.hiddenSize;
  const heads = config.numAttentionHeads;
  const b = Math.max(1, Math.floor(config.localAttention / 2));
  const tokens = (width: number): Dimension[] => [BATCH, SEQUENCE, width];
  const perHead: Dimension[] = [BATCH, heads, SEQUENCE, headSize(config)];
  const specs = new Map<SavedLayerValue, Dimension[]>([
    ["query", perHead],
    ["key", perHead],
    ["value", perHead],
    ["probabilities", isGlobal(config, i) ? [BATCH, heads, SEQUENCE, SEQUENCE] : [BATCH, heads, LOCAL_BLOCKS, b, 3 * b]],
    ["merged", tokens(H)],
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
 * The backward graph's view of the forward: the saved values as inputs, everything else recomputed
 * element-wise from them (no matrix product). `weight` declares the weights it reads.
 */
export function restoreModernBertForward(ops: ModernBertOps, inputIds: string, weight: (name: string) => string, masks: DropoutMaskNames): ForwardValues {
  const { g, config } = ops;
  const positions = ops.positions(inputIds);
  const embeddings = ops.embeddings(inputIds, weight, masks.embeddings);
  const layers: LayerValues[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layerMasks = masks.layers[i];
    const specs = savedLayer(config, i);
    const saved = (value: SavedLayerValue) => g.input(specs.get(value)!.name, "float", specs.get(value)!.dims);
    const input = i === 0 ? embeddings.output : saved("input");
    const attentionNorm = ops.attentionNorm(input, i, weight);
    const heads = { query: saved("query"), key: saved("key"), value: saved("value") };
    const probabilities = saved("probabilities");
    const merged = saved("merged");
    const middle = saved("middle");
    const wide = saved("wide");
    layers.push({
      input,
      attentionNorm,
      normed: attentionNorm?.output ?? input,
      heads,
      ...ops.attentionOperands(i, heads, positions),
      probabilities,
      droppedProbabilities: ops.drop(probabilities, layerMasks.probabilities),
      merged,
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
