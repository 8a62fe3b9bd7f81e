// Statistics against values from scipy 1.17 / numpy 2.4 (printed with repr) and sklearn's documented
// examples, and against hand-derived values (rank averages, average precision over distinct thresholds,
// the Matthews correlation of a small confusion matrix).

import assert from "node:assert/strict";
import { test } from "node:test";
import { ArgumentError } from "../../src/errors.ts";
import { averagePrecision, matthewsCorrelation, pairwiseSum, pearson, rankAverage, spearman } from "../../src/evaluation/statistics.ts";
import { assertClose } from "./fake-model.ts";

test("pairwiseSum reproduces numpy's np.sum bit for bit (pairwise summation, 8 accumulators, blocks of 128)", () => {
  // np.sum([0.1] * 10) == 1.0 while Python's sequential sum gives 0.9999999999999999.
  assert.equal(pairwiseSum(new Array(10).fill(0.1)), 1.0);
  // np.sum([1/(i+1) for i in range(300)]) == 6.282663880299504 (sequential: ...502); recursion above 128.
  assert.equal(pairwiseSum(Array.from({ length: 300 }, (_, i) => 1 / (i + 1))), 6.282663880299504);
  // np.sum of 1000 mixed-sign terms == 499.20000000000005 (sequential: 499.2).
  assert.equal(pairwiseSum(Array.from({ length: 1000 }, (_, i) => 0.1 * (-1) ** i * ((i % 7) + 1) + 1e-3 * i)), 499.20000000000005);
  assert.equal(pairwiseSum([]), 0);
});

test("pearson matches scipy.stats.pearsonr", () => {
  // scipy.stats.pearsonr([1,2,3,4,5], [2,4,5,4,5]).statistic == 0.7745966692414834 == √0.6
  assert.equal(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]), 0.7745966692414834);
  // gold [1, .5, 0, .8] against four score lists (repr of scipy's results).
  const gold = [1, 0.5, 0, 0.8];
  assertClose(pearson(gold, [1, 0, -1, 1]), 0.9805885297297564, 1e-15);
  assertClose(pearson(gold, [0, -3, -4, -1]), 0.9654836043705611, 1e-15);
  assertClose(pearson(gold, [0, -Math.sqrt(5), -4, -1]), 0.9973659265644379, 1e-15);
  assertClose(pearson(gold, [1, 0, -3, 2]), 0.922415086031065, 1e-15);
  // Hand: x̄ = .575, ȳ = −2, Σ(x−x̄)(y−ȳ) = 2.3, Σ(x−x̄)² = .5675, Σ(y−ȳ)² = 10.
  assertClose(pearson(gold, [0, -3, -4, -1]), 2.3 / Math.sqrt(5.675), 1e-15);
  // Symmetric, invariant to positive affine maps, sign-flipped by negation.
  assertClose(pearson([2, 4, 5, 4, 5], [1, 2, 3, 4, 5]), 0.7745966692414834, 1e-15);
  assertClose(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5].map((v) => 3 * v - 7)), 0.7745966692414834, 1e-15);
  assertClose(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5].map((v) => -v)), -0.7745966692414834, 1e-15);
});

test("pearson edge cases follow scipy: n = 2 gives exactly ±1, constant input NaN, n < 2 an error", () => {
  assert.equal(pearson([1, 2], [3, 1]), -1); // scipy: -1.0
  assert.equal(pearson([0.1, 0.7], [0.3, 0.9]), 1);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  assert.ok(Number.isNaN(pearson([1, 2, 3], [5, 5, 5])));
  assert.throws(() => pearson([1], [2]), ArgumentError);
  assert.throws(() => pearson([1, 2, 3], [1, 2]), /y: has 2 values but x has 3/);
  // |r| never exceeds 1 (clipped).
  const x = Array.from({ length: 50 }, (_, i) => 0.1 * i);
  assert.ok(Math.abs(pearson(x, x)) <= 1);
});

test("rankAverage is scipy.stats.rankdata(method='average')", () => {
  assert.deepEqual(rankAverage([1, 2, 2, 3]), [1, 2.5, 2.5, 4]);
  // sorted 1, 2, 3, 3, 3 → the three 3s share ranks 3, 4, 5 → 4.
  assert.deepEqual(rankAverage([3, 1, 3, 3, 2]), [4, 1, 4, 4, 2]);
  assert.deepEqual(rankAverage([0.5, -1, 0.5, -1]), [3.5, 1.5, 3.5, 1.5]);
  assert.deepEqual(rankAverage([]), []);
  assert.ok(rankAverage([1, Number.NaN, 2]).every(Number.isNaN));
});

test("spearman is the Pearson correlation of average ranks (scipy.stats.spearmanr)", () => {
  // x = [1,2,2,3] → ranks [1, 2.5, 2.5, 4]; y = [1,3,2,4] → ranks [1, 3, 2, 4]. Centred: [−1.5, 0, 0, 1.5] and
  // [−1.5, .5, −.5, 1.5]; Σxy = 4.5, Σx² = 4.5, Σy² = 5 → r = 4.5/√22.5 = √0.9.
  assertClose(spearman([1, 2, 2, 3], [1, 3, 2, 4]), Math.sqrt(0.9), 2e-16);
  // scipy's own float result (np.corrcoef order of operations), reproduced exactly.
  assert.equal(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 0.9486832980505139);
  const gold = [1, 0.5, 0, 0.8];
  assert.equal(spearman(gold, [1, 0, -1, 1]), 0.9486832980505139);
  assert.equal(spearman(gold, [0, -3, -4, -1]), 1);
  assert.equal(spearman(gold, [1, 0, -3, 2]), 0.7999999999999999); // scipy: 0.7999999999999999
  // Rank-based: an increasing transform gives 1, a decreasing one −1 — up to np.corrcoef's rounding, which
  // scipy shows too: spearmanr(x, exp(x)) == 0.9999999999999999 for this x (cov 2.5 / √2.5 / √2.5).
  const x = [0.3, -2, 5, 1.5, 0];
  assert.equal(spearman(x, x.map(Math.exp)), 0.9999999999999999);
  assert.equal(spearman(x, x.map((v) => -(v ** 3))), -0.9999999999999999);
});

test("spearman edge cases follow scipy: NaN for n ≤ 1, a constant input, or a NaN value", () => {
  assert.ok(Number.isNaN(spearman([1], [2])));
  assert.ok(Number.isNaN(spearman([], [])));
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
  assert.ok(Number.isNaN(spearman([1, 2, 3], [1, Number.NaN, 3])));
  assert.throws(() => spearman([1, 2], [1, 2, 3]), ArgumentError);
});

test("averagePrecision matches sklearn.metrics.average_precision_score", () => {
  // sklearn's docstring example.
  assert.equal(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.8333333333333333);
  // Tied scores form ONE threshold (sklearn's distinct thresholds): labels [1,0,1], scores [.5,.5,.2] →
  // thresholds .5 (tp 1, fp 1: P = .5, R = .5) and .2 (tp 2, fp 1: P = 2/3, R = 1) → .5·.5 + .5·2/3.
  assert.equal(averagePrecision([1, 0, 1], [0.5, 0.5, 0.2]), 0.5833333333333333);
  // A positive tied with a negative counts at precision 1/2 whichever comes first in the input.
  assert.equal(averagePrecision([1, 0], [0.5, 0.5]), 0.5);
  assert.equal(averagePrecision([0, 1], [0.5, 0.5]), 0.5);
  // Ranking is all that matters; perfect ranking → 1; worst ranking of 2 positives among 4 → (1/3 + 2/4)/2.
  assert.equal(averagePrecision([1, 1, 0, 0], [4, 3, 2, 1]), 1);
  assertClose(averagePrecision([0, 0, 1, 1], [4, 3, 2, 1]), (1 / 3 + 2 / 4) / 2, 1e-15);
  // No positive label: sklearn sets recall to 1 everywhere → AP 0 (clipped −0).
  assert.equal(averagePrecision([0, 0, 0], [0.1, 0.2, 0.3]), 0);
  assert.equal(averagePrecision([1, 1], [0.1, 0.2]), 1);
  assert.throws(() => averagePrecision([0, 2], [0.1, 0.2]), /labels\[1\]: must be 0 or 1/);
  assert.throws(() => averagePrecision([0, 1], [0.1, Number.NaN]), /scores\[1\]/);
});

test("matthewsCorrelation matches sklearn.metrics.matthews_corrcoef", () => {
  // tp 2, fn 0, fp 1, tn 1: (tp·tn − fp·fn)/√((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = 2/√12 = 1/√3.
  assertClose(matthewsCorrelation([1, 1, 0, 0], [1, 1, 1, 0]), 1 / Math.sqrt(3), 1e-15);
  // sklearn's formula: t = [2, 2], p = [1, 3], correct 3, n 4 → (12 − 8)/√((16 − 10)(16 − 8)) = 4/√48.
  assert.equal(matthewsCorrelation([1, 1, 0, 0], [1, 1, 1, 0]), 4 / Math.sqrt(48));
  assert.equal(matthewsCorrelation([1, 0, 1, 0], [1, 0, 1, 0]), 1);
  assert.equal(matthewsCorrelation([1, 0, 1, 0], [0, 1, 0, 1]), -1);
  // One predicted class only: the denominator is 0 → 0.
  assert.equal(matthewsCorrelation([1, 0, 1], [1, 1, 1]), 0);
  assert.equal(matthewsCorrelation([1, 1], [1, 1]), 0);
});
