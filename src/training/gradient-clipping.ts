// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: total = ‖(‖g_1‖, …, ‖g_n‖)‖₂;
// when total > maxNorm every gradient is scaled by maxNorm / (total + 1e-6), in place. Returns the
// norm before clipping (what Hugging Face logs as grad_norm). A row-sparse gradient's absent rows are
// zero: they add nothing to the sum of squares and stay zero when scaled, so the figures are the dense ones.

import { storedValues, type Gradient } from "../engines/row-gradient.ts";

export function clipGradientsByGlobalNorm(gradients: Map<string, Gradient>, maxNorm: number): number {
  let sumOfSquares = 0;
  for (const gradient of gradients.values()) {
    const values = storedValues(gradient);
    for (let i = 0; i < values.length; i++) sumOfSquares += values[i] * values[i];
  }
  const norm = Math.sqrt(sumOfSquares);
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) {
    for (const gradient of gradients.values()) {
      const values = storedValues(gradient);
      for (let i = 0; i < values.length; i++) values[i] *= coefficient;
    }
  }
  return norm;
}
