// The tutorial flow through the step functions, on the embedded default model and the project's own
// pair-score data: evaluate (10 keys), train with CoSENT and the tutorial's arguments, test, save.
// Fine-tuning must raise the test split's spearman_cosine; the saved folder carries the model card.

import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  DEFAULT_MODEL_TRAINING,
  devSplit,
  evaluate,
  loadModel,
  loadPairScore,
  loadRetrievalData,
  mineHardNegatives,
  pickLoss,
  retrievalEvaluator,
  save,
  similarityEvaluator,
  train,
  tutorialArguments,
} from "../src/steps.ts";
import { Dataset } from "../src/data/dataset.ts";
import { mkdirSync } from "node:fs";
import { tinyModelTemplate } from "./support/model-fixtures.ts";
import { corpus } from "./support/pair-scores.ts";
import { writeParquet } from "../src/data/parquet.ts";
import { ArgumentError } from "../src/errors.ts";
import { temporaryDirectory } from "./support/temp.ts";

const TEN_KEYS = ["pearson_cosine", "spearman_cosine", "pearson_manhattan", "spearman_manhattan", "pearson_euclidean", "spearman_euclidean", "pearson_dot", "spearman_dot", "pearson_max", "spearman_max"];

test("the tutorial's steps fine-tune the default model: test spearman_cosine rises, the model is saved with its card", { timeout: 300_000 }, async () => {
  process.env.EMBEDTUNE_CACHE = temporaryDirectory();
  const model = await loadModel(undefined, { quiet: true });
  const dataset = await loadPairScore();
  assert.deepEqual(dataset.splits, ["train", "dev", "test"]);
  assert.deepEqual(dataset.train.columnNames, ["sentence1", "sentence2", "score"]);
  const loss = pickLoss(model, "CoSENTLoss");
  const outputDir = join(temporaryDirectory(), "output");
  const args = tutorialArguments({ outputDir, ...DEFAULT_MODEL_TRAINING, disableTqdm: true });
  const devEvaluator = similarityEvaluator(devSplit(dataset), "sts-dev");
  const devBefore = await evaluate(model, devEvaluator);
  assert.deepEqual(Object.keys(devBefore), TEN_KEYS.map((key) => `sts-dev_${key}`));
  const testEvaluator = similarityEvaluator(dataset.test, "sts-test");
  const testBefore = await evaluate(model, testEvaluator);

  const { trainer, output } = await train({ model, args, trainDataset: dataset.train, evalDataset: devSplit(dataset), loss, evaluator: devEvaluator });
  assert.equal(output.globalStep, 10 * Math.ceil(dataset.train.numRows / 32));
  assert.ok(trainer.state.log_history.some((entry) => "eval_sts-dev_spearman_cosine" in entry));

  const testAfter = await evaluate(model, testEvaluator);
  assert.ok(
    testAfter["sts-test_spearman_cosine"] > testBefore["sts-test_spearman_cosine"] + 0.03,
    `test spearman_cosine ${testBefore["sts-test_spearman_cosine"]} → ${testAfter["sts-test_spearman_cosine"]}`,
  );
  const final = join(outputDir, "final");
  await save(model, final);
  const card = readFileSync(join(final, "README.md"), "utf8");
  for (const text of ["loss:CoSENTLoss", "## Training Logs", "* Dataset: `sts-test`", "| spearman_cosine "]) assert.ok(card.includes(text), text);
  assert.ok(existsSync(join(final, "model.safetensors")));
  model.dispose();
});

test("loadPairScore reads the Hub's shard layout (<split>-*.parquet) next to single files, and refuses a folder without train", async () => {
  const folder = temporaryDirectory();
  const rows = (first: number, count: number) => ({
    sentence1: Array.from({ length: count }, (_, i) => `first ${first + i}`),
    sentence2: Array.from({ length: count }, (_, i) => `second ${first + i}`),
    score: Array.from({ length: count }, (_, i) => (i % 5) / 4),
  });
  writeParquet(join(folder, "train-00000-of-00002.parquet"), rows(0, 3));
  writeParquet(join(folder, "train-00001-of-00002.parquet"), rows(3, 2));
  writeParquet(join(folder, "validation.parquet"), rows(10, 4));
  writeParquet(join(folder, "test-00000-of-00001.parquet"), rows(20, 2));
  const dataset = await loadPairScore(folder);
  assert.deepEqual(dataset.splits, ["train", "validation", "test"]);
  assert.deepEqual(dataset.train.column("sentence1"), ["first 0", "first 1", "first 2", "first 3", "first 4"]);
  assert.equal(devSplit(dataset).numRows, 4);
  assert.equal(dataset.test.numRows, 2);

  const withoutTrain = temporaryDirectory();
  writeParquet(join(withoutTrain, "dev.parquet"), rows(0, 2));
  await assert.rejects(loadPairScore(withoutTrain), (error: Error) => error instanceof ArgumentError && /has no train\.parquet/.test(error.message));
  const notAFolder = join(withoutTrain, "notes.txt");
  writeFileSync(notAFolder, "x");
  await assert.rejects(loadPairScore(notAFolder), /is not a folder/);
});

test("retrieval steps: loadRetrievalData → retrievalEvaluator (keys unprefixed without a name); mineHardNegatives", { timeout: 120_000 }, async () => {
  // Each query is the exact text of its one relevant document (cosine 1, ranked first): ndcg@10 = mrr@10 = 1,
  // precision@10 = 1/10 in a corpus of 12.
  const folder = join(temporaryDirectory(), "tiny-ir");
  mkdirSync(folder);
  const documents = Array.from({ length: 12 }, (_, i) => corpus[100 + 5 * i]);
  writeParquet(join(folder, "corpus.parquet"), { id: documents.map((_, i) => `d${i}`), text: documents });
  writeParquet(join(folder, "queries.parquet"), { id: ["q0", "q1"], text: [documents[2], documents[9]] });
  writeParquet(join(folder, "qrels.parquet"), { query_id: ["q0", "q1"], corpus_id: ["d2", "d9"], score: [1, 1] });
  const model = await loadModel(await tinyModelTemplate(), { quiet: true });
  const data = await loadRetrievalData(folder);
  assert.deepEqual(Object.keys(data.queries), ["q0", "q1"]);
  const unnamed = await evaluate(model, retrievalEvaluator(data));
  assert.equal(unnamed["cosine_ndcg@10"], 1);
  assert.equal(unnamed["cosine_mrr@10"], 1);
  assert.ok(Math.abs(unnamed["cosine_precision@10"] - 0.1) < 1e-12);
  const named = retrievalEvaluator(data, "tiny", { ndcgAtK: [5] });
  assert.equal(named.primaryMetric, "tiny_cosine_ndcg@5");
  assert.equal((await evaluate(model, named))["tiny_cosine_ndcg@5"], 1);

  // The anchor's own copy in the corpus is its most similar text, so it is the top negative.
  const pairs = Dataset.fromColumns({ anchor: [corpus[10], corpus[40]], positive: [corpus[11], corpus[41]] });
  const mined = await mineHardNegatives(pairs, model, { corpus: [corpus[300], corpus[10], corpus[40]], numNegatives: 1, verbose: false, showProgressBar: false });
  assert.deepEqual(mined.column("negative"), [corpus[10], corpus[40]]);
  model.dispose();
});
