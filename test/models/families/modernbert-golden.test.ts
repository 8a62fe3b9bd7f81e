// The ModernBERT family against ../shared/models/tiny-modernbert/golden.json (PyTorch, HF ModernBertModel's
// padded path, fp32): token ids through SentenceTokenizer, hidden states and mean-pooled normalized embeddings
// in tfjs and in the ONNX inference graph, one CoSENT (scale 20) + AdamW step (loss, gradient norm, clipped
// gradient slices, weight change), and the ONNX backward's gradients equal to tfjs autodiff for every
// parameter, with dropout off (the golden config) and on (p 0.1 at every site, same seeded masks).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import type { EncoderInputs } from "../../../src/engines/architecture.ts";
import { readSafetensors, toFloat32 } from "../../../src/io/safetensors.ts";
import { CoSENTLoss } from "../../../src/losses/cosent.ts";
import { modernBertFamily, type ModernBertConfig } from "../../../src/models/families/modernbert/index.ts";
import { l2Normalize } from "../../../src/models/modules/normalize.ts";
import { Pooling } from "../../../src/models/modules/pooling.ts";
import { SentenceTokenizer } from "../../../src/models/tokenizer.ts";
import { AdamW, usesWeightDecay } from "../../../src/training/adamw.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { denseGradients } from "../../support/golden-step.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";
import { createTrainingGraphs } from "../../support/training-graphs.ts";

const MODEL = "models/tiny-modernbert";
const skip = skipUnlessShared(`${MODEL}/golden.json`);
const TOLERANCE = 1e-4;
const family = modernBertFamily;

interface Slice {
  head: number[];
  abs_sum: number;
  sum: number;
}

function load(overrides: Record<string, unknown> = {}) {
  const directory = sharedPath(MODEL);
  const golden = JSON.parse(readFileSync(`${directory}/golden.json`, "utf8"));
  const config = family.parseConfig({ ...JSON.parse(readFileSync(`${directory}/config.json`, "utf8")), ...overrides }, "config.json");
  const file = readSafetensors(`${directory}/model.safetensors`);
  const values = new Map<string, Float32Array>();
  for (const [stored, entry] of file.tensors) {
    const name = family.canonicalName(stored);
    const spec = family.parameters(config).find((p) => p.name === name);
    assert.ok(spec, `stored tensor ${stored} is a parameter`);
    const torchValues = toFloat32(entry, stored);
    values.set(spec.name, spec.linear ? transpose(torchValues, spec.torchShape[0], spec.torchShape[1]) : torchValues);
  }
  assert.equal(values.size, family.parameters(config).length);
  return { directory, golden, config, values, tokenizer: SentenceTokenizer.load(directory) };
}

/** [rows, columns] → [columns, rows]. */
function transpose(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c];
  return out;
}

function variables(config: ModernBertConfig, values: Map<string, Float32Array>): Map<string, tf.Variable> {
  return new Map(
    family.parameters(config).map((spec) => {
      const shape = spec.linear ? [spec.torchShape[1], spec.torchShape[0]] : spec.torchShape;
      return [spec.name, tf.variable(tf.tensor(values.get(spec.name)!, shape))];
    }),
  );
}

function batchOf(rows: number[][], padId: number): EncoderInputs {
  const seqLength = Math.max(...rows.map((row) => row.length));
  const inputIds = new Int32Array(rows.length * seqLength).fill(padId);
  const attentionMask = new Int32Array(rows.length * seqLength);
  rows.forEach((row, r) => {
    inputIds.set(row, r * seqLength);
    attentionMask.fill(1, r * seqLength, r * seqLength + row.length);
  });
  return { inputIds, attentionMask, tokenTypeIds: new Int32Array(rows.length * seqLength), batchSize: rows.length, seqLength };
}

function tokenFeeds(inputs: EncoderInputs): Record<string, ort.Tensor> {
  const shape = [inputs.batchSize, inputs.seqLength];
  return {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(inputs.inputIds, BigInt), shape),
    attention_mask: new ort.Tensor("int64", BigInt64Array.from(inputs.attentionMask, BigInt), shape),
  };
}

/** Mean pooling + Normalize, as the golden model's modules. */
function sentenceEmbeddings(hidden: tf.Tensor3D, inputs: EncoderInputs): tf.Tensor2D {
  const mask = tf.tensor2d(inputs.attentionMask, [inputs.batchSize, inputs.seqLength], "int32");
  return l2Normalize(new Pooling(hidden.shape[2], "mean").forward({ tokenEmbeddings: hidden, attentionMask: mask }));
}

function checkHidden(golden: { cases: Record<string, unknown>[] }, hidden: Float32Array, inputs: EncoderInputs, engine: string) {
  const H = hidden.length / (inputs.batchSize * inputs.seqLength);
  const pooled = sentenceEmbeddings(tf.tensor3d(hidden, [inputs.batchSize, inputs.seqLength, H]), inputs).arraySync();
  golden.cases.forEach((c, row) => {
    const length = (c.input_ids as number[]).length;
    const token = (t: number) => Array.from(hidden.subarray((row * inputs.seqLength + t) * H, (row * inputs.seqLength + t + 1) * H));
    const real = Array.from({ length }, (_, t) => token(t)).flat();
    const label = `${engine}, case ${row}`;
    assert.ok(maxAbsoluteDifference(token(0).slice(0, 8), c.hidden_token0_head as number[]) < TOLERANCE, `${label}: token 0`);
    assert.ok(maxAbsoluteDifference(token(length - 1).slice(0, 8), c.hidden_last_real_token_head as number[]) < TOLERANCE, `${label}: last token`);
    assert.ok(Math.abs(real.reduce((a, b) => a + b, 0) - (c.hidden_sum_real_tokens as number)) < TOLERANCE, `${label}: sum`);
    assert.ok(Math.abs(real.reduce((a, b) => a + Math.abs(b), 0) - (c.hidden_abs_sum_real_tokens as number)) < TOLERANCE, `${label}: abs sum`);
    assert.ok(maxAbsoluteDifference(pooled[row], c.embedding_mean_normalized as number[]) < TOLERANCE, `${label}: embedding`);
  });
}

/** A gradient or weight in torch's layout (nn.Linear weights [out, in]); "name[row]" picks an embedding row. */
function torchView(config: ModernBertConfig, key: string, values: ReadonlyMap<string, Float32Array>, clsId: number): Float32Array {
  const rowMatch = /^(.*)\[cls_id\]$/.exec(key);
  const name = rowMatch ? rowMatch[1] : key;
  const spec = family.parameters(config).find((p) => p.name === name)!;
  const value = values.get(name)!;
  if (rowMatch) return value.subarray(clsId * config.hiddenSize, (clsId + 1) * config.hiddenSize);
  return spec.linear ? transpose(value, spec.torchShape[1], spec.torchShape[0]) : value;
}

function zeroFrozenRows(config: ModernBertConfig, gradients: Map<string, Float32Array>) {
  for (const { parameter, row } of family.frozenRows(config)) gradients.get(parameter)!.fill(0, row * config.hiddenSize, (row + 1) * config.hiddenSize);
}

/** The train step's columns and labels, tokenized as sentence-transformers batches them. */
function trainBatches(loaded: ReturnType<typeof load>) {
  const step = loaded.golden.train_step;
  const columns = [0, 1].map((k) => loaded.tokenizer.encodeBatch(step.pairs.map((pair: string[]) => pair[k]), { maxSeqLength: step.max_length }));
  return { step, columns, labels: tf.tensor1d(step.labels) };
}

/** tfjs: loss and every parameter's gradient (frozen rows zeroed) of one CoSENT step. */
function tfjsStep(loaded: ReturnType<typeof load>, weights: Map<string, tf.Variable>, dropoutSeeds?: number[], checkpointLayers = false) {
  const { step, columns, labels } = trainBatches(loaded);
  const loss = new CoSENTLoss(undefined, { scale: step.scale });
  const { value, grads } = tf.variableGrads(() =>
    loss.computeLoss(
      columns.map((inputs, k) =>
        sentenceEmbeddings(family.forward(weights, loaded.config, inputs, { training: dropoutSeeds !== undefined, dropoutSeed: dropoutSeeds?.[k], checkpointLayers }), inputs),
      ),
      labels,
    ),
  );
  const gradients = new Map([...weights].map(([name, variable]) => [name, grads[variable.name].dataSync() as Float32Array]));
  zeroFrozenRows(loaded.config, gradients);
  return { loss: value.dataSync()[0], gradients };
}

/** ONNX: training forward per column (saving its activations), d loss / d hidden from tfjs, backward graph per column, gradients summed. */
async function onnxStep(loaded: ReturnType<typeof load>, dropoutSeeds?: number[]) {
  const { config, values } = loaded;
  const { step, columns, labels } = trainBatches(loaded);
  const dropout = dropoutSeeds !== undefined;
  const graphs = await createTrainingGraphs(family.onnx, config, { dropout });
  const weightFeeds: Record<string, ort.Tensor> = {};
  for (const spec of family.parameters(config)) {
    weightFeeds[spec.name] = new ort.Tensor("float32", values.get(spec.name)!, spec.linear ? [spec.torchShape[1], spec.torchShape[0]] : spec.torchShape);
  }
  const feedsOf = (inputs: EncoderInputs, k: number) => {
    const feeds = { ...tokenFeeds(inputs), ...weightFeeds };
    if (!dropout) return feeds;
    for (const [name, mask] of family.onnx.dropoutMasks(config, inputs.batchSize, inputs.seqLength, dropoutSeeds[k])) feeds[name] = new ort.Tensor("float32", mask.values, mask.shape);
    return feeds;
  };
  const H = config.hiddenSize;
  const forwards = await Promise.all(columns.map((inputs, k) => graphs.forward(feedsOf(inputs, k))));
  const hidden = forwards.map(({ hidden }, k) => tf.tensor3d(hidden, [columns[k].batchSize, columns[k].seqLength, H]));
  const loss = new CoSENTLoss(undefined, { scale: step.scale });
  const lossOf = (...h: tf.Tensor[]) => loss.computeLoss(h.map((x, k) => sentenceEmbeddings(x as tf.Tensor3D, columns[k])), labels);
  const { value, grads } = tf.valueAndGrads(lossOf)(hidden);
  const gradients = new Map<string, Float32Array>();
  for (const [k, inputs] of columns.entries()) {
    const outputs = await graphs.backward(feedsOf(inputs, k), forwards[k].saved, grads[k].dataSync() as Float32Array, [inputs.batchSize, inputs.seqLength, H]);
    const column = denseGradients(family.onnx.gradients(config, inputs, outputs));
    for (const [name, g] of column) {
      const sum = gradients.get(name);
      if (sum) for (let i = 0; i < g.length; i++) sum[i] += g[i];
      else gradients.set(name, Float32Array.from(g));
    }
  }
  await graphs.release();
  zeroFrozenRows(config, gradients);
  return { loss: value.dataSync()[0], gradients };
}

/** Asserts every parameter's gradient within TOLERANCE; returns the largest difference. */
function assertGradientsEqual(config: ModernBertConfig, actual: Map<string, Float32Array>, expected: Map<string, Float32Array>, label: string): number {
  let largest = 0;
  for (const spec of family.parameters(config)) {
    const difference = maxAbsoluteDifference(Array.from(actual.get(spec.name)!), Array.from(expected.get(spec.name)!));
    assert.ok(difference < TOLERANCE, `${label}: ${spec.name} differs by ${difference}`);
    largest = Math.max(largest, difference);
  }
  return largest;
}

describe("ModernBERT family on tiny-modernbert (golden.json)", { skip }, () => {
  test("token ids: SentenceTokenizer gives the golden ids, texts unstripped, the added whitespace tokens (1457, 1458) included", () => {
    const { golden, tokenizer } = load();
    for (const c of golden.cases) {
      assert.deepEqual(tokenizer.ids(c.input, { maxSeqLength: golden.max_length }), c.input_ids, `ids of ${JSON.stringify(c.input)}`);
      assert.deepEqual(tokenizer.tokens(c.input, { maxSeqLength: golden.max_length }), c.tokens, `tokens of ${JSON.stringify(c.input)}`);
    }
  });

  test("hidden states and mean-pooled normalized embeddings: tfjs and the ONNX inference graph within 1e-4", async () => {
    const { golden, config, values } = load();
    const inputs = batchOf(golden.cases.map((c: { input_ids: number[] }) => c.input_ids), golden.special_ids.pad);
    const weights = variables(config, values);
    checkHidden(golden, family.forward(weights, config, inputs, {}).dataSync() as Float32Array, inputs, "tfjs");
    const session = await ort.InferenceSession.create(family.onnx.buildEncoder(config, values));
    assert.deepEqual(session.inputNames, ["input_ids", "attention_mask"]);
    const result = await session.run(tokenFeeds(inputs));
    checkHidden(golden, result.last_hidden_state.data as Float32Array, inputs, "onnx");
  });

  test("one CoSENT + AdamW step in tfjs: loss, gradient norm, clipped gradients and weight change as PyTorch", () => {
    const loaded = load();
    const { config, golden } = loaded;
    const step = golden.train_step;
    const weights = variables(config, loaded.values);
    const { loss, gradients } = tfjsStep(loaded, weights);
    assert.ok(Math.abs(loss - step.loss) < TOLERANCE, `loss ${loss} vs ${step.loss}`);
    let squares = 0;
    for (const g of gradients.values()) for (const v of g) squares += v * v;
    const norm = Math.sqrt(squares);
    assert.ok(Math.abs(norm - step.grad_norm_before_clip) < TOLERANCE * 10, `gradient norm ${norm} vs ${step.grad_norm_before_clip}`);
    const clip = Math.min(1, step.clip_max_norm / (norm + 1e-6));
    for (const g of gradients.values()) for (let i = 0; i < g.length; i++) g[i] *= clip;
    const clsId = golden.special_ids.cls;
    for (const [key, expected] of Object.entries(step.grad_after_clip as Record<string, Slice>)) {
      const view = Array.from(torchView(config, key, gradients, clsId));
      assert.ok(maxAbsoluteDifference(view.slice(0, 8), expected.head) < TOLERANCE, `${key}: head`);
      assert.ok(Math.abs(view.reduce((a, b) => a + Math.abs(b), 0) - expected.abs_sum) < TOLERANCE * 10, `${key}: abs sum`);
      assert.ok(Math.abs(view.reduce((a, b) => a + b, 0) - expected.sum) < TOLERANCE, `${key}: sum`);
    }
    const names = family.parameters(config).map((p) => p.name);
    assert.deepEqual(names.filter(usesWeightDecay).sort(), [...step.adamw.decay_parameters].sort());
    assert.deepEqual(names.filter((n) => !usesWeightDecay(n)).sort(), [...step.adamw.no_decay_parameters].sort());
    const before = new Map([...weights].map(([name, v]) => [name, Float32Array.from(v.dataSync())]));
    const optimizer = new AdamW(
      [...weights].map(([name, tensor]) => ({ name, tensor })),
      { learningRate: step.adamw.lr, weightDecay: step.adamw.weight_decay, beta1: step.adamw.betas[0], beta2: step.adamw.betas[1], epsilon: step.adamw.eps },
    );
    optimizer.applyGradients(gradients);
    const deltas = new Map([...weights].map(([name, v]) => [name, (v.dataSync() as Float32Array).map((value, i) => value - before.get(name)![i])]));
    for (const [key, expected] of Object.entries(step.weight_delta_after_1_step_head as Record<string, number[]>)) {
      const view = Array.from(torchView(config, key, deltas, clsId)).slice(0, 8);
      assert.ok(maxAbsoluteDifference(view, expected) < 1e-6, `${key}: weight change ${view} vs ${expected}`);
    }
  });

  test("ONNX backward: every parameter's gradient equals tfjs autodiff within 1e-4 (dropout off, and p 0.1 at every site; tfjs checkpointed layers too)", async (t) => {
    const plain = load();
    const tfjs = tfjsStep(plain, variables(plain.config, plain.values));
    const onnx = await onnxStep(plain);
    assert.ok(Math.abs(onnx.loss - plain.golden.train_step.loss) < TOLERANCE, `onnx loss ${onnx.loss}`);
    const plainDifference = assertGradientsEqual(plain.config, onnx.gradients, tfjs.gradients, "dropout off");

    const dropped = load({ embedding_dropout: 0.1, attention_dropout: 0.1, mlp_dropout: 0.1 });
    const seeds = [11, 12];
    const tfjsDropped = tfjsStep(dropped, variables(dropped.config, dropped.values), seeds);
    const onnxDropped = await onnxStep(dropped, seeds);
    assert.ok(Math.abs(tfjsDropped.loss - tfjs.loss) > 1e-3, "dropout changes the loss");
    assert.ok(Math.abs(onnxDropped.loss - tfjsDropped.loss) < TOLERANCE, `loss with dropout ${onnxDropped.loss} vs ${tfjsDropped.loss}`);
    const droppedDifference = assertGradientsEqual(dropped.config, onnxDropped.gradients, tfjsDropped.gradients, "dropout on");
    t.diagnostic(`largest gradient difference, onnx vs tfjs: dropout off ${plainDifference}, on ${droppedDifference}`);
    // Checkpointed layers recompute the same forward (same masks) in the backward pass.
    const checkpointed = tfjsStep(dropped, variables(dropped.config, dropped.values), seeds, true);
    assertGradientsEqual(dropped.config, checkpointed.gradients, tfjsDropped.gradients, "checkpointed layers");
  });
});
