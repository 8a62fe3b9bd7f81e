// GELU, exact (erf) form, in ONNX:
//   forward   y = ½u(1 + erf(u/√2)), spelled as ORT's GeluFusion expects, ((erf(u/√2) + 1)·u)·½, so it runs as one kernel
//   backward  du = dy ⊙ ½(1 + erf(t) + u·√(2/π)·e^(−t²)), t = u/√2 (= Φ(u) + u·φ(u)); ORT's common-subexpression
//             pass merges its erf with the backward graph's own GELU of the saved u

import type { GraphBuilder } from "../graph-builder.ts";

export function gelu(g: GraphBuilder, u: string): string {
  return g.op("Mul", [
    g.op("Mul", [g.op("Add", [g.op("Erf", [g.op("Div", [u, g.scalar(Math.SQRT2)])]), g.scalar(1)]), u]),
    g.scalar(0.5),
  ]);
}

export function geluBackward(g: GraphBuilder, dy: string, u: string): string {
  const t = g.op("Mul", [u, g.scalar(Math.SQRT1_2)]);
  const onePlusErf = g.op("Add", [g.scalar(1), g.op("Erf", [t])]);
  const scaledDensity = g.op("Exp", [g.op("Sub", [g.scalar(Math.log(Math.sqrt(2 / Math.PI))), g.op("Mul", [t, t])])]);
  return g.op("Mul", [g.op("Mul", [dy, g.scalar(0.5)]), g.op("Add", [onePlusErf, g.op("Mul", [u, scaledDensity])])]);
}
