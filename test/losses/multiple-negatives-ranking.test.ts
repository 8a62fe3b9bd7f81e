// MultipleNegativesRankingLoss and its symmetric variant against cross-entropies computed by hand from
// the cosine (or dot) similarity matrix: pairs, hard negatives (3 columns), the backward term.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import { ArgumentError } from "../../src/errors.ts";
import { MultipleNegativesRankingLoss, MultipleNegativesSymmetricRankingLoss } from "../../src/losses/index.ts";
import { assertClose, assertUsefulGradient, cos, crossEntropyRow, dot, gradientOf, lossOf, mean, type Matrix } from "./reference.ts";

before(async () => {
  await initializeBackend({ quiet: true });
});

const A = [
  [1, 0, 1],
  [0, 1, 1],
  [1, 1, 0],
];
const P = [
  [1, 0.2, 0.9],
  [0.1, 1, 0.8],
  [0.9, 1.1, 0.2],
];
const N = [
  [0, 1, 0.5],
  [1, 0, 0.2],
  [0.3, 0, 1],
];

/** scale · sim(anchors[i], candidates[j]). */
const scores = (anchors: Matrix, candidates: Matrix, scale: number, sim = cos): Matrix =>
  anchors.map((a) => candidates.map((c) => scale * sim(a, c)));
/** mean_i CE(row i, target i). */
const forwardTerm = (s: Matrix): number => mean(s.map((row, i) => crossEntropyRow(row, i)));
/** mean_i CE(column i over the first B columns, target i): each positive against all anchors. */
const backwardTerm = (s: Matrix): number => mean(s.map((_, i) => crossEntropyRow(s.map((row) => row[i]), i)));

describe("MultipleNegativesRankingLoss", () => {
  test("(anchor, positive): in-batch negatives, default scale 20", () => {
    const expected = forwardTerm(scores(A, P, 20)); // ≈ 8.5e-4: also check it relatively
    const actual = lossOf(new MultipleNegativesRankingLoss(null), [A, P]);
    assertClose(actual, expected);
    assertClose(actual / expected, 1, 1e-3, "relative");
    // Mismatched pairs (positives in reverse order) give a large loss.
    const reversed = [...P].reverse();
    assertClose(lossOf(new MultipleNegativesRankingLoss(null), [A, reversed]), forwardTerm(scores(A, reversed, 20)));
  });

  test("(anchor, positive, negative): hard negatives join every row's candidates", () => {
    const s = scores(A, [...P, ...N], 5);
    // Row 0, by hand: logsumexp over 6 candidates minus the positive's score.
    assert.equal(s[0].length, 6);
    const expected = forwardTerm(s);
    const loss = new MultipleNegativesRankingLoss(null, { scale: 5 });
    assertClose(lossOf(loss, [A, P, N]), expected);
    // Harder: more negatives strictly increase it.
    assert.ok(expected > forwardTerm(scores(A, P, 5)));
    // Two negative columns.
    assertClose(lossOf(loss, [A, P, N, A]), forwardTerm(scores(A, [...P, ...N, ...A], 5)));
  });

  test("hard-negative columns by hand: (anchor, positive, negative_1[, negative_2]) on unit vectors", () => {
    // Candidates of every row: p0 p1 n0 n1 (then m0 m1). Dot products, scale 1:
    //   row 0 (a0 = e1): 1 0 0 1 → CE = log(e + 1 + 1 + e) − 1;  row 1 (a1 = e2): 0 1 1 0 → the same.
    const a = [[1, 0], [0, 1]];
    const p = [[1, 0], [0, 1]];
    const n = [[0, 1], [1, 0]];
    const dotLoss = new MultipleNegativesRankingLoss(null, { scale: 1, similarityFct: "dot" });
    assertClose(lossOf(dotLoss, [a, p, n]), Math.log(2 + 2 * Math.E) - 1); // 1.006409
    // A second negative column m = (e1, e1): row 0: 1 0 0 1 1 1 → log(4e + 2) − 1; row 1: 0 1 1 0 0 0 → log(2e + 4) − 1.
    const m = [[1, 0], [1, 0]];
    assertClose(lossOf(dotLoss, [a, p, n, m]), (Math.log(4 * Math.E + 2) + Math.log(2 * Math.E + 4)) / 2 - 1);
    // Cosine, scale 20: each row's hard negative equals its positive, so each row's loss is log 2 (+ e^−20 terms).
    assertClose(lossOf(new MultipleNegativesRankingLoss(null), [a, p, n]), Math.log(2) + Math.log1p(Math.exp(-20)), 1e-6);
  });

  test("dot-product similarity", () => {
    const loss = new MultipleNegativesRankingLoss(null, { scale: 1, similarityFct: "dot" });
    assertClose(lossOf(loss, [A, P, N]), forwardTerm(scores(A, [...P, ...N], 1, dot)));
  });

  test("gradients flow to anchors, positives and negatives", () => {
    const loss = new MultipleNegativesRankingLoss(null, { scale: 5 });
    for (const column of [0, 1, 2]) assertUsefulGradient(gradientOf(loss, [A, P, N], undefined, column), `column ${column}`);
  });

  test("errors and config dict", () => {
    assert.throws(() => lossOf(new MultipleNegativesRankingLoss(null), [A]), (e: Error) => e instanceof ArgumentError && /^MultipleNegativesRankingLoss: needs 2 or more input columns/.test(e.message));
    assert.throws(() => lossOf(new MultipleNegativesRankingLoss(null), [A, P.slice(0, 2)]), ArgumentError);
    assert.deepEqual(new MultipleNegativesRankingLoss(null).getConfigDict(), { scale: 20, similarity_fct: "cos_sim" });
    assert.deepEqual(new MultipleNegativesRankingLoss(null, { scale: 1, similarityFct: "dot" }).getConfigDict(), { scale: 1, similarity_fct: "dot_score" });
  });
});

describe("MultipleNegativesSymmetricRankingLoss", () => {
  test("(forward + backward) / 2 on pairs", () => {
    const s = scores(A, P, 5);
    const expected = (forwardTerm(s) + backwardTerm(s)) / 2;
    assertClose(lossOf(new MultipleNegativesSymmetricRankingLoss(null, { scale: 5 }), [A, P]), expected);
    assert.ok(Math.abs(forwardTerm(s) - backwardTerm(s)) > 1e-4, "test data must make the two directions differ");
  });

  test("hard negatives enter only the forward term", () => {
    const s = scores(A, [...P, ...N], 5);
    const expected = (forwardTerm(s) + backwardTerm(s.map((row) => row.slice(0, 3)))) / 2;
    assertClose(lossOf(new MultipleNegativesSymmetricRankingLoss(null, { scale: 5 }), [A, P, N]), expected);
    assertClose(lossOf(new MultipleNegativesSymmetricRankingLoss(null), [A, P]), (forwardTerm(scores(A, P, 20)) + backwardTerm(scores(A, P, 20))) / 2);
  });

  test("gradients flow; config dict", () => {
    assertUsefulGradient(gradientOf(new MultipleNegativesSymmetricRankingLoss(null, { scale: 5 }), [A, P], undefined, 1));
    assert.equal(new MultipleNegativesSymmetricRankingLoss(null).name, "MultipleNegativesSymmetricRankingLoss");
    assert.deepEqual(new MultipleNegativesSymmetricRankingLoss(null).getConfigDict(), { scale: 20, similarity_fct: "cos_sim" });
    assert.throws(() => lossOf(new MultipleNegativesSymmetricRankingLoss(null), [A]), (e: Error) => /^MultipleNegativesSymmetricRankingLoss: /.test(e.message));
  });
});
