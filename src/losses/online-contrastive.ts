// OnlineContrastiveLoss (sentence-transformers, margin 0.5): ContrastiveLoss on the hard pairs only, summed.
// With d_i = d(u_i, v_i) (SiameseDistanceMetric, COSINE_DISTANCE by default), P = {d_i : y_i = 1},
// N = {d_i : y_i = 0} (rows with any other label are ignored):
//   hard negatives  N* = {n ∈ N : n < (max P  if |P| > 1 else mean N)}
//   hard positives  P* = {p ∈ P : p > (min N  if |N| > 1 else mean P)}
//   loss = Σ_{p ∈ P*} p² + Σ_{n ∈ N*} relu(margin − n)²
// Edge cases as sentence-transformers' code: with a single positive the negative threshold is the negatives'
// own mean (so only negatives closer than average count), with a single negative the positive threshold is
// the positives' mean; an empty side selects nothing; no 0.5 factor and no averaging.
// Selection uses masks (tf.where) instead of boolean indexing so the graph keeps a fixed shape: unselected
// rows contribute 0 and get zero gradient, and the thresholds are not differentiated (as in torch, where
// comparisons carry no gradient). Inputs: (sentence1, sentence2) → 1 / 0.

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import { checkSiameseDistanceMetric, SiameseDistanceMetric, siameseDistance, siameseDistanceMetricName } from "./contrastive.ts";
import { checkColumns, requireLabels } from "./functional.ts";
import type { Loss } from "./loss.ts";

/** The value of x with no gradient flowing back through it. */
const stopGradient = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as <T extends tf.Tensor>(x: T) => T;

export interface OnlineContrastiveLossOptions {
  distanceMetric?: SiameseDistanceMetric;
  /** Negative pairs closer than this are penalised; default 0.5. */
  margin?: number;
}

export class OnlineContrastiveLoss implements Loss {
  readonly name: string = "OnlineContrastiveLoss";
  readonly distanceMetric: SiameseDistanceMetric;
  readonly margin: number;

  constructor(readonly model: unknown, options: OnlineContrastiveLossOptions = {}) {
    this.distanceMetric = checkSiameseDistanceMetric(options.distanceMetric ?? SiameseDistanceMetric.COSINE_DISTANCE);
    this.margin = options.margin ?? 0.5;
    if (!Number.isFinite(this.margin)) throw new ArgumentError("margin", `must be a finite number, got ${this.margin}`);
  }

  /** The 0/1 masks of the hard positives and hard negatives (no gradient). */
  hardPairMasks(distances: tf.Tensor1D, labels: tf.Tensor1D): { positives: tf.Tensor1D; negatives: tf.Tensor1D } {
    return tf.tidy(() => {
      const d = stopGradient(distances);
      const isPositive = tf.equal(labels, 1);
      const isNegative = tf.equal(labels, 0);
      const positiveCount = tf.sum(tf.cast(isPositive, "float32"));
      const negativeCount = tf.sum(tf.cast(isNegative, "float32"));
      const positiveMax = tf.max(tf.where(isPositive, d, tf.fill(d.shape, -Infinity)));
      const negativeMin = tf.min(tf.where(isNegative, d, tf.fill(d.shape, Infinity)));
      // An empty side's mean is NaN in torch and selects nothing; max(count, 1) gives the same selection.
      const positiveMean = tf.div(tf.sum(tf.where(isPositive, d, tf.zerosLike(d))), tf.maximum(positiveCount, 1));
      const negativeMean = tf.div(tf.sum(tf.where(isNegative, d, tf.zerosLike(d))), tf.maximum(negativeCount, 1));
      const negativeThreshold = tf.where(tf.greater(positiveCount, 1), positiveMax, negativeMean);
      const positiveThreshold = tf.where(tf.greater(negativeCount, 1), negativeMin, positiveMean);
      return {
        negatives: tf.cast(tf.logicalAnd(isNegative, tf.less(d, negativeThreshold)), "float32") as tf.Tensor1D,
        positives: tf.cast(tf.logicalAnd(isPositive, tf.greater(d, positiveThreshold)), "float32") as tf.Tensor1D,
      };
    });
  }

  computeLoss(embeddings: tf.Tensor2D[], labels?: tf.Tensor1D): tf.Scalar {
    checkColumns(this.name, embeddings, { min: 2, describe: "(sentence1, sentence2)" });
    const pairLabels = requireLabels(this.name, labels, "1 for similar pairs, 0 for dissimilar", embeddings[0].shape[0]);
    return tf.tidy(() => {
      const distances = siameseDistance(embeddings[0], embeddings[1], this.distanceMetric);
      const { positives, negatives } = this.hardPairMasks(distances, tf.cast(pairLabels, "float32"));
      const zeros = tf.zerosLike(distances);
      const positiveLoss = tf.sum(tf.where(tf.cast(positives, "bool"), tf.square(distances), zeros));
      const negativeLoss = tf.sum(tf.where(tf.cast(negatives, "bool"), tf.square(tf.relu(tf.sub(this.margin, distances))), zeros));
      return tf.add(positiveLoss, negativeLoss);
    });
  }

  /** {distance_metric, margin}: the keys sentence-transformers' OnlineContrastiveLoss.get_config_dict() reports (recent releases). */
  getConfigDict(): Record<string, unknown> {
    return { distance_metric: siameseDistanceMetricName(this.distanceMetric), margin: this.margin };
  }
}
