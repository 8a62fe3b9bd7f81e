// sentence-transformers' Normalize module: x / max(‖x‖₂, 1e-12) per row (torch F.normalize).

import * as tf from "@tensorflow/tfjs";

export function l2Normalize(embeddings: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(embeddings, tf.maximum(tf.norm(embeddings, 2, 1, true), 1e-12)));
}

export class Normalize {
  forward(embeddings: tf.Tensor2D): tf.Tensor2D {
    return l2Normalize(embeddings);
  }
}
