// The relative attention bias in tfjs: bias[h, i, j] = table[bucket(j − i), h] as [heads, T, T], one gather over
// the bucket matrix of relative-position.ts. Its autodiff gradient is the scatter-add of ∂bias over buckets.

import * as tf from "@tensorflow/tfjs";
import { relativeBucketMatrix } from "./relative-position.ts";

/** bias [heads, T, T] from encoder.relative_attention_bias.weight [buckets, heads]. */
export function relativeAttentionBias(table: tf.Tensor2D, seqLength: number): tf.Tensor3D {
  const heads = table.shape[1];
  const perPair = tf.gather(table, tf.tensor1d(relativeBucketMatrix(seqLength), "int32"), 0);
  return tf.reshape(tf.transpose(perPair), [heads, seqLength, seqLength]);
}
