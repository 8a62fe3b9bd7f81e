// SentenceTransformerTrainer on a tiny generated model: Hugging Face's logging/eval/save cadence and
// payloads, the learning-rate schedule in the logs, checkpoint rotation that keeps the best, seeded
// reproducibility, exact resumption after stop(), loadBestModelAtEnd, and learning (loss goes down).

import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../../src/errors.ts";
import { EmbeddingSimilarityEvaluator } from "../../src/evaluation/embedding-similarity.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments, type TrainingArgumentsInit } from "../../src/training/arguments.ts";
import { BatchSamplers } from "../../src/training/samplers.ts";
import { learningRateFactor } from "../../src/training/schedules.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { corpusPairScores } from "../support/pair-scores.ts";
import { temporaryDirectory } from "../support/temp.ts";

let modelDirectory: string | undefined;

async function freshModel(): Promise<SentenceTransformer> {
  if (!modelDirectory) {
    modelDirectory = join(temporaryDirectory(), "model");
    await initModel({ out: modelDirectory, hidden: 32, layers: 1, heads: 2, intermediate: 64, vocabSize: 1500, seed: 5 });
  }
  return SentenceTransformer.load(modelDirectory, { quiet: true });
}

const train = corpusPairScores(0, 96);
const dev = corpusPairScores(400, 40);

function devEvaluator() {
  return new EmbeddingSimilarityEvaluator(dev.column("sentence1") as string[], dev.column("sentence2") as string[], dev.column("score") as number[], { name: "sts-dev" });
}

function trainingArguments(overrides: Partial<TrainingArgumentsInit> = {}) {
  return new SentenceTransformerTrainingArguments({
    outputDir: join(temporaryDirectory(), "output"),
    maxSteps: 12,
    perDeviceTrainBatchSize: 8,
    perDeviceEvalBatchSize: 8,
    learningRate: 1e-3,
    warmupRatio: 0.25,
    batchSampler: BatchSamplers.NO_DUPLICATES,
    evalStrategy: "steps",
    evalSteps: 4,
    saveStrategy: "steps",
    saveSteps: 4,
    saveTotalLimit: 2,
    loggingSteps: 4,
    disableTqdm: true,
    ...overrides,
  });
}

async function weightsOf(model: SentenceTransformer): Promise<Float32Array[]> {
  return model.transformer.namedParameters().map(({ tensor }) => tensor.dataSync().slice() as Float32Array);
}

test("logs, evaluations and checkpoints follow Hugging Face's cadence and payloads", async () => {
  const model = await freshModel();
  const args = trainingArguments();
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: train, evalDataset: dev, loss: new CoSENTLoss(model), evaluator: devEvaluator() });
  const seen: string[] = [];
  trainer.on("log", (entry) => seen.push(`log ${entry.step}`));
  trainer.on("evaluate", (metrics) => seen.push(`evaluate ${metrics.step ?? trainer.state.global_step}`));
  trainer.on("save", ({ step }) => seen.push(`save ${step}`));
  const output = await trainer.train();
  assert.equal(output.globalStep, 12);
  assert.deepEqual(seen, ["log 4", "evaluate 4", "save 4", "log 8", "evaluate 8", "save 8", "log 12", "evaluate 12", "save 12"]);

  const logs = trainer.state.log_history.filter((entry) => "loss" in entry);
  assert.deepEqual(logs.map((entry) => Object.keys(entry).sort()), Array(3).fill(["epoch", "grad_norm", "learning_rate", "loss", "step"]));
  // learning_rate: the rate the logged step applied, as transformers 5 logs it ("get learning rate before update");
  // warmup = ceil(12 · 0.25) = 3, so the last step (12) ran at (12 − 11) / (12 − 3) of the peak.
  logs.forEach((entry) => assert.ok(Math.abs(entry.learning_rate - 1e-3 * learningRateFactor("linear", entry.step - 1, 3, 12)) < 1e-12));
  assert.ok(Math.abs(logs.at(-1)!.learning_rate - 1e-3 / 9) < 1e-12);
  assert.ok(logs.every((entry) => entry.grad_norm > 0 && Number.isFinite(entry.loss)));

  const evaluations = trainer.state.log_history.filter((entry) => "eval_loss" in entry);
  assert.equal(evaluations.length, 3);
  const keys = Object.keys(evaluations[0]);
  for (const metric of ["pearson_cosine", "spearman_cosine", "pearson_manhattan", "spearman_manhattan", "pearson_euclidean", "spearman_euclidean", "pearson_dot", "spearman_dot", "pearson_max", "spearman_max"]) {
    assert.ok(keys.includes(`eval_sts-dev_${metric}`), `eval_sts-dev_${metric} in ${keys}`);
  }
  for (const key of ["eval_loss", "eval_runtime", "eval_samples_per_second", "eval_steps_per_second", "epoch"]) assert.ok(keys.includes(key), key);
  const end = trainer.state.log_history.at(-1)!;
  for (const key of ["train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "epoch"]) assert.ok(key in end, key);

  // saveTotalLimit 2: only the two newest remain, each a loadable model with trainer state.
  assert.deepEqual(readdirSync(args.outputDir).filter((name) => name.startsWith("checkpoint-")).sort(), ["checkpoint-12", "checkpoint-8"]);
  const state = JSON.parse(readFileSync(join(args.outputDir, "checkpoint-12", "trainer_state.json"), "utf8"));
  assert.equal(state.global_step, 12);
  const reloaded = await SentenceTransformer.load(join(args.outputDir, "checkpoint-12"), { quiet: true });
  assert.deepEqual((await reloaded.encode(["a test"]))[0], (await model.encode(["a test"]))[0]);
  reloaded.dispose();
  model.dispose();
});

test("the same seed gives the same run; another seed another run", async () => {
  const run = async (seed: number) => {
    const model = await freshModel();
    const trainer = new SentenceTransformerTrainer({ model, args: trainingArguments({ seed, evalStrategy: "no", saveStrategy: "no" }), trainDataset: train, loss: new CoSENTLoss(model) });
    const output = await trainer.train();
    const weights = await weightsOf(model);
    model.dispose();
    return { loss: output.trainingLoss, weights };
  };
  const first = await run(1);
  const again = await run(1);
  const other = await run(2);
  assert.equal(again.loss, first.loss);
  assert.deepEqual(again.weights, first.weights);
  assert.notEqual(other.loss, first.loss);
});

test("stop() saves a checkpoint; resuming from it reproduces the uninterrupted run exactly", async () => {
  const overrides = { evalStrategy: "no" as const, saveStrategy: "no" as const, weightDecay: 0.01 };
  const straightModel = await freshModel();
  const straight = new SentenceTransformerTrainer({ model: straightModel, args: trainingArguments(overrides), trainDataset: train, loss: new CoSENTLoss(straightModel) });
  await straight.train();

  const args = trainingArguments(overrides);
  const interruptedModel = await freshModel();
  const interrupted = new SentenceTransformerTrainer({ model: interruptedModel, args, trainDataset: train, loss: new CoSENTLoss(interruptedModel) });
  interrupted.on("step", ({ step }) => step === 5 && interrupted.stop());
  const partial = await interrupted.train();
  assert.equal(partial.interrupted, true);
  assert.equal(partial.globalStep, 5);
  assert.ok(existsSync(join(args.outputDir, "checkpoint-5", "optimizer.safetensors")));
  interruptedModel.dispose();

  const resumedModel = await freshModel();
  const resumed = new SentenceTransformerTrainer({ model: resumedModel, args, trainDataset: train, loss: new CoSENTLoss(resumedModel) });
  const output = await resumed.train({ resumeFromCheckpoint: true });
  assert.equal(output.globalStep, 12);
  assert.deepEqual(await weightsOf(resumedModel), await weightsOf(straightModel));
  resumedModel.dispose();
  straightModel.dispose();
});

test("loadBestModelAtEnd restores the best checkpoint, which rotation never deletes", async () => {
  const model = await freshModel();
  const args = trainingArguments({ loadBestModelAtEnd: true, metricForBestModel: "eval_loss", saveTotalLimit: 1, maxSteps: 16 });
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: train, evalDataset: dev, loss: new CoSENTLoss(model) });
  await trainer.train();
  const evaluations = trainer.state.log_history.filter((entry) => "eval_loss" in entry);
  const best = evaluations.reduce((a, b) => (b.eval_loss < a.eval_loss ? b : a));
  assert.equal(trainer.state.best_metric, best.eval_loss);
  assert.equal(trainer.state.best_model_checkpoint, join(args.outputDir, `checkpoint-${best.step}`));
  assert.ok(existsSync(trainer.state.best_model_checkpoint!), "the best checkpoint survives rotation");
  const bestModel = await SentenceTransformer.load(trainer.state.best_model_checkpoint!, { quiet: true });
  assert.deepEqual(await weightsOf(model), await weightsOf(bestModel));
  bestModel.dispose();
  model.dispose();
});

test("training on related/unrelated pairs lowers the loss and raises dev Spearman", async () => {
  const model = await freshModel();
  const evaluator = devEvaluator();
  const before = await evaluator.evaluate(model);
  const trainer = new SentenceTransformerTrainer({
    model,
    args: trainingArguments({ maxSteps: 60, evalStrategy: "no", saveStrategy: "no", loggingSteps: 10, learningRate: 2e-3, warmupRatio: 0.1 }),
    trainDataset: corpusPairScores(0, 280),
    loss: new CoSENTLoss(model),
  });
  await trainer.train();
  const losses = trainer.state.log_history.filter((entry) => "loss" in entry).map((entry) => entry.loss);
  assert.ok(losses.at(-1)! < losses[0], `losses ${losses}`);
  const after = await evaluator.evaluate(model);
  assert.ok(after["sts-dev_spearman_cosine"] > before["sts-dev_spearman_cosine"], `${before["sts-dev_spearman_cosine"]} → ${after["sts-dev_spearman_cosine"]}`);
  model.dispose();
});

test("impossible arguments fail at construction with one-line errors", async () => {
  const model = await freshModel();
  assert.throws(() => new SentenceTransformerTrainingArguments({ outputDir: "x", learningRate: -1 }), ArgumentError);
  assert.throws(() => new SentenceTransformerTrainingArguments({ outputDir: "x", perDeviceTrainBatchSize: 0 }), /perDeviceTrainBatchSize/);
  assert.throws(() => new SentenceTransformerTrainingArguments({ outputDir: "x", loadBestModelAtEnd: true }), /evalStrategy/);
  assert.throws(() => new SentenceTransformerTrainingArguments({ outputDir: "x", evalStrategy: "steps", evalSteps: 3, saveSteps: 4, loadBestModelAtEnd: true }), /multiple of evalSteps/);
  assert.throws(() => new SentenceTransformerTrainingArguments({ outputDir: "x", lrSchedulerType: "bogus" as "linear" }), /lrSchedulerType/);
  assert.throws(
    () => new SentenceTransformerTrainer({ model, args: trainingArguments({ evalStrategy: "steps" }), trainDataset: train }),
    /neither an evalDataset nor an evaluator/,
  );
  assert.equal(tf.getBackend(), "wasm");
  model.dispose();
});
