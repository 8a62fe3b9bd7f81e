// What the post-LN training forward hands its backward (outputs / inputs named saved.…), so the backward
// recomputes no weight's matrix product:
//   saved.embedding_sum [B, T, H]                       word + position (+ type), before the LayerNorm
//   per layer i, saved.layer.{i}.…:
//     query, key, value [B, heads, T, d]                  the projections, heads split
//     attention_sum, output_sum [B, T, H]                 the two residual sums, before their LayerNorms
//     intermediate [B, T, I]                              W1·a + b1, before GELU
// Rebuilt in the backward by the forward's own ops on the same values: each LayerNorm's output, mean and
// 1/σ (from the saved sum), a layer's input (the previous layer's output; layer 0's the dropped embedding
// norm), GELU(intermediate), and the attention — softmax(Q·Kᵀ/√d + mask (+ bias)), its dropped copy and
// P'·V (from input_ids and attention_mask, which the backward takes too). Copying a float out of
// onnxruntime-node into JS costs about what 2–4 ns of compute does (a fresh ArrayBuffer per output, page
// faults and garbage collection included), more than the ~2·d flops that recompute a probability or
// the ~2·T a context value, and less than the 2·H–2·I of a projection. Saved: 6·H + I floats per token
// and layer — bge-small (12 layers), 184 KB per token whatever T.

import type { GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";
import { SAVED_PREFIX } from "../../../engines/architecture.ts";
import { additiveMask, applyDropoutMask, attention, gelu, mergeHeads } from "../../../engines/onnxruntime/ops/index.ts";
import { headSize, type PostLnConfig, type PostLnLayout } from "./layout.ts";
import { BATCH, layerNormOf, SEQUENCE, type DropoutMasks, type ForwardValues, type LayerValues, type TokenInputs } from "./onnx-forward.ts";

type SavedLayerValue = "query" | "key" | "value" | "attentionSum" | "outputSum" | "intermediate";

const SAVED_LAYER_VALUES: Record<SavedLayerValue, string> = {
  query: "query",
  key: "key",
  value: "value",
  attentionSum: "attention_sum",
  outputSum: "output_sum",
  intermediate: "intermediate",
};

const EMBEDDING_SUM = `${SAVED_PREFIX}embedding_sum`;
const layerValueName = (layer: number, value: SavedLayerValue) => `${SAVED_PREFIX}layer.${layer}.${SAVED_LAYER_VALUES[value]}`;

/** The shape of each saved value, symbolic in batch and sequence. */
function savedShapes(config: PostLnConfig): Record<SavedLayerValue, (string | number)[]> {
  const heads = config.numAttentionHeads;
  const split = [BATCH, heads, SEQUENCE, headSize(config)];
  const hidden = [BATCH, SEQUENCE, config.hiddenSize];
  return {
    query: split,
    key: split,
    value: split,
    attentionSum: hidden,
    outputSum: hidden,
    intermediate: [BATCH, SEQUENCE, config.intermediateSize],
  };
}

/** Declares the saved values of `forward` as graph outputs. */
export function outputSavedActivations(g: GraphBuilder, config: PostLnConfig, forward: ForwardValues): void {
  g.output(forward.embeddingSum, "float", [BATCH, SEQUENCE, config.hiddenSize], EMBEDDING_SUM);
  const shapes = savedShapes(config);
  forward.layers.forEach((layer, i) => {
    for (const value of Object.keys(SAVED_LAYER_VALUES) as SavedLayerValue[]) g.output(layer[value], "float", shapes[value], layerValueName(i, value));
  });
}

/** The forward values the backward reads: the saved ones as graph inputs, the rest rebuilt from them and the token inputs. */
export function restoreForward<C extends PostLnConfig>(
  g: GraphBuilder,
  config: C,
  layout: PostLnLayout<C>,
  tokens: TokenInputs,
  weight: (name: string) => string,
  dropout?: DropoutMasks,
): ForwardValues {
  const { names } = layout;
  const paddingMask = additiveMask(g, tokens.attentionMask);
  const bias = layout.attentionBias?.onnx(g, config, tokens, weight);
  const norm = layerNormOf(g, config, weight);
  const shapes = savedShapes(config);

  const embeddingSum = g.input(EMBEDDING_SUM, "float", [BATCH, SEQUENCE, config.hiddenSize]);
  const embedded = norm(embeddingSum, names.embeddingNorm);
  const layers: LayerValues[] = [];
  let input = applyDropoutMask(g, embedded.output, dropout?.embeddings);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layerNames = names.layer(i);
    const saved = Object.fromEntries(
      (Object.keys(SAVED_LAYER_VALUES) as SavedLayerValue[]).map((value) => [value, g.input(layerValueName(i, value), "float", shapes[value])]),
    ) as Record<SavedLayerValue, string>;
    const scored = attention(g, { query: saved.query, key: saved.key, value: saved.value }, headSize(config), paddingMask, { bias, dropoutMask: dropout?.layers[i].probabilities });
    const attentionNorm = norm(saved.attentionSum, layerNames.attentionNorm);
    const outputNorm = norm(saved.outputSum, layerNames.outputNorm);
    layers.push({
      input,
      query: saved.query,
      key: saved.key,
      value: saved.value,
      probabilities: scored.probabilities,
      droppedProbabilities: scored.droppedProbabilities,
      context: mergeHeads(g, scored.context, config.hiddenSize),
      attentionSum: saved.attentionSum,
      attentionMean: attentionNorm.mean,
      attentionInverseStd: attentionNorm.inverseStd,
      attended: attentionNorm.output,
      intermediate: saved.intermediate,
      activated: gelu(g, saved.intermediate),
      outputSum: saved.outputSum,
      outputMean: outputNorm.mean,
      outputInverseStd: outputNorm.inverseStd,
      output: outputNorm.output,
    });
    input = outputNorm.output;
  }
  return { embeddingSum, embeddingMean: embedded.mean, embeddingInverseStd: embedded.inverseStd, layers, hidden: input };
}
