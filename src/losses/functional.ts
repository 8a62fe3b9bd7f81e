// Pieces the losses share, each mirroring the torch function sentence-transformers calls:
//   torchPairwiseDistance(x, y, p) = ‖x_i − y_i + 1e-6‖_p   (torch F.pairwise_distance, eps = 1e-6)
//   cosineDistance(x, y)          = 1 − cos(x_i, y_i)      (1 − F.cosine_similarity)
//   crossEntropyToDiagonal(S)     = mean_i [logsumexp_j S_ij − S_ii]   (nn.CrossEntropyLoss with targets arange(n))
//   crossEntropy(logits, y)       = mean_i [logsumexp_j z_ij − z_{i,y_i}]  (nn.CrossEntropyLoss, integer targets)
// plus the input checks every loss runs before touching tensors (shapes only, never tensor values).

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import { pairwiseSimilarity, type SimilarityFunctionName } from "../similarity.ts";

/** torch F.pairwise_distance's default eps, added to the difference before the norm. */
export const PAIRWISE_DISTANCE_EPS = 1e-6;

/** ‖x_i − y_i + eps‖_p row by row (p = 1 or 2), as torch.nn.functional.pairwise_distance. */
export function torchPairwiseDistance(x: tf.Tensor2D, y: tf.Tensor2D, p: 1 | 2): tf.Tensor1D {
  return tf.tidy(() => {
    const difference = tf.add(tf.sub(x, y), PAIRWISE_DISTANCE_EPS);
    return (p === 2 ? tf.sqrt(tf.sum(tf.square(difference), -1)) : tf.sum(tf.abs(difference), -1)) as tf.Tensor1D;
  });
}

/** 1 − cos(x_i, y_i) row by row. */
export function cosineDistance(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(1, pairwiseSimilarity(x, y, "cosine")));
}

/** Cross-entropy where row i's target is column i (in-batch negatives), mean over rows. Needs columns ≥ rows. */
export function crossEntropyToDiagonal(scores: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [rows] = scores.shape;
    const diagonal = tf.sum(tf.mul(tf.slice(scores, [0, 0], [rows, rows]), tf.eye(rows)), 1);
    return tf.mean(tf.sub(tf.logSumExp(scores, 1), diagonal));
  });
}

/** Cross-entropy of logits [n, k] against integer class ids [n] (given as numbers), mean over rows. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const [, classes] = logits.shape;
    const targets = tf.oneHot(tf.cast(labels, "int32"), classes);
    const picked = tf.sum(tf.mul(logits, targets), 1);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), picked));
  });
}

/** sentence-transformers' util function name for a [n, m] similarity (get_config_dict's similarity_fct). */
export function matrixSimilarityName(name: SimilarityFunctionName): string {
  return { cosine: "cos_sim", dot: "dot_score", euclidean: "euclidean_sim", manhattan: "manhattan_sim" }[name];
}

/** sentence-transformers' util function name for a pairwise (row-wise) similarity. */
export function pairwiseSimilarityName(name: SimilarityFunctionName): string {
  return { cosine: "pairwise_cos_sim", dot: "pairwise_dot_score", euclidean: "pairwise_euclidean_sim", manhattan: "pairwise_manhattan_sim" }[
    name
  ];
}

export interface ColumnRequirement {
  /** Fewest input columns. */
  min: number;
  /** Most input columns (default: min). */
  max?: number;
  /** What the columns are, e.g. "(anchor, positive, negative)". */
  describe: string;
}

/**
 * Checks the number of input columns and that they share one [batch, dim] shape; throws a one-line
 * ArgumentError naming the loss and what it needs.
 */
export function checkColumns(loss: string, embeddings: tf.Tensor2D[], requirement: ColumnRequirement): void {
  const { min, max = min, describe } = requirement;
  const count = embeddings.length;
  if (count < min || count > max) {
    const needed = max === min ? `${min}` : max === Infinity ? `${min} or more` : `${min} to ${max}`;
    throw new ArgumentError(loss, `needs ${needed} input column${needed === "1" ? "" : "s"} ${describe}, got ${count}`);
  }
  const [first] = embeddings;
  for (const [column, embedding] of embeddings.entries()) {
    if (embedding.rank !== 2) throw new ArgumentError(loss, `input column ${column} must be a [batch, dim] matrix, got shape [${embedding.shape.join(", ")}]`);
    if (embedding.shape[0] !== first.shape[0] || embedding.shape[1] !== first.shape[1]) {
      throw new ArgumentError(
        loss,
        `input columns must share one [batch, dim] shape: column 0 is [${first.shape.join(", ")}], column ${column} is [${embedding.shape.join(", ")}]`,
      );
    }
  }
}

/** Throws the one-line ArgumentError for a loss called without its label column. */
export function requireLabels(loss: string, labels: tf.Tensor1D | undefined, what: string, batch: number): tf.Tensor1D {
  if (!labels) throw new ArgumentError(loss, `needs a label column (${what})`);
  if (labels.rank !== 1 || labels.shape[0] !== batch) {
    throw new ArgumentError(loss, `needs one label per row: ${batch} rows, labels of shape [${labels.shape.join(", ")}]`);
  }
  return labels;
}
