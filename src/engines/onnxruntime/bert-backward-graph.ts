// The hand-written backward of buildBertForward in standard ONNX ops (opset 17): onnxruntime's
// inference package has no training kernels (SoftmaxGrad, LayerNormalizationGrad, GeluGrad, …), so
// every gradient is spelled out, exactly as the tfjs reference's custom gradients (engines/tfjs/layers.ts):
//   LayerNorm:  x̂ = (x − μ)·rstd (μ, rstd saved by LayerNormalization), dγ = Σ dy⊙x̂, dβ = Σ dy,
//               dx = rstd·(g − mean(g) − x̂·mean(g⊙x̂)) with g = dy⊙γ
//   dense:      dx = dy·Wᵀ, dW = xᵀ·dy and db = Σ dy over batch and sequence
//   GELU:       du = dy⊙(Φ(u) + u·φ(u))
//   dropout:    the (already scaled) mask multiplies the incoming gradient
//   softmax:    ds = p⊙(dp − Σ dp⊙p) over the keys; scores = QKᵀ/√d, so dQ = ds·K/√d, dK = dsᵀ·Q/√d
//   attention:  context = P'·V per head, dP' = dC·Vᵀ, dV = P'ᵀ·dC
// Residual sums add their two gradients. The three embedding tables' gradients are not built here:
// the graph returns d(word + position + type) [B, T, H] and the caller scatters it by id in JS
// (training-graphs.ts: scatterEmbeddingGradients).
//
// Op notes (opset 17): ReduceSum takes its axes as an int64 INPUT (since opset 13), ReduceMean as an
// ATTRIBUTE (until opset 18). Weight gradients are Gemm(transA=1) on [B·T, in]ᵀ × [B·T, out], which
// sums over batch and sequence inside the GEMM; bias, γ and β gradients are ones[1, B·T] × [B·T, n]
// (a GEMV, several times faster in ORT than ReduceSum over axes 0 and 1, a column reduction). dx = dy·Wᵀ is
// MatMul(dy, Transpose(W)), which ORT fuses into FusedMatMul(transB). ORT's common-subexpression and
// constant-sharing passes merge the backward's erf(u/√2) with the recomputed forward's.

import type { BertConfig } from "../../models/bert-config.ts";
import { headSize } from "../../models/bert-config.ts";
import type { DropoutMasks, ForwardValues } from "./bert-forward-graph.ts";
import type { GraphBuilder } from "./graph-builder.ts";

export interface BackwardValues {
  /** Weight name → gradient value name, for every weight except the three embedding tables. */
  gradients: Map<string, string>;
  /** d(word + position + token type embeddings) [B, T, H]: the tables' gradients are scattered from it. */
  embeddingSumGradient: string;
}

export interface BackwardNames {
  /** Names the value holding a weight's gradient (e.g. for graph outputs without an extra Identity). */
  gradient?: (weightName: string) => string;
  /** Names the embedding-sum gradient value. */
  embeddingSumGradient?: string;
}

export function buildBertBackward(
  g: GraphBuilder,
  config: BertConfig,
  forward: ForwardValues,
  dHidden: string,
  weight: (name: string) => string,
  dropout?: DropoutMasks,
  names: BackwardNames = {},
): BackwardValues {
  const hidden = config.hiddenSize;
  const heads = config.numAttentionHeads;
  const size = headSize(config);
  const gradients = new Map<string, string>();

  const lastAxis = g.constant([-1], [1], "int64");
  const headShape = g.constant([0, 0, heads, size], [4], "int64");
  const hiddenShape = g.constant([0, 0, hidden], [3], "int64");
  const shapes = new Map<string, string>();
  const shape = (dims: number[]) => {
    const key = dims.join(",");
    if (!shapes.has(key)) shapes.set(key, g.constant(dims, [dims.length], "int64"));
    return shapes.get(key)!;
  };
  const rows = (x: string, width: number) => g.op("Reshape", [x, shape([-1, width])]);

  /** A gradient value, named as the caller asks. */
  const gradient = (weightName: string, opType: string, inputs: string[], attributes = {}) => {
    const outputs = names.gradient ? [names.gradient(weightName)] : undefined;
    const [value] = g.node(opType, inputs, attributes, { outputs });
    gradients.set(weightName, value);
    return value;
  };
  // ones [1, B·T] for sums over batch and sequence as a GEMV.
  const tokenCount = g.op("ReduceProd", [g.op("Slice", [g.op("Shape", [dHidden]), shape([0]), shape([2])])], { keepdims: 1 });
  const onesRow = g.op("Expand", [g.constant([1], [1, 1]), g.op("Concat", [shape([1]), tokenCount], { axis: 0 })]);
  const sumOverTokens = (weightName: string, x: string, width: number) =>
    gradient(weightName, "Reshape", [g.op("MatMul", [onesRow, rows(x, width)]), shape([width])]);
  const rowMean = (x: string) => g.op("ReduceMean", [x], { axes: [-1], keepdims: 1 });
  const drop = (dy: string, mask: string | undefined) => (mask ? g.op("Mul", [dy, mask]) : dy);

  /** y = x·W + b on [B, T, in] → [B, T, out]: records dW, db; returns dx. */
  const denseBackward = (dy: string, x: string, name: string, inSize: number, outSize: number): string => {
    gradient(`${name}.weight`, "Gemm", [rows(x, inSize), rows(dy, outSize)], { transA: 1 });
    sumOverTokens(`${name}.bias`, dy, outSize);
    return g.op("MatMul", [dy, g.op("Transpose", [weight(`${name}.weight`)], { perm: [1, 0] })]);
  };

  /** y = γ·x̂ + β with x̂ = (x − μ)·rstd: records dγ, dβ; returns dx. */
  const layerNormBackward = (dy: string, x: string, mean: string, inverseStd: string, name: string, dxName?: string): string => {
    const normalized = g.op("Mul", [g.op("Sub", [x, mean]), inverseStd]);
    sumOverTokens(`${name}.weight`, g.op("Mul", [dy, normalized]), hidden);
    sumOverTokens(`${name}.bias`, dy, hidden);
    const scaled = g.op("Mul", [dy, weight(`${name}.weight`)]);
    const centered = g.op("Sub", [
      g.op("Sub", [scaled, rowMean(scaled)]),
      g.op("Mul", [normalized, rowMean(g.op("Mul", [scaled, normalized]))]),
    ]);
    return g.node("Mul", [centered, inverseStd], {}, { outputs: dxName ? [dxName] : undefined })[0];
  };

  const fromHeads = (x: string) => g.op("Reshape", [g.op("Transpose", [x], { perm: [0, 2, 1, 3] }), hiddenShape]);
  const toHeads = (x: string) => g.op("Transpose", [g.op("Reshape", [x, headShape])], { perm: [0, 2, 1, 3] });
  const swapLast = (x: string) => g.op("Transpose", [x], { perm: [0, 1, 3, 2] });
  const scale = g.scalar(1 / Math.sqrt(size));
  const half = g.scalar(0.5);
  const one = g.scalar(1);
  const sqrtHalf = g.scalar(Math.SQRT1_2);
  const logSqrtTwoOverPi = g.scalar(Math.log(Math.sqrt(2 / Math.PI)));
  let dOutput = dHidden;
  for (let i = config.numHiddenLayers - 1; i >= 0; i--) {
    const p = `encoder.layer.${i}`;
    const layer = forward.layers[i];
    const masks = dropout?.layers[i];

    // h' = LayerNorm(a + drop(W2·gelu(W1·a)))
    const dOutputSum = layerNormBackward(dOutput, layer.outputSum, layer.outputMean, layer.outputInverseStd, `${p}.output.LayerNorm`);
    const dActivated = denseBackward(drop(dOutputSum, masks?.output), layer.activated, `${p}.output.dense`, config.intermediateSize, hidden);
    // GELU′(u) = Φ(u) + u·φ(u) = ½(1 + erf(t) + u·√(2/π)·e^(−t²)), t = u/√2 (1 + erf(t) is the forward's)
    const u = layer.intermediate;
    const t = g.op("Mul", [u, sqrtHalf]);
    const onePlusErf = g.op("Add", [one, g.op("Erf", [t])]);
    const scaledDensity = g.op("Exp", [g.op("Sub", [logSqrtTwoOverPi, g.op("Mul", [t, t])])]);
    const dIntermediate = g.op("Mul", [
      g.op("Mul", [dActivated, half]),
      g.op("Add", [onePlusErf, g.op("Mul", [u, scaledDensity])]),
    ]);
    const dAttendedFromFeedForward = denseBackward(dIntermediate, layer.attended, `${p}.intermediate.dense`, hidden, config.intermediateSize);
    const dAttended = g.op("Add", [dOutputSum, dAttendedFromFeedForward]);

    // a = LayerNorm(h + drop(Wo·context))
    const dAttentionSum = layerNormBackward(
      dAttended, layer.attentionSum, layer.attentionMean, layer.attentionInverseStd, `${p}.attention.output.LayerNorm`,
    );
    const dContext = denseBackward(drop(dAttentionSum, masks?.attention), layer.context, `${p}.attention.output.dense`, hidden, hidden);

    // context = merge(drop(softmax(QKᵀ/√d + mask))·V); the 1/√d of the scores is applied to dP'
    // already (softmax backward is linear in dP; ORT folds the scale into the MatMul's alpha).
    const dContextHeads = toHeads(dContext);
    const dDroppedScaled = g.op("Mul", [g.op("MatMul", [dContextHeads, swapLast(layer.value)]), scale]);
    const dValue = g.op("MatMul", [swapLast(layer.droppedProbabilities), dContextHeads]);
    const dProbabilitiesScaled = drop(dDroppedScaled, masks?.probabilities);
    const probabilities = layer.probabilities;
    const rowDot = g.op("ReduceSum", [g.op("Mul", [dProbabilitiesScaled, probabilities]), lastAxis], { keepdims: 1 });
    const dScores = g.op("Mul", [probabilities, g.op("Sub", [dProbabilitiesScaled, rowDot])]);
    const dQuery = g.op("MatMul", [dScores, layer.key]);
    const dKey = g.op("MatMul", [swapLast(dScores), layer.query]);

    const dInputFromQuery = denseBackward(fromHeads(dQuery), layer.input, `${p}.attention.self.query`, hidden, hidden);
    const dInputFromKey = denseBackward(fromHeads(dKey), layer.input, `${p}.attention.self.key`, hidden, hidden);
    const dInputFromValue = denseBackward(fromHeads(dValue), layer.input, `${p}.attention.self.value`, hidden, hidden);
    dOutput = g.op("Add", [
      g.op("Add", [dAttentionSum, dInputFromQuery]),
      g.op("Add", [dInputFromKey, dInputFromValue]),
    ]);
  }

  // h0 = drop(LayerNorm(word + position + type))
  const embeddingSumGradient = layerNormBackward(
    drop(dOutput, dropout?.embeddings),
    forward.embeddingSum,
    forward.embeddingMean,
    forward.embeddingInverseStd,
    "embeddings.LayerNorm",
    names.embeddingSumGradient,
  );
  return { gradients, embeddingSumGradient };
}
