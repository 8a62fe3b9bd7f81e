// NaN/Inf is never trained in silence (issue 13, defect 3): a step whose loss or gradient norm is not
// finite stops training before the optimizer applies it (the weights stay those of the step before),
// raises NonFiniteLossError naming the step and the figures, logs the step, and saves no checkpoint of
// it; `embedtune train --learning-rate 1e6` exits 1 with that one line and saves no final model.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../src/backend.ts";
import { readSafetensors, toFloat32 } from "../../src/io/safetensors.ts";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import type { Loss } from "../../src/losses/loss.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments } from "../../src/training/arguments.ts";
import { NonFiniteLossError } from "../../src/training/errors.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { corpusPairScores } from "../support/pair-scores.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { errorLines, prepareFixture, trainArguments } from "./training-helpers.ts";

await initializeBackend({ quiet: true });
const workspace = temporaryDirectory("embedtune-training-non-finite-");

/** CoSENTLoss, multiplied by NaN once `poisoned` is set. */
class PoisonableLoss implements Loss {
  readonly name = "CoSENTLoss";
  poisoned = false;
  constructor(private readonly inner: CoSENTLoss) {}
  computeLoss(embeddings: tf.Tensor2D[], labels?: tf.Tensor1D): tf.Scalar {
    const loss = this.inner.computeLoss(embeddings, labels);
    return this.poisoned ? tf.mul(loss, Number.NaN) : loss;
  }
  getConfigDict() {
    return this.inner.getConfigDict();
  }
}

function weightsOf(model: SentenceTransformer): Map<string, Float32Array> {
  return new Map(model.transformer.namedParameters().map(({ name, tensor }) => [name, tensor.dataSync().slice() as Float32Array]));
}

function checkpointSteps(output: string): number[] {
  return readdirSync(output).filter((name) => /^checkpoint-\d+$/.test(name)).map((name) => Number(name.slice(11))).sort((a, b) => a - b);
}

test("a NaN loss at step 3: NonFiniteLossError for step 3 before the update; weights as after step 2; no checkpoint-3; the step is logged", async () => {
  const fixture = await prepareFixture(workspace);
  const model = await SentenceTransformer.load(fixture.model, { quiet: true });
  const loss = new PoisonableLoss(new CoSENTLoss(model));
  const outputDir = join(workspace, "poisoned");
  const args = new SentenceTransformerTrainingArguments({ outputDir, maxSteps: 10, saveSteps: 1, loggingSteps: 1, perDeviceTrainBatchSize: 8, learningRate: 1e-3, disableTqdm: true });
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: corpusPairScores(0, 80), loss });
  const logged: Record<string, number>[] = [];
  trainer.on("log", (entry) => logged.push(entry));
  let afterStep2: Map<string, Float32Array> | undefined;
  trainer.on("step", ({ step }) => {
    if (step === 2) {
      afterStep2 = weightsOf(model);
      loss.poisoned = true;
    }
  });
  await assert.rejects(trainer.train(), (error: unknown) => {
    assert.ok(error instanceof NonFiniteLossError, String(error));
    assert.equal(error.step, 3);
    assert.ok(Number.isNaN(error.loss));
    assert.ok(!error.message.includes("\n"));
    assert.match(error.message, /^step 3: the loss is not finite \(loss NaN, gradient norm NaN, learning rate [\d.e-]+\); training stopped before applying it/);
    assert.match(error.message, /lower learning rate.*warmup.*maxGradNorm/);
    return true;
  });
  // The weights are exactly those after step 2 (nothing of step 3 applied), all finite.
  const now = weightsOf(model);
  for (const [name, values] of afterStep2!) {
    assert.deepEqual(now.get(name), values, name);
    assert.ok(values.every(Number.isFinite), name);
  }
  assert.deepEqual(checkpointSteps(outputDir), [1, 2]);
  assert.ok(!existsSync(join(outputDir, ".embedtune.lock")), "the lock is released on errors");
  const last = logged.at(-1)!;
  assert.equal(last.step, 3);
  assert.ok(Number.isNaN(last.loss));
  assert.equal(trainer.state.log_history.at(-1), last);
  model.dispose();
});

test("learning rate 1e6 (library): stopped at the first non-finite step, every saved checkpoint finite", async () => {
  const fixture = await prepareFixture(workspace);
  const model = await SentenceTransformer.load(fixture.model, { quiet: true });
  const outputDir = join(workspace, "huge-rate");
  const args = new SentenceTransformerTrainingArguments({ outputDir, maxSteps: 30, saveSteps: 1, perDeviceTrainBatchSize: 8, learningRate: 1e6, disableTqdm: true });
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: corpusPairScores(0, 240), loss: new CoSENTLoss(model) });
  const error = await trainer.train().then(
    () => assert.fail("training with learning rate 1e6 should stop"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof NonFiniteLossError, String(error));
  assert.ok(!Number.isFinite(error.loss) || !Number.isFinite(error.gradNorm));
  assert.ok(error.step >= 2, `some steps were applied before (failed at step ${error.step})`);
  for (const [name, values] of weightsOf(model)) assert.ok(values.every(Number.isFinite), `${name} stays finite`);
  const steps = checkpointSteps(outputDir);
  assert.deepEqual(steps, Array.from({ length: error.step - 1 }, (_, i) => i + 1), "a checkpoint for every step before, none for the failed one");
  for (const step of steps) {
    const file = readSafetensors(join(outputDir, `checkpoint-${step}`, "model.safetensors"));
    for (const [name, entry] of file.tensors) assert.ok(toFloat32(entry, name).every(Number.isFinite), `checkpoint-${step} ${name}`);
  }
  model.dispose();
});

test("`embedtune train --learning-rate 1e6`: exit 1, one line naming the step and the figures, no final model", { timeout: 120_000 }, async () => {
  const fixture = await prepareFixture(workspace);
  const output = join(workspace, "cli");
  const result = spawnSync(
    process.execPath,
    ["bin/embedtune.js", ...trainArguments(fixture, output, ["--test", fixture.test, "--max-steps", "40", "--save-steps", "1", "--learning-rate", "1e6"])],
    { cwd: projectRoot, encoding: "utf8", env: { ...process.env, EMBEDTUNE_CACHE: join(workspace, "cache") }, timeout: 100_000 },
  );
  assert.equal(result.status, 1, result.stderr);
  const lines = errorLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  const [, step] = /^embedtune: error: step (\d+): the (loss|gradient norm) is not finite \(loss \S+, gradient norm \S+, learning rate \S+\)/.exec(lines[0]) ?? assert.fail(lines[0]);
  assert.match(lines[0], /try a lower learning rate/);
  assert.ok(!/\n\s+at /.test(result.stderr), `no stack trace: ${result.stderr}`);
  assert.ok(!existsSync(join(output, "final")), "no final model");
  assert.ok(!existsSync(join(output, `checkpoint-${step}`)), `no checkpoint of step ${step}`);
  assert.ok(!/NaN/.test(result.stdout), `no NaN metrics printed: ${result.stdout}`);
});
