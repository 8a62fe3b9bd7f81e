// ContrastiveLoss: 0.5 · (y·d² + (1 − y)·relu(margin − d)²), mean (size_average) or sum.
// OnlineContrastiveLoss: the hard pairs only, summed, with sentence-transformers' thresholds and edge cases.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import { ArgumentError } from "../../src/errors.ts";
import { ContrastiveLoss, OnlineContrastiveLoss, SiameseDistanceMetric } from "../../src/losses/index.ts";
import { assertClose, assertUsefulGradient, gradientOf, lossOf, mean, relu, sum, torchDistance } from "./reference.ts";

before(async () => {
  await initializeBackend({ quiet: true });
});

// Unit vectors against [1, 0]: cosine distance 1 − cos is 0.1, 0.2, 0.4, 1.0, 1.6 for these rows.
const AT_DISTANCE: Record<string, number[]> = {
  "0.1": [0.9, Math.sqrt(0.19)],
  "0.2": [0.8, 0.6],
  "0.4": [0.6, 0.8],
  "1": [0, 1],
  "1.6": [-0.6, 0.8],
};
const pairsAt = (distances: number[]) => ({
  u: distances.map(() => [1, 0]),
  v: distances.map((d) => AT_DISTANCE[String(d)]),
});

/** sentence-transformers' OnlineContrastiveLoss.forward, line by line, on plain distances. */
function onlineContrastive(distances: number[], labels: number[], margin: number): number {
  const negs = distances.filter((_, i) => labels[i] === 0);
  const poss = distances.filter((_, i) => labels[i] === 1);
  const negativeThreshold = poss.length > 1 ? Math.max(...poss) : mean(negs); // mean([]) is NaN, as torch
  const positiveThreshold = negs.length > 1 ? Math.min(...negs) : mean(poss);
  const negativePairs = negs.filter((n) => n < negativeThreshold);
  const positivePairs = poss.filter((p) => p > positiveThreshold);
  return sum(positivePairs.map((p) => p ** 2)) + sum(negativePairs.map((n) => relu(margin - n) ** 2));
}

describe("ContrastiveLoss", () => {
  const { u, v } = pairsAt([0.4, 0.2, 1]);
  const labels = [1, 0, 0];

  test("cosine distance (default), margin 0.5, mean", () => {
    // 0.5 · [0.4², (0.5 − 0.2)², relu(0.5 − 1)²] = [0.08, 0.045, 0] → mean 0.125 / 3
    assertClose(lossOf(new ContrastiveLoss(null), [u, v], labels), 0.125 / 3);
    assertClose(lossOf(new ContrastiveLoss(null, { sizeAverage: false }), [u, v], labels), 0.125);
  });

  test("euclidean and manhattan distances", () => {
    const a = [
      [0, 0],
      [1, 1],
      [2, 0],
    ];
    const b = [
      [3, 4],
      [1, 2],
      [0, 0],
    ];
    const y = [1, 0, 0];
    for (const [metric, p] of [
      [SiameseDistanceMetric.EUCLIDEAN, 2],
      [SiameseDistanceMetric.MANHATTAN, 1],
    ] as const) {
      const d = a.map((row, i) => torchDistance(row, b[i], p));
      const expected = mean(d.map((di, i) => 0.5 * (y[i] * di ** 2 + (1 - y[i]) * relu(2.5 - di) ** 2)));
      assertClose(lossOf(new ContrastiveLoss(null, { distanceMetric: metric, margin: 2.5 }), [a, b], y), expected, 1e-5, metric);
    }
    // By hand for euclidean: d ≈ [5, 1, 2] → 0.5 · [25, 1.5², 0.5²] → (12.5 + 1.125 + 0.125) / 3
    assertClose(lossOf(new ContrastiveLoss(null, { distanceMetric: SiameseDistanceMetric.EUCLIDEAN, margin: 2.5 }), [a, b], y), 13.75 / 3, 1e-5);
  });

  test("gradients flow; errors; config dict", () => {
    assertUsefulGradient(gradientOf(new ContrastiveLoss(null), [u, v], labels, 1));
    assert.throws(() => lossOf(new ContrastiveLoss(null), [u, v]), (e: Error) => e instanceof ArgumentError && /^ContrastiveLoss: needs a label column/.test(e.message));
    assert.throws(() => lossOf(new ContrastiveLoss(null), [u], labels), (e: Error) => e instanceof ArgumentError && /^ContrastiveLoss: needs 2 input columns/.test(e.message));
    assert.deepEqual(new ContrastiveLoss(null).getConfigDict(), { distance_metric: "SiameseDistanceMetric.COSINE_DISTANCE", margin: 0.5, size_average: true });
    assert.deepEqual(new ContrastiveLoss(null, { distanceMetric: SiameseDistanceMetric.EUCLIDEAN, margin: 2, sizeAverage: false }).getConfigDict(), {
      distance_metric: "SiameseDistanceMetric.EUCLIDEAN",
      margin: 2,
      size_average: false,
    });
    assert.deepEqual(SiameseDistanceMetric, { EUCLIDEAN: "euclidean", MANHATTAN: "manhattan", COSINE_DISTANCE: "cosine_distance" });
  });
});

describe("OnlineContrastiveLoss", () => {
  const cases: { what: string; distances: number[]; labels: number[]; expected: number }[] = [
    // P = {0.4, 1.0} → negatives below max P = 1.0: {0.2}; N = {0.2, 1.6} → positives above min N = 0.2: both.
    { what: "two of each", distances: [0.4, 1, 0.2, 1.6], labels: [1, 1, 0, 0], expected: 0.16 + 1 + 0.09 },
    // One positive: the negative threshold is mean N = (0.2 + 1 + 1.6) / 3 ≈ 0.93 (not max P = 0.1), so 0.2
    // counts; the positive 0.1 is not above min N = 0.2.
    { what: "a single positive", distances: [0.1, 0.2, 1, 1.6], labels: [1, 0, 0, 0], expected: 0.09 },
    // One negative: the positive threshold is mean P ≈ 0.53 → only 1.0; the negative 1.6 is not below max P = 1.0.
    { what: "a single negative", distances: [0.2, 0.4, 1, 1.6], labels: [1, 1, 1, 0], expected: 1 },
    // No positives: negatives below their own mean 0.8 → 0.2, 0.4 → 0.3² + 0.1².
    { what: "negatives only", distances: [0.2, 0.4, 1, 1.6], labels: [0, 0, 0, 0], expected: 0.1 },
    // No negatives: positives above their own mean 0.8 → 1.0, 1.6.
    { what: "positives only", distances: [0.2, 0.4, 1, 1.6], labels: [1, 1, 1, 1], expected: 1 + 2.56 },
    // A label that is neither 0 nor 1 is ignored: N = {0.2} alone, so the positive threshold is mean P = 0.7.
    { what: "another label value", distances: [0.4, 1, 0.2, 1.6], labels: [1, 1, 0, 2], expected: 1 + 0.09 },
    { what: "a single pair", distances: [0.4], labels: [1], expected: 0 },
  ];
  for (const { what, distances, labels, expected } of cases) {
    test(`hand-computed: ${what}`, () => {
      assertClose(onlineContrastive(distances, labels, 0.5), expected, 1e-12, "reference");
      const { u, v } = pairsAt(distances);
      assertClose(lossOf(new OnlineContrastiveLoss(null), [u, v], labels), expected);
    });
  }

  test("unselected rows get zero gradient, selected rows a non-zero one", () => {
    const { u, v } = pairsAt([0.4, 1, 0.2, 1.6, 0.1]);
    const labels = [1, 1, 0, 0, 1];
    // Hard: positives 0.4, 1.0 (above min N 0.2), not 0.1; negatives 0.2 (below max P 1.0), not 1.6.
    assertClose(lossOf(new OnlineContrastiveLoss(null), [u, v], labels), 0.16 + 1 + 0.09);
    const gradient = gradientOf(new OnlineContrastiveLoss(null), [u, v], labels, 1);
    assertUsefulGradient(gradient);
    const selected = [true, true, true, false, false];
    gradient.forEach((row, i) => {
      const size = Math.hypot(...row);
      if (selected[i]) assert.ok(size > 1e-4, `row ${i} should have a gradient, got ${row}`);
      else assert.deepEqual(row.map((value) => value === 0 || Object.is(value, -0)), [true, true], `row ${i} should have zero gradient, got ${row}`);
    });
  });

  test("euclidean metric and margin; errors; config dict", () => {
    const a = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    const b = [
      [3, 4],
      [1, 0],
      [0, 2],
      [0, 0.5],
    ];
    const labels = [1, 1, 0, 0];
    const d = a.map((row, i) => torchDistance(row, b[i], 2));
    const expected = onlineContrastive(d, labels, 3);
    // By hand: P = {5, 1}, N = {2, 0.5}: negatives below 5 → both: (3 − 2)² + (3 − 0.5)²; positives above 0.5 → both: 25 + 1.
    assertClose(expected, 25 + 1 + 1 + 6.25, 1e-4);
    assertClose(lossOf(new OnlineContrastiveLoss(null, { distanceMetric: SiameseDistanceMetric.EUCLIDEAN, margin: 3 }), [a, b], labels), expected);
    assert.throws(() => lossOf(new OnlineContrastiveLoss(null), [a, b]), (e: Error) => e instanceof ArgumentError && /^OnlineContrastiveLoss: needs a label column/.test(e.message));
    assert.deepEqual(new OnlineContrastiveLoss(null).getConfigDict(), { distance_metric: "SiameseDistanceMetric.COSINE_DISTANCE", margin: 0.5 });
  });
});
