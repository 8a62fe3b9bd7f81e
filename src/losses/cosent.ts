// CoSENTLoss (sentence-transformers, scale 20): with s_i = scale·cos(u_i, v_i),
//   loss = log(1 + Σ_{y_i < y_j} exp(s_i − s_j)),
// computed as logsumexp over [0] ∪ {s_i − s_j − (1 − [y_i < y_j])·1e12}. One scalar per batch; labels
// only need an order (pairs with equal labels contribute nothing). Inputs: (sentence1, sentence2) → score.

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import { pairwiseSimilarity, type SimilarityFunctionName } from "../similarity.ts";
import { checkColumns, pairwiseSimilarityName, requireLabels } from "./functional.ts";
import type { Loss } from "./loss.ts";

export interface CoSENTLossOptions {
  scale?: number;
  /** A pairwise similarity: "cosine" (default, util.pairwise_cos_sim) or another function name. */
  similarityFct?: SimilarityFunctionName;
}

export class CoSENTLoss implements Loss {
  readonly name: string = "CoSENTLoss";
  readonly scale: number;
  readonly similarityFct: SimilarityFunctionName;

  constructor(readonly model: unknown, options: CoSENTLossOptions = {}) {
    this.scale = options.scale ?? 20;
    this.similarityFct = options.similarityFct ?? "cosine";
    if (!(this.scale > 0)) throw new ArgumentError("scale", `must be a positive number, got ${this.scale}`);
  }

  /** s_i: the scaled similarity of each pair. */
  protected pairScores(first: tf.Tensor2D, second: tf.Tensor2D): tf.Tensor1D {
    return tf.mul(pairwiseSimilarity(first, second, this.similarityFct), this.scale);
  }

  /** sentence-transformers' name of the pairwise similarity function (get_config_dict's similarity_fct). */
  protected similarityFctName(): string {
    return pairwiseSimilarityName(this.similarityFct);
  }

  computeLoss(embeddings: tf.Tensor2D[], labels?: tf.Tensor1D): tf.Scalar {
    checkColumns(this.name, embeddings, { min: 2, describe: "(sentence1, sentence2)" });
    const scoreLabels = requireLabels(this.name, labels, "a similarity score per pair", embeddings[0].shape[0]);
    return tf.tidy(() => {
      const scores = this.pairScores(embeddings[0], embeddings[1]);
      const differences = tf.sub(tf.expandDims(scores, 1), tf.expandDims(scores, 0));
      const ordered = tf.cast(tf.less(tf.expandDims(scoreLabels, 1), tf.expandDims(scoreLabels, 0)), "float32");
      const masked = tf.sub(differences, tf.mul(tf.sub(1, ordered), 1e12));
      return tf.logSumExp(tf.concat([tf.zeros([1]), tf.reshape(masked, [-1])]));
    });
  }

  getConfigDict(): Record<string, unknown> {
    return { scale: this.scale, similarity_fct: this.similarityFctName() };
  }
}
