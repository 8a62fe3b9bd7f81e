// MPNet (model_type "mpnet") in both engines against ../shared/models/tiny-mpnet/golden.json (PyTorch reference
// with Hugging Face MPNetModel semantics): last hidden states and mean-pooled normalized embeddings within 1e-4
// (also a row with a literal <pad> inside it, given as ids); one CoSENT + AdamW step through the tfjs forward
// (loss, gradient norm and per-parameter norms before clipping, clipped gradient slices, the relative attention
// bias' gradient and weight change); and every ONNX backward gradient equal to tfjs autodiff's, dropout on.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { HIDDEN_OUTPUT, type EncoderInputs } from "../../../src/engines/architecture.ts";
import { readSafetensors, toFloat32 } from "../../../src/io/safetensors.ts";
import { CoSENTLoss } from "../../../src/losses/cosent.ts";
import { weightsFromTensors } from "../../../src/models/encoder-weights.ts";
import { mpnetFamily, type MpnetConfig } from "../../../src/models/families/mpnet/index.ts";
import { l2Normalize } from "../../../src/models/modules/normalize.ts";
import { Pooling } from "../../../src/models/modules/pooling.ts";
import { SentenceTokenizer } from "../../../src/models/tokenizer.ts";
import { clipGradientsByGlobalNorm } from "../../../src/training/gradient-clipping.ts";
import { createRandom } from "../../../src/util/random.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { denseGradients, goldenAdamW } from "../../support/golden-step.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";
import { createTrainingGraphs } from "../../support/training-graphs.ts";

const folder = "models/tiny-mpnet";
const skip = skipUnlessShared(`${folder}/golden.json`);
const golden = skip ? undefined : JSON.parse(readFileSync(sharedPath(`${folder}/golden.json`), "utf8"));

function loadModel(): { config: MpnetConfig; weights: Map<string, tf.Variable>; tokenizer: SentenceTokenizer } {
  const config = mpnetFamily.parseConfig(JSON.parse(readFileSync(sharedPath(`${folder}/config.json`), "utf8")), "config.json");
  const file = readSafetensors(sharedPath(`${folder}/model.safetensors`));
  const weights = weightsFromTensors(mpnetFamily, config, file.tensors, (name) => toFloat32(file.tensors.get(name)!, name), file.path);
  return { config, weights, tokenizer: SentenceTokenizer.load(sharedPath(folder)) };
}

/** Right-padded rows of ids (pad 1) with their attention masks. */
function batchOf(rows: number[][], masks = rows.map((row) => row.map(() => 1))): EncoderInputs {
  const seqLength = Math.max(...rows.map((row) => row.length));
  const inputIds = new Int32Array(rows.length * seqLength).fill(1);
  const attentionMask = new Int32Array(rows.length * seqLength);
  rows.forEach((row, index) => {
    inputIds.set(row, index * seqLength);
    attentionMask.set(masks[index], index * seqLength);
  });
  return { inputIds, attentionMask, tokenTypeIds: new Int32Array(inputIds.length), batchSize: rows.length, seqLength };
}

interface HiddenCase {
  input_ids: number[];
  hidden_token0_head: number[];
  hidden_sum_real_tokens: number;
  hidden_last_real_token_head?: number[];
  hidden_abs_sum_real_tokens?: number;
}

/** Compares hidden states [B, T, H] (row-major) and mean-pooled normalized embeddings with the golden rows. */
function checkHidden(hidden: Float32Array, inputs: EncoderInputs, hiddenSize: number, cases: HiddenCase[], embeddings: number[][], label: string): void {
  const { seqLength } = inputs;
  cases.forEach((c, row) => {
    const length = c.input_ids.length;
    const token = (t: number) => Array.from(hidden.subarray((row * seqLength + t) * hiddenSize, (row * seqLength + t + 1) * hiddenSize));
    const real = Array.from({ length }, (_, t) => token(t)).flat();
    assert.ok(maxAbsoluteDifference(token(0).slice(0, 8), c.hidden_token0_head) < 1e-4, `${label}: token 0 of row ${row}`);
    if (c.hidden_last_real_token_head) {
      assert.ok(maxAbsoluteDifference(token(length - 1).slice(0, 8), c.hidden_last_real_token_head) < 1e-4, `${label}: last token of row ${row}`);
    }
    const sum = real.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - c.hidden_sum_real_tokens) < 1e-3, `${label}: sum ${sum} vs ${c.hidden_sum_real_tokens} (row ${row})`);
    if (c.hidden_abs_sum_real_tokens !== undefined) {
      const absoluteSum = real.reduce((a, b) => a + Math.abs(b), 0);
      assert.ok(Math.abs(absoluteSum - c.hidden_abs_sum_real_tokens) < 1e-3, `${label}: abs sum ${absoluteSum} (row ${row})`);
    }
    const embedding = Array.from({ length: hiddenSize }, (_, k) => real.filter((_, i) => i % hiddenSize === k).reduce((a, b) => a + b, 0) / length);
    const norm = Math.hypot(...embedding);
    const expected = embeddings[row];
    assert.ok(maxAbsoluteDifference(embedding.map((v) => v / norm).slice(0, expected.length), expected) < 1e-4, `${label}: embedding of row ${row}`);
  });
}

function goldenBatches(tokenizer: SentenceTokenizer) {
  const cases = golden.cases as (HiddenCase & { input: string; embedding_mean_normalized: number[] })[];
  const texts = tokenizer.encodeBatch(cases.map((c) => c.input), { maxSeqLength: golden.max_length });
  const extra = golden.extra_cases as (HiddenCase & { attention_mask: number[]; embedding_head: number[] })[];
  const extraBatch = batchOf(extra.map((c) => c.input_ids), extra.map((c) => c.attention_mask));
  return [
    { label: "texts", inputs: texts, cases, embeddings: cases.map((c) => c.embedding_mean_normalized) },
    { label: "literal <pad>", inputs: extraBatch, cases: extra, embeddings: extra.map((c) => c.embedding_head) },
  ];
}

async function runSession(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Map<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run(feeds);
  await session.release();
  return new Map(Object.entries(result).map(([name, tensor]) => [name, tensor.data as Float32Array]));
}

function tokenFeeds(inputs: EncoderInputs): Record<string, ort.Tensor> {
  const dims = [inputs.batchSize, inputs.seqLength];
  const int64 = (values: Int32Array) => new ort.Tensor("int64", BigInt64Array.from(values, (v) => BigInt(v)), dims);
  return { input_ids: int64(inputs.inputIds), attention_mask: int64(inputs.attentionMask) };
}

function weightFeeds(config: MpnetConfig, weights: Map<string, tf.Variable>): Record<string, ort.Tensor> {
  return Object.fromEntries(
    [...weights].map(([name, tensor]) => [name, new ort.Tensor("float32", tensor.dataSync() as Float32Array, tensor.shape)]),
  );
}

test("tiny-mpnet tfjs forward: hidden states and embeddings equal PyTorch's within 1e-4", { skip }, () => {
  const { config, weights, tokenizer } = loadModel();
  for (const { label, inputs, cases, embeddings } of goldenBatches(tokenizer)) {
    const hidden = mpnetFamily.forward(weights, config, inputs, {});
    checkHidden(hidden.dataSync() as Float32Array, inputs, config.hiddenSize, cases, embeddings, `tfjs ${label}`);
    hidden.dispose();
  }
  tf.dispose([...weights.values()]);
});

test("tiny-mpnet ONNX encoder (weights as initializers; only input_ids and attention_mask): equal to PyTorch within 1e-4", { skip }, async () => {
  const { config, weights, tokenizer } = loadModel();
  const values = new Map([...weights].map(([name, tensor]) => [name, tensor.dataSync() as Float32Array]));
  const bytes = mpnetFamily.onnx.buildEncoder(config, values);
  assert.equal(mpnetFamily.onnx.usesTokenTypeIds, false);
  for (const { label, inputs, cases, embeddings } of goldenBatches(tokenizer)) {
    const hidden = (await runSession(bytes, tokenFeeds(inputs))).get(HIDDEN_OUTPUT)!;
    checkHidden(hidden, inputs, config.hiddenSize, cases, embeddings, `onnx ${label}`);
  }
  tf.dispose([...weights.values()]);
});

/** torch's tensor[row][0..7] of a parameter in the encoder layout (Linear kernels are [in, out]). */
function euclideanNorm(values: Float32Array): number {
  let sum = 0;
  for (const value of values) sum += value * value;
  return Math.sqrt(sum);
}

function torchRowHead(values: Float32Array, spec: { torchShape: number[]; linear: boolean }, row: number | null): number[] {
  if (row === null) return Array.from(values.subarray(0, 8));
  const [rows, columns] = spec.torchShape;
  const r = row < 0 ? rows + row : row;
  return spec.linear ? Array.from({ length: 8 }, (_, i) => values[i * rows + r]) : Array.from(values.subarray(r * columns, r * columns + 8));
}

for (const checkpointLayers of [false, true]) {
  test(`tiny-mpnet CoSENT + AdamW step through the tfjs forward equals PyTorch's (dropout off, checkpointed layers: ${checkpointLayers})`, { skip }, () => {
    const { config, weights, tokenizer } = loadModel();
    const step = golden.train_step;
    const loss = new CoSENTLoss(undefined, { scale: step.scale });
    const pooling = new Pooling(config.hiddenSize, "mean");
    const columns = [0, 1].map((column) => tokenizer.encodeBatch(step.pairs.map((pair: string[]) => pair[column]), { maxSeqLength: step.max_length }));
    const labels = tf.tensor1d(step.labels);
    const { value, grads } = tf.variableGrads(() => {
      const embeddings = columns.map((inputs) => {
        const hidden = mpnetFamily.forward(weights, config, inputs, { checkpointLayers });
        return l2Normalize(pooling.forward({ tokenEmbeddings: hidden, attentionMask: tf.tensor2d(inputs.attentionMask, [inputs.batchSize, inputs.seqLength], "float32") }));
      });
      return loss.computeLoss(embeddings, labels);
    }, [...weights.values()]);
    const names = new Map([...weights].map(([name, variable]) => [variable.name, name]));
    const gradients = new Map(Object.entries(grads).map(([variable, gradient]) => [names.get(variable)!, gradient.dataSync() as Float32Array]));
    for (const { parameter, row } of mpnetFamily.frozenRows(config)) gradients.get(parameter)!.fill(0, row * config.hiddenSize, (row + 1) * config.hiddenSize);
    assert.ok(Math.abs(value.dataSync()[0] - step.loss) < 1e-4, `loss ${value.dataSync()[0]} vs ${step.loss}`);

    for (const [name, norm] of Object.entries(step.grad_norm_per_parameter_before_clip as Record<string, number | null>)) {
      if (norm === null) assert.equal(gradients.has(name), false, `${name} gets no gradient`);
      else assert.ok(Math.abs(euclideanNorm(gradients.get(name)!) - norm) < 1e-4, `norm of ${name}: ${euclideanNorm(gradients.get(name)!)} vs ${norm}`);
    }
    const norm = clipGradientsByGlobalNorm(gradients, step.clip_max_norm);
    assert.ok(Math.abs(norm - step.grad_norm_before_clip) < 1e-4, `grad norm ${norm} vs ${step.grad_norm_before_clip}`);
    const specs = new Map(mpnetFamily.parameters(config).map((spec) => [spec.name, spec]));
    const before = new Map([...weights].map(([name, variable]) => [name, Float32Array.from(variable.dataSync() as Float32Array)]));
    const biasName = "encoder.relative_attention_bias.weight";
    assert.ok(maxAbsoluteDifference(gradients.get(biasName)!, step.relative_attention_bias_grad_after_clip) < 1e-4);

    goldenAdamW([...weights].map(([name, tensor]) => ({ name, tensor })), step.adamw).applyGradients(gradients);
    const delta = (name: string) => {
      const after = weights.get(name)!.dataSync() as Float32Array;
      return after.map((v, i) => v - before.get(name)![i]);
    };
    assert.ok(maxAbsoluteDifference(delta(biasName), step.relative_attention_bias_delta_after_1_step) < 1e-4);
    for (const slice of step.slices as { name: string; row: number | null; grad_after_clip_head: number[] | null; delta_after_1_step_head: number[] }[]) {
      const spec = specs.get(slice.name);
      if (spec === undefined) {
        assert.equal(slice.grad_after_clip_head, null, `${slice.name} is not trained`);
        continue;
      }
      const where = `${slice.name}[${slice.row}]`;
      assert.ok(maxAbsoluteDifference(torchRowHead(gradients.get(slice.name)!, spec, slice.row), slice.grad_after_clip_head!) < 1e-4, `gradient of ${where}`);
      assert.ok(maxAbsoluteDifference(torchRowHead(delta(slice.name), spec, slice.row), slice.delta_after_1_step_head) < 1e-4, `delta of ${where}`);
    }
    tf.dispose([value, labels, ...Object.values(grads), ...weights.values()]);
  });
}

test("tiny-mpnet ONNX backward: every parameter's gradient equals tfjs autodiff's within 1e-4, dropout on", { skip }, async () => {
  const { config, weights, tokenizer } = loadModel();
  const inputs = tokenizer.encodeBatch(golden.train_step.pairs.map((pair: string[]) => pair[0]), { maxSeqLength: golden.max_length });
  const seed = 1234;
  const random = createRandom(7);
  const hiddenGradient = Float32Array.from({ length: inputs.batchSize * inputs.seqLength * config.hiddenSize }, () => random.normal());
  const { grads } = tf.variableGrads(() => {
    const hidden = mpnetFamily.forward(weights, config, inputs, { training: true, dropoutSeed: seed });
    return tf.sum(tf.mul(hidden, tf.tensor(hiddenGradient, hidden.shape)));
  }, [...weights.values()]);

  const masks = mpnetFamily.onnx.dropoutMasks(config, inputs.batchSize, inputs.seqLength, seed);
  const feeds: Record<string, ort.Tensor> = {
    ...tokenFeeds(inputs),
    ...weightFeeds(config, weights),
    ...Object.fromEntries([...masks].map(([name, feed]) => [name, new ort.Tensor("float32", feed.values, feed.shape)])),
  };
  const graphs = await createTrainingGraphs(mpnetFamily.onnx, config, { dropout: true });
  const { hidden: onnxHidden, saved } = await graphs.forward(feeds);
  const outputs = await graphs.backward(feeds, saved, hiddenGradient, [inputs.batchSize, inputs.seqLength, config.hiddenSize]);
  await graphs.release();
  const gradients = denseGradients(mpnetFamily.onnx.gradients(config, inputs, outputs));
  const expectedGradients = new Map([...weights].map(([name, variable]) => [name, grads[variable.name].dataSync() as Float32Array]));
  // Both engines zero the padding rows (which sum d_hidden over every pad token, in a different order in each).
  for (const { parameter, row } of mpnetFamily.frozenRows(config)) {
    for (const values of [gradients.get(parameter)!, expectedGradients.get(parameter)!]) values.fill(0, row * config.hiddenSize, (row + 1) * config.hiddenSize);
  }
  for (const [name, expected] of expectedGradients) {
    const difference = maxAbsoluteDifference(gradients.get(name)!, expected);
    assert.ok(difference < 1e-4, `${name}: |onnx − tfjs| = ${difference}`);
  }
  // The training forward graph with the same masks gives the tfjs training forward's hidden states.
  const tfjsHidden = mpnetFamily.forward(weights, config, inputs, { training: true, dropoutSeed: seed });
  assert.ok(maxAbsoluteDifference(onnxHidden, tfjsHidden.dataSync()) < 1e-4);
  tf.dispose([tfjsHidden, ...Object.values(grads), ...weights.values()]);
});
