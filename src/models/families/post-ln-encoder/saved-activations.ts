// What the post-LN training forward hands its backward (outputs / inputs named saved.…), so the backward
// recomputes no matrix product:
//   saved.embedding_sum [B, T, H]                       word + position (+ type), before the LayerNorm
//   per layer i, saved.layer.{i}.…:
//     query, key, value [B, heads, T, d]                  the projections, heads split
//     probabilities [B, heads, T, T]                      softmax output, before dropout
//     context [B, T, H]                                   P'·V, heads merged
//     attention_sum, output_sum [B, T, H]                 the two residual sums, before their LayerNorms
//     intermediate [B, T, I]                              W1·a + b1, before GELU
// Rebuilt element-wise in the backward: each LayerNorm's output, mean and 1/σ (LayerNormalization of the
// saved sum, the forward's own op on the same values), a layer's input (the previous layer's output; layer
// 0's the dropped embedding norm), GELU(intermediate) and the dropped probabilities (P ⊙ mask). That is
// 6·H + I + heads·T floats per token and layer: bge-small (12 layers) at T = 40, 207 KB per token, 133 MB
// for 16 sequences — copied out of onnxruntime once, where the forward's matrix products cost far more.

import type { GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";
import { SAVED_PREFIX } from "../../../engines/architecture.ts";
import { gelu, layerNorm } from "../../../engines/onnxruntime/ops/index.ts";
import { headSize, type PostLnConfig, type PostLnLayout } from "./layout.ts";
import { BATCH, SEQUENCE, type DropoutMasks, type ForwardValues, type LayerValues } from "./onnx-forward.ts";

type SavedLayerValue = "query" | "key" | "value" | "probabilities" | "context" | "attentionSum" | "outputSum" | "intermediate";

const SAVED_LAYER_VALUES: Record<SavedLayerValue, string> = {
  query: "query",
  key: "key",
  value: "value",
  probabilities: "probabilities",
  context: "context",
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
    probabilities: [BATCH, heads, SEQUENCE, SEQUENCE],
    context: hidden,
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

/** The forward values the backward reads: the saved ones as graph inputs, the rest rebuilt from them element-wise. */
export function restoreForward<C extends PostLnConfig>(
  g: GraphBuilder,
  config: C,
  layout: PostLnLayout<C>,
  weight: (name: string) => string,
  dropout?: DropoutMasks,
): ForwardValues {
  const { names } = layout;
  const norm = (x: string, name: string) => layerNorm(g, x, weight(`${name}.weight`), weight(`${name}.bias`), config.layerNormEps);
  const drop = (x: string, mask: string | undefined) => (mask ? g.op("Mul", [x, mask]) : x);
  const shapes = savedShapes(config);

  const embeddingSum = g.input(EMBEDDING_SUM, "float", [BATCH, SEQUENCE, config.hiddenSize]);
  const embedded = norm(embeddingSum, names.embeddingNorm);
  const layers: LayerValues[] = [];
  let input = drop(embedded.output, dropout?.embeddings);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layerNames = names.layer(i);
    const saved = Object.fromEntries(
      (Object.keys(SAVED_LAYER_VALUES) as SavedLayerValue[]).map((value) => [value, g.input(layerValueName(i, value), "float", shapes[value])]),
    ) as Record<SavedLayerValue, string>;
    const attentionNorm = norm(saved.attentionSum, layerNames.attentionNorm);
    const outputNorm = norm(saved.outputSum, layerNames.outputNorm);
    const probabilitiesMask = dropout?.layers[i].probabilities;
    layers.push({
      input,
      query: saved.query,
      key: saved.key,
      value: saved.value,
      probabilities: saved.probabilities,
      droppedProbabilities: probabilitiesMask ? g.op("Mul", [saved.probabilities, probabilitiesMask]) : saved.probabilities,
      context: saved.context,
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
