// AnglELoss (sentence-transformers, scale 20): CoSENTLoss with util.pairwise_angle_sim as the pair score.
// Each embedding is read as a complex vector, first half real, second half imaginary: x = a + ib,
// y = c + id. pairwise_angle_sim computes, element-wise,
//   re = (a·c + b·d) / z,  im = (b·c − a·d) / z,  z = Σ(c² + d²) = ‖y‖²,
//   re, im ÷= ‖x‖ / ‖y‖,   angle_sim = | Σ re + Σ im |  (= |Σ(a·c + b·d + b·c − a·d)| / (‖x‖‖y‖)),
// then, with s_i = scale·angle_sim(u_i, v_i): loss = log(1 + Σ_{y_i < y_j} exp(s_i − s_j)) as CoSENT.
// Inputs: (sentence1, sentence2) → score. The embedding dimension must be even (v3.4.1 splits with
// torch.chunk and fails on odd widths).

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import { CoSENTLoss } from "./cosent.ts";

/** sentence-transformers' util.pairwise_angle_sim: the absolute normalised angle similarity of each row pair. */
export function pairwiseAngleSimilarity(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  const dim = x.shape[1];
  if (dim % 2 !== 0) throw new ArgumentError("pairwise_angle_sim", `needs an even embedding dimension (real | imaginary halves), got ${dim}`);
  return tf.tidy(() => {
    const [a, b] = tf.split(x, 2, 1);
    const [c, d] = tf.split(y, 2, 1);
    const z = tf.sum(tf.add(tf.square(c), tf.square(d)), 1, true);
    let re = tf.div(tf.add(tf.mul(a, c), tf.mul(b, d)), z);
    let im = tf.div(tf.sub(tf.mul(b, c), tf.mul(a, d)), z);
    const dz = tf.sqrt(tf.sum(tf.add(tf.square(a), tf.square(b)), 1, true));
    const dw = tf.sqrt(tf.sum(tf.add(tf.square(c), tf.square(d)), 1, true));
    re = tf.div(re, tf.div(dz, dw));
    im = tf.div(im, tf.div(dz, dw));
    return tf.abs(tf.sum(tf.concat([re, im], 1), 1)) as tf.Tensor1D;
  });
}

export interface AnglELossOptions {
  scale?: number;
}

export class AnglELoss extends CoSENTLoss {
  override readonly name: string = "AnglELoss";

  constructor(model: unknown, options: AnglELossOptions = {}) {
    super(model, { scale: options.scale ?? 20 });
  }

  protected override pairScores(first: tf.Tensor2D, second: tf.Tensor2D): tf.Tensor1D {
    const dim = first.shape[1];
    if (dim % 2 !== 0) throw new ArgumentError(this.name, `needs an even embedding dimension (real | imaginary halves), got ${dim}`);
    return tf.mul(pairwiseAngleSimilarity(first, second), this.scale);
  }

  protected override similarityFctName(): string {
    return "pairwise_angle_sim";
  }
}
