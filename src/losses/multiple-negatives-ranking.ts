// MultipleNegativesRankingLoss (sentence-transformers v3.4.1; InfoNCE with in-batch negatives, scale 20):
// anchors A = column 0 [B, d]; candidates C = concat(column 1 (positives), column 2.. (hard negatives)) [B·(k+1), d];
//   S = scale · sim(A, C)                          (sim = util.cos_sim by default)
//   loss = mean_i [ logsumexp_j S_ij − S_ii ]       (nn.CrossEntropyLoss, target of row i = column i)
// so each anchor must pick its own positive among every positive and every hard negative of the batch.
// Inputs: (anchor, positive) or (anchor, positive, negative_1, …, negative_k); labels are ignored.

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import { checkSimilarityFunction, similarity, type SimilarityFunctionName } from "../similarity.ts";
import { checkColumns, crossEntropyToDiagonal, matrixSimilarityName } from "./functional.ts";
import type { Loss } from "./loss.ts";

export interface MultipleNegativesRankingLossOptions {
  /** Multiplies the similarities (1 / temperature); default 20. */
  scale?: number;
  /** A [n, m] similarity: "cosine" (default, util.cos_sim), "dot" (util.dot_score; then use scale 1), … */
  similarityFct?: SimilarityFunctionName;
}

export class MultipleNegativesRankingLoss implements Loss {
  readonly name: string = "MultipleNegativesRankingLoss";
  readonly scale: number;
  readonly similarityFct: SimilarityFunctionName;

  constructor(readonly model: unknown, options: MultipleNegativesRankingLossOptions = {}) {
    this.scale = options.scale ?? 20;
    this.similarityFct = checkSimilarityFunction(options.similarityFct ?? "cosine", "similarityFct");
    if (!(this.scale > 0)) throw new ArgumentError("scale", `must be a positive number, got ${this.scale}`);
  }

  /** S = scale · sim(anchors, concat(positives, negatives…)), [B, B·(columns − 1)]. */
  protected scores(embeddings: tf.Tensor2D[]): tf.Tensor2D {
    return tf.tidy(() => {
      const candidates = embeddings.length === 2 ? embeddings[1] : tf.concat(embeddings.slice(1), 0);
      return tf.mul(similarity(embeddings[0], candidates, this.similarityFct), this.scale);
    });
  }

  computeLoss(embeddings: tf.Tensor2D[], _labels?: tf.Tensor1D): tf.Scalar {
    checkColumns(this.name, embeddings, { min: 2, max: Infinity, describe: "(anchor, positive[, negative_1, …])" });
    return tf.tidy(() => crossEntropyToDiagonal(this.scores(embeddings)));
  }

  getConfigDict(): Record<string, unknown> {
    return { scale: this.scale, similarity_fct: matrixSimilarityName(this.similarityFct) };
  }
}
