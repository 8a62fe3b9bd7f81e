// Gradients of the reference encoder on the wasm backend, checked three ways:
//  1. against tfjs autodiff through a plain-op BERT written here independently (no custom gradients);
//  2. against central finite differences on single weights;
//  3. layer checkpointing (recompute in the backward pass) gives the same gradients as keeping
//     activations, with dropout on (the recomputation must replay the same masks).

import assert from "node:assert/strict";
import { join } from "node:path";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../../src/backend.ts";
import type { EncoderInputs } from "../../../src/engines/architecture.ts";
import { initModel } from "../../../src/generator/init-model.ts";
import type { BertConfig } from "../../../src/models/families/bert/index.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { createRandom } from "../../../src/util/random.ts";
import { temporaryDirectory } from "../../support/temp.ts";

const SENTENCES = ["A man is playing a guitar.", "Hi.", "The weather will be sunny tomorrow afternoon.", "Dogs run."];
let model: SentenceTransformer;
let projection: tf.Tensor2D;

before(async () => {
  await initializeBackend({ backend: "wasm", quiet: true });
  const directory = join(temporaryDirectory(), "model");
  await initModel({ out: directory, hidden: 32, layers: 2, heads: 4, intermediate: 64, vocabSize: 400, pooling: "mean", seed: 7 });
  model = await SentenceTransformer.load(directory, { quiet: true });
  // Larger weights than the 0.02 init make every part of the network matter to the gradient.
  const random = createRandom(11);
  for (const { tensor } of model.transformer.namedParameters()) {
    tf.tidy(() => tensor.assign(tf.add(tensor, tf.mul(tf.randomNormal(tensor.shape, 0, 0.2, "float32", random.next() * 1e6), 1))));
  }
  projection = tf.tensor2d(Array.from({ length: 4 * 32 }, () => random.normal()), [4, 32]);
});

/** A scalar that depends on every embedding component: Σ embeddings ⊙ R. */
function scalarLoss(embeddings: tf.Tensor2D): tf.Scalar {
  return tf.sum(tf.mul(embeddings, projection));
}

/** Hugging Face BertModel with plain tfjs ops only (autodiff for every gradient). */
function plainOpBert(weights: ReadonlyMap<string, tf.Tensor>, config: BertConfig, inputs: EncoderInputs): tf.Tensor3D {
  const w = (name: string) => weights.get(name)!;
  const { batchSize: b, seqLength: t } = inputs;
  const h = config.hiddenSize;
  const heads = config.numAttentionHeads;
  const size = h / heads;
  const norm = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, config.layerNormEps))), gamma), beta);
  };
  const linear = (x: tf.Tensor, module: string) => tf.add(tf.matMul(x as tf.Tensor2D, w(`${module}.weight`) as tf.Tensor2D), w(`${module}.bias`));
  const layerNorm = (x: tf.Tensor, module: string) => norm(x, w(`${module}.weight`), w(`${module}.bias`));
  const words = tf.gather(w("embeddings.word_embeddings.weight"), tf.tensor1d(inputs.inputIds, "int32"));
  const types = tf.gather(w("embeddings.token_type_embeddings.weight"), tf.tensor1d(inputs.tokenTypeIds, "int32"));
  const positions = tf.tile(tf.slice(w("embeddings.position_embeddings.weight"), [0, 0], [t, h]), [b, 1]);
  let hidden = layerNorm(tf.add(tf.add(words, types), positions), "embeddings.LayerNorm");
  const mask = tf.reshape(tf.mul(tf.sub(1, tf.tensor1d(inputs.attentionMask, "float32")), -3.4028234663852886e38), [b, 1, 1, t]);
  const heads4d = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [b, t, heads, size]), [0, 2, 1, 3]);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layer = `encoder.layer.${i}`;
    const q = heads4d(linear(hidden, `${layer}.attention.self.query`));
    const k = heads4d(linear(hidden, `${layer}.attention.self.key`));
    const v = heads4d(linear(hidden, `${layer}.attention.self.value`));
    const scores = tf.add(tf.div(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), Math.sqrt(size)), mask);
    const context = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [b * t, h]);
    const attended = layerNorm(tf.add(linear(context, `${layer}.attention.output.dense`), hidden), `${layer}.attention.output.LayerNorm`);
    const inner = linear(attended, `${layer}.intermediate.dense`);
    const activated = tf.mul(tf.mul(inner, 0.5), tf.add(1, tf.erf(tf.div(inner, Math.SQRT2))));
    hidden = layerNorm(tf.add(linear(activated, `${layer}.output.dense`), attended), `${layer}.output.LayerNorm`);
  }
  return tf.reshape(hidden, [b, t, h]) as tf.Tensor3D;
}

function gradientsOf(embed: () => tf.Tensor2D): Map<string, Float32Array> {
  const parameters = model.transformer.namedParameters();
  const { value, grads } = tf.variableGrads(() => scalarLoss(embed()), parameters.map((p) => p.tensor));
  value.dispose();
  const result = new Map<string, Float32Array>();
  for (const { name, tensor } of parameters) {
    result.set(name, grads[tensor.name].dataSync() as Float32Array);
    grads[tensor.name].dispose();
  }
  return result;
}

function assertClose(actual: Map<string, Float32Array>, expected: Map<string, Float32Array>, relative: number) {
  for (const [name, values] of expected) {
    const other = actual.get(name)!;
    let scale = 0;
    let worst = 0;
    values.forEach((value, i) => {
      scale = Math.max(scale, Math.abs(value));
      worst = Math.max(worst, Math.abs(value - other[i]));
    });
    // (the key bias has an exactly zero gradient: softmax ignores a constant added to every score)
    assert.ok(worst <= relative * scale + 1e-6, `${name}: max diff ${worst} vs gradient scale ${scale}`);
  }
}

test("runs on the wasm backend", () => assert.equal(tf.getBackend(), "wasm"));

test("encoder gradients equal tfjs autodiff through a plain-op BERT (every weight)", () => {
  const inputs = model.tokenize(SENTENCES);
  const pool = (tokens: tf.Tensor3D) => model.poolAndNormalize(tokens, inputs);
  const reference = gradientsOf(() => pool(plainOpBert(model.transformer.weights, model.transformer.config as BertConfig, inputs)));
  assertClose(gradientsOf(() => model.forward(inputs)), reference, 1e-4);
  assertClose(gradientsOf(() => model.forward(inputs, { checkpointLayers: true })), reference, 1e-4);
});

test("encoder gradients agree with central finite differences", () => {
  const inputs = model.tokenize(SENTENCES);
  const analytic = gradientsOf(() => model.forward(inputs));
  const lossValue = () => tf.tidy(() => scalarLoss(model.forward(inputs)).dataSync()[0]);
  const probes: [string, number][] = [
    ["embeddings.word_embeddings.weight", inputs.inputIds[1] * 32 + 3],
    ["embeddings.position_embeddings.weight", 2 * 32 + 5],
    ["embeddings.LayerNorm.weight", 7],
    ["encoder.layer.0.attention.self.query.weight", 40],
    ["encoder.layer.0.attention.self.value.bias", 9],
    ["encoder.layer.1.intermediate.dense.weight", 100],
    ["encoder.layer.1.output.LayerNorm.bias", 4],
  ];
  const parameters = new Map(model.transformer.namedParameters().map((p) => [p.name, p.tensor]));
  const step = 2e-3;
  for (const [name, index] of probes) {
    const variable = parameters.get(name)!;
    const original = variable.dataSync().slice() as Float32Array;
    const at = (delta: number) => {
      const values = original.slice();
      values[index] += delta;
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
      return lossValue();
    };
    const numeric = (at(step) - at(-step)) / (2 * step);
    tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)));
    const exact = analytic.get(name)![index];
    assert.ok(Math.abs(exact) > 1e-3, `${name}[${index}] gradient ${exact} too small to probe`);
    assert.ok(Math.abs(numeric - exact) <= 2e-2 * Math.abs(exact) + 2e-3, `${name}[${index}]: finite difference ${numeric} vs gradient ${exact}`);
  }
});

test("with dropout on, checkpointed layers replay the same masks: identical gradients", () => {
  const inputs = model.tokenize(SENTENCES);
  const options = { training: true, dropoutSeed: 1234 };
  const kept = gradientsOf(() => model.forward(inputs, options));
  const recomputed = gradientsOf(() => model.forward(inputs, { ...options, checkpointLayers: true }));
  assertClose(recomputed, kept, 1e-6);
  const otherMasks = gradientsOf(() => model.forward(inputs, { ...options, dropoutSeed: 99 }));
  const query = "encoder.layer.0.attention.self.query.weight";
  assert.notDeepEqual(Array.from(otherMasks.get(query)!), Array.from(kept.get(query)!), "another seed must give other masks");
  const noDropout = gradientsOf(() => model.forward(inputs));
  assert.notDeepEqual(Array.from(noDropout.get(query)!), Array.from(kept.get(query)!), "dropout must change the gradient");
});

test("a gradient computation leaves no tensors behind", () => {
  const inputs = model.tokenize(SENTENCES);
  gradientsOf(() => model.forward(inputs, { training: true, dropoutSeed: 5, checkpointLayers: true }));
  const before = tf.memory().numTensors;
  gradientsOf(() => model.forward(inputs, { training: true, dropoutSeed: 6, checkpointLayers: true }));
  assert.equal(tf.memory().numTensors, before);
});
