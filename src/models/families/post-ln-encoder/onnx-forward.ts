// The post-LN encoder's forward (layout.ts) in standard ONNX ops (opset 17), shared by the inference
// graph, the ONNX export and the training forward:
//   h0 = LayerNorm(word[ids] + position[pos] (+ tokenType[typeIds])) ⊙ dropout mask
//   per layer: a = LayerNorm(h + (Wo·softmax(QKᵀ/√d + mask (+ bias))⊙mask_p·V)⊙mask_a),
//              h' = LayerNorm(a + (W2·gelu(W1·a))⊙mask_o)
// pos: 0..T−1 sliced from the table, or RoBERTa's padding_idx + CumSum(ids ≠ padding_idx)·(ids ≠ padding_idx),
// computed in the graph from input_ids (so an exported model needs nothing else). Weights use the encoder's
// layout (kernels [in, out]); dropout masks (already scaled by 1/(1 − p)) come in as inputs, so the
// backward applies the same ones.

import type { GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";
import { additiveMask, applyDropoutMask, attention, gelu, layerNorm, linear, mergeHeads, splitHeads, type LayerNormValues } from "../../../engines/onnxruntime/ops/index.ts";
import { headSize, type PostLnConfig, type PostLnLayout } from "./layout.ts";

/** Symbolic dimensions of the token inputs. */
export const BATCH = "batch_size";
export const SEQUENCE = "sequence_length";

export interface LayerValues {
  input: string;
  query: string; // [B, heads, T, d]
  key: string;
  value: string;
  probabilities: string; // softmax output [B, heads, T, T]
  droppedProbabilities: string;
  context: string; // [B, T, H]
  attentionSum: string; // pre-LayerNorm
  attentionMean: string;
  attentionInverseStd: string;
  attended: string; // [B, T, H]
  intermediate: string; // pre-GELU [B, T, I]
  activated: string; // GELU output
  outputSum: string;
  outputMean: string;
  outputInverseStd: string;
  output: string; // [B, T, H]
}

export interface ForwardValues {
  embeddingSum: string;
  embeddingMean: string;
  embeddingInverseStd: string;
  layers: LayerValues[];
  hidden: string; // last_hidden_state [B, T, H]
}

export interface TokenInputs {
  inputIds: string; // int64 [B, T]
  attentionMask: string; // int64 [B, T]
  /** Absent for families without token types. */
  tokenTypeIds?: string;
}

/** Dropout mask value names (float, scaled): embeddings [B,T,H]; per layer probabilities [B,heads,T,T], attention and output [B,T,H]. */
export interface DropoutMasks {
  embeddings: string;
  layers: { probabilities: string; attention: string; output: string }[];
}

/** Position embeddings [B, T, H] or [T, H] (broadcast) for the layout's position rule. */
function positionEmbeddings<C extends PostLnConfig>(g: GraphBuilder, config: C, layout: PostLnLayout<C>, inputIds: string, table: string): string {
  if (layout.positions === "absolute") {
    const seqLength = g.op("Unsqueeze", [g.op("Gather", [g.op("Shape", [inputIds]), g.constant([1], [], "int64")], { axis: 0 }), g.constant([0], [1], "int64")]);
    return g.op("Slice", [table, g.constant([0], [1], "int64"), seqLength, g.constant([0], [1], "int64")]);
  }
  const padding = g.constant([config.padTokenId], [], "int64");
  const real = g.op("Cast", [g.op("Not", [g.op("Equal", [inputIds, padding])])], { to: 7 });
  const running = g.op("CumSum", [real, g.constant([1], [], "int64")]);
  const ids = g.op("Add", [g.op("Mul", [running, real]), padding]);
  return g.op("Gather", [table, ids], { axis: 0 });
}

/** The encoder's LayerNorm of module `name` (its weight and bias, the config's epsilon): output, mean and 1/σ. */
export function layerNormOf(g: GraphBuilder, config: PostLnConfig, weight: (name: string) => string): (x: string, name: string) => LayerNormValues {
  return (x, name) => layerNorm(g, x, weight(`${name}.weight`), weight(`${name}.bias`), config.layerNormEps);
}

export function buildPostLnForward<C extends PostLnConfig>(
  g: GraphBuilder,
  config: C,
  layout: PostLnLayout<C>,
  tokens: TokenInputs,
  weight: (name: string) => string,
  dropout?: DropoutMasks,
): ForwardValues {
  const heads = config.numAttentionHeads;
  const size = headSize(config);
  const { names } = layout;
  const dense = (x: string, name: string) => linear(g, x, weight(`${name}.weight`), weight(`${name}.bias`));
  const norm = layerNormOf(g, config, weight);

  const words = g.op("Gather", [weight(names.word), tokens.inputIds], { axis: 0 });
  const withTypes = names.tokenType && tokens.tokenTypeIds
    ? g.op("Add", [words, g.op("Gather", [weight(names.tokenType), tokens.tokenTypeIds], { axis: 0 })])
    : words;
  const embeddingSum = g.op("Add", [withTypes, positionEmbeddings(g, config, layout, tokens.inputIds, weight(names.position))]);
  const embedded = norm(embeddingSum, names.embeddingNorm);

  const paddingMask = additiveMask(g, tokens.attentionMask);
  const bias = layout.attentionBias?.onnx(g, config, tokens, weight);
  const layers: LayerValues[] = [];
  let hidden = applyDropoutMask(g, embedded.output, dropout?.embeddings);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layerNames = names.layer(i);
    const masks = dropout?.layers[i];
    const input = hidden;
    const query = splitHeads(g, dense(input, layerNames.query), heads, size);
    const key = splitHeads(g, dense(input, layerNames.key), heads, size);
    const value = splitHeads(g, dense(input, layerNames.value), heads, size);
    const scored = attention(g, { query, key, value }, size, paddingMask, { bias, dropoutMask: masks?.probabilities });
    const context = mergeHeads(g, scored.context, config.hiddenSize);
    const attentionSum = g.op("Add", [applyDropoutMask(g, dense(context, layerNames.attentionOutput), masks?.attention), input]);
    const attentionNorm = norm(attentionSum, layerNames.attentionNorm);
    const intermediate = dense(attentionNorm.output, layerNames.intermediate);
    const activated = gelu(g, intermediate);
    const outputSum = g.op("Add", [applyDropoutMask(g, dense(activated, layerNames.output), masks?.output), attentionNorm.output]);
    const outputNorm = norm(outputSum, layerNames.outputNorm);
    layers.push({
      input, query, key, value,
      probabilities: scored.probabilities, droppedProbabilities: scored.droppedProbabilities, context,
      attentionSum, attentionMean: attentionNorm.mean, attentionInverseStd: attentionNorm.inverseStd, attended: attentionNorm.output,
      intermediate, activated,
      outputSum, outputMean: outputNorm.mean, outputInverseStd: outputNorm.inverseStd, output: outputNorm.output,
    });
    hidden = outputNorm.output;
  }
  return { embeddingSum, embeddingMean: embedded.mean, embeddingInverseStd: embedded.inverseStd, layers, hidden };
}
