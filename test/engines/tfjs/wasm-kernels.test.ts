// Gradients through every op a BERT encoder, its losses and Adam use must be the same on wasm (with
// registerWasmTrainingKernels) as on cpu, within 1e-5 (relative for values above 1). Where the
// registered code is ours, the numbers are also checked against hand-computed ones.

import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerMissingTrainingGradients, registerWasmTrainingKernels } from "../../../src/engines/tfjs/wasm-kernels.ts";

interface TensorValues {
  dtype: string;
  shape: number[];
  values: number[];
}

type Computation = () => tf.Tensor | tf.Tensor[];

before(async () => {
  registerWasmTrainingKernels();
  registerMissingTrainingGradients();
  assert.ok(await tf.setBackend("wasm"), "the wasm backend initialises");
  await tf.setBackend("cpu");
});

/** Runs `compute` on `backend` and copies its tensors out as plain arrays. */
async function runOn(backend: "wasm" | "cpu", compute: Computation): Promise<TensorValues[]> {
  await tf.setBackend(backend);
  const tensors = tf.tidy(() => {
    const result = compute();
    return Array.isArray(result) ? result : [result];
  });
  const copies = tensors.map((t) => ({ dtype: t.dtype, shape: t.shape, values: Array.from(t.dataSync()) }));
  tf.dispose(tensors);
  return copies;
}

function assertClose(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const tolerance = 1e-5 * Math.max(1, Math.abs(expected[i]!));
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= tolerance,
      `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (±${tolerance})`,
    );
  }
}

/** Computes on cpu and on wasm, asserts agreement, returns the wasm result. */
async function assertWasmMatchesCpu(compute: Computation): Promise<TensorValues[]> {
  const onCpu = await runOn("cpu", compute);
  const onWasm = await runOn("wasm", compute);
  assert.equal(onWasm.length, onCpu.length, "number of outputs");
  onCpu.forEach((expected, i) => {
    assert.deepEqual(onWasm[i]!.shape, expected.shape, `output ${i}: shape`);
    assert.equal(onWasm[i]!.dtype, expected.dtype, `output ${i}: dtype`);
    assertClose(onWasm[i]!.values, expected.values, `output ${i}`);
  });
  return onWasm;
}

/** Fixed, varied values in about [-2, 2]: the same on every run and backend. */
function fixed(shape: number[], seed = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => 2 * Math.sin(1.7 * i + 0.9 * seed) * Math.cos(0.3 * i * seed));
  return tf.tensor(values, shape);
}

function positive(shape: number[], seed = 1): tf.Tensor {
  return tf.add(tf.abs(fixed(shape, seed)), 0.25);
}

/** Gradient of sum(f(x) · w) for fixed weights w, so that every output element matters differently. */
function weightedGradient(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.grad((input: tf.Tensor) => {
    const y = f(input);
    return tf.sum(tf.mul(y, fixed(y.shape, 7)));
  })(x);
}

function weightedGradients(f: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): tf.Tensor[] {
  return tf.grads((...args: tf.Tensor[]) => {
    const y = f(...args);
    return tf.sum(tf.mul(y, fixed(y.shape, 7)));
  })(inputs);
}

// gather (embedding lookup): its gradient is UnsortedSegmentSum, the kernel wasm lacks.

test("gather axis 0 with 1-D ids: repeated ids accumulate their gradients", async () => {
  const [gradient] = await assertWasmMatchesCpu(() =>
    tf.grad((table: tf.Tensor) => {
      const rows = tf.gather(table, tf.tensor1d([2, 0, 2, 2], "int32"));
      return tf.sum(tf.mul(rows, tf.tensor2d([[1, 10], [2, 20], [3, 30], [4, 40]])));
    })(tf.tensor2d([[1, 2], [3, 4], [5, 6]])),
  );
  // Row 2 is gathered at positions 0, 2, 3: 1+3+4 = 8, 10+30+40 = 80. Row 0 at position 1. Row 1 never.
  assert.deepEqual(gradient!.values, [2, 20, 0, 0, 8, 80]);
});

test("gather axis 0 with 2-D ids: repeated ids accumulate their gradients", async () => {
  const [gradient] = await assertWasmMatchesCpu(() =>
    tf.grad((table: tf.Tensor) => {
      const rows = tf.gather(table, tf.tensor2d([[1, 1], [0, 1]], [2, 2], "int32"));
      return tf.sum(tf.mul(rows, tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])));
    })(tf.zeros([3, 2])),
  );
  // Row 1 at [0,0], [0,1], [1,1]: (1+3+7, 2+4+8); row 0 at [1,0]: (5, 6).
  assert.deepEqual(gradient!.values, [5, 6, 11, 14, 0, 0]);
});

test("gather axis 1 and with batchDims 1", async () => {
  await assertWasmMatchesCpu(() => [
    weightedGradient((x) => tf.gather(x, tf.tensor1d([3, 0, 3], "int32"), 1), fixed([2, 4, 3])),
    weightedGradient((x) => tf.gather(x, tf.tensor2d([[0, 2], [1, 1]], [2, 2], "int32"), 1, 1), fixed([2, 3, 2])),
  ]);
});

test("UnsortedSegmentSum drops out-of-range and negative segment ids", async () => {
  const [sums, intSums] = await assertWasmMatchesCpu(() => [
    tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]), tf.tensor1d([1, 5, 1, -1], "int32"), 3),
    tf.cast(tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3], "int32"), tf.tensor1d([0, 0, 2], "int32"), 3), "int32"),
  ]);
  assert.deepEqual(sums!.values, [0, 0, 6, 8, 0, 0]);
  assert.deepEqual(intSums!.values, [3, 0, 3]);
});

test("UnsortedSegmentSum on wasm keeps int32 as int32 (as TensorFlow; the cpu backend returns float32)", async () => {
  const [sums] = await runOn("wasm", () =>
    tf.unsortedSegmentSum(tf.tensor1d([2147483000, 600, 5], "int32"), tf.tensor1d([0, 0, 1], "int32"), 2),
  );
  assert.equal(sums!.dtype, "int32");
  assert.deepEqual(sums!.values, [2147483600, 5]);
});

// Dense layers and attention.

test("matMul 2-D with every transpose combination", async () => {
  await assertWasmMatchesCpu(() =>
    [false, true].flatMap((transposeA) =>
      [false, true].flatMap((transposeB) =>
        weightedGradients(
          (a, b) => tf.matMul(a, b, transposeA, transposeB),
          [fixed(transposeA ? [4, 3] : [3, 4], 1), fixed(transposeB ? [5, 4] : [4, 5], 2)],
        ),
      ),
    ),
  );
});

test("matMul batched 4-D (attention shapes) with every transpose combination", async () => {
  await assertWasmMatchesCpu(() =>
    [false, true].flatMap((transposeA) =>
      [false, true].flatMap((transposeB) =>
        weightedGradients(
          (a, b) => tf.matMul(a, b, transposeA, transposeB),
          [fixed(transposeA ? [2, 3, 4, 5] : [2, 3, 5, 4], 3), fixed(transposeB ? [2, 3, 6, 4] : [2, 3, 4, 6], 4)],
        ),
      ),
    ),
  );
});

test("fused matMul with bias and relu", async () => {
  await assertWasmMatchesCpu(() =>
    weightedGradients(
      (x, w, b) => tf.fused.matMul({ a: x, b: w, bias: b, activation: "relu" }),
      [fixed([4, 3], 1), fixed([3, 5], 2), fixed([5], 3)],
    ),
  );
});

test("add, sub, mul, div with broadcasting", async () => {
  const a = (): tf.Tensor => fixed([2, 3, 4], 1);
  await assertWasmMatchesCpu(() => [
    ...weightedGradients((x, y) => tf.add(x, y), [a(), fixed([4], 2)]),
    ...weightedGradients((x, y) => tf.sub(x, y), [a(), fixed([3, 1], 3)]),
    ...weightedGradients((x, y) => tf.mul(x, y), [a(), fixed([2, 1, 4], 4)]),
    ...weightedGradients((x, y) => tf.div(x, y), [a(), positive([3, 4], 5)]),
    ...weightedGradients((x, y) => tf.div(x, y), [a(), tf.scalar(1.5)]),
  ]);
});

test("softmax, logSoftmax and logSumExp", async () => {
  await assertWasmMatchesCpu(() => [
    weightedGradient((x) => tf.softmax(x), fixed([2, 3, 5])),
    weightedGradient((x) => tf.logSoftmax(x), fixed([4, 5])),
    weightedGradient((x) => tf.logSumExp(x, 1), fixed([3, 4])),
    weightedGradient((x) => tf.logSumExp(x, [0, 1], true), fixed([3, 4])),
    // CoSENT's form: scaled, with masked pairs at −1e12.
    tf.grad((x: tf.Tensor) => tf.logSumExp(tf.concat([tf.zeros([1]), tf.add(tf.mul(x, 20), tf.tensor1d([0, -1e12, 0, -1e12]))])))(fixed([4])),
  ]);
});

const unaryCases: Record<string, { op: (x: tf.Tensor) => tf.Tensor; input: () => tf.Tensor }> = {
  erf: { op: tf.erf, input: () => fixed([3, 4]) },
  "gelu (exact, through erf)": { op: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))), input: () => fixed([3, 4]) },
  exp: { op: tf.exp, input: () => fixed([3, 4]) },
  log: { op: tf.log, input: () => positive([3, 4]) },
  sqrt: { op: tf.sqrt, input: () => positive([3, 4]) },
  rsqrt: { op: tf.rsqrt, input: () => positive([3, 4]) },
  square: { op: tf.square, input: () => fixed([3, 4]) },
  relu: { op: tf.relu, input: () => fixed([3, 4]) },
  abs: { op: tf.abs, input: () => fixed([3, 4]) },
  tanh: { op: tf.tanh, input: () => fixed([3, 4]) },
  neg: { op: tf.neg, input: () => fixed([3, 4]) },
  "pow 1.5": { op: (x) => tf.pow(x, 1.5), input: () => positive([3, 4]) },
};

for (const [name, { op, input }] of Object.entries(unaryCases)) {
  test(`unary ${name}`, async () => {
    await assertWasmMatchesCpu(() => weightedGradient(op, input()));
  });
}

test("mean and sum over axes", async () => {
  await assertWasmMatchesCpu(() => [
    weightedGradient((x) => tf.mean(x, -1, true), fixed([2, 3, 4])),
    weightedGradient((x) => tf.mean(x, [0, 2]), fixed([2, 3, 4])),
    weightedGradient((x) => tf.sum(x, 1), fixed([2, 3, 4])),
    weightedGradient((x) => tf.sum(x), fixed([2, 3, 4])),
    // Variance as in LayerNorm: mean(square(x − mean)).
    weightedGradient((x) => tf.mean(tf.square(tf.sub(x, tf.mean(x, -1, true))), -1, true), fixed([2, 3, 4])),
  ]);
});

test("reshape and transpose (split heads, merge heads)", async () => {
  await assertWasmMatchesCpu(() => [
    weightedGradient((x) => tf.transpose(tf.reshape(x, [2, 3, 2, 2]), [0, 2, 1, 3]), fixed([2, 3, 4])),
    weightedGradient((x) => tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [2, 3, 4]), fixed([2, 2, 3, 2])),
  ]);
});

test("concat, split and slice", async () => {
  await assertWasmMatchesCpu(() => [
    ...weightedGradients((x, y) => tf.concat([x, y, x], 1), [fixed([2, 3]), fixed([2, 2], 2)]),
    weightedGradient((x) => tf.split(x, [1, 3], 1)[1]!, fixed([2, 4])),
    weightedGradient((x) => tf.mul(tf.split(x, 3, 2)[0]!, tf.split(x, 3, 2)[2]!), fixed([2, 2, 6])),
    weightedGradient((x) => tf.slice(x, [0, 1, 1], [2, 2, -1]), fixed([2, 3, 4])),
  ]);
});

test("stridedSlice: gradient lands at the sliced positions, whatever the strides and masks", async () => {
  const [stepTwo, reversed, shrunk] = await assertWasmMatchesCpu(() => {
    const x = tf.tensor2d([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    const weights = (shape: number[]): tf.Tensor => tf.reshape(tf.range(1, shape.reduce((a, b) => a * b, 1) + 1), shape);
    const gradientOf = (slice: (x: tf.Tensor) => tf.Tensor): tf.Tensor =>
      tf.grad((input: tf.Tensor) => {
        const y = slice(input);
        return tf.sum(tf.mul(y, weights(y.shape)));
      })(x);
    return [
      gradientOf((t) => tf.stridedSlice(t, [0, 1], [3, 4], [2, 2])), // rows 0, 2; columns 1, 3
      gradientOf((t) => tf.stridedSlice(t, [2, 3], [0, 0], [-1, -2])), // rows 2, 1; columns 3, 1
      gradientOf((t) => tf.stridedSlice(t, [1, 0], [2, 4], [1, 1], 0, 2, 0, 0, 1)), // row 1 as a vector
    ];
  });
  assert.deepEqual(stepTwo!.values, [0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
  assert.deepEqual(reversed!.values, [0, 0, 0, 0, 0, 4, 0, 3, 0, 2, 0, 1]);
  assert.deepEqual(shrunk!.values, [0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0]);
});

test("maximum, minimum and squaredDifference, broadcasting with both inputs differentiated", async () => {
  const [dx, dy] = await assertWasmMatchesCpu(() =>
    tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.maximum(x, y)))([tf.tensor2d([[1, 5], [3, 2]]), tf.tensor1d([2, 1])]),
  );
  // max = [[2 (y), 5 (x)], [3 (x), 2 (x)]]: each input gets 1 where it won, summed over broadcast rows.
  assert.deepEqual(dx!.values, [0, 1, 1, 1]);
  assert.deepEqual(dy!.values, [1, 0]);
  await assertWasmMatchesCpu(() => [
    ...weightedGradients((x, y) => tf.maximum(x, y), [fixed([3, 4], 1), fixed([3, 4], 2)]),
    ...weightedGradients((x, y) => tf.maximum(x, y), [fixed([3, 4], 1), fixed([4], 2)]),
    ...weightedGradients((x, y) => tf.minimum(x, y), [fixed([3, 1], 1), fixed([4], 3)]),
    ...weightedGradients((x, y) => tf.squaredDifference(x, y), [fixed([2, 3, 4], 1), fixed([3, 1], 3)]),
    weightedGradient((x) => tf.maximum(x, 1e-9), fixed([3, 4])),
  ]);
});

test("where, with a condition computed from the differentiated input", async () => {
  const [gradient, fromMask] = await assertWasmMatchesCpu(() => [
    tf.grad((x: tf.Tensor) => tf.sum(tf.where(tf.greater(x, 0), x, tf.mul(x, 3))))(tf.tensor1d([1, -2, 0.5, -0.1])),
    tf.grad((x: tf.Tensor) => tf.sum(tf.where(tf.tensor1d([true, false, true], "bool"), tf.square(x), tf.zerosLike(x))))(tf.tensor1d([1, 2, 3])),
  ]);
  assert.deepEqual(gradient!.values, [1, 3, 1, 3]);
  assert.deepEqual(fromMask!.values, [2, 0, 6]);
});

test("comparisons and logical ops inside a loss get a zero gradient", async () => {
  const [gradient] = await assertWasmMatchesCpu(() =>
    tf.grad((x: tf.Tensor) => {
      const inBand = tf.logicalAnd(tf.greaterEqual(x, -1), tf.logicalNot(tf.logicalOr(tf.greater(x, 1), tf.equal(x, 0.5))));
      const kept = tf.logicalAnd(inBand, tf.logicalOr(tf.less(x, 0), tf.notEqual(x, 0.75)));
      const alsoKept = tf.logicalAnd(tf.lessEqual(x, 0.75), tf.greater(x, 0.6));
      const mask = tf.logicalAnd(tf.logicalOr(kept, alsoKept), tf.logicalNot(tf.isNaN(x)));
      return tf.sum(tf.mul(x, tf.cast(mask, "float32")));
    })(tf.tensor1d([-2, -0.5, 0.5, 0.75, 2])),
  );
  assert.deepEqual(gradient!.values, [0, 1, 0, 1, 0]);
});

test("oneHot labels in softmax cross-entropy (MultipleNegativesRankingLoss)", async () => {
  await assertWasmMatchesCpu(() =>
    weightedGradients((anchors, positives) => {
      const normalize = (t: tf.Tensor): tf.Tensor => tf.div(t, tf.norm(t, "euclidean", -1, true));
      const scores = tf.mul(tf.matMul(normalize(anchors), normalize(positives), false, true), 20);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 1, 2], "int32"), 3), scores);
    }, [fixed([3, 4], 1), fixed([3, 4], 2)]),
  );
});

test("cumsum on every axis, exclusive and reversed", async () => {
  const results = await assertWasmMatchesCpu(() =>
    [0, 1].flatMap((axis) =>
      [false, true].flatMap((exclusive) =>
        [false, true].map((reverse) => weightedGradient((x) => tf.cumsum(x, axis, exclusive, reverse), fixed([3, 4]))),
      ),
    ),
  );
  assert.equal(results.length, 8);
  // By hand: y = cumsum(x, 0) on [3, 1]; loss = 1·y0 + 2·y1 + 3·y2 = 6·x0 + 5·x1 + 3·x2.
  const [byHand] = await runOn("wasm", () =>
    tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.cumsum(x, 0), tf.tensor2d([[1], [2], [3]]))))(tf.zeros([3, 1])),
  );
  assert.deepEqual(byHand!.values, [6, 5, 3]);
});

test("norm: euclidean per row and global, 1 and infinity; L2 normalisation", async () => {
  await assertWasmMatchesCpu(() => [
    weightedGradient((x) => tf.norm(x, "euclidean", -1), fixed([3, 4])),
    weightedGradient((x) => tf.norm(x), fixed([3, 4])),
    weightedGradient((x) => tf.norm(x, 1), fixed([3, 4])),
    weightedGradient((x) => tf.norm(x, Infinity), fixed([3, 4])),
    weightedGradient((x) => tf.div(x, tf.maximum(tf.norm(x, 2, -1, true), 1e-12)), fixed([3, 4])),
  ]);
});

test("dropout: a fixed mask, and tf.dropout with a seed", async () => {
  await assertWasmMatchesCpu(() => [
    weightedGradient((x) => tf.mul(x, tf.tensor2d([[2, 0, 2, 2], [0, 2, 2, 0], [2, 2, 0, 2]])), fixed([3, 4])),
    weightedGradient((x) => tf.dropout(x, 0.5, undefined, 42), fixed([3, 4])),
  ]);
});

test("max over tokens with a padding mask (max pooling)", async () => {
  await assertWasmMatchesCpu(() =>
    weightedGradient((tokens) => {
      const mask = tf.tensor3d([[[1], [1], [0]], [[1], [0], [0]]]);
      return tf.max(tf.add(tokens, tf.mul(tf.sub(1, mask), -1e9)), 1);
    }, fixed([2, 3, 4])),
  );
});

test("clipByValue", async () => {
  await assertWasmMatchesCpu(() => weightedGradient((x) => tf.clipByValue(x, -1, 1), fixed([3, 4])));
});

test("gatherND: repeated indices accumulate their gradients", async () => {
  const [gradient] = await assertWasmMatchesCpu(() =>
    tf.grad((x: tf.Tensor) => {
      const picked = tf.gatherND(x, tf.tensor2d([[0, 1], [1, 2], [0, 1]], [3, 2], "int32"));
      return tf.sum(tf.mul(picked, tf.tensor1d([1, 10, 100])));
    })(tf.zeros([2, 3])),
  );
  assert.deepEqual(gradient!.values, [0, 101, 0, 0, 0, 10]);
  await assertWasmMatchesCpu(() =>
    weightedGradient((x) => tf.gatherND(x, tf.tensor2d([[1], [0], [1]], [3, 1], "int32")), fixed([2, 3, 2])),
  );
});

test("Adam: three steps with global-norm gradient clipping", async () => {
  await assertWasmMatchesCpu(() => {
    const weights = tf.variable(fixed([4, 3], 1), true, "weights");
    const bias = tf.variable(fixed([3], 2), true, "bias");
    const optimizer = tf.train.adam(0.01);
    const inputs = fixed([5, 4], 3);
    for (let step = 0; step < 3; step++) {
      const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.add(tf.matMul(inputs, weights), bias))));
      const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      const scale = tf.minimum(1, tf.div(0.5, norm));
      optimizer.applyGradients(Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.mul(g, scale)])));
    }
    const result = [weights.clone(), bias.clone()];
    optimizer.dispose();
    weights.dispose();
    bias.dispose();
    return result;
  });
});

test("a small BERT layer end to end: embeddings, masked attention, GELU, mean pooling, CoSENT", async () => {
  await assertWasmMatchesCpu(() => {
    const [batch, tokens, hidden, heads] = [2, 4, 6, 2];
    const headSize = hidden / heads;
    const v = (name: string, shape: number[], seed: number): tf.Variable => tf.variable(tf.mul(fixed(shape, seed), 0.3), true, name);
    const parameters = {
      word: v("word", [7, hidden], 1), position: v("position", [tokens, hidden], 2),
      gamma: v("gamma", [hidden], 3), beta: v("beta", [hidden], 4),
      qkv: v("qkv", [hidden, 3 * hidden], 5), out: v("out", [hidden, hidden], 6),
      ffn: v("ffn", [hidden, 2 * hidden], 7), ffnOut: v("ffnOut", [2 * hidden, hidden], 8),
    };
    const { word, position, gamma, beta, qkv, out, ffn, ffnOut } = parameters;
    const variables = Object.values(parameters);
    const ids = tf.tensor2d([[1, 4, 4, 0], [2, 6, 0, 0]], [batch, tokens], "int32");
    const mask = tf.tensor2d([[1, 1, 1, 0], [1, 1, 0, 0]]);
    const layerNorm = (x: tf.Tensor): tf.Tensor => {
      const mean = tf.mean(x, -1, true);
      const variance = tf.mean(tf.square(tf.sub(x, mean)), -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-12))), gamma), beta);
    };
    const dense = (x: tf.Tensor, w: tf.Tensor): tf.Tensor => tf.reshape(tf.matMul(tf.reshape(x, [-1, x.shape.at(-1)!]), w), [batch, tokens, -1]);
    const splitHeads = (x: tf.Tensor): tf.Tensor => tf.transpose(tf.reshape(x, [batch, tokens, heads, headSize]), [0, 2, 1, 3]);
    const { value, grads } = tf.variableGrads(() => {
      const h = layerNorm(tf.add(tf.gather(word, ids), position));
      const [q, k, vv] = tf.split(dense(h, qkv), 3, -1).map(splitHeads) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(headSize)), tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [batch, 1, 1, tokens]));
      const context = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), vv), [0, 2, 1, 3]), [batch, tokens, hidden]);
      const a = layerNorm(tf.add(h, dense(context, out)));
      const up = dense(a, ffn);
      const gelu = tf.mul(tf.mul(up, 0.5), tf.add(1, tf.erf(tf.div(up, Math.SQRT2))));
      const encoded = layerNorm(tf.add(a, dense(gelu, ffnOut)));
      const expandedMask = tf.expandDims(mask, -1);
      const pooled = tf.div(tf.sum(tf.mul(encoded, expandedMask), 1), tf.maximum(tf.sum(expandedMask, 1), 1e-9));
      const [left, right] = tf.split(tf.div(pooled, tf.norm(pooled, 2, -1, true)), 2, 0) as [tf.Tensor, tf.Tensor];
      const cosine = tf.sum(tf.mul(left, right)); // one pair; CoSENT with a second, fixed pair of lower label
      return tf.logSumExp(tf.stack([tf.scalar(0), tf.mul(tf.sub(0.3, cosine), 20)]));
    }, variables);
    const result = [value, ...variables.map((variable) => grads[variable.name]!)];
    variables.forEach((variable) => variable.dispose());
    return result;
  });
});

// Integer kernels wasm gets wrong (not needed for gradients, but used with ids and masks).

test("stridedSlice on int32 and bool keeps dtype and values on wasm", async () => {
  const [ints, reversedInts, bools, big] = await assertWasmMatchesCpu(() => [
    tf.stridedSlice(tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], "int32"), [0, 0], [2, 3], [1, 2]),
    tf.stridedSlice(tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], "int32"), [1, 2], [-3, -4], [-1, -1]),
    tf.stridedSlice(tf.tensor2d([[true, false, true], [false, true, false]], [2, 3], "bool"), [0, 0], [2, 3], [1, 2]),
    tf.stridedSlice(tf.tensor1d([16777217, -5, 2147483647], "int32"), [0], [3], [2]),
  ]);
  assert.deepEqual(ints!.values, [1, 3, 4, 6]);
  assert.deepEqual(reversedInts!.values, [6, 5, 4, 3, 2, 1]);
  assert.deepEqual(bools!.values, [1, 1, 0, 0]);
  assert.deepEqual(big!.values, [16777217, 2147483647]);
});

test("stridedSlice with steps and a shrunk axis reads the right elements on wasm (cpu gets it wrong)", async () => {
  const slices = await runOn("wasm", () =>
    (["float32", "int32"] as const).map((dtype) =>
      tf.stridedSlice(tf.tensor2d([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [3, 4], dtype), [1, 0], [2, 4], [1, 2], 0, 0, 0, 0, 1),
    ),
  );
  // Row 1, columns 0 and 2. (tfjs-backend-cpu 4.22 returns [1, 2]: row 0, columns 1 and 2.)
  for (const slice of slices) assert.deepEqual([slice.shape, slice.values], [[2], [4, 6]]);
});

test("clipByValue on int32 on wasm", async () => {
  const [clipped] = await assertWasmMatchesCpu(() => tf.clipByValue(tf.tensor1d([-7, 1, 2, 3, 40], "int32"), 0, 3));
  assert.deepEqual(clipped!.values, [0, 1, 2, 3, 3]);
});

test("registering twice changes nothing", async () => {
  const kernelsBefore = ["UnsortedSegmentSum", "StridedSlice", "ClipByValue"].map((name) => tf.getKernel(name, "wasm"));
  const cumsumGradient = tf.getGradient("Cumsum");
  registerWasmTrainingKernels();
  registerMissingTrainingGradients();
  const kernelsAfter = ["UnsortedSegmentSum", "StridedSlice", "ClipByValue"].map((name) => tf.getKernel(name, "wasm"));
  kernelsAfter.forEach((kernel, i) => assert.equal(kernel, kernelsBefore[i]));
  assert.equal(tf.getGradient("Cumsum"), cumsumGradient);
  const [ints] = await runOn("wasm", () => tf.stridedSlice(tf.tensor1d([1, 2, 3, 4], "int32"), [0], [4], [2]));
  assert.deepEqual(ints!.values, [1, 3]);
});
