// The hand-written backward of buildPostLnForward in standard ONNX ops (opset 17): onnxruntime's
// inference package has no training kernels (SoftmaxGrad, LayerNormalizationGrad, GeluGrad, …), so every
// gradient is spelled out by the ops' backward builders (../onnxruntime/ops/), exactly as the tfjs
// reference's custom gradients (../tfjs/layers.ts); residual sums add their two gradients. The embedding
// tables' gradients are not built here: the graph returns d(word + position + type) [B, T, H] and the
// caller scatters it by id in JS (onnx-architecture.ts). With an attention bias, d(bias) is the layers'
// d(scores) summed, and over the batch: [heads, T, T].

import type { GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";
import { applyDropoutMask, attentionBackward, BackwardContext, geluBackward, layerNormBackward, linearBackward, mergeHeads, splitHeads } from "../../../engines/onnxruntime/ops/index.ts";
import { headSize, type PostLnConfig, type PostLnLayout } from "./layout.ts";
import type { DropoutMasks, ForwardValues } from "./onnx-forward.ts";

export interface BackwardValues {
  /** Parameter name → gradient value name, for every encoder parameter but the embedding tables. */
  gradients: Map<string, string>;
  /** d(word + position + token type embeddings) [B, T, H]: the tables' gradients are scattered from it. */
  embeddingSumGradient: string;
  /** d(attention bias) [heads, T, T], summed over the batch (with an attention bias only). */
  attentionBiasGradient?: string;
}

export interface BackwardNames {
  /** Names the value holding a parameter's gradient (e.g. a graph output's, without an extra Identity). */
  gradient?: (parameter: string) => string;
  embeddingSumGradient?: string;
}

export function buildPostLnBackward<C extends PostLnConfig>(
  g: GraphBuilder,
  config: C,
  layout: PostLnLayout<C>,
  forward: ForwardValues,
  dHidden: string,
  weight: (name: string) => string,
  dropout?: DropoutMasks,
  names: BackwardNames = {},
): BackwardValues {
  const hidden = config.hiddenSize;
  const intermediate = config.intermediateSize;
  const heads = config.numAttentionHeads;
  const size = headSize(config);
  const c = new BackwardContext(g, dHidden, names.gradient);
  const parameters = (module: string) => ({ weight: `${module}.weight`, bias: `${module}.bias` });
  const denseBackward = (dy: string, x: string, module: string, inSize: number, outSize: number) =>
    linearBackward(c, dy, x, parameters(module), weight(`${module}.weight`), inSize, outSize);
  const normBackward = (dy: string, x: string, mean: string, inverseStd: string, module: string, dxName?: string) =>
    layerNormBackward(c, dy, x, { mean, inverseStd }, parameters(module), weight(`${module}.weight`), hidden, dxName);

  const scoresGradients: string[] = [];
  let dOutput = dHidden;
  for (let i = config.numHiddenLayers - 1; i >= 0; i--) {
    const layerNames = layout.names.layer(i);
    const layer = forward.layers[i];
    const masks = dropout?.layers[i];

    // h' = LayerNorm(a + drop(W2·gelu(W1·a)))
    const dOutputSum = normBackward(dOutput, layer.outputSum, layer.outputMean, layer.outputInverseStd, layerNames.outputNorm);
    const dActivated = denseBackward(applyDropoutMask(g, dOutputSum, masks?.output), layer.activated, layerNames.output, intermediate, hidden);
    const dIntermediate = geluBackward(g, dActivated, layer.intermediate);
    const dAttendedFromFeedForward = denseBackward(dIntermediate, layer.attended, layerNames.intermediate, hidden, intermediate);
    const dAttended = g.op("Add", [dOutputSum, dAttendedFromFeedForward]);

    // a = LayerNorm(h + drop(Wo·context))
    const dAttentionSum = normBackward(dAttended, layer.attentionSum, layer.attentionMean, layer.attentionInverseStd, layerNames.attentionNorm);
    const dContext = denseBackward(applyDropoutMask(g, dAttentionSum, masks?.attention), layer.context, layerNames.attentionOutput, hidden, hidden);

    // context = merge(drop(softmax(QKᵀ/√d + mask (+ bias)))·V)
    const { dQuery, dKey, dValue, dScores } = attentionBackward(g, splitHeads(g, dContext, heads, size), layer, size, {
      dropoutMask: masks?.probabilities,
      scoresGradient: layout.attentionBias !== undefined,
    });
    if (dScores) scoresGradients.push(dScores);
    const dInputFromQuery = denseBackward(mergeHeads(g, dQuery, hidden), layer.input, layerNames.query, hidden, hidden);
    const dInputFromKey = denseBackward(mergeHeads(g, dKey, hidden), layer.input, layerNames.key, hidden, hidden);
    const dInputFromValue = denseBackward(mergeHeads(g, dValue, hidden), layer.input, layerNames.value, hidden, hidden);
    dOutput = g.op("Add", [g.op("Add", [dAttentionSum, dInputFromQuery]), g.op("Add", [dInputFromKey, dInputFromValue])]);
  }

  // h0 = drop(LayerNorm(word + position (+ type)))
  const embeddingSumGradient = normBackward(
    applyDropoutMask(g, dOutput, dropout?.embeddings),
    forward.embeddingSum,
    forward.embeddingMean,
    forward.embeddingInverseStd,
    layout.names.embeddingNorm,
    names.embeddingSumGradient,
  );
  const attentionBiasGradient = scoresGradients.length === 0
    ? undefined
    : g.op("ReduceSum", [scoresGradients.length === 1 ? scoresGradients[0] : g.op("Sum", scoresGradients), c.shape([0])], { keepdims: 0 });
  return { gradients: c.gradients, embeddingSumGradient, attentionBiasGradient };
}
