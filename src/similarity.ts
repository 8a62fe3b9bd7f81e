// Similarity functions as sentence-transformers names them (SimilarityFunction, util.*):
//   cosine:    a·b / (‖a‖‖b‖)     dot: a·b
//   euclidean: −‖a − b‖₂          manhattan: −‖a − b‖₁   (negated so that larger means more similar)
// `similarity(a, b)` gives the [n, m] matrix; `pairwiseSimilarity(a, b)` the n row-wise scores.

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "./errors.ts";
import { l2Normalize } from "./models/modules/normalize.ts";

export const SIMILARITY_FUNCTIONS = ["cosine", "dot", "euclidean", "manhattan"] as const;
export type SimilarityFunctionName = (typeof SIMILARITY_FUNCTIONS)[number];

/** sentence-transformers' SimilarityFunction enum, with its string values. */
export const SimilarityFunction = {
  COSINE: "cosine",
  DOT_PRODUCT: "dot",
  EUCLIDEAN: "euclidean",
  MANHATTAN: "manhattan",
} as const satisfies Record<string, SimilarityFunctionName>;

export function checkSimilarityFunction(name: unknown, where: string): SimilarityFunctionName {
  const normalized = name === "dot_product" ? "dot" : name;
  if (!SIMILARITY_FUNCTIONS.includes(normalized as SimilarityFunctionName)) {
    throw new ArgumentError(where, `${JSON.stringify(name)} is not a similarity function (use ${SIMILARITY_FUNCTIONS.join(", ")})`);
  }
  return normalized as SimilarityFunctionName;
}

/** The [n, m] matrix of similarities between the rows of a [n, d] and b [m, d]. */
export function similarity(a: tf.Tensor2D, b: tf.Tensor2D, name: SimilarityFunctionName = "cosine"): tf.Tensor2D {
  return tf.tidy(() => {
    switch (name) {
      case "cosine":
        return tf.matMul(l2Normalize(a), l2Normalize(b), false, true);
      case "dot":
        return tf.matMul(a, b, false, true);
      case "euclidean":
      case "manhattan": {
        const differences = tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0));
        const distance = name === "euclidean" ? tf.sqrt(tf.sum(tf.square(differences), -1)) : tf.sum(tf.abs(differences), -1);
        return tf.neg(distance) as tf.Tensor2D;
      }
    }
  });
}

/** Row-wise similarities [n] of a [n, d] and b [n, d]. */
export function pairwiseSimilarity(a: tf.Tensor2D, b: tf.Tensor2D, name: SimilarityFunctionName = "cosine"): tf.Tensor1D {
  return tf.tidy(() => {
    switch (name) {
      case "cosine":
        return tf.sum(tf.mul(l2Normalize(a), l2Normalize(b)), -1) as tf.Tensor1D;
      case "dot":
        return tf.sum(tf.mul(a, b), -1) as tf.Tensor1D;
      case "euclidean":
        return tf.neg(tf.sqrt(tf.sum(tf.square(tf.sub(a, b)), -1))) as tf.Tensor1D;
      case "manhattan":
        return tf.neg(tf.sum(tf.abs(tf.sub(a, b)), -1)) as tf.Tensor1D;
    }
  });
}
