// MatryoshkaLoss = Σ_d w_d · inner(columns truncated to their first d dims and L2-normalised), with dims
// sorted descending, optional random subsets of dims per call, and the inner loss's parameters passed through.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import { ArgumentError } from "../../src/errors.ts";
import { CoSENTLoss, CosineSimilarityLoss, MatryoshkaLoss, MultipleNegativesRankingLoss, SoftmaxLoss, TripletLoss } from "../../src/losses/index.ts";
import { assertClose, assertUsefulGradient, cos, cosent, gradientOf, lossOf, mean, normalize, relu, sum, torchDistance, type Matrix } from "./reference.ts";

before(async () => {
  await initializeBackend({ quiet: true });
});

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
const W = [
  [0, 1, 1, 0],
  [1, 0, -2, 1],
  [-1, 2, 0.5, 0.5],
];
const LABELS = [0.9, 0.1, 0.5];
const truncate = (m: Matrix, d: number): Matrix => m.map((row) => row.slice(0, d));

describe("MatryoshkaLoss", () => {
  test("weighted sum of the inner CoSENT loss at each dim, dims sorted descending", () => {
    const inner = new CoSENTLoss(null, { scale: 5 });
    const loss = new MatryoshkaLoss(null, inner, { matryoshkaDims: [2, 4], matryoshkaWeights: [0.5, 1] });
    const atDim = (d: number) => cosent(truncate(U, d).map((u, i) => 5 * cos(u, truncate(V, d)[i])), LABELS);
    assertClose(lossOf(loss, [U, V], LABELS), 1 * atDim(4) + 0.5 * atDim(2));
    assert.deepEqual(loss.getConfigDict(), { loss: "CoSENTLoss", matryoshka_dims: [4, 2], matryoshka_weights: [1, 0.5], n_dims_per_step: -1 });
    assert.deepEqual(new MatryoshkaLoss(null, inner, { matryoshkaDims: [4, 3, 2] }).getConfigDict().matryoshka_weights, [1, 1, 1]);
  });

  test("truncated embeddings are L2-normalised before the inner loss (visible with euclidean TripletLoss)", () => {
    const inner = new TripletLoss(null, { tripletMargin: 1 });
    const loss = new MatryoshkaLoss(null, inner, { matryoshkaDims: [4, 3], matryoshkaWeights: [1, 2] });
    const atDim = (d: number) => {
      const [a, p, n] = [U, V, W].map((m) => truncate(m, d).map(normalize));
      return mean(a.map((row, i) => relu(torchDistance(row, p[i], 2) - torchDistance(row, n[i], 2) + 1)));
    };
    const expected = atDim(4) + 2 * atDim(3);
    assert.ok(expected > 0);
    assertClose(lossOf(loss, [U, V, W]), expected);
    // Not the same as the inner loss on the raw (unnormalised) full-width embeddings.
    assert.ok(Math.abs(lossOf(new MatryoshkaLoss(null, inner, { matryoshkaDims: [4] }), [U, V, W]) - lossOf(inner, [U, V, W])) > 1e-3);
  });

  test("nDimsPerStep: a seeded random subset of dims per call", () => {
    const inner = new CosineSimilarityLoss(null);
    const options = { matryoshkaDims: [4, 3, 2, 1], matryoshkaWeights: [1, 2, 3, 4], nDimsPerStep: 2, seed: 11 };
    const loss = new MatryoshkaLoss(null, inner, options);
    const twin = new MatryoshkaLoss(null, inner, options);
    const atDim = (d: number) => {
      const [u, v] = [truncate(U, d), truncate(V, d)];
      return mean(u.map((row, i) => (cos(row, v[i]) - LABELS[i]) ** 2));
    };
    const seen = new Set<string>();
    for (let call = 0; call < 12; call++) {
      const chosen = twin.chooseDimIndices();
      assert.equal(chosen.length, 2);
      assert.ok(chosen[0] < chosen[1], "indices ascend, so dims descend");
      seen.add(chosen.join(","));
      const expected = sum(chosen.map((index) => options.matryoshkaWeights[index] * atDim(options.matryoshkaDims[index])));
      assertClose(lossOf(loss, [U, V], LABELS), expected, 1e-5, `call ${call}`);
    }
    assert.ok(seen.size > 1, "the subset changes between calls");
    const all = new MatryoshkaLoss(null, inner, { ...options, nDimsPerStep: -1 });
    assert.deepEqual(all.chooseDimIndices(), [0, 1, 2, 3]);
    assert.deepEqual(new MatryoshkaLoss(null, inner, { ...options, nDimsPerStep: 4 }).chooseDimIndices(), [0, 1, 2, 3]);
    assert.equal(loss.getConfigDict().n_dims_per_step, 2);
  });

  test("gradients flow, including into dims only the full width sees", () => {
    const loss = new MatryoshkaLoss(null, new MultipleNegativesRankingLoss(null, { scale: 5 }), { matryoshkaDims: [4, 2] });
    const gradient = gradientOf(loss, [U, V], undefined, 0);
    assertUsefulGradient(gradient);
    assert.ok(gradient.some((row) => Math.abs(row[3]) > 1e-6));
  });

  test("the inner loss's parameters pass through; errors", () => {
    const softmax = new SoftmaxLoss(null, { sentenceEmbeddingDimension: 4, numLabels: 2 });
    const wrapped = new MatryoshkaLoss(null, softmax, { matryoshkaDims: [4] });
    assert.equal(wrapped.trainableParameters, softmax.trainableParameters);
    assert.equal(new MatryoshkaLoss(null, new CoSENTLoss(null), { matryoshkaDims: [4] }).trainableParameters, undefined);
    softmax.dispose();

    const inner = new CoSENTLoss(null);
    assert.throws(() => new MatryoshkaLoss(null, inner, { matryoshkaDims: [] }), ArgumentError);
    assert.throws(() => new MatryoshkaLoss(null, inner, { matryoshkaDims: [4, 0] }), ArgumentError);
    assert.throws(() => new MatryoshkaLoss(null, inner, { matryoshkaDims: [4, 2], matryoshkaWeights: [1] }), ArgumentError);
    const model = { getSentenceEmbeddingDimension: () => 4 };
    assert.throws(() => new MatryoshkaLoss(model, inner, { matryoshkaDims: [8, 4] }), (e: Error) => e instanceof ArgumentError && /8 exceeds the model's embedding dimension 4/.test(e.message));
    const tooWide = new MatryoshkaLoss(null, inner, { matryoshkaDims: [8, 4] });
    assert.throws(() => lossOf(tooWide, [U, V], LABELS), (e: Error) => e instanceof ArgumentError && /^MatryoshkaLoss: dimension 8/.test(e.message));
    // The inner loss's own checks still apply.
    assert.throws(() => lossOf(new MatryoshkaLoss(null, inner, { matryoshkaDims: [2] }), [U, V]), (e: Error) => /^CoSENTLoss: needs a label column/.test(e.message));
  });
});
