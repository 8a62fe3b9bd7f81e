// The hand-written backward of buildModernBertForward in standard ONNX ops (opset 17):
//   LayerNorm, linear: the shared ops' backward (engines/onnxruntime/ops), biases only where the config's
//               norm_bias / attention_bias / mlp_bias say
//   GeGLU:      y = gelu(u)⊙gate: du = dy⊙gate⊙gelu′(u), dgate = dy⊙gelu(u),  gelu′(u) = Φ(u) + u·φ(u)
//   attention:  dP' = dC·Vᵀ, dV = P'ᵀ·dC, dS = P⊙(dP − Σ dP⊙P) (dP = dP'⊙mask)·1/√d, dQ = dS·K, dK = dSᵀ·Q —
//               on [B, heads, T, T] (global) or on the blocks (local): dQ blocks are unpadded back to T,
//               dK/dV blocks [n, 3b] are shifted back to their positions (Pad + Add) and unpadded
//   RoPE:       the inverse rotation (ModernBertOps.rotateBack)
//   dropout:    the scaled mask multiplies the incoming gradient; residuals add their two gradients.
// The token embedding's gradient is returned as d(tok[ids]) [B, T, H] (scattered by id in JS).

import { applyDropoutMask, BackwardContext, geluBackward, layerNormBackward, linearBackward as sharedLinearBackward } from "../../../engines/onnxruntime/ops/index.ts";
import { headSize, isGlobal, ropeTheta } from "./config.ts";
import type { DropoutMaskNames, ForwardValues, ModernBertOps, NormValues } from "./onnx-forward.ts";

export interface BackwardValues {
  /** Parameter name → its gradient's value (named by `gradientName`), all but the token embeddings. */
  parameters: Map<string, string>;
  embeddingSum: string;
}

export function buildModernBertBackward(
  ops: ModernBertOps,
  forward: ForwardValues,
  dHidden: string,
  weight: (name: string) => string,
  masks: DropoutMaskNames,
  gradientName?: (parameter: string) => string,
): BackwardValues {
  const { g, config } = ops;
  const H = config.hiddenSize;
  const I = config.intermediateSize;
  const d = headSize(config);
  const b = ops.block;
  const c = new BackwardContext(g, dHidden, gradientName);
  const drop = (dy: string, mask: string | undefined) => applyDropoutMask(g, dy, mask);
  const parameters = (name: string, bias: boolean) => ({ weight: `${name}.weight`, bias: bias ? `${name}.bias` : undefined });
  const linearBackward = (dy: string, x: string, name: string, inSize: number, outSize: number, bias: boolean): string =>
    sharedLinearBackward(c, dy, x, parameters(name, bias), weight(`${name}.weight`), inSize, outSize);
  const normBackward = (dy: string, norm: NormValues, name: string): string =>
    layerNormBackward(c, dy, norm.input, norm, parameters(name, config.normBias), weight(`${name}.weight`), H);
  /** Key blocks' gradient [B, heads, n, 3b, d] → [B, heads, T, d]: block part j sits at offset j·b of the padded keys. */
  const unblockKeys = (dBlocks: string): string => {
    const parts = g.node("Split", [dBlocks, ops.ints([b, b, b])], { axis: 3 }, { outputs: 3 });
    const shifted = parts.map((part, j) =>
      ops.padAxis2(g.op("Reshape", [part, ops.ints([0, 0, -1, d])]), ops.ints([j * b]), ops.ints([(2 - j) * b]), 4),
    );
    const sum = g.op("Add", [g.op("Add", [shifted[0], shifted[1]]), shifted[2]]);
    return g.op("Slice", [sum, ops.ints([b]), g.op("Add", [forward.seqLength, ops.ints([b])]), ops.ints([2])]);
  };
  const swapLast = (x: string, rank: number) => {
    const perm = Array.from({ length: rank }, (_, k) => k);
    [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
    return g.op("Transpose", [x], { perm });
  };

  let dx = normBackward(dHidden, forward.finalNorm, "final_norm");
  for (let i = config.numHiddenLayers - 1; i >= 0; i--) {
    const p = `layers.${i}`;
    const layer = forward.layers[i];
    const layerMasks = masks.layers[i];

    // x' = middle + Wo·drop(gelu(input)⊙gate)
    const dGated = drop(linearBackward(dx, layer.gated, `${p}.mlp.Wo`, I, H, config.mlpBias), layerMasks.output);
    const dInput = geluBackward(g, g.op("Mul", [dGated, layer.gate]), layer.input_);
    const dGate = g.op("Mul", [dGated, layer.activated]);
    const dWide = g.op("Concat", [dInput, dGate], { axis: 2 });
    const dMlpNormed = linearBackward(dWide, layer.mlpNorm.output, `${p}.mlp.Wi`, H, 2 * I, config.mlpBias);
    const dMiddle = g.op("Add", [dx, normBackward(dMlpNormed, layer.mlpNorm, `${p}.mlp_norm`)]);

    // middle = input + drop(Wo·merge(attention))
    const dMerged = linearBackward(drop(dMiddle, layerMasks.attention), layer.merged, `${p}.attn.Wo`, H, H, config.attentionBias);
    const global = isGlobal(config, i);
    const rank = global ? 4 : 5;
    let dContext = ops.toHeads(dMerged);
    if (!global) dContext = ops.queryBlocks(dContext, forward);
    const dDropped = g.op("Mul", [g.op("MatMul", [dContext, swapLast(layer.value, rank)]), ops.scalar(1 / Math.sqrt(d))]);
    let dValue = g.op("MatMul", [swapLast(layer.droppedProbabilities, rank), dContext]);
    const dProbabilities = drop(dDropped, layerMasks.probabilities);
    const rowDot = g.op("ReduceSum", [g.op("Mul", [dProbabilities, layer.probabilities]), ops.ints([-1])], { keepdims: 1 });
    const dScores = g.op("Mul", [layer.probabilities, g.op("Sub", [dProbabilities, rowDot])]);
    let dQuery = g.op("MatMul", [dScores, layer.key]);
    let dKey = g.op("MatMul", [swapLast(dScores, rank), layer.query]);
    if (!global) {
      dQuery = g.op("Slice", [g.op("Reshape", [dQuery, ops.ints([0, 0, -1, d])]), ops.ints([0]), forward.seqLength, ops.ints([2])]);
      dKey = unblockKeys(dKey);
      dValue = unblockKeys(dValue);
    }
    const { cos, sin } = forward.rope.get(ropeTheta(config, i))!;
    const dQkv = g.op("Concat", [ops.fromHeads(ops.rotateBack(dQuery, cos, sin)), ops.fromHeads(ops.rotateBack(dKey, cos, sin)), ops.fromHeads(dValue)], { axis: 2 });
    const dNormed = linearBackward(dQkv, layer.normed, `${p}.attn.Wqkv`, H, 3 * H, config.attentionBias);
    const dInputFromAttention = layer.attentionNorm ? normBackward(dNormed, layer.attentionNorm, `${p}.attn_norm`) : dNormed;
    dx = g.op("Add", [dMiddle, dInputFromAttention]);
  }
  const embeddingSum = normBackward(drop(dx, masks.embeddings), forward.embeddingNorm, "embeddings.norm");
  return { parameters: c.gradients, embeddingSum };
}
