// Dropout with its mask fed in (already scaled by 1/(1 − p), drawn by engines/dropout-masks.ts):
//   forward   y = x ⊙ mask        backward  dx = dy ⊙ mask   (the same op: dropout is linear in x)
// Without a mask (dropout off) x itself, no node.

import type { GraphBuilder } from "../graph-builder.ts";

export function applyDropoutMask(g: GraphBuilder, x: string, mask: string | undefined): string {
  return mask ? g.op("Mul", [x, mask]) : x;
}
