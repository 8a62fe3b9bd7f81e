// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: total = ‖(‖g_1‖, …, ‖g_n‖)‖₂;
// when total > maxNorm every gradient is scaled by maxNorm / (total + 1e-6). Returns the norm before
// clipping (what Hugging Face logs as grad_norm).

import * as tf from "@tensorflow/tfjs";

export function clipGradientsByGlobalNorm<T extends Record<string, tf.Tensor>>(
  gradients: T,
  maxNorm: number,
): { gradients: T; norm: number } {
  const tensors = Object.values(gradients);
  const norm = tf.tidy(() => Math.sqrt(tf.addN(tensors.map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
  const coefficient = maxNorm / (norm + 1e-6);
  if (!(coefficient < 1)) return { gradients, norm };
  const clipped = {} as Record<string, tf.Tensor>;
  for (const [name, gradient] of Object.entries(gradients)) {
    clipped[name] = tf.mul(gradient, coefficient);
    gradient.dispose();
  }
  return { gradients: clipped as T, norm };
}
