// The onnxruntime engine against the tfjs reference engine in training: every weight gradient of a
// CoSENT step (dropout off and on — both engines draw the same masks), and 200 training steps with
// dropout on following the same loss curve.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initModel } from "../../../src/generator/init-model.ts";
import { CoSENTLoss } from "../../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments } from "../../../src/training/arguments.ts";
import { toDense } from "../../../src/engines/row-gradient.ts";
import { engineLossAndGradients, lossAndGradients } from "../../../src/training/train-step.ts";
import { SentenceTransformerTrainer } from "../../../src/training/trainer.ts";
import { corpus, corpusPairScores } from "../../support/pair-scores.ts";
import { temporaryDirectory } from "../../support/temp.ts";

let modelDirectory: string | undefined;

async function model(engine: "onnxruntime" | "tfjs"): Promise<SentenceTransformer> {
  if (!modelDirectory) {
    modelDirectory = join(temporaryDirectory(), "model");
    await initModel({ out: modelDirectory, hidden: 32, layers: 2, heads: 4, intermediate: 64, vocabSize: 1200, pooling: "mean", seed: 13 });
  }
  const loaded = await SentenceTransformer.load(modelDirectory, { quiet: true, engine });
  assert.equal(loaded.engine, engine);
  return loaded;
}

for (const training of [false, true]) {
  test(`every weight gradient of a CoSENT step equals the tfjs engine's within 1e-4 (dropout ${training ? "on" : "off"})`, async () => {
    const onnx = await model("onnxruntime");
    const loss = new CoSENTLoss(onnx);
    const columns = [corpus.slice(0, 6), corpus.slice(6, 12)];
    const labels = [1, 0.2, 0.8, 0, 0.5, 0.9];
    const options = { training, dropoutSeed: 4242 };
    const reference = lossAndGradients(onnx, loss, columns, labels, options);
    const tensorsBefore = tf.memory().numTensors;
    const actual = await engineLossAndGradients(onnx, loss, columns, labels, options);
    assert.equal(tf.memory().numTensors, tensorsBefore, "the onnxruntime step leaves no tfjs tensors behind");
    assert.ok(Math.abs(actual.loss - reference.loss) < 1e-5, `loss ${actual.loss} vs ${reference.loss}`);
    assert.deepEqual([...actual.gradients.keys()].sort(), [...reference.gradients.keys()].sort());
    for (const [name, expected] of reference.gradients) {
      const values = toDense(actual.gradients.get(name)!);
      let worst = 0;
      toDense(expected).forEach((value, i) => (worst = Math.max(worst, Math.abs(value - values[i]))));
      assert.ok(worst < 1e-4, `${name}: max |Δ| ${worst}`);
    }
    onnx.dispose();
  });
}

test("200 steps with dropout on follow the tfjs engine's loss curve", { timeout: 300_000 }, async () => {
  const curves: number[][] = [];
  for (const engine of ["tfjs", "onnxruntime"] as const) {
    const trained = await model(engine);
    const args = new SentenceTransformerTrainingArguments({
      outputDir: join(temporaryDirectory(), engine), maxSteps: 200, perDeviceTrainBatchSize: 8, learningRate: 5e-4,
      warmupRatio: 0.1, saveStrategy: "no", loggingSteps: 20, disableTqdm: true,
    });
    const trainer = new SentenceTransformerTrainer({ model: trained, args, trainDataset: corpusPairScores(0, 400), loss: new CoSENTLoss(trained) });
    await trainer.train();
    curves.push(trainer.state.log_history.filter((entry) => "loss" in entry).map((entry) => entry.loss));
    trained.dispose();
  }
  const [reference, onnx] = curves;
  assert.equal(onnx.length, 10);
  onnx.forEach((value, i) => assert.ok(Math.abs(value - reference[i]) < 0.01 * Math.max(1, reference[i]), `step ${(i + 1) * 20}: ${value} vs ${reference[i]}`));
  assert.ok(onnx.at(-1)! < onnx[0], `the loss falls: ${onnx}`);
});
