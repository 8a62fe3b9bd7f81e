// nn.Linear in ONNX, kernels in the encoder's layout [in, out]:
//   forward   y = x·W + b  (b optional: ModernBERT's bias flags)
//   backward  dW = xᵀ·dy (Gemm transA over [B·T, in] × [B·T, out]: the sum over batch and sequence
//             happens inside the GEMM), db = Σ dy, dx = dy·Wᵀ (ORT fuses it into FusedMatMul(transB)).

import type { GraphBuilder } from "../graph-builder.ts";
import type { BackwardContext } from "./backward-context.ts";

/** The names of a Linear's parameters (no bias name: the module has none). */
export interface LinearParameters {
  weight: string;
  bias?: string;
}

export function linear(g: GraphBuilder, x: string, weight: string, bias?: string): string {
  const product = g.op("MatMul", [x, weight]);
  return bias === undefined ? product : g.op("Add", [product, bias]);
}

/** Records dW and db under `names`; returns dx. `values` are the weight's graph values. */
export function linearBackward(
  c: BackwardContext,
  dy: string,
  x: string,
  names: LinearParameters,
  weightValue: string,
  inSize: number,
  outSize: number,
): string {
  c.gradient(names.weight, "Gemm", [c.rows(x, inSize), c.rows(dy, outSize)], { transA: 1 });
  if (names.bias !== undefined) c.sumOverTokens(names.bias, dy, outSize);
  return c.g.op("MatMul", [dy, c.g.op("Transpose", [weightValue], { perm: [1, 0] })]);
}
