// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: total = ‖(‖g_1‖, …, ‖g_n‖)‖₂;
// when total > maxNorm every gradient is scaled by maxNorm / (total + 1e-6), in place. Returns the
// norm before clipping (what Hugging Face logs as grad_norm). A row-sparse gradient's absent rows are
// zero: they add nothing to the sum of squares and stay zero when scaled, so the figures are the dense ones.
// The trainer does not scale in place: it hands the coefficient to AdamW, which scales as it reads.

import { storedValues, type Gradient } from "../engines/row-gradient.ts";

export function clipGradientsByGlobalNorm(gradients: Map<string, Gradient>, maxNorm: number): number {
  const norm = globalGradientNorm(gradients);
  const coefficient = clippingCoefficient(norm, maxNorm);
  if (coefficient !== 1) {
    for (const gradient of gradients.values()) {
      const values = storedValues(gradient);
      for (let i = 0; i < values.length; i++) values[i] *= coefficient;
    }
  }
  return norm;
}

/** The global norm, summed in double precision in the map's order (the order decides the last bits). */
export function globalGradientNorm(gradients: Map<string, Gradient>): number {
  let sumOfSquares = 0;
  for (const gradient of gradients.values()) {
    const values = storedValues(gradient);
    for (let i = 0; i < values.length; i++) sumOfSquares += values[i] * values[i];
  }
  return Math.sqrt(sumOfSquares);
}

/** What the gradients are multiplied by: maxNorm / (norm + 1e-6) when that is below 1, else 1 (no clipping). */
export function clippingCoefficient(norm: number, maxNorm: number): number {
  const coefficient = maxNorm / (norm + 1e-6);
  return coefficient < 1 ? coefficient : 1;
}
