// Plain-JS arithmetic for the loss tests (independent of tfjs and of the losses under test), and small
// helpers that run a loss on number arrays.

import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { Loss } from "../../src/losses/loss.ts";

export type Matrix = number[][];

export const dot = (a: number[], b: number[]): number => a.reduce((sum, value, i) => sum + value * b[i], 0);
export const norm = (a: number[]): number => Math.sqrt(dot(a, a));
export const cos = (a: number[], b: number[]): number => dot(a, b) / (norm(a) * norm(b));
export const normalize = (a: number[]): number[] => a.map((value) => value / norm(a));
export const relu = (x: number): number => Math.max(0, x);
export const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
export const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
export const logSumExp = (values: number[]): number => {
  const max = Math.max(...values);
  return max + Math.log(sum(values.map((value) => Math.exp(value - max))));
};
/** torch F.pairwise_distance: ‖a − b + 1e-6‖_p. */
export const torchDistance = (a: number[], b: number[], p: 1 | 2): number => {
  const difference = a.map((value, i) => value - b[i] + 1e-6);
  return p === 2 ? norm(difference) : sum(difference.map(Math.abs));
};
/** CoSENT: log(1 + Σ_{y_i < y_j} exp(s_i − s_j)). */
export const cosent = (scores: number[], labels: number[]): number => {
  const terms = [0];
  for (let i = 0; i < scores.length; i++) for (let j = 0; j < scores.length; j++) if (labels[i] < labels[j]) terms.push(scores[i] - scores[j]);
  return logSumExp(terms);
};
/** Cross-entropy of one row of logits against a target index. */
export const crossEntropyRow = (logits: number[], target: number): number => logSumExp(logits) - logits[target];

/** Asserts |actual − expected| ≤ tolerance·max(1, |expected|) (float32 tensors vs float64 arithmetic). */
export function assertClose(actual: number, expected: number, tolerance = 1e-5, what = "value"): void {
  assert.ok(Number.isFinite(actual), `${what}: ${actual} is not finite`);
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${what}: got ${actual}, expected ${expected} (difference ${Math.abs(actual - expected)})`,
  );
}

/** The loss of number-array columns (and labels) as a number. */
export function lossOf(loss: Loss, columns: Matrix[], labels?: number[]): number {
  return tf.tidy(() => {
    const embeddings = columns.map((column) => tf.tensor2d(column));
    const labelTensor = labels ? tf.tensor1d(labels) : undefined;
    return loss.computeLoss(embeddings, labelTensor).dataSync()[0];
  });
}

/** d loss / d column `column`, as a matrix. */
export function gradientOf(loss: Loss, columns: Matrix[], labels: number[] | undefined, column: number): Matrix {
  return tf.tidy(() => {
    const fixed = columns.map((values) => tf.tensor2d(values));
    const labelTensor = labels ? tf.tensor1d(labels) : undefined;
    const gradient = tf.grad((x: tf.Tensor) => {
      const embeddings = fixed.map((tensor, index) => (index === column ? (x as tf.Tensor2D) : tensor));
      return loss.computeLoss(embeddings, labelTensor);
    })(fixed[column]);
    return gradient.arraySync() as Matrix;
  });
}

/** Every gradient entry finite and at least one non-zero. */
export function assertUsefulGradient(gradient: Matrix, what = "gradient"): void {
  const values = gradient.flat();
  assert.ok(values.every(Number.isFinite), `${what} has non-finite entries: ${JSON.stringify(gradient)}`);
  assert.ok(
    values.some((value) => Math.abs(value) > 1e-7),
    `${what} is zero everywhere`,
  );
}
