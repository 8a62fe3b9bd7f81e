// TripletLoss: mean relu(d(a, p) − d(a, n) + margin) with torch's pairwise_distance (eps 1e-6) or 1 − cos.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import { ArgumentError } from "../../src/errors.ts";
import { TripletDistanceMetric, TripletLoss } from "../../src/losses/index.ts";
import { assertClose, assertUsefulGradient, cos, gradientOf, lossOf, mean, relu, torchDistance } from "./reference.ts";

before(async () => {
  await initializeBackend({ quiet: true });
});

const A = [
  [1, 2],
  [0, 1],
  [2, 2],
];
const P = [
  [1, 1],
  [0, 0],
  [3, 2],
];
const N = [
  [3, 2],
  [1, 2],
  [2, 2],
];

describe("TripletLoss", () => {
  test("euclidean (default), margin 5: ‖a−p‖ = [1, 1, 1], ‖a−n‖ = [2, √2, 0]", () => {
    // Without torch's eps: mean(relu(1 − 2 + 5), relu(1 − √2 + 5), relu(1 − 0 + 5)) = (4 + 4.5858 + 6) / 3.
    assertClose(lossOf(new TripletLoss(null), [A, P, N]), (4 + (6 - Math.SQRT2) + 6) / 3, 1e-5);
    const exact = mean(A.map((a, i) => relu(torchDistance(a, P[i], 2) - torchDistance(a, N[i], 2) + 5)));
    assertClose(lossOf(new TripletLoss(null), [A, P, N]), exact);
  });

  test("margin 1 leaves the first triplet inactive; manhattan and cosine metrics", () => {
    // relu(1 − 2 + 1) = 0, relu(1 − √2 + 1), relu(1 − 0 + 1) = 2
    assertClose(lossOf(new TripletLoss(null, { tripletMargin: 1 }), [A, P, N]), (0 + (2 - Math.SQRT2) + 2) / 3);
    // manhattan: ‖a−p‖₁ = [1, 1, 1], ‖a−n‖₁ = [2, 2, 0] → (0 + 0 + 2) / 3
    assertClose(lossOf(new TripletLoss(null, { distanceMetric: TripletDistanceMetric.MANHATTAN, tripletMargin: 1 }), [A, P, N]), 2 / 3);
    const positives = [P[0], [0.5, 1], P[2]]; // no zero vector: its cosine is undefined
    const cosine = mean(A.map((a, i) => relu(1 - cos(a, positives[i]) - (1 - cos(a, N[i])) + 0.1)));
    assert.ok(cosine > 0);
    assertClose(lossOf(new TripletLoss(null, { distanceMetric: TripletDistanceMetric.COSINE, tripletMargin: 0.1 }), [A, positives, N]), cosine);
  });

  test("gradients are finite (torch's eps keeps ‖a − n‖ = 0 differentiable) and flow", () => {
    const loss = new TripletLoss(null);
    for (const column of [0, 1, 2]) assertUsefulGradient(gradientOf(loss, [A, P, N], undefined, column), `column ${column}`);
  });

  test("errors and config dict", () => {
    assert.throws(() => lossOf(new TripletLoss(null), [A, P]), (e: Error) => e instanceof ArgumentError && /^TripletLoss: needs 3 input columns \(anchor, positive, negative\), got 2$/.test(e.message));
    assert.throws(() => new TripletLoss(null, { distanceMetric: "chebyshev" as TripletDistanceMetric }), ArgumentError);
    assert.deepEqual(new TripletLoss(null).getConfigDict(), { distance_metric: "TripletDistanceMetric.EUCLIDEAN", triplet_margin: 5 });
    assert.deepEqual(new TripletLoss(null, { distanceMetric: TripletDistanceMetric.COSINE, tripletMargin: 0.3 }).getConfigDict(), {
      distance_metric: "TripletDistanceMetric.COSINE",
      triplet_margin: 0.3,
    });
    assert.deepEqual(TripletDistanceMetric, { COSINE: "cosine", EUCLIDEAN: "euclidean", MANHATTAN: "manhattan" });
  });
});
