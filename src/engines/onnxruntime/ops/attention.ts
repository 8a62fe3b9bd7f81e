// Scaled dot-product attention over heads in ONNX, q/k/v [B, heads, T, d]:
//   forward   P = softmax(Q·Kᵀ/√d + mask [+ bias]), P' = P ⊙ dropout mask, context = P'·V
//   backward  dP' = dC·Vᵀ, dV = P'ᵀ·dC; dS = P ⊙ (dP − Σ_keys dP⊙P) (dP = dP' ⊙ mask); the 1/√d of the
//             scores is applied to dP' already (softmax's backward is linear in dP; ORT folds the scale
//             into the MatMul's alpha), so dQ = dS·K, dK = dSᵀ·Q; dS is also d(additive bias).
// Heads split and merge: [B, T, H] ↔ [B, heads, T, d].

import type { GraphBuilder } from "../graph-builder.ts";
import { applyDropoutMask } from "./dropout.ts";

export const FLOAT32_MIN = -3.4028234663852886e38;

export interface AttentionValues {
  probabilities: string; // softmax output [B, heads, T, T]
  droppedProbabilities: string;
  context: string; // [B, heads, T, d]
}

/** The additive mask [B, 1, 1, T] of an int64 attention_mask: 0 for real tokens, float32 min for padding. */
export function additiveMask(g: GraphBuilder, attentionMask: string): string {
  const maskFloat = g.op("Cast", [attentionMask], { to: 1 });
  return g.op("Unsqueeze", [g.op("Mul", [g.op("Sub", [g.scalar(1), maskFloat]), g.scalar(FLOAT32_MIN)]), g.constant([1, 2], [2], "int64")]);
}

/** [B, T, H] → [B, heads, T, d]. */
export function splitHeads(g: GraphBuilder, x: string, heads: number, headSize: number): string {
  return g.op("Transpose", [g.op("Reshape", [x, g.constant([0, 0, heads, headSize], [4], "int64")])], { perm: [0, 2, 1, 3] });
}

/** [B, heads, T, d] → [B, T, H]. */
export function mergeHeads(g: GraphBuilder, x: string, hidden: number): string {
  return g.op("Reshape", [g.op("Transpose", [x], { perm: [0, 2, 1, 3] }), g.constant([0, 0, hidden], [3], "int64")]);
}

export function attention(
  g: GraphBuilder,
  q: { query: string; key: string; value: string },
  headSize: number,
  mask: string,
  options: { bias?: string; dropoutMask?: string } = {},
): AttentionValues {
  let scores = g.op("Add", [
    g.op("Mul", [g.op("MatMul", [q.query, g.op("Transpose", [q.key], { perm: [0, 1, 3, 2] })]), g.scalar(1 / Math.sqrt(headSize))]),
    mask,
  ]);
  if (options.bias) scores = g.op("Add", [scores, options.bias]);
  const probabilities = g.op("Softmax", [scores], { axis: -1 });
  const droppedProbabilities = applyDropoutMask(g, probabilities, options.dropoutMask);
  return { probabilities, droppedProbabilities, context: g.op("MatMul", [droppedProbabilities, q.value]) };
}

/** dQ, dK, dV [B, heads, T, d] and, when asked for, dScores (= d bias) [B, heads, T, T] from dContext [B, heads, T, d]. */
export function attentionBackward(
  g: GraphBuilder,
  dContext: string,
  saved: { query: string; key: string; value: string } & AttentionValues,
  headSize: number,
  options: { dropoutMask?: string; scoresGradient?: boolean } = {},
): { dQuery: string; dKey: string; dValue: string; dScores?: string } {
  const swapLast = (x: string) => g.op("Transpose", [x], { perm: [0, 1, 3, 2] });
  const dDroppedScaled = g.op("Mul", [g.op("MatMul", [dContext, swapLast(saved.value)]), g.scalar(1 / Math.sqrt(headSize))]);
  const dValue = g.op("MatMul", [swapLast(saved.droppedProbabilities), dContext]);
  const dProbabilitiesScaled = applyDropoutMask(g, dDroppedScaled, options.dropoutMask);
  const rowDot = g.op("ReduceSum", [g.op("Mul", [dProbabilitiesScaled, saved.probabilities]), g.constant([-1], [1], "int64")], { keepdims: 1 });
  const dScoresScaled = g.op("Mul", [saved.probabilities, g.op("Sub", [dProbabilitiesScaled, rowDot])]);
  return {
    dQuery: g.op("MatMul", [dScoresScaled, saved.key]),
    dKey: g.op("MatMul", [swapLast(dScoresScaled), saved.query]),
    dValue,
    // d(scores) itself is dScoresScaled·√d (what an additive bias gets), built only when asked for.
    dScores: options.scoresGradient ? g.op("Mul", [dScoresScaled, g.scalar(Math.sqrt(headSize))]) : undefined,
  };
}
