// LayerNorm over the last axis in ONNX (biased variance, as torch):
//   forward   y = γ·x̂ + β (β optional), x̂ = (x − μ)·rstd, rstd = 1/√(σ² + ε); LayerNormalization also returns μ, rstd
//   backward  dγ = Σ dy⊙x̂, dβ = Σ dy, dx = rstd·(g − mean(g) − x̂·mean(g⊙x̂)) with g = dy⊙γ

import type { GraphBuilder } from "../graph-builder.ts";
import type { BackwardContext } from "./backward-context.ts";
import type { LinearParameters } from "./linear.ts";

export interface LayerNormValues {
  output: string;
  mean: string;
  inverseStd: string;
}

export function layerNorm(g: GraphBuilder, x: string, gamma: string, beta: string | undefined, epsilon: number): LayerNormValues {
  const [output, mean, inverseStd] = g.node("LayerNormalization", beta === undefined ? [x, gamma] : [x, gamma, beta], { axis: -1, epsilon: { float: epsilon } }, { outputs: 3 });
  return { output, mean, inverseStd };
}

/** Records dγ (and dβ when the norm has a bias) under `names` (weight = γ, bias = β); returns dx (named `dxName` when given). */
export function layerNormBackward(
  c: BackwardContext,
  dy: string,
  x: string,
  saved: { mean: string; inverseStd: string },
  names: LinearParameters,
  gammaValue: string,
  width: number,
  dxName?: string,
): string {
  const g = c.g;
  const rowMean = (v: string) => g.op("ReduceMean", [v], { axes: [-1], keepdims: 1 });
  const normalized = g.op("Mul", [g.op("Sub", [x, saved.mean]), saved.inverseStd]);
  c.sumOverTokens(names.weight, g.op("Mul", [dy, normalized]), width);
  if (names.bias !== undefined) c.sumOverTokens(names.bias, dy, width);
  const scaled = g.op("Mul", [dy, gammaValue]);
  const centered = g.op("Sub", [
    g.op("Sub", [scaled, rowMean(scaled)]),
    g.op("Mul", [normalized, rowMean(g.op("Mul", [scaled, normalized]))]),
  ]);
  return g.node("Mul", [centered, saved.inverseStd], {}, { outputs: dxName ? [dxName] : undefined })[0];
}
