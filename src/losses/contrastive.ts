// ContrastiveLoss (sentence-transformers; Hadsell, Chopra & LeCun 2006), margin 0.5: with d_i = d(u_i, v_i)
// and binary labels y_i (1 = similar pair, 0 = dissimilar),
//   l_i = 0.5 · ( y_i · d_i² + (1 − y_i) · relu(margin − d_i)² )
//   loss = mean_i l_i  (size_average = true, the default)  or  Σ_i l_i  (size_average = false)
// with d one of SiameseDistanceMetric: COSINE_DISTANCE (default) 1 − cos(u, v),
// EUCLIDEAN ‖u − v + 1e-6‖₂, MANHATTAN ‖u − v + 1e-6‖₁ (torch F.pairwise_distance, eps 1e-6).
// Labels are used as numbers (a non-binary label weights the two terms). Inputs: (sentence1, sentence2) → 1 / 0.

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import { pythonEnumQualifiedName, pythonEnumValue } from "../util/python-enum.ts";
import { checkColumns, cosineDistance, requireLabels, torchPairwiseDistance } from "./functional.ts";
import type { Loss } from "./loss.ts";

/** sentence-transformers' SiameseDistanceMetric enum (member names as in Python). */
export const SiameseDistanceMetric = {
  EUCLIDEAN: "euclidean",
  MANHATTAN: "manhattan",
  COSINE_DISTANCE: "cosine_distance",
} as const;
export type SiameseDistanceMetric = (typeof SiameseDistanceMetric)[keyof typeof SiameseDistanceMetric];

/** Accepts a SiameseDistanceMetric value ("cosine_distance"), member name ("COSINE_DISTANCE") or qualified name. */
export function checkSiameseDistanceMetric(metric: unknown, where = "distanceMetric"): SiameseDistanceMetric {
  return pythonEnumValue("SiameseDistanceMetric", SiameseDistanceMetric, metric, where);
}

/** "SiameseDistanceMetric.COSINE_DISTANCE" etc., as get_config_dict() names the metric. */
export function siameseDistanceMetricName(metric: SiameseDistanceMetric): string {
  return pythonEnumQualifiedName("SiameseDistanceMetric", SiameseDistanceMetric, metric);
}

/** d(u_i, v_i) row by row for a SiameseDistanceMetric. */
export function siameseDistance(u: tf.Tensor2D, v: tf.Tensor2D, metric: SiameseDistanceMetric): tf.Tensor1D {
  switch (metric) {
    case "cosine_distance":
      return cosineDistance(u, v);
    case "euclidean":
      return torchPairwiseDistance(u, v, 2);
    case "manhattan":
      return torchPairwiseDistance(u, v, 1);
  }
}

export interface ContrastiveLossOptions {
  distanceMetric?: SiameseDistanceMetric;
  /** Dissimilar pairs are pushed to at least this distance; default 0.5. */
  margin?: number;
  /** Mean over the batch (default true) or sum. */
  sizeAverage?: boolean;
}

export class ContrastiveLoss implements Loss {
  readonly name: string = "ContrastiveLoss";
  readonly distanceMetric: SiameseDistanceMetric;
  readonly margin: number;
  readonly sizeAverage: boolean;

  constructor(readonly model: unknown, options: ContrastiveLossOptions = {}) {
    this.distanceMetric = checkSiameseDistanceMetric(options.distanceMetric ?? SiameseDistanceMetric.COSINE_DISTANCE);
    this.margin = options.margin ?? 0.5;
    this.sizeAverage = options.sizeAverage ?? true;
    if (!Number.isFinite(this.margin)) throw new ArgumentError("margin", `must be a finite number, got ${this.margin}`);
  }

  computeLoss(embeddings: tf.Tensor2D[], labels?: tf.Tensor1D): tf.Scalar {
    checkColumns(this.name, embeddings, { min: 2, describe: "(sentence1, sentence2)" });
    const pairLabels = requireLabels(this.name, labels, "1 for similar pairs, 0 for dissimilar", embeddings[0].shape[0]);
    return tf.tidy(() => {
      const distances = siameseDistance(embeddings[0], embeddings[1], this.distanceMetric);
      const y = tf.cast(pairLabels, "float32");
      const similar = tf.mul(y, tf.square(distances));
      const dissimilar = tf.mul(tf.sub(1, y), tf.square(tf.relu(tf.sub(this.margin, distances))));
      const losses = tf.mul(0.5, tf.add(similar, dissimilar));
      return this.sizeAverage ? tf.mean(losses) : tf.sum(losses);
    });
  }

  getConfigDict(): Record<string, unknown> {
    return { distance_metric: siameseDistanceMetricName(this.distanceMetric), margin: this.margin, size_average: this.sizeAverage };
  }
}
