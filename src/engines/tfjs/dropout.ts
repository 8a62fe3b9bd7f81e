// Dropout with masks drawn from a seeded generator: kept units are scaled by 1/(1 − p), as in torch.
// The same seed gives the same mask, which lets a checkpointed layer recompute its forward exactly.

import * as tf from "@tensorflow/tfjs";
import { createRandom } from "../../util/random.ts";

export function dropout<T extends tf.Tensor>(x: T, probability: number, seed: number): T {
  if (probability <= 0) return x;
  const random = createRandom(seed);
  const keepScale = 1 / (1 - probability);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = random.next() < probability ? 0 : keepScale;
  return tf.mul(x, tf.tensor(mask, x.shape)) as T;
}
