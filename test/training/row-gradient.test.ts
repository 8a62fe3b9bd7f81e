// Row-sparse embedding gradients (src/engines/row-gradient.ts) give exactly the dense numbers:
//   - scatterRows accumulates a batch's rows as a hand-computed gather gradient;
//   - sums (sparse + sparse, sparse + dense, dense + sparse), frozen-row zeroing and global-norm clipping
//     equal the same operations on the densified gradients, bit for bit (−0 values included);
//   - AdamW on a RowGradient equals AdamW on the densified gradient bit for bit, weights and both
//     moments, over steps touching different rows, with weight decay on and off;
//   - a trainer run (onnxruntime engine, word table row-sparse, gradient accumulation, clipping) has the
//     loss curve, grad_norm and final weights of the same run with every gradient densified.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { addGradients, RowGradient, scatterRows, toDense, zeroRow, type Gradient } from "../../src/engines/row-gradient.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { AdamW } from "../../src/training/adamw.ts";
import { SentenceTransformerTrainingArguments } from "../../src/training/arguments.ts";
import { clipGradientsByGlobalNorm } from "../../src/training/gradient-clipping.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { createRandom } from "../../src/util/random.ts";
import { denseGradients } from "../support/golden-step.ts";
import { corpusPairScores } from "../support/pair-scores.ts";
import { temporaryDirectory } from "../support/temp.ts";

const TABLE_ROWS = 12;
const WIDTH = 3;

/** A row gradient of `rows` with random values (a −0 among them, which dense sums turn into +0). */
function randomRows(rows: number[], seed: number): RowGradient {
  const random = createRandom(seed);
  const values = Float32Array.from({ length: rows.length * WIDTH }, () => random.normal());
  values[1] = -0;
  return new RowGradient(Int32Array.from(rows), values, TABLE_ROWS, WIDTH);
}

function randomDense(seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: TABLE_ROWS * WIDTH }, () => random.normal());
}

/** Bitwise equality (−0 ≠ +0, NaN = NaN of the same bits). */
function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  assert.deepEqual(new Uint32Array(actual.buffer, actual.byteOffset, actual.length), new Uint32Array(expected.buffer, expected.byteOffset, expected.length), what);
}

test("scatterRows: each id's row sums its tokens' gradients (hand-computed), rows sorted and unique", () => {
  const source = Float32Array.from([1, 2, 3, 10, 20, 30, 100, 200, 300, 0.5, 0.25, 0.125]);
  const gradient = scatterRows([7, 2, 7, 0], source, TABLE_ROWS, WIDTH, "token id");
  assert.deepEqual(Array.from(gradient.rows), [0, 2, 7]);
  assert.deepEqual(Array.from(gradient.values), [0.5, 0.25, 0.125, 10, 20, 30, 101, 202, 303]);
  assert.throws(() => scatterRows([12], new Float32Array(WIDTH), TABLE_ROWS, WIDTH, "token id"), /token id 12 is outside the table's 12 rows/);
});

test("sums, frozen-row zeroing and clipping equal the dense operations bit for bit", () => {
  const pairs: [string, () => Gradient, () => Gradient][] = [
    ["sparse + sparse", () => randomRows([1, 4, 9], 1), () => randomRows([0, 4, 11], 2)],
    ["sparse + dense", () => randomRows([3, 5], 3), () => randomDense(4)],
    ["dense + sparse", () => randomDense(5), () => randomRows([2, 3, 10], 6)],
  ];
  for (const [what, a, b] of pairs) {
    const expected = toDense(a()).slice();
    const addend = toDense(b());
    for (let i = 0; i < expected.length; i++) expected[i] += addend[i];
    const sum = addGradients(a(), b());
    assertSameBits(toDense(sum), expected, what);
    assert.equal(sum instanceof RowGradient, what === "sparse + sparse", `${what}: row-sparse only when both are`);

    zeroRow(sum, 4, WIDTH);
    zeroRow(sum, 3, WIDTH);
    expected.fill(0, 4 * WIDTH, 5 * WIDTH);
    expected.fill(0, 3 * WIDTH, 4 * WIDTH);
    assertSameBits(toDense(sum), expected, `${what}, rows 3 and 4 zeroed`);

    const sparse = new Map<string, Gradient>([["table", sum], ["bias", Float32Array.from([0.5, -2])]]);
    const dense = new Map<string, Float32Array>([["table", expected], ["bias", Float32Array.from([0.5, -2])]]);
    for (const maxNorm of [1, 1e6]) {
      const norm = clipGradientsByGlobalNorm(sparse, maxNorm);
      assert.equal(norm, clipGradientsByGlobalNorm(dense, maxNorm), `${what}: the norm`);
      for (const [name, values] of dense) assertSameBits(toDense(sparse.get(name)!), values, `${what}: ${name} clipped at ${maxNorm}`);
    }
  }
});

for (const weightDecay of [0.01, 0]) {
  test(`AdamW on a RowGradient equals AdamW on the dense gradient bit for bit (weight decay ${weightDecay})`, () => {
    const initial = randomDense(7);
    const steps = [
      [2, 5],
      [5, 9],
      [0, 11],
      [2, 5],
      [7],
    ];
    const run = (sparse: boolean) =>
      tf.tidy(() => {
        const tensor = tf.variable(tf.tensor2d(initial, [TABLE_ROWS, WIDTH]));
        const optimizer = new AdamW([{ name: "embeddings.word_embeddings.weight", tensor }], { learningRate: 0.01, weightDecay });
        steps.forEach((rows, step) => {
          const gradient = randomRows(rows, 100 + step);
          optimizer.applyGradients(new Map([["embeddings.word_embeddings.weight", sparse ? gradient : toDense(gradient)]]));
        });
        const { first, second } = optimizer.state().get("embeddings.word_embeddings.weight")!;
        const result = { weights: tensor.dataSync() as Float32Array, first: first.slice(), second: second.slice() };
        tensor.dispose();
        return result;
      });
    const dense = run(false);
    const sparse = run(true);
    assertSameBits(sparse.weights, dense.weights, "weights");
    assertSameBits(sparse.first, dense.first, "first moments");
    assertSameBits(sparse.second, dense.second, "second moments");
    // Row 3 was never touched: only weight decay moved it.
    const keep = 1 - 0.01 * weightDecay;
    let expected = initial[3 * WIDTH];
    for (let step = 0; step < steps.length; step++) expected = Math.fround(expected * keep);
    assert.equal(sparse.weights[3 * WIDTH], expected, "an untouched row only decays");
    assert.notEqual(sparse.weights[2 * WIDTH], initial[2 * WIDTH], "a touched row moves");
  });
}

test("a trainer run with row-sparse embedding gradients has the dense run's loss curve, grad_norm and weights exactly", { timeout: 300_000 }, async () => {
  const directory = join(temporaryDirectory(), "model");
  await initModel({ out: directory, hidden: 32, layers: 2, heads: 4, intermediate: 64, vocabSize: 1200, pooling: "mean", seed: 21 });
  const runs: { logs: Record<string, number>[]; weights: Map<string, Float32Array> }[] = [];
  for (const densify of [false, true]) {
    const model = await SentenceTransformer.load(directory, { quiet: true, engine: "onnxruntime" });
    assert.equal(model.engine, "onnxruntime");
    const engine = model.encoder;
    const trainingPass = engine.trainingPass.bind(engine);
    let sparseTables = 0;
    engine.trainingPass = (inputs, options) => {
      const pass = trainingPass(inputs, options);
      return {
        forward: pass.forward,
        backward: async (hiddenGradient) => {
          const gradients = await pass.backward(hiddenGradient);
          sparseTables += [...gradients.values()].filter((gradient) => gradient instanceof RowGradient).length;
          return densify ? denseGradients(gradients) : gradients;
        },
      };
    };
    const args = new SentenceTransformerTrainingArguments({
      outputDir: join(temporaryDirectory(), densify ? "dense" : "sparse"),
      maxSteps: 12,
      perDeviceTrainBatchSize: 8,
      gradientAccumulationSteps: 2,
      learningRate: 5e-3,
      weightDecay: 0.01,
      maxGradNorm: 0.05,
      warmupRatio: 0.1,
      saveStrategy: "no",
      loggingSteps: 1,
      disableTqdm: true,
      seed: 3,
    });
    const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: corpusPairScores(0, 200), loss: new CoSENTLoss(model) });
    await trainer.train();
    assert.ok(sparseTables > 0, "the engine hands the word table's gradient row-sparse");
    runs.push({ logs: trainer.state.log_history.filter((entry) => "loss" in entry), weights: model.encoder.weights() });
    model.dispose();
  }
  const [sparse, dense] = runs;
  assert.equal(sparse.logs.length, 12);
  assert.ok(sparse.logs.some((entry) => entry.grad_norm > 0.05), "clipping happens");
  assert.deepEqual(
    sparse.logs.map(({ loss, grad_norm }) => [loss, grad_norm]),
    dense.logs.map(({ loss, grad_norm }) => [loss, grad_norm]),
  );
  for (const [name, values] of dense.weights) assertSameBits(sparse.weights.get(name)!, values, name);
});
