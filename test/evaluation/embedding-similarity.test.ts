// EmbeddingSimilarityEvaluator with a fake model whose embeddings make every score hand-computable.
// Anchor "a" = [1, 0] against b1 = [1, 0], b2 = [0, 2], b3 = [−3, 0], b4 = [2, 0], gold [1, .5, 0, .8]:
//   cosine    = [1, 0, −1, 1]            manhattan = −[0, 3, 4, 1]
//   euclidean = −[0, √5, 4, 1]           dot       = [1, 0, −3, 2]
// Gold ranks [4, 2, 1, 3]; the negated distances rank the same way (Spearman 1 — it would be −1 without the
// negation); cosine ranks [3.5, 2, 1, 3.5] → √0.9; dot ranks [3, 2, 1, 4] → Σxy 4 / 5 = 0.8.
// Pearson values are checked against scipy.stats.pearsonr on those score lists (repr printed by scipy 1.17).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ArgumentError } from "../../src/errors.ts";
import { EmbeddingSimilarityEvaluator } from "../../src/evaluation/embedding-similarity.ts";
import { pearson, spearman } from "../../src/evaluation/statistics.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { FakeModel, assertClose } from "./fake-model.ts";

const TABLE = { a: [1, 0], b1: [1, 0], b2: [0, 2], b3: [-3, 0], b4: [2, 0] };
const S1 = ["a", "a", "a", "a"];
const S2 = ["b1", "b2", "b3", "b4"];
const GOLD = [1, 0.5, 0, 0.8];

const TEN_KEYS = [
  "pearson_cosine",
  "spearman_cosine",
  "pearson_manhattan",
  "spearman_manhattan",
  "pearson_euclidean",
  "spearman_euclidean",
  "pearson_dot",
  "spearman_dot",
  "pearson_max",
  "spearman_max",
];

test("default: the tutorial's 10 keys in ST v3.0–3.2 order, primary spearman_max", async () => {
  const evaluator = new EmbeddingSimilarityEvaluator(S1, S2, GOLD);
  assert.equal(evaluator.primaryMetric, "spearman_max");
  assert.equal(evaluator.greaterIsBetter, true);
  assert.deepEqual(evaluator.similarityFnNames, ["cosine", "manhattan", "euclidean", "dot"]);
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  assert.deepEqual(Object.keys(metrics), TEN_KEYS);

  assertClose(metrics.pearson_cosine, 0.9805885297297564, 1e-15);
  assert.equal(metrics.spearman_cosine, 0.9486832980505139); // √0.9 as scipy rounds it
  assertClose(metrics.pearson_manhattan, 0.9654836043705611, 1e-15); // = 2.3/√5.675 by hand
  assert.equal(metrics.spearman_manhattan, 1);
  assertClose(metrics.pearson_euclidean, 0.9973659265644379, 1e-15);
  assert.equal(metrics.spearman_euclidean, 1);
  assertClose(metrics.pearson_dot, 0.922415086031065, 1e-15);
  assert.equal(metrics.spearman_dot, 0.7999999999999999);
  assert.equal(metrics.pearson_max, metrics.pearson_euclidean);
  assert.equal(metrics.spearman_max, 1);
});

test("manhattan and euclidean are NEGATED distances (correlations equal those of −distance, opposite of +distance)", async () => {
  const metrics = await new EmbeddingSimilarityEvaluator(S1, S2, GOLD).evaluate(new FakeModel(TABLE));
  assert.equal(metrics.pearson_manhattan, pearson(GOLD, [-0, -3, -4, -1]));
  assertClose(metrics.pearson_manhattan, -pearson(GOLD, [0, 3, 4, 1]), 1e-15);
  assert.equal(metrics.spearman_euclidean, -spearman(GOLD, [0, Math.sqrt(5), 4, 1]));
});

test("a name prefixes every key and the primary metric (sts-dev_pearson_cosine …)", async () => {
  const evaluator = new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { name: "sts-dev" });
  assert.equal(evaluator.primaryMetric, "sts-dev_spearman_max");
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  assert.deepEqual(Object.keys(metrics), TEN_KEYS.map((key) => `sts-dev_${key}`));
  assert.equal(metrics["sts-dev_spearman_manhattan"], 1);
  assert.ok(evaluator.primaryMetric in metrics);
});

test("similarityFnNames ['cosine'] gives 2 keys (ST v3.3+ default shape) and primary spearman_cosine", async () => {
  const evaluator = new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { similarityFnNames: ["cosine"], name: "sts-dev" });
  assert.equal(evaluator.primaryMetric, "sts-dev_spearman_cosine");
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  assert.deepEqual(Object.keys(metrics), ["sts-dev_pearson_cosine", "sts-dev_spearman_cosine"]);
});

test("mainSimilarity picks spearman_{main} as primary metric; the key set stays the same", async () => {
  const evaluator = new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { mainSimilarity: "dot_product" });
  assert.equal(evaluator.mainSimilarity, "dot");
  assert.equal(evaluator.primaryMetric, "spearman_dot");
  assert.deepEqual(Object.keys(await evaluator.evaluate(new FakeModel(TABLE))), TEN_KEYS);
  const custom = new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { similarityFnNames: ["dot", "euclidean"] });
  assert.equal(custom.primaryMetric, "spearman_max");
  assert.deepEqual(Object.keys(await custom.evaluate(new FakeModel(TABLE))), [
    "pearson_dot",
    "spearman_dot",
    "pearson_euclidean",
    "spearman_euclidean",
    "pearson_max",
    "spearman_max",
  ]);
});

test("encodes sentences1 then sentences2, each in full, with batchSize 16 and encode's automatic progress by default", async () => {
  const model = new FakeModel(TABLE);
  await new EmbeddingSimilarityEvaluator(S1, S2, GOLD).evaluate(model);
  assert.deepEqual(
    model.calls.map((call) => call.sentences),
    [S1, S2],
  );
  assert.deepEqual(model.calls[0].options, { batchSize: 16, showProgressBar: undefined, normalizeEmbeddings: false });
  const shown = new FakeModel(TABLE);
  await new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { batchSize: 2, showProgressBar: true }).evaluate(shown);
  assert.deepEqual(shown.calls[1].options, { batchSize: 2, showProgressBar: true, normalizeEmbeddings: false });
});

test("precision 'float32' normalises the embeddings and adds _float32 to the CSV name; quantised precisions are refused", async () => {
  const model = new FakeModel(TABLE);
  const evaluator = new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { precision: "float32", name: "sts-dev" });
  assert.equal(evaluator.csvFile, "similarity_evaluation_sts-dev_float32_results.csv");
  const metrics = await evaluator.evaluate(model);
  assert.equal(model.calls[0].options?.normalizeEmbeddings, true);
  // Unit vectors: dot = cosine.
  assert.equal(metrics["sts-dev_spearman_dot"], metrics["sts-dev_spearman_cosine"]);
  for (const precision of ["int8", "uint8", "binary", "ubinary", "float16"]) {
    assert.throws(
      () => new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { precision: precision as "float32" }),
      (error: Error) => error instanceof ArgumentError && /^precision: /.test(error.message),
    );
  }
});

test("truncateDim keeps the first components only", async () => {
  // First components: a = 1 against [1, 0, −3, 2] → manhattan −[0, 1, 4, 1].
  const metrics = await new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { truncateDim: 1, similarityFnNames: ["manhattan"] }).evaluate(
    new FakeModel(TABLE),
  );
  assert.equal(metrics.pearson_manhattan, pearson(GOLD, [-0, -1, -4, -1]));
  assert.equal(metrics.spearman_manhattan, spearman(GOLD, [-0, -1, -4, -1]));
  assert.throws(() => new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { truncateDim: 0 }), /truncateDim: must be a positive integer/);
});

test("with outputPath a CSV row is appended per call: header once, {fn}_pearson/{fn}_spearman columns, no _max", async () => {
  const out = join(temporaryDirectory(), "eval");
  const evaluator = new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { name: "sts-dev" });
  const metrics = await evaluator.evaluate(new FakeModel(TABLE), { outputPath: out, epoch: 1, steps: 10 });
  await evaluator.evaluate(new FakeModel(TABLE), { outputPath: out, epoch: 2, steps: 20 });
  const lines = readFileSync(join(out, "similarity_evaluation_sts-dev_results.csv"), "utf8").split("\r\n");
  assert.equal(
    lines[0],
    "epoch,steps,cosine_pearson,cosine_spearman,manhattan_pearson,manhattan_spearman,euclidean_pearson,euclidean_spearman,dot_pearson,dot_spearman",
  );
  assert.deepEqual(lines.slice(3), [""]);
  const row = lines[1].split(",");
  assert.deepEqual(row.slice(0, 2), ["1", "10"]);
  assert.deepEqual(row.slice(2).map(Number), TEN_KEYS.slice(0, 8).map((key) => metrics[`sts-dev_${key}`]));
  assert.equal(row[5], "1.0"); // spearman_manhattan written as Python writes 1.0
  assert.ok(lines[2].startsWith("2,20,"));
  // writeCsv false: nothing written.
  const quiet = join(temporaryDirectory(), "eval");
  await new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { writeCsv: false }).evaluate(new FakeModel(TABLE), { outputPath: quiet });
  assert.throws(() => readFileSync(join(quiet, "similarity_evaluation_results.csv")), /ENOENT/);
});

test("bad arguments: one-line ArgumentErrors naming the argument and the first bad index", () => {
  assert.throws(() => new EmbeddingSimilarityEvaluator(S1, ["b1"], GOLD), /^ArgumentError: sentences2: has 1 entries but sentences1 has 4$/);
  assert.throws(() => new EmbeddingSimilarityEvaluator(S1, S2, [1, 2]), /scores: has 2 entries but sentences1 has 4/);
  assert.throws(
    () => new EmbeddingSimilarityEvaluator(S1, S2, [1, Number.NaN, Infinity, 0]),
    (error: Error) => error instanceof ArgumentError && error.message === "scores[1]: must be a finite number, got NaN",
  );
  assert.throws(() => new EmbeddingSimilarityEvaluator(["a", 3 as unknown as string], ["b", "c"], [1, 2]), /sentences1\[1\]: must be a string/);
  assert.throws(() => new EmbeddingSimilarityEvaluator(["a"], ["b"], [1]), /scores: needs at least 2 pairs/);
  assert.throws(() => new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { similarityFnNames: ["cosine", "jaccard" as "dot"] }), /similarityFnNames\[1\]/);
  assert.throws(() => new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { similarityFnNames: ["dot", "dot_product"] }), /similarityFnNames\[1\]: "dot" is listed twice/);
  assert.throws(() => new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { similarityFnNames: [] }), /similarityFnNames: must be a non-empty array/);
  assert.throws(
    () => new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { similarityFnNames: ["cosine"], mainSimilarity: "dot" }),
    /mainSimilarity: "dot" is not in similarityFnNames \(cosine\)/,
  );
  assert.throws(() => new EmbeddingSimilarityEvaluator(S1, S2, GOLD, { batchSize: 0 }), /batchSize: must be a positive integer/);
});
