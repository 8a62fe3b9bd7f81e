// CachedMultipleNegativesRankingLoss (GradCache) against MultipleNegativesRankingLoss, on both engines,
// with (anchor, positive, hard negative) columns of 8 rows in mini-batches of 3 (3 + 3 + 2):
//   dropout off: the same loss and gradients as the plain MNRL step;
//   dropout on, miniBatchSize ≥ batch: the plain step's masks, so again its loss and gradients;
//   dropout on, mini-batches of 3: the gradients of MNRL through the whole graph at once (tfjs autodiff,
//     or the plain onnxruntime step's structure: every pass kept, one loss, every backward) when each
//     mini-batch's rows get the masks of its own seed — built here, independently of grad-cache.ts;
//   the loss curve of 30 training steps follows MNRL's: within 1 % per step with dropout off (the same
//     gradients), per 10 steps within 2 % with dropout on (mini-batches draw other masks than the whole batch).
// Gradients are compared as a whole: max |Δ| ≤ 1e-5 · max |g| over every weight, and per weight tensor
// ‖Δ‖ ≤ 1e-4 · ‖g‖ (float32 sums in another order: the plain step on the same rows reordered differs from
// itself by up to ~6e-6 of a tensor's max, measured).

import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../src/backend.ts";
import { Dataset } from "../../src/data/dataset.ts";
import type { EncoderInputs } from "../../src/engines/architecture.ts";
import { toDense } from "../../src/engines/row-gradient.ts";
import { ArgumentError } from "../../src/errors.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { CachedMultipleNegativesRankingLoss, CachedMultipleNegativesSymmetricRankingLoss, MultipleNegativesRankingLoss, MultipleNegativesSymmetricRankingLoss } from "../../src/losses/index.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { pickLoss } from "../../src/steps.ts";
import { SentenceTransformerTrainingArguments } from "../../src/training/arguments.ts";
import { miniBatchDropoutSeed } from "../../src/training/grad-cache.ts";
import { batchLoss, engineLossAndGradients, type LossAndGradients } from "../../src/training/train-step.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { deriveSeed } from "../../src/util/random.ts";
import { corpus } from "../support/pair-scores.ts";
import { temporaryDirectory } from "../support/temp.ts";

type EngineName = "tfjs" | "onnxruntime";

let modelDirectory: string | undefined;

async function loadModel(engine: EngineName): Promise<SentenceTransformer> {
  if (!modelDirectory) {
    modelDirectory = join(temporaryDirectory(), "model");
    await initModel({ out: modelDirectory, hidden: 32, layers: 2, heads: 4, intermediate: 64, vocabSize: 1200, pooling: "mean", seed: 13 });
  }
  return SentenceTransformer.load(modelDirectory, { quiet: true, engine }); // onnxruntime unavailable: tfjs, and the caller skips
}

before(async () => {
  await initializeBackend({ quiet: true });
});

/** (anchor, positive, hard negative): adjacent corpus lines and one 301 lines away. */
const COLUMNS = [0, 1, 301].map((offset) => Array.from({ length: 8 }, (_, i) => corpus[(2 * i + offset) % corpus.length]));
const STEP_SEED = 4242;

function compareGradients(actual: LossAndGradients, expected: LossAndGradients, what: string): void {
  assert.ok(Math.abs(actual.loss - expected.loss) <= 1e-6 * Math.max(1, Math.abs(expected.loss)), `${what}: loss ${actual.loss} vs ${expected.loss}`);
  assert.deepEqual([...actual.gradients.keys()].sort(), [...expected.gradients.keys()].sort(), `${what}: the same weights`);
  let largest = 0;
  let worst = 0;
  for (const [name, referenceGradient] of expected.gradients) {
    const values = toDense(actual.gradients.get(name)!);
    const reference = toDense(referenceGradient);
    assert.equal(values.length, reference.length, name);
    let difference = 0;
    let norm = 0;
    reference.forEach((value, i) => {
      largest = Math.max(largest, Math.abs(value));
      worst = Math.max(worst, Math.abs(value - values[i]));
      difference += (value - values[i]) ** 2;
      norm += value * value;
    });
    assert.ok(Math.sqrt(difference) <= 1e-4 * Math.sqrt(norm) + 1e-9, `${what}: ${name}: ‖Δ‖ ${Math.sqrt(difference)} vs ‖g‖ ${Math.sqrt(norm)}`);
  }
  assert.ok(largest > 1e-3, `${what}: the gradients are not all ~0 (max ${largest})`);
  assert.ok(worst <= 1e-5 * largest, `${what}: max |Δ| ${worst} vs max |g| ${largest}`);
}

/** Rows [start, end) of a tokenized batch (its padding kept). */
function rows(inputs: EncoderInputs, start: number, end: number): EncoderInputs {
  const t = inputs.seqLength;
  const cut = (values: Int32Array) => values.slice(start * t, end * t);
  return { inputIds: cut(inputs.inputIds), attentionMask: cut(inputs.attentionMask), tokenTypeIds: cut(inputs.tokenTypeIds), batchSize: end - start, seqLength: t };
}

/** Each column's mini-batches of `size` rows with the dropout seed of each. */
function miniBatches(model: SentenceTransformer, size: number): { features: EncoderInputs; seed: number }[][] {
  return COLUMNS.map((texts, column) => {
    const features = model.tokenize(texts);
    const batches = [];
    for (let start = 0, index = 0; start < texts.length; start += size, index++) {
      batches.push({ features: rows(features, start, Math.min(start + size, texts.length)), seed: miniBatchDropoutSeed(STEP_SEED, column, index) });
    }
    return batches;
  });
}

/** MNRL through the whole tfjs graph at once, each mini-batch's rows with its own seed's masks. */
function tfjsReference(model: SentenceTransformer, size: number): LossAndGradients {
  const parameters = model.transformer.namedParameters();
  const nameOf = new Map(parameters.map(({ name, tensor }) => [tensor.name, name]));
  const loss = new MultipleNegativesRankingLoss(model);
  const { value, grads } = tf.variableGrads(() => {
    const embeddings = miniBatches(model, size).map((batches) =>
      tf.concat(batches.map(({ features, seed }) => model.forward(features, { training: true, dropoutSeed: seed })), 0),
    );
    return loss.computeLoss(embeddings);
  }, parameters.map(({ tensor }) => tensor));
  const gradients = new Map([...Object.entries(grads)].map(([variable, gradient]) => [nameOf.get(variable)!, new Float32Array(gradient.dataSync())]));
  const result = { loss: value.dataSync()[0], gradients };
  tf.dispose([value, ...Object.values(grads)]);
  return result;
}

/** The plain onnxruntime step's structure (every pass kept, one loss, every backward), one pass per mini-batch. */
async function onnxReference(model: SentenceTransformer, size: number): Promise<LossAndGradients> {
  const engine = model.encoder;
  const hiddenSize = model.transformer.hiddenSize;
  const batches = miniBatches(model, size).map((column) => column.map((batch) => ({ ...batch, pass: engine.trainingPass(batch.features, { dropoutSeed: batch.seed }) })));
  const hidden = new Map<object, tf.Variable>();
  for (const batch of batches.flat()) {
    const initial = tf.tensor3d(await batch.pass.forward(), [batch.features.batchSize, batch.features.seqLength, hiddenSize]);
    hidden.set(batch, tf.variable(initial, true));
    initial.dispose();
  }
  const loss = new MultipleNegativesRankingLoss(model);
  const { value, grads } = tf.variableGrads(
    () => loss.computeLoss(batches.map((column) => tf.concat(column.map((batch) => model.poolAndNormalize(hidden.get(batch)! as tf.Tensor3D, batch.features)), 0))),
    [...hidden.values()],
  );
  const gradients = new Map<string, Float32Array>();
  for (const batch of batches.flat()) {
    for (const [name, gradient] of await batch.pass.backward(new Float32Array(grads[hidden.get(batch)!.name].dataSync()))) {
      const sum = gradients.get(name);
      if (!sum) gradients.set(name, toDense(gradient));
      else toDense(gradient).forEach((v, i) => (sum[i] += v));
    }
  }
  const result = { loss: value.dataSync()[0], gradients };
  tf.dispose([value, ...Object.values(grads), ...hidden.values()]);
  return result;
}

for (const engine of ["tfjs", "onnxruntime"] as const) {
  describe(`CachedMultipleNegativesRankingLoss on ${engine}`, () => {
    test("dropout off: MNRL's loss and gradients (mini-batches of 3 and of 1), no tensors left behind", async (t) => {
      const model = await loadModel(engine);
      if (model.engine !== engine) return t.skip("onnxruntime unavailable here");
      const options = { training: false, checkpointLayers: false };
      const plain = await engineLossAndGradients(model, new MultipleNegativesRankingLoss(model), COLUMNS, undefined, options);
      for (const miniBatchSize of [3, 1]) {
        const before = tf.memory().numTensors;
        const cached = await engineLossAndGradients(model, new CachedMultipleNegativesRankingLoss(model, { miniBatchSize }), COLUMNS, undefined, options);
        assert.equal(tf.memory().numTensors, before, "the cached step leaves no tfjs tensors behind");
        compareGradients(cached, plain, `miniBatchSize ${miniBatchSize}`);
      }
      // The symmetric variant alike.
      const symmetric = await engineLossAndGradients(model, new MultipleNegativesSymmetricRankingLoss(model), COLUMNS.slice(0, 2), undefined, options);
      const cachedSymmetric = await engineLossAndGradients(model, new CachedMultipleNegativesSymmetricRankingLoss(model, { miniBatchSize: 3 }), COLUMNS.slice(0, 2), undefined, options);
      compareGradients(cachedSymmetric, symmetric, "CachedMultipleNegativesSymmetricRankingLoss");
      model.dispose();
    });

    test("dropout on, miniBatchSize ≥ batch: the plain step's masks, so its loss and gradients", async (t) => {
      const model = await loadModel(engine);
      if (model.engine !== engine) return t.skip("onnxruntime unavailable here");
      const options = { training: true, dropoutSeed: STEP_SEED, checkpointLayers: false };
      const plain = await engineLossAndGradients(model, new MultipleNegativesRankingLoss(model), COLUMNS, undefined, options);
      const cached = await engineLossAndGradients(model, new CachedMultipleNegativesRankingLoss(model, { miniBatchSize: 8 }), COLUMNS, undefined, options);
      compareGradients(cached, plain, "miniBatchSize 8");
      const off = await engineLossAndGradients(model, new MultipleNegativesRankingLoss(model), COLUMNS, undefined, { training: false });
      assert.ok(Math.abs(off.loss - plain.loss) > 1e-4, `dropout changes the loss (${off.loss} vs ${plain.loss})`);
      model.dispose();
    });

    test("dropout on, mini-batches of 3: MNRL's gradients through the whole graph with the same masks", async (t) => {
      const model = await loadModel(engine);
      if (model.engine !== engine) return t.skip("onnxruntime unavailable here");
      const options = { training: true, dropoutSeed: STEP_SEED, checkpointLayers: true };
      const reference = engine === "tfjs" ? tfjsReference(model, 3) : await onnxReference(model, 3);
      const cached = await engineLossAndGradients(model, new CachedMultipleNegativesRankingLoss(model, { miniBatchSize: 3 }), COLUMNS, undefined, options);
      compareGradients(cached, reference, "miniBatchSize 3");
      // Not vacuous: other masks (the plain step's, drawn over the whole batch) give another step.
      const plain = await engineLossAndGradients(model, new MultipleNegativesRankingLoss(model), COLUMNS, undefined, options);
      assert.ok(Math.abs(plain.loss - cached.loss) > 1e-3, `other masks, another loss (${plain.loss} vs ${cached.loss})`);
      model.dispose();
    });
  });
}

describe("CachedMultipleNegativesRankingLoss", () => {
  test("the loss curve of 30 training steps follows MNRL's: within 1 % per step with dropout off; per 10 steps within 2 % with dropout on", { timeout: 300_000 }, async () => {
    const dataset = Dataset.fromRows(
      Array.from({ length: 480 }, (_, i) => ({
        anchor: corpus[(2 * i) % corpus.length],
        positive: corpus[(2 * i + 1) % corpus.length],
        negative: corpus[(2 * i + 301) % corpus.length],
      })),
    );
    await loadModel("tfjs").then((model) => model.dispose()); // writes the model folder
    const noDropout = join(temporaryDirectory(), "no-dropout");
    cpSync(modelDirectory!, noDropout, { recursive: true });
    const config = JSON.parse(readFileSync(join(noDropout, "config.json"), "utf8"));
    writeFileSync(join(noDropout, "config.json"), JSON.stringify({ ...config, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }));
    const curve = async (directory: string, loss: "MultipleNegativesRankingLoss" | "CachedMultipleNegativesRankingLoss", learningRate: number) => {
      const model = await SentenceTransformer.load(directory, { quiet: true });
      const args = new SentenceTransformerTrainingArguments({
        outputDir: join(temporaryDirectory(), loss), maxSteps: 30, perDeviceTrainBatchSize: 16, learningRate,
        warmupRatio: 0.1, saveStrategy: "no", loggingSteps: 1, disableTqdm: true, seed: 7,
      });
      const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: dataset, loss: pickLoss(model, loss, { miniBatchSize: 4 }) });
      await trainer.train();
      model.dispose();
      return trainer.state.log_history.filter((entry) => "loss" in entry).map((entry) => entry.loss as number);
    };
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

    // Dropout off: the same gradients every step, so the same curve.
    const [plain, cached] = [await curve(noDropout, "MultipleNegativesRankingLoss", 5e-3), await curve(noDropout, "CachedMultipleNegativesRankingLoss", 5e-3)];
    assert.equal(cached.length, 30);
    cached.forEach((value, i) => assert.ok(Math.abs(value - plain[i]) <= 0.01 * plain[i], `step ${i + 1}: ${value} vs ${plain[i]}`));
    assert.ok(mean(cached.slice(25)) < 0.75 * mean(cached.slice(0, 5)), `the loss falls: ${cached.map((v) => v.toFixed(3)).join(" ")}`);

    // Dropout on: mini-batches draw other masks than the whole batch, so steps differ by dropout's noise
    // (up to ~5 % here); the curves agree per 10 steps.
    const [plainDropout, cachedDropout] = [await curve(modelDirectory!, "MultipleNegativesRankingLoss", 1e-3), await curve(modelDirectory!, "CachedMultipleNegativesRankingLoss", 1e-3)];
    for (let start = 0; start < 30; start += 10) {
      const [p, c] = [mean(plainDropout.slice(start, start + 10)), mean(cachedDropout.slice(start, start + 10))];
      assert.ok(Math.abs(c - p) <= 0.02 * p, `steps ${start + 1}–${start + 10}: ${c} vs ${p}`);
    }
    assert.ok(mean(cachedDropout.slice(20)) < mean(cachedDropout.slice(0, 10)), "the loss falls with dropout on too");
  });

  test("evaluation loss in mini-batches equals MNRL's; options, errors, config dict, pickLoss", async () => {
    const model = await loadModel("tfjs");
    const plain = await batchLoss(model, new MultipleNegativesRankingLoss(model), COLUMNS, undefined);
    const cached = await batchLoss(model, new CachedMultipleNegativesRankingLoss(model, { miniBatchSize: 3 }), COLUMNS, undefined);
    assert.ok(Math.abs(plain - cached) < 1e-6, `${cached} vs ${plain}`);

    const loss = pickLoss(model, "CachedMultipleNegativesRankingLoss", { miniBatchSize: 16, scale: 10 });
    assert.ok(loss instanceof CachedMultipleNegativesRankingLoss);
    assert.equal(loss.name, "CachedMultipleNegativesRankingLoss");
    assert.deepEqual(loss.getConfigDict(), { scale: 10, similarity_fct: "cos_sim", mini_batch_size: 16, gather_across_devices: false });
    assert.equal(new CachedMultipleNegativesRankingLoss(model).miniBatchSize, 32);
    assert.deepEqual(new CachedMultipleNegativesSymmetricRankingLoss(model).getConfigDict(), { scale: 20, similarity_fct: "cos_sim", mini_batch_size: 32, gather_across_devices: false });
    for (const miniBatchSize of [0, 2.5, -1]) {
      assert.throws(
        () => new CachedMultipleNegativesRankingLoss(model, { miniBatchSize }),
        (error: Error) => error instanceof ArgumentError && error.message === `miniBatchSize: must be a positive integer, got ${miniBatchSize}`,
      );
    }
    assert.throws(() => new CachedMultipleNegativesRankingLoss(model, { scale: 0 }), ArgumentError);
    // Too few columns: the loss's one-line error, before any embedding is kept.
    const before = tf.memory().numTensors;
    await assert.rejects(
      engineLossAndGradients(model, new CachedMultipleNegativesRankingLoss(model, { miniBatchSize: 3 }), COLUMNS.slice(0, 1), undefined, { training: true, dropoutSeed: deriveSeed(1) }),
      (error: Error) => error instanceof ArgumentError && /^CachedMultipleNegativesRankingLoss: needs 2 or more input columns/.test(error.message),
    );
    assert.equal(tf.memory().numTensors, before, "a rejected step leaves no tensors behind");
    model.dispose();
  });
});
