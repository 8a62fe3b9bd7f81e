// SoftmaxLoss: the classifier on [u, v, |u − v|(, u ∗ v)], cross-entropy by hand, torch-style init and its
// own gradients.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../src/backend.ts";
import { ArgumentError } from "../../src/errors.ts";
import { SoftmaxLoss } from "../../src/losses/index.ts";
import { createRandom } from "../../src/util/random.ts";
import { assertClose, assertUsefulGradient, crossEntropyRow, gradientOf, lossOf, mean, type Matrix } from "./reference.ts";

before(async () => {
  await initializeBackend({ quiet: true });
});

const U = [
  [1, 2],
  [0, -1],
];
const V = [
  [3, 1],
  [1, 1],
];
const LABELS = [2, 0];

describe("SoftmaxLoss", () => {
  test("features are [u, v, |u − v|] by default, [u, v, |u − v|, u ∗ v] with multiplication", () => {
    const byDefault = new SoftmaxLoss(null, { sentenceEmbeddingDimension: 2, numLabels: 3 });
    const withProduct = new SoftmaxLoss(null, { sentenceEmbeddingDimension: 2, numLabels: 3, concatenationSentMultiplication: true });
    const onlyDifference = new SoftmaxLoss(null, { sentenceEmbeddingDimension: 2, numLabels: 3, concatenationSentRep: false });
    const [u, v] = [tf.tensor2d(U), tf.tensor2d(V)];
    assert.deepEqual(byDefault.features(u, v).arraySync(), [
      [1, 2, 3, 1, 2, 1],
      [0, -1, 1, 1, 1, 2],
    ]);
    assert.deepEqual(withProduct.features(u, v).arraySync(), [
      [1, 2, 3, 1, 2, 1, 3, 2],
      [0, -1, 1, 1, 1, 2, 0, -1],
    ]);
    assert.deepEqual(onlyDifference.features(u, v).arraySync(), [
      [2, 1],
      [1, 2],
    ]);
    assert.deepEqual([byDefault.numFeatures, withProduct.numFeatures, onlyDifference.numFeatures], [6, 8, 2]);
    assert.deepEqual(byDefault.weight.shape, [6, 3]);
    assert.deepEqual(byDefault.bias.shape, [3]);
    tf.dispose([u, v]);
    [byDefault, withProduct, onlyDifference].forEach((loss) => loss.dispose());
  });

  test("cross-entropy of the classifier's logits, by hand", () => {
    const loss = new SoftmaxLoss(null, { sentenceEmbeddingDimension: 2, numLabels: 3 });
    const W: Matrix = Array.from({ length: 6 }, (_, i) => Array.from({ length: 3 }, (_, k) => ((((i + 1) * (k + 1)) % 5) - 2) / 10));
    const b = [0.1, -0.2, 0.3];
    loss.weight.assign(tf.tensor2d(W));
    loss.bias.assign(tf.tensor1d(b));
    const features = [
      [1, 2, 3, 1, 2, 1],
      [0, -1, 1, 1, 1, 2],
    ];
    const logits = features.map((f) => b.map((bias, k) => bias + f.reduce((sum, value, i) => sum + value * W[i][k], 0)));
    const expected = mean(logits.map((row, i) => crossEntropyRow(row, LABELS[i])));
    assertClose(lossOf(loss, [U, V], LABELS), expected);
    loss.dispose();
  });

  test("initialised like torch nn.Linear: U(±1/√numFeatures), seeded, drawn in torch's [out, in] order", () => {
    const make = (seed: number) => new SoftmaxLoss(null, { sentenceEmbeddingDimension: 2, numLabels: 3, seed });
    const [first, again, other] = [make(7), make(7), make(8)];
    const weights = first.weight.arraySync() as Matrix;
    const bound = 1 / Math.sqrt(6);
    assert.ok(weights.flat().every((w) => Math.abs(w) <= bound));
    assert.ok((first.bias.arraySync() as number[]).every((w) => Math.abs(w) <= bound));
    assert.ok(new Set(weights.flat()).size === 18);
    assert.deepEqual(again.weight.arraySync(), weights);
    assert.deepEqual(again.bias.arraySync(), first.bias.arraySync());
    assert.notDeepEqual(other.weight.arraySync(), weights);
    const random = createRandom(7);
    const stream = Array.from({ length: 21 }, () => (2 * random.next() - 1) * bound);
    for (let out = 0; out < 3; out++) for (let input = 0; input < 6; input++) assertClose(weights[input][out], stream[out * 6 + input], 1e-6);
    (first.bias.arraySync() as number[]).forEach((value, k) => assertClose(value, stream[18 + k], 1e-6));
    assert.deepEqual(
      first.trainableParameters.map(({ name, tensor }) => [name, tensor === first.weight || tensor === first.bias]),
      [
        ["classifier.weight", true],
        ["classifier.bias", true],
      ],
    );
    [first, again, other].forEach((loss) => loss.dispose());
  });

  test("the classifier and the embeddings get gradients", () => {
    const loss = new SoftmaxLoss(null, { sentenceEmbeddingDimension: 2, numLabels: 3, seed: 1 });
    const { value, grads } = tf.variableGrads(
      () => loss.computeLoss([tf.tensor2d(U), tf.tensor2d(V)], tf.tensor1d(LABELS)),
      loss.trainableParameters.map(({ tensor }) => tensor),
    );
    assert.ok(Number.isFinite(value.dataSync()[0]));
    for (const { tensor } of loss.trainableParameters) {
      const gradient = grads[tensor.name];
      assert.ok(gradient, `no gradient for ${tensor.name}`);
      assert.deepEqual(gradient.shape, tensor.shape);
      const values = Array.from(gradient.dataSync());
      assert.ok(values.every(Number.isFinite) && values.some((g) => Math.abs(g) > 1e-6));
    }
    tf.dispose([value, ...Object.values(grads)]);
    assertUsefulGradient(gradientOf(loss, [U, V], LABELS, 0));
    loss.dispose();
  });

  test("errors and config dict", () => {
    const loss = new SoftmaxLoss(null, { sentenceEmbeddingDimension: 2, numLabels: 3 });
    assert.throws(() => lossOf(loss, [U, V]), (e: Error) => e instanceof ArgumentError && /^SoftmaxLoss: needs a label column/.test(e.message));
    assert.throws(() => lossOf(loss, [U, V, U], LABELS), (e: Error) => e instanceof ArgumentError && /^SoftmaxLoss: needs 2 input columns/.test(e.message));
    assert.throws(
      () => lossOf(loss, [[[1, 2, 3]], [[1, 2, 3]]], [0]),
      (e: Error) => e instanceof ArgumentError && /^SoftmaxLoss: was built for 2-dimensional embeddings, got 3$/.test(e.message),
    );
    assert.throws(() => new SoftmaxLoss(null, { sentenceEmbeddingDimension: 2, numLabels: 0 }), ArgumentError);
    assert.deepEqual(loss.getConfigDict(), {});
    loss.dispose();
  });
});
