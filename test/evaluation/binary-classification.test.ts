// BinaryClassificationEvaluator on a hand-worked example. Every pair is ("a" = [1, 0], x):
//   x         label  cosine  dot   manhattan  euclidean
//   p1 [1,0]    1     1      1     0          0
//   p2 [1.2,1.6] 1    0.6    1.2   1.8        √2.6 ≈ 1.612
//   n1 [0,1]    0     0      0     2          √2   ≈ 1.414
//   n2 [−2,0]   0    −1     −2     3          3
//   m [0.8,0.6] 0     0.8    0.8   0.8        √0.4 ≈ 0.632
// cosine, most similar first: p1 1(1), m .8(0), p2 .6(1), n1 0(0), n2 −1(0)
//   accuracy: cut after p1 → (1 + 3)/5 = .8 (later cuts never exceed it) → threshold (1 + .8)/2 = .9
//   F1: cut after p2 → P 2/3, R 1, F1 .8 → threshold (.6 + 0)/2 = .3;  AP = .5·1 + .5·2/3 = 5/6
//   MCC at score ≥ .3: tp 2, fp 1, tn 2, fn 0 → sklearn (4·5 − 12)/√(12·12) = 2/3
// dot: p2 1.2, p1 1, m .8, n1 0, n2 −2 → both positives first: accuracy 1 at (1 + .8)/2 = .9, F1 1 at .9,
//   AP 1, MCC 1
// manhattan (POSITIVE distances, smallest first): p1 0(1), m .8(0), p2 1.8(1), n1 2(0), n2 3(0) — the cosine
//   pattern: accuracy .8 at (0 + .8)/2 = .4, F1 .8 (P 2/3, R 1) at (1.8 + 2)/2 = 1.9, AP 5/6, MCC 2/3
// euclidean: p1 0(1), m .632(0), n1 1.414(0), p2 1.612(1), n2 3(0): accuracy .8 at √.4/2; F1: after p1
//   2·1·.5/1.5 = 2/3, after p2 2·.5·1/1.5 = 2/3 (not strictly better) → F1 2/3, P 1, R .5, threshold √.4/2;
//   AP = .5·1 + .5·.5 = .75; MCC at distance ≤ √.4/2 (only p1): t = [3, 2], p = [4, 1] → 6/√96

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ArgumentError } from "../../src/errors.ts";
import {
  BINARY_CLASSIFICATION_METRICS,
  BinaryClassificationEvaluator,
  findBestAccuracyAndThreshold,
  findBestF1AndThreshold,
} from "../../src/evaluation/binary-classification.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { FakeModel, assertClose } from "./fake-model.ts";

const TABLE = { a: [1, 0], p1: [1, 0], p2: [1.2, 1.6], n1: [0, 1], n2: [-2, 0], m: [0.8, 0.6] };
const S1 = ["a", "a", "a", "a", "a"];
const S2 = ["p1", "p2", "n1", "n2", "m"];
const LABELS = [1, 1, 0, 0, 0];

const EXPECTED: Record<string, Record<string, number>> = {
  cosine: { accuracy: 0.8, accuracy_threshold: 0.9, f1: 0.8, f1_threshold: 0.3, precision: 2 / 3, recall: 1, ap: 5 / 6, mcc: 2 / 3 },
  dot: { accuracy: 1, accuracy_threshold: 0.9, f1: 1, f1_threshold: 0.9, precision: 1, recall: 1, ap: 1, mcc: 1 },
  manhattan: { accuracy: 0.8, accuracy_threshold: 0.4, f1: 0.8, f1_threshold: 1.9, precision: 2 / 3, recall: 1, ap: 5 / 6, mcc: 2 / 3 },
  euclidean: {
    accuracy: 0.8,
    accuracy_threshold: Math.sqrt(0.4) / 2,
    f1: 2 / 3,
    f1_threshold: Math.sqrt(0.4) / 2,
    precision: 1,
    recall: 0.5,
    ap: 0.75,
    mcc: 6 / Math.sqrt(96),
  },
};

const ORDER = ["cosine", "dot", "manhattan", "euclidean"];
const KEYS = [...ORDER.flatMap((fn) => BINARY_CLASSIFICATION_METRICS.map((metric) => `${fn}_${metric}`)), ...BINARY_CLASSIFICATION_METRICS.map((m) => `max_${m}`)];

test("default: four functions in ST's order (cosine, dot, manhattan, euclidean) × 8 metrics, then max_*; primary max_ap", async () => {
  const evaluator = new BinaryClassificationEvaluator(S1, S2, LABELS);
  assert.equal(evaluator.primaryMetric, "max_ap");
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  assert.deepEqual(Object.keys(metrics), KEYS);
  assert.equal(KEYS.length, 40);
  for (const fn of ORDER) {
    for (const [metric, value] of Object.entries(EXPECTED[fn])) assertClose(metrics[`${fn}_${metric}`], value, 1e-12, `${fn}_${metric}`);
  }
  // max over the functions, metric by metric (thresholds included, as ST does).
  const max = { accuracy: 1, accuracy_threshold: 0.9, f1: 1, f1_threshold: 1.9, precision: 1, recall: 1, ap: 1, mcc: 1 };
  for (const [metric, value] of Object.entries(max)) assertClose(metrics[`max_${metric}`], value, 1e-12, `max_${metric}`);
});

test("euclidean/manhattan follow the v5.7 fix: thresholds are positive distances, lower distance = similar", async () => {
  const metrics = await new BinaryClassificationEvaluator(S1, S2, LABELS, { similarityFnNames: ["manhattan", "euclidean"] }).evaluate(new FakeModel(TABLE));
  assert.ok(metrics.manhattan_accuracy_threshold > 0 && metrics.manhattan_f1_threshold > 0);
  assert.ok(metrics.euclidean_accuracy_threshold > 0);
  // The v3.3–v5.6 inversion (negated distances sorted ascending) would put the most distant pair n2 first and
  // report thresholds like −2.5; accuracy above the all-negative baseline (.6) shows the direction is right.
  assert.ok(metrics.manhattan_accuracy > 0.6 && metrics.euclidean_accuracy > 0.6);
  assertClose(metrics.manhattan_ap, 5 / 6, 1e-15);
});

test("a single function: 8 keys and primary {fn}_ap; a name prefixes keys and primary", async () => {
  const evaluator = new BinaryClassificationEvaluator(S1, S2, LABELS, { similarityFnNames: ["euclidean"], name: "quora-dev" });
  assert.equal(evaluator.primaryMetric, "quora-dev_euclidean_ap");
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  assert.deepEqual(
    Object.keys(metrics),
    BINARY_CLASSIFICATION_METRICS.map((metric) => `quora-dev_euclidean_${metric}`),
  );
  assertClose(metrics["quora-dev_euclidean_ap"], 0.75, 1e-15);
});

test("each distinct sentence is embedded once, in one encode call with batchSize 32", async () => {
  const model = new FakeModel(TABLE);
  await new BinaryClassificationEvaluator(S1, S2, LABELS).evaluate(model);
  assert.equal(model.calls.length, 1);
  assert.deepEqual(model.calls[0].sentences, ["a", "p1", "p2", "n1", "n2", "m"]);
  assert.deepEqual(model.calls[0].options, { batchSize: 32, showProgressBar: undefined });
});

test("threshold search mirrors ST: strict improvement, midpoint of neighbours, stable order for ties", () => {
  // Scores descending: .9(1) .7(0) .6(1) .2(0). Cuts: after .9 → 3/4 (thr .8); after .7 → 2/4; after .6 → 3/4 (not >).
  assert.deepEqual(findBestAccuracyAndThreshold([0.9, 0.7, 0.6, 0.2], [1, 0, 1, 0], true), { accuracy: 0.75, threshold: (0.9 + 0.7) / 2 });
  // F1: after .9: P 1, R .5 → 2/3; after .7: P .5, R .5 → .5; after .6: P 2/3, R 1 → .8 (thr (.6 + .2)/2).
  const f1 = findBestF1AndThreshold([0.9, 0.7, 0.6, 0.2], [1, 0, 1, 0], true);
  assertClose(f1.f1, 0.8, 1e-15);
  assert.deepEqual([f1.precision, f1.recall, f1.threshold], [2 / 3, 1, (0.6 + 0.2) / 2]);
  // Distances: ascending.
  assert.deepEqual(findBestAccuracyAndThreshold([0.1, 2, 0.5, 3], [1, 0, 1, 0], false), { accuracy: 1, threshold: (0.5 + 2) / 2 });
  // Tied scores keep their input order and a cut may fall between them, its "threshold" being the tied score
  // itself — so the same data in another order scores differently (ST's quirk, mirrored): cutting after the
  // positive gives 2/2; after the negative (1 − 1 negatives + 0 positives)/2 = 0, never above the start value 0.
  assert.deepEqual(findBestAccuracyAndThreshold([0.5, 0.5], [1, 0], true), { accuracy: 1, threshold: 0.5 });
  assert.deepEqual(findBestAccuracyAndThreshold([0.5, 0.5], [0, 1], true), { accuracy: 0, threshold: -1 });
  // No cut (one row) and no positive: ST's initial values.
  assert.deepEqual(findBestAccuracyAndThreshold([0.3], [1], true), { accuracy: 0, threshold: -1 });
  assert.deepEqual(findBestF1AndThreshold([0.3, 0.2], [0, 0], true), { f1: 0, precision: 0, recall: 0, threshold: 0 });
});

test("CSV: ST's column order per function (… f1, precision, recall, f1_threshold, ap, mcc), row aligned with the header", async () => {
  const out = temporaryDirectory();
  const evaluator = new BinaryClassificationEvaluator(S1, S2, LABELS, { similarityFnNames: ["cosine"], name: "dev" });
  const metrics = await evaluator.evaluate(new FakeModel(TABLE), { outputPath: out, epoch: 0, steps: 5 });
  const [header, row] = readFileSync(join(out, "binary_classification_evaluation_dev_results.csv"), "utf8").split("\r\n");
  const columns = header.split(",");
  assert.deepEqual(columns, [
    "epoch",
    "steps",
    "cosine_accuracy",
    "cosine_accuracy_threshold",
    "cosine_f1",
    "cosine_precision",
    "cosine_recall",
    "cosine_f1_threshold",
    "cosine_ap",
    "cosine_mcc",
  ]);
  const values = row.split(",");
  assert.equal(values.length, columns.length);
  columns.slice(2).forEach((column, i) => assert.equal(Number(values[i + 2]), metrics[`dev_${column}`], column));
});

test("bad arguments: labels must be 0/1 and lengths must match", () => {
  assert.throws(
    () => new BinaryClassificationEvaluator(["a", "b"], ["c", "d"], [1, 2]),
    (error: Error) => error instanceof ArgumentError && error.message === "labels[1]: must be 0 or 1, got 2",
  );
  assert.throws(() => new BinaryClassificationEvaluator(["a", "b"], ["c"], [1, 0]), /sentences2: has 1 entries but sentences1 has 2/);
  assert.throws(() => new BinaryClassificationEvaluator(["a"], ["c"], [1, 0]), /labels: has 2 entries but sentences1 has 1/);
  assert.throws(() => new BinaryClassificationEvaluator([], [], []), /labels: needs at least one pair/);
  assert.throws(() => new BinaryClassificationEvaluator(["a"], ["b"], [1], { similarityFnNames: ["l3" as "dot"] }), /similarityFnNames\[0\]/);
});
