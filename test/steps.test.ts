// The tutorial flow through the step functions, on the embedded default model and the project's own
// pair-score data: evaluate (10 keys), train with CoSENT and the tutorial's arguments, test, save.
// Fine-tuning must raise the test split's spearman_cosine; the saved folder carries the model card.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  DEFAULT_MODEL_TRAINING,
  devSplit,
  evaluate,
  loadModel,
  loadPairScore,
  pickLoss,
  save,
  similarityEvaluator,
  train,
  tutorialArguments,
} from "../src/steps.ts";
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
