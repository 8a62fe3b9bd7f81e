// SequentialEvaluator: the union of its evaluators' prefixed results plus sequential_score =
// mainScoreFunction(primary metric of each), the last one by default.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { EmbeddingSimilarityEvaluator } from "../../src/evaluation/embedding-similarity.ts";
import type { SentenceEvaluator } from "../../src/evaluation/evaluator.ts";
import { SequentialEvaluator } from "../../src/evaluation/sequential.ts";
import { TripletEvaluator } from "../../src/evaluation/triplet.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { FakeModel } from "./fake-model.ts";

const TABLE = { a: [1, 0], b1: [1, 0], b2: [0, 2], b3: [-3, 0], b4: [2, 0], y1: [0, 1] };

function evaluators(): [EmbeddingSimilarityEvaluator, TripletEvaluator] {
  const sts = new EmbeddingSimilarityEvaluator(["a", "a", "a", "a"], ["b1", "b2", "b3", "b4"], [1, 0.5, 0, 0.8], {
    name: "sts-dev",
    similarityFnNames: ["cosine"],
  });
  // Triplets (a, b1, y1): cosine 1 > 0; (a, b4, b3): cosine 1 > −1 → accuracy 1.
  const nli = new TripletEvaluator(["a", "a"], ["b1", "b4"], ["y1", "b3"], { name: "nli", similarityFnNames: ["cosine"] });
  return [sts, nli];
}

test("merges the children's prefixed metrics in order and adds sequential_score = last primary metric", async () => {
  const [sts, nli] = evaluators();
  const sequential = new SequentialEvaluator([sts, nli]);
  assert.equal(sequential.primaryMetric, "sequential_score");
  assert.equal(sequential.name, "");
  assert.equal(sequential.greaterIsBetter, true);
  const metrics = await sequential.evaluate(new FakeModel(TABLE));
  assert.deepEqual(Object.keys(metrics), ["sts-dev_pearson_cosine", "sts-dev_spearman_cosine", "nli_cosine_accuracy", "sequential_score"]);
  assert.equal(metrics.sequential_score, metrics["nli_cosine_accuracy"]);
  assert.equal(metrics.sequential_score, 1);
  assert.equal(metrics["sts-dev_spearman_cosine"], 0.9486832980505139);
});

test("a custom mainScoreFunction receives the primary metrics in evaluator order", async () => {
  const [sts, nli] = evaluators();
  let received: number[] = [];
  const sequential = new SequentialEvaluator([sts, nli], (scores) => {
    received = scores;
    return scores.reduce((sum, score) => sum + score, 0) / scores.length;
  });
  const metrics = await sequential.evaluate(new FakeModel(TABLE));
  assert.deepEqual(received, [0.9486832980505139, 1]);
  assert.equal(metrics.sequential_score, (0.9486832980505139 + 1) / 2);
});

test("outputPath, epoch and steps reach every child (each writes its own CSV)", async () => {
  const out = temporaryDirectory();
  await new SequentialEvaluator(evaluators()).evaluate(new FakeModel(TABLE), { outputPath: out, epoch: 1, steps: 2 });
  assert.deepEqual(readdirSync(out).sort(), ["similarity_evaluation_sts-dev_results.csv", "triplet_evaluation_nli_results.csv"]);
});

test("a later evaluator's value replaces an earlier one under the same key, which keeps its first position", async () => {
  const stub = (primaryMetric: string, result: Record<string, number>): SentenceEvaluator => ({
    name: "",
    primaryMetric,
    greaterIsBetter: true,
    evaluate: async () => result,
  });
  const metrics = await new SequentialEvaluator([stub("x", { x: 1, y: 2 }), stub("z", { y: 5, z: 3 })]).evaluate(new FakeModel(TABLE));
  assert.deepEqual(Object.entries(metrics), [
    ["x", 1],
    ["y", 5],
    ["z", 3],
    ["sequential_score", 3],
  ]);
  await assert.rejects(new SequentialEvaluator([stub("missing", { x: 1 })]).evaluate(new FakeModel(TABLE)), /evaluators\[0\]: returned no "missing"/);
  assert.throws(() => new SequentialEvaluator([]), /evaluators: needs at least one evaluator/);
});
