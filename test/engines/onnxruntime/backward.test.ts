// BERT's onnxruntime training graphs (the post-LN encoder's OnnxArchitecture) against the tfjs reference:
// the training forward graph equals tfjs's forward, and the hand-written backward graph on the forward's
// saved activations (+ the embedding scatter in JS) gives every weight's gradient of L = Σ hidden ⊙ R as
// tfjs's gradients do, with dropout off and on (the same seeded masks); plus central finite differences
// through the ORT forward graph. (Speed is measured in bench/.)

import assert from "node:assert/strict";
import { join } from "node:path";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { initializeBackend } from "../../../src/backend.ts";
import { encoderShape, type EncoderInputs } from "../../../src/engines/architecture.ts";
import { dropout as tfjsDropout } from "../../../src/engines/tfjs/dropout.ts";
import { embeddingDropoutSeed, layerDropoutSeed, siteDropoutSeed } from "../../../src/engines/dropout-masks.ts";
import { initModel } from "../../../src/generator/init-model.ts";
import { bertFamily, type BertConfig } from "../../../src/models/families/bert/index.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { createRandom } from "../../../src/util/random.ts";
import { temporaryDirectory } from "../../support/temp.ts";
import { denseGradients } from "../../support/golden-step.ts";
import { createTrainingGraphs, type TrainingGraphs } from "../../support/training-graphs.ts";

const SENTENCES = ["A man is playing a guitar.", "Hi.", "The weather will be sunny tomorrow afternoon.", "Dogs run."];
const DROPOUT_SEED = 1234;
const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: "all",
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
  extra: { session: { intra_op: { allow_spinning: "0" } } },
};

let model: SentenceTransformer;
let config: BertConfig;
let inputs: EncoderInputs;
let projection: Float32Array; // R [B, T, H]
const weights = new Map<string, Float32Array>();
const onnx = bertFamily.onnx;
const graphs: Record<"dropout" | "noDropout", TrainingGraphs> = {} as never;

before(async () => {
  await initializeBackend({ quiet: true });
  const directory = join(temporaryDirectory(), "model");
  await initModel({ out: directory, hidden: 32, layers: 2, heads: 4, intermediate: 64, vocabSize: 400, pooling: "mean", seed: 7 });
  model = await SentenceTransformer.load(directory, { quiet: true });
  config = model.transformer.config as BertConfig;
  // Larger weights than the 0.02 init make every part of the network matter to the gradient.
  const random = createRandom(11);
  for (const { tensor } of model.transformer.namedParameters()) {
    tf.tidy(() => tensor.assign(tf.add(tensor, tf.randomNormal(tensor.shape, 0, 0.2, "float32", random.next() * 1e6))));
  }
  for (const { name, tensor } of model.transformer.namedParameters()) weights.set(name, tensor.dataSync() as Float32Array);
  inputs = model.tokenize(SENTENCES);
  assert.ok(inputs.attentionMask.some((bit) => bit === 0), "the batch must contain padding");
  projection = Float32Array.from({ length: inputs.batchSize * inputs.seqLength * config.hiddenSize }, () => random.normal());
  graphs.dropout = await createTrainingGraphs(onnx, config, { dropout: true }, SESSION_OPTIONS);
  graphs.noDropout = await createTrainingGraphs(onnx, config, { dropout: false }, SESSION_OPTIONS);
});

function int64(values: Int32Array, shape: number[]): ort.Tensor {
  return new ort.Tensor("int64", BigInt64Array.from(values, (v) => BigInt(v)), shape);
}

/** A dropout seed (masked graphs), "ones" (masked graphs fed all-ones masks) or "off" (graphs without masks). */
type Dropout = number | "ones" | "off";

function feedsFor(batch: EncoderInputs, weightValues: Map<string, Float32Array>, cfg: BertConfig, dropout: Dropout): Record<string, ort.Tensor> {
  const { batchSize: b, seqLength: t } = batch;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: int64(batch.inputIds, [b, t]),
    attention_mask: int64(batch.attentionMask, [b, t]),
    token_type_ids: int64(batch.tokenTypeIds, [b, t]),
  };
  for (const spec of bertFamily.parameters(cfg)) feeds[spec.name] = new ort.Tensor("float32", weightValues.get(spec.name)!, encoderShape(spec));
  if (dropout !== "off") {
    for (const [name, { values, shape }] of onnx.dropoutMasks(cfg, b, t, dropout === "ones" ? 0 : dropout)) {
      feeds[name] = new ort.Tensor("float32", dropout === "ones" ? values.fill(1) : values, shape);
    }
  }
  return feeds;
}

const graphsFor = (dropout: Dropout) => (dropout === "off" ? graphs.noDropout : graphs.dropout);

async function ortHidden(weightValues: Map<string, Float32Array>, dropout: Dropout): Promise<Float32Array> {
  return (await graphsFor(dropout).forward(feedsFor(inputs, weightValues, config, dropout))).hidden;
}

async function ortGradients(dropout: Dropout): Promise<Map<string, Float32Array>> {
  const feeds = feedsFor(inputs, weights, config, dropout);
  const { saved } = await graphsFor(dropout).forward(feeds);
  const outputs = await graphsFor(dropout).backward(feeds, saved, projection, [inputs.batchSize, inputs.seqLength, config.hiddenSize]);
  return denseGradients(onnx.gradients(config, inputs, outputs));
}

function tfjsOptions(dropout: Dropout) {
  return typeof dropout === "number" ? { training: true, dropoutSeed: dropout } : {};
}

function tfjsHidden(dropout: Dropout): Float32Array {
  return tf.tidy(() => model.transformer.forward(inputs, tfjsOptions(dropout)).dataSync() as Float32Array);
}

function tfjsGradients(dropout: Dropout): Map<string, Float32Array> {
  const parameters = model.transformer.namedParameters();
  const r = tf.tensor3d(projection, [inputs.batchSize, inputs.seqLength, config.hiddenSize]);
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(model.transformer.forward(inputs, tfjsOptions(dropout)), r)),
    parameters.map((p) => p.tensor),
  );
  value.dispose();
  r.dispose();
  const result = new Map<string, Float32Array>();
  for (const { name, tensor } of parameters) {
    result.set(name, grads[tensor.name].dataSync() as Float32Array);
    grads[tensor.name].dispose();
  }
  return result;
}

function maxDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): { worst: number; scale: number } {
  assert.equal(actual.length, expected.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
  }
  return { worst, scale };
}

function assertGradientsClose(actual: Map<string, Float32Array>, expected: Map<string, Float32Array>, relative: number): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [name, values] of expected) {
    const { worst, scale } = maxDifference(actual.get(name)!, values);
    if (name.endsWith("attention.self.key.bias")) {
      // Exactly zero (softmax ignores a constant added to every score): both engines give round-off,
      // which must be negligible next to the key kernel's gradient.
      const largest = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const kernelScale = largest(expected.get(name.replace(/bias$/, "weight"))!);
      const noise = Math.max(largest(values), largest(actual.get(name)!));
      assert.ok(noise <= relative * kernelScale, `${name}: ${noise} vs key kernel gradient scale ${kernelScale}`);
      continue;
    }
    assert.ok(worst <= relative * scale + 1e-6, `${name}: max diff ${worst} vs gradient scale ${scale}`);
  }
}

test("dropoutMasks draws tfjs's masks (same seeds, same row-major order)", () => {
  const { batchSize: b, seqLength: t } = inputs;
  const h = config.hiddenSize;
  const feeds = Object.fromEntries([...onnx.dropoutMasks(config, b, t, DROPOUT_SEED)].map(([name, { values }]) => [name, values]));
  assert.equal(Object.keys(feeds).length, 1 + 3 * config.numHiddenLayers);
  const tfjsMask = (shape: number[], probability: number, seed: number) =>
    tf.tidy(() => tfjsDropout(tf.ones(shape), probability, seed).dataSync() as Float32Array);
  assert.deepEqual(feeds["dropout.embeddings"], tfjsMask([b * t, h], config.hiddenDropoutProb, embeddingDropoutSeed(DROPOUT_SEED)));
  const layerSeed = layerDropoutSeed(DROPOUT_SEED, 1);
  assert.deepEqual(
    feeds["dropout.layer.1.probabilities"],
    tfjsMask([b, config.numAttentionHeads, t, t], config.attentionProbsDropoutProb, siteDropoutSeed(layerSeed, "probabilities")),
  );
  assert.deepEqual(feeds["dropout.layer.1.output"], tfjsMask([b * t, h], config.hiddenDropoutProb, siteDropoutSeed(layerSeed, "output")));
  const dropped = feeds["dropout.layer.0.attention"].filter((v) => v === 0).length / (b * t * h);
  assert.ok(dropped > 0.05 && dropped < 0.15, `dropped fraction ${dropped}`);
});

test("the training forward graph equals tfjs's forward, dropout off and on", async () => {
  for (const dropout of ["off", "ones", DROPOUT_SEED] as const) {
    const { worst, scale } = maxDifference(await ortHidden(weights, dropout), tfjsHidden(dropout));
    assert.ok(worst <= 1e-5 * Math.max(1, scale), `dropout ${dropout}: max diff ${worst} (scale ${scale})`);
  }
  const { worst } = maxDifference(await ortHidden(weights, DROPOUT_SEED), await ortHidden(weights, "off"));
  assert.ok(worst > 1e-2, "dropout must change the output");
});

test("backward graph gradients equal tfjs's for every weight, dropout off", async () => {
  const expected = tfjsGradients("off");
  assertGradientsClose(await ortGradients("off"), expected, 1e-4);
  assertGradientsClose(await ortGradients("ones"), expected, 1e-4);
});

test("backward graph gradients equal tfjs's for every weight, dropout on (seed 1234)", async () => {
  const expected = tfjsGradients(DROPOUT_SEED);
  const actual = await ortGradients(DROPOUT_SEED);
  assertGradientsClose(actual, expected, 1e-4);
  const query = "encoder.layer.0.attention.self.query.weight";
  const { worst, scale } = maxDifference(actual.get(query)!, tfjsGradients("off").get(query)!);
  assert.ok(worst > 1e-3 * scale, "dropout must change the gradient");
});

test("backward graph gradients agree with central finite differences through the forward graph", async () => {
  const analytic = await ortGradients(DROPOUT_SEED);
  const loss = async (values: Map<string, Float32Array>) => {
    const hidden = await ortHidden(values, DROPOUT_SEED);
    let sum = 0;
    for (let i = 0; i < hidden.length; i++) sum += hidden[i] * projection[i];
    return sum;
  };
  const h = config.hiddenSize;
  const probes: [string, number][] = [
    ["embeddings.word_embeddings.weight", inputs.inputIds[2] * h + 3],
    ["encoder.layer.0.attention.self.key.weight", 37],
    ["encoder.layer.1.intermediate.dense.bias", 11],
  ];
  const step = 2e-3;
  for (const [name, index] of probes) {
    const at = async (delta: number) => {
      const values = weights.get(name)!.slice();
      values[index] += delta;
      return loss(new Map(weights).set(name, values));
    };
    const numeric = ((await at(step)) - (await at(-step))) / (2 * step);
    const exact = analytic.get(name)![index];
    assert.ok(Math.abs(exact) > 1e-3, `${name}[${index}] gradient ${exact} too small to probe`);
    assert.ok(Math.abs(numeric - exact) <= 2e-2 * Math.abs(exact) + 2e-3, `${name}[${index}]: finite difference ${numeric} vs gradient ${exact}`);
  }
});
