// MPNet's relative attention bias in both engines against the definition bias[h, i, j] = table[bucket(j − i), h]
// (buckets from golden-checked relative-position.ts), computed by a tfjs gather and an ONNX graph (from the sequence
// length of input_ids alone), and its table gradient ∂table[b, h] = Σ_{bucket(j−i)=b} ∂bias[h,i,j] (what the ONNX
// engine computes in JS from the backward graph's ∂bias) against tfjs autodiff and a direct sum. T = 150 reaches the
// saturated buckets 15 / 31.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { GraphBuilder } from "../../../src/engines/onnxruntime/graph-builder.ts";
import { relativeAttentionBias as tfjsBias } from "../../../src/models/families/mpnet/relative-bias-tfjs.ts";
import { relativeAttentionBias, relativeBuckets } from "../../../src/models/families/mpnet/relative-bias-onnx.ts";
import { relativeBiasTableGradient, relativePositionBucket } from "../../../src/models/families/mpnet/relative-position.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { createRandom } from "../../../src/util/random.ts";

const heads = 3;
const tableRows = 34; // more rows than the 32 buckets used: rows 32, 33 get no gradient
const seqLength = 150;

function randomValues(size: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: size }, () => random.normal());
}

const table = randomValues(tableRows * heads, 1);
const biasGradient = randomValues(heads * seqLength * seqLength, 2);

function expectedBias(): Float32Array {
  const bias = new Float32Array(heads * seqLength * seqLength);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < seqLength; i++) {
      for (let j = 0; j < seqLength; j++) bias[(h * seqLength + i) * seqLength + j] = table[relativePositionBucket(j - i) * heads + h];
    }
  }
  return bias;
}

function expectedTableGradient(): Float64Array {
  const gradient = new Float64Array(tableRows * heads);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < seqLength; i++) {
      for (let j = 0; j < seqLength; j++) gradient[relativePositionBucket(j - i) * heads + h] += biasGradient[(h * seqLength + i) * seqLength + j];
    }
  }
  return gradient;
}

test("tfjs: bias is table[bucket(j − i)] per head; its autodiff gradient and relativeBiasTableGradient are the scatter-add over buckets", () => {
  const tableTensor = tf.tensor2d(table, [tableRows, heads]);
  const bias = tfjsBias(tableTensor, seqLength);
  assert.deepEqual(bias.shape, [heads, seqLength, seqLength]);
  assert.equal(maxAbsoluteDifference(bias.dataSync(), expectedBias()), 0);
  const gradient = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tfjsBias(t as tf.Tensor2D, seqLength), tf.tensor3d(biasGradient, [heads, seqLength, seqLength]))))(tableTensor);
  assert.ok(maxAbsoluteDifference(gradient.dataSync(), expectedTableGradient()) < 1e-3);
  assert.ok(maxAbsoluteDifference(relativeBiasTableGradient(biasGradient, seqLength, heads, tableRows), gradient.dataSync()) < 1e-3);
  tf.dispose([tableTensor, bias, gradient]);
});

test("ONNX: bias from the sequence length of input_ids alone", async () => {
  const g = new GraphBuilder("mpnet-relative-bias");
  const inputIds = g.input("input_ids", "int64", ["batch", "seq"]);
  const tableInput = g.input("table", "float", [tableRows, heads]);
  const buckets = relativeBuckets(g, inputIds);
  g.output(relativeAttentionBias(g, tableInput, buckets), "float", [heads, "seq", "seq"], "bias");
  const session = await ort.InferenceSession.create(g.build());
  const result = await session.run({
    input_ids: new ort.Tensor("int64", new BigInt64Array(2 * seqLength), [2, seqLength]),
    table: new ort.Tensor("float32", table, [tableRows, heads]),
  });
  assert.deepEqual(result.bias.dims, [heads, seqLength, seqLength]);
  assert.equal(maxAbsoluteDifference(result.bias.data as Float32Array, expectedBias()), 0);
  await session.release();
});
