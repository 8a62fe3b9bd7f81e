// CoSENTLoss's config names and AnglELoss = CoSENT's formula with pairwise_angle_sim, computed here by hand
// (the ST formula element by element, and its closed form |Σ(ac + bd + bc − ad)| / (‖x‖‖y‖)).

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../src/backend.ts";
import { ArgumentError } from "../../src/errors.ts";
import { AnglELoss, CoSENTLoss, pairwiseAngleSimilarity } from "../../src/losses/index.ts";
import { assertClose, assertUsefulGradient, cos, cosent, dot, gradientOf, lossOf, norm, sum } from "./reference.ts";

before(async () => {
  await initializeBackend({ quiet: true });
});

/** ST's pairwise_angle_sim for one pair, step by step. */
function angleSimilarity(x: number[], y: number[]): number {
  const h = x.length / 2;
  const [a, b, c, d] = [x.slice(0, h), x.slice(h), y.slice(0, h), y.slice(h)];
  const z = sum(c.map((value, k) => value ** 2 + d[k] ** 2));
  const dz = Math.sqrt(sum(a.map((value, k) => value ** 2 + b[k] ** 2)));
  const dw = Math.sqrt(z);
  const re = a.map((_, k) => (a[k] * c[k] + b[k] * d[k]) / z / (dz / dw));
  const im = a.map((_, k) => (b[k] * c[k] - a[k] * d[k]) / z / (dz / dw));
  return Math.abs(sum(re) + sum(im));
}

const U = [
  [1, 2, 3, 4],
  [0.5, -1, 2, 1],
  [2, 0, -1, 1],
];
const V = [
  [2, 1, 3, 3],
  [1, 1, 0, -1],
  [1, 0.5, -1, 2],
];
const LABELS = [0.9, 0.1, 0.5];

describe("AnglELoss", () => {
  test("pairwise_angle_sim on hand-worked complex vectors", () => {
    // x = 1 + i (as [re | im] = [1, 0 | 0, 1]) against itself: re = [1/2, 1/2], im = [0, 0] → 1.
    // y = i·x (c = −b, d = a): re = [0, 0], im = [−1/2, −1/2] → |−1| = 1.
    // [1, 0 | 0, 0] against [0, 1 | 0, 0]: orthogonal components → 0.
    const x = tf.tensor2d([
      [1, 0, 0, 1],
      [1, 0, 0, 1],
      [1, 0, 0, 0],
    ]);
    const y = tf.tensor2d([
      [1, 0, 0, 1],
      [0, -1, 1, 0],
      [0, 1, 0, 0],
    ]);
    const values = Array.from(pairwiseAngleSimilarity(x, y).dataSync());
    [1, 1, 0].forEach((expected, i) => assertClose(values[i], expected, 1e-6, `row ${i}`));
    // The step-by-step formula equals its closed form.
    for (let i = 0; i < 3; i++) {
      const h = 2;
      const [a, b, c, d] = [U[i].slice(0, h), U[i].slice(h), V[i].slice(0, h), V[i].slice(h)];
      const closed = Math.abs(dot(a, c) + dot(b, d) + dot(b, c) - dot(a, d)) / (norm(U[i]) * norm(V[i]));
      assertClose(angleSimilarity(U[i], V[i]), closed, 1e-12);
    }
    tf.dispose([x, y]);
  });

  test("equals CoSENT's formula with scale · angle similarity", () => {
    const expected = cosent(
      U.map((u, i) => 20 * angleSimilarity(u, V[i])),
      LABELS,
    );
    assertClose(lossOf(new AnglELoss(null), [U, V], LABELS), expected);
    const scaled = cosent(
      U.map((u, i) => 3 * angleSimilarity(u, V[i])),
      LABELS,
    );
    assertClose(lossOf(new AnglELoss(null, { scale: 3 }), [U, V], LABELS), scaled);
    // And differs from CoSENT with cosine on the same data.
    const cosine = cosent(
      U.map((u, i) => 20 * cos(u, V[i])),
      LABELS,
    );
    assertClose(lossOf(new CoSENTLoss(null), [U, V], LABELS), cosine);
    assert.ok(Math.abs(expected - cosine) > 1e-3);
  });

  test("gradients flow to both columns", () => {
    const loss = new AnglELoss(null, { scale: 3 });
    assertUsefulGradient(gradientOf(loss, [U, V], LABELS, 0), "d/du");
    assertUsefulGradient(gradientOf(loss, [U, V], LABELS, 1), "d/dv");
  });

  test("odd dimension, wrong columns and missing labels are ArgumentErrors naming the loss", () => {
    const odd = U.map((row) => row.slice(0, 3));
    assert.throws(() => lossOf(new AnglELoss(null), [odd, odd], LABELS), (error: Error) => error instanceof ArgumentError && /^AnglELoss: .*even/.test(error.message));
    assert.throws(() => lossOf(new AnglELoss(null), [U], LABELS), (error: Error) => error instanceof ArgumentError && /^AnglELoss: needs 2 input columns/.test(error.message));
    assert.throws(() => lossOf(new AnglELoss(null), [U, V]), (error: Error) => error instanceof ArgumentError && /^AnglELoss: needs a label column/.test(error.message));
  });

  test("config dicts", () => {
    assert.equal(new AnglELoss(null).name, "AnglELoss");
    assert.deepEqual(new AnglELoss(null).getConfigDict(), { scale: 20, similarity_fct: "pairwise_angle_sim" });
    assert.deepEqual(new CoSENTLoss(null).getConfigDict(), { scale: 20, similarity_fct: "pairwise_cos_sim" });
    assert.deepEqual(new CoSENTLoss(null, { similarityFct: "dot" }).getConfigDict(), { scale: 20, similarity_fct: "pairwise_dot_score" });
    assert.deepEqual(new CoSENTLoss(null, { similarityFct: "euclidean" }).getConfigDict().similarity_fct, "pairwise_euclidean_sim");
    assert.deepEqual(new CoSENTLoss(null, { similarityFct: "manhattan" }).getConfigDict().similarity_fct, "pairwise_manhattan_sim");
  });
});
