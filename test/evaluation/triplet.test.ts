// TripletEvaluator on three hand-worked triplets, anchor "a" = [1, 0]:
//   t1: p [1, 0],   n [0, 1]   cos 1 vs 0      dot 1 vs 0     L1 0 vs 2     L2 0 vs √2
//   t2: p [.5, 0],  n [3, 0]   cos 1 vs 1      dot .5 vs 3    L1 .5 vs 2    L2 .5 vs 2
//   t3: p [0, 1],   n [1, 1]   cos 0 vs .707   dot 0 vs 1     L1 2 vs 1     L2 √2 vs 1
// Accuracy = mean[s(a,p) > s(a,n) + margin] with s = −distance for L1/L2:
//   margin 0:   cosine 1/3 (t2 ties, strict >), dot 1/3, manhattan 2/3, euclidean 2/3
//   margin 1:   cosine 0, dot 0 (1 > 0 + 1 fails), manhattan 2/3 (0 > −1, −.5 > −1), euclidean 2/3 (0 > 1 − √2)
//   manhattan margin 1.5 only: manhattan 1/3 (t2: −.5 > −2 + 1.5 = −.5 fails), the others as with margin 0

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { TripletEvaluator } from "../../src/evaluation/triplet.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { FakeModel } from "./fake-model.ts";

const TABLE = { a: [1, 0], x1: [1, 0], y1: [0, 1], x2: [0.5, 0], y2: [3, 0], x3: [0, 1], y3: [1, 1] };
const ANCHORS = ["a", "a", "a"];
const POSITIVES = ["x1", "x2", "x3"];
const NEGATIVES = ["y1", "y2", "y3"];

test("default: cosine, dot, manhattan, euclidean accuracies then max_accuracy; primary max_accuracy", async () => {
  const evaluator = new TripletEvaluator(ANCHORS, POSITIVES, NEGATIVES);
  assert.equal(evaluator.primaryMetric, "max_accuracy");
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  assert.deepEqual(metrics, { cosine_accuracy: 1 / 3, dot_accuracy: 1 / 3, manhattan_accuracy: 2 / 3, euclidean_accuracy: 2 / 3, max_accuracy: 2 / 3 });
  assert.deepEqual(Object.keys(metrics), ["cosine_accuracy", "dot_accuracy", "manhattan_accuracy", "euclidean_accuracy", "max_accuracy"]);
});

test("a single margin applies to every function; the comparison is strict", async () => {
  const metrics = await new TripletEvaluator(ANCHORS, POSITIVES, NEGATIVES, { margin: 1 }).evaluate(new FakeModel(TABLE));
  assert.deepEqual(metrics, { cosine_accuracy: 0, dot_accuracy: 0, manhattan_accuracy: 2 / 3, euclidean_accuracy: 2 / 3, max_accuracy: 2 / 3 });
});

test("per-function margins: missing functions get 0", async () => {
  const evaluator = new TripletEvaluator(ANCHORS, POSITIVES, NEGATIVES, { margin: { manhattan: 1.5 } });
  assert.deepEqual(evaluator.margin, { cosine: 0, dot: 0, manhattan: 1.5, euclidean: 0 });
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  assert.deepEqual(metrics, { cosine_accuracy: 1 / 3, dot_accuracy: 1 / 3, manhattan_accuracy: 1 / 3, euclidean_accuracy: 2 / 3, max_accuracy: 2 / 3 });
});

test("mainSimilarityFunction, a single function and a name set the primary metric and prefixes", async () => {
  const main = new TripletEvaluator(ANCHORS, POSITIVES, NEGATIVES, { mainSimilarityFunction: "dot", name: "all-nli-dev" });
  assert.equal(main.primaryMetric, "all-nli-dev_dot_accuracy");
  const metrics = await main.evaluate(new FakeModel(TABLE));
  assert.equal(Object.keys(metrics).length, 5);
  assert.equal(metrics["all-nli-dev_dot_accuracy"], 1 / 3);
  const single = new TripletEvaluator(ANCHORS, POSITIVES, NEGATIVES, { similarityFnNames: ["euclidean"] });
  assert.equal(single.primaryMetric, "euclidean_accuracy");
  assert.deepEqual(await single.evaluate(new FakeModel(TABLE)), { euclidean_accuracy: 2 / 3 });
});

test("anchors, positives and negatives are encoded as three lists (batchSize 16); CSV columns accuracy_{fn}", async () => {
  const model = new FakeModel(TABLE);
  const out = temporaryDirectory();
  await new TripletEvaluator(ANCHORS, POSITIVES, NEGATIVES, { name: "nli" }).evaluate(model, { outputPath: out, epoch: 1, steps: 3 });
  assert.deepEqual(
    model.calls.map((call) => call.sentences),
    [ANCHORS, POSITIVES, NEGATIVES],
  );
  assert.deepEqual(model.calls[0].options, { batchSize: 16, showProgressBar: undefined });
  assert.equal(
    readFileSync(join(out, "triplet_evaluation_nli_results.csv"), "utf8"),
    "epoch,steps,accuracy_cosine,accuracy_dot,accuracy_manhattan,accuracy_euclidean\r\n" +
      "1,3,0.3333333333333333,0.3333333333333333,0.6666666666666666,0.6666666666666666\r\n",
  );
});

test("bad arguments", () => {
  assert.throws(() => new TripletEvaluator(["a"], ["b"], ["c", "d"]), /negatives: has 2 entries but anchors has 1/);
  assert.throws(() => new TripletEvaluator(["a"], ["b"], ["c"], { margin: Number.NaN }), /margin: must be a finite number/);
  assert.throws(() => new TripletEvaluator(["a"], ["b"], ["c"], { margin: { cosine: 0.1, jaccard: 1 } as Record<string, number> }), /margin\.jaccard/);
  assert.throws(() => new TripletEvaluator(["a"], ["b"], ["c"], { similarityFnNames: ["cosine"], mainSimilarityFunction: "dot" }), /mainSimilarityFunction/);
  assert.throws(() => new TripletEvaluator([], [], []), /anchors: needs at least one triplet/);
});
