// Dropout in tfjs with masks from engines/dropout-masks.ts: the same seed gives the same mask, which
// lets a checkpointed layer recompute its forward exactly and the ONNX engine draw the same ones.

import * as tf from "@tensorflow/tfjs";
import { dropoutMask } from "../dropout-masks.ts";

export function dropout<T extends tf.Tensor>(x: T, probability: number, seed: number): T {
  if (probability <= 0) return x;
  return tf.mul(x, tf.tensor(dropoutMask(x.size, probability, seed), x.shape)) as T;
}
