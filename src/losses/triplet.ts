// TripletLoss (sentence-transformers, margin 5): for each (anchor a, positive p, negative n),
//   loss = mean_i relu( d(a_i, p_i) − d(a_i, n_i) + margin )
// with d one of TripletDistanceMetric:
//   EUCLIDEAN (default) ‖a − b + 1e-6‖₂,  MANHATTAN ‖a − b + 1e-6‖₁  (torch F.pairwise_distance, eps 1e-6),
//   COSINE 1 − cos(a, b).
// Inputs: (anchor, positive, negative); labels are ignored.

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import { pythonEnumQualifiedName, pythonEnumValue } from "../util/python-enum.ts";
import { checkColumns, cosineDistance, torchPairwiseDistance } from "./functional.ts";
import type { Loss } from "./loss.ts";

/** sentence-transformers' TripletDistanceMetric enum (member names as in Python). */
export const TripletDistanceMetric = {
  COSINE: "cosine",
  EUCLIDEAN: "euclidean",
  MANHATTAN: "manhattan",
} as const;
export type TripletDistanceMetric = (typeof TripletDistanceMetric)[keyof typeof TripletDistanceMetric];

/** Accepts a TripletDistanceMetric value ("euclidean"), member name ("EUCLIDEAN") or qualified name. */
export function checkTripletDistanceMetric(metric: unknown, where = "distanceMetric"): TripletDistanceMetric {
  return pythonEnumValue("TripletDistanceMetric", TripletDistanceMetric, metric, where);
}

/** d(a_i, b_i) row by row for a TripletDistanceMetric. */
export function tripletDistance(a: tf.Tensor2D, b: tf.Tensor2D, metric: TripletDistanceMetric): tf.Tensor1D {
  switch (metric) {
    case "cosine":
      return cosineDistance(a, b);
    case "euclidean":
      return torchPairwiseDistance(a, b, 2);
    case "manhattan":
      return torchPairwiseDistance(a, b, 1);
  }
}

export interface TripletLossOptions {
  distanceMetric?: TripletDistanceMetric;
  /** How much farther from the anchor the negative must be than the positive; default 5. */
  tripletMargin?: number;
}

export class TripletLoss implements Loss {
  readonly name: string = "TripletLoss";
  readonly distanceMetric: TripletDistanceMetric;
  readonly tripletMargin: number;

  constructor(readonly model: unknown, options: TripletLossOptions = {}) {
    this.distanceMetric = checkTripletDistanceMetric(options.distanceMetric ?? TripletDistanceMetric.EUCLIDEAN);
    this.tripletMargin = options.tripletMargin ?? 5;
    if (!Number.isFinite(this.tripletMargin)) throw new ArgumentError("tripletMargin", `must be a finite number, got ${this.tripletMargin}`);
  }

  computeLoss(embeddings: tf.Tensor2D[], _labels?: tf.Tensor1D): tf.Scalar {
    checkColumns(this.name, embeddings, { min: 3, describe: "(anchor, positive, negative)" });
    const [anchor, positive, negative] = embeddings;
    return tf.tidy(() => {
      const distancePositive = tripletDistance(anchor, positive, this.distanceMetric);
      const distanceNegative = tripletDistance(anchor, negative, this.distanceMetric);
      return tf.mean(tf.relu(tf.add(tf.sub(distancePositive, distanceNegative), this.tripletMargin)));
    });
  }

  getConfigDict(): Record<string, unknown> {
    return { distance_metric: pythonEnumQualifiedName("TripletDistanceMetric", TripletDistanceMetric, this.distanceMetric), triplet_margin: this.tripletMargin };
  }
}
