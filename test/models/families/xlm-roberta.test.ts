// tiny-xlm-roberta (../shared/models/tiny-xlm-roberta, golden.json from an independent PyTorch reference
// of XLMRobertaModel) in both engines: token ids and RoBERTa position ids exactly, hidden states,
// embeddings and the cosine matrix within 1e-4, one CoSENT + AdamW step (loss, gradient norm, every
// grad_after_clip and delta_after_1_step slice: padding rows' zero gradient, decay-only changes) within
// 1e-4, and every ONNX gradient equal to the tfjs engine's within 1e-4, dropout off and on.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { positionIds } from "../../../src/models/families/post-ln-encoder/layout.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { createRandom } from "../../../src/util/random.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { compareSlices, denseGradients, goldenSlices, runGoldenStep, type GoldenStep } from "../../support/golden-step.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";

const FOLDER = "models/tiny-xlm-roberta";
const skip = skipUnlessShared(`${FOLDER}/golden.json`);
const golden = skip ? undefined : JSON.parse(readFileSync(sharedPath(`${FOLDER}/golden.json`), "utf8"));
const cases: { input: string; input_ids: number[]; position_ids: number[]; hidden_token0_head: number[]; hidden_last_real_token_head: number[]; hidden_sum_real_tokens: number; hidden_abs_sum_real_tokens: number; embedding_mean_normalized: number[] }[] = golden?.cases ?? [];
const ENGINES = ["tfjs", "onnxruntime"] as const;

const load = (engine: (typeof ENGINES)[number]) => SentenceTransformer.load(sharedPath(FOLDER), { quiet: true, engine });

test("tiny-xlm-roberta: model_type xlm-roberta, eps and bounds from config.json", { skip }, async () => {
  const model = await load("tfjs");
  const config = model.transformer.config as typeof model.transformer.config & { layerNormEps: number; typeVocabSize: number };
  assert.equal(config.modelType, "xlm-roberta");
  assert.equal(config.layerNormEps, 1e-5);
  assert.equal(config.typeVocabSize, 1);
  // 130 position rows, padding_idx 1: positions 2..129 serve 128 tokens.
  assert.equal(config.maxSequenceLength, 128);
  model.dispose();
});

test("tiny-xlm-roberta: token ids and position ids exactly the golden's", { skip }, async () => {
  const model = await load("tfjs");
  const batch = model.tokenize(cases.map((c) => c.input));
  const positions = positionIds(batch, "padding-offset", model.transformer.config.padTokenId);
  cases.forEach((c, row) => {
    const start = row * batch.seqLength;
    const length = c.input_ids.length;
    assert.deepEqual(Array.from(batch.inputIds.subarray(start, start + length)), c.input_ids, `ids of ${JSON.stringify(c.input)}`);
    assert.deepEqual(Array.from(positions.subarray(start, start + length)), c.position_ids, `positions of ${JSON.stringify(c.input)}`);
    assert.ok(Array.from(positions.subarray(start + length, start + batch.seqLength)).every((p) => p === 1), "padding gets padding_idx");
  });
  model.dispose();
});

for (const engine of ENGINES) {
  test(`tiny-xlm-roberta (${engine}): hidden states, embeddings and cosine matrix match PyTorch within 1e-4`, { skip }, async () => {
    const model = await load(engine);
    assert.equal(model.engine, engine);
    const batch = model.tokenize(cases.map((c) => c.input));
    const hidden = await model.encoder.embedTokens(batch);
    const values = (await hidden.array()) as number[][][];
    hidden.dispose();
    cases.forEach((c, row) => {
      const real = values[row].slice(0, c.input_ids.length);
      assert.ok(maxAbsoluteDifference(real[0].slice(0, 8), c.hidden_token0_head) < 1e-4, `token 0 of ${c.input}`);
      assert.ok(maxAbsoluteDifference(real.at(-1)!.slice(0, 8), c.hidden_last_real_token_head) < 1e-4, `last token of ${c.input}`);
      const flat = real.flat();
      assert.ok(Math.abs(flat.reduce((a, b) => a + b, 0) - c.hidden_sum_real_tokens) < 1e-3, `sum of ${c.input}`);
      assert.ok(Math.abs(flat.reduce((a, b) => a + Math.abs(b), 0) - c.hidden_abs_sum_real_tokens) < 1e-3, `abs sum of ${c.input}`);
    });
    // As sentence-transformers encodes them: one batch, mean pooling + Normalize.
    const embeddings = await model.encode(cases.map((c) => c.input), { batchSize: cases.length });
    cases.forEach((c, row) => assert.ok(maxAbsoluteDifference(embeddings[row], c.embedding_mean_normalized) < 1e-4, `embedding of ${c.input}`));
    const cosine = model.similarity(embeddings, embeddings).flat();
    assert.ok(maxAbsoluteDifference(cosine, golden.cosine_matrix_of_model_embeddings.flat()) < 1e-4);
    model.dispose();
  });

  test(`tiny-xlm-roberta (${engine}): one CoSENT + AdamW step matches PyTorch within 1e-4`, { skip }, async () => {
    const step: GoldenStep = golden.train_step;
    const model = await load(engine);
    const result = await runGoldenStep(model, step);
    assert.ok(Math.abs(result.loss - step.loss) < 1e-4, `loss ${result.loss} vs ${step.loss}`);
    assert.ok(Math.abs(result.gradNorm - step.grad_norm_before_clip) < 1e-4 * step.grad_norm_before_clip, `norm ${result.gradNorm}`);
    const specs = model.transformer.family.parameters(model.transformer.config);
    const gradientSlices = goldenSlices(step.grad_after_clip);
    assert.ok(gradientSlices.length >= 11, "the golden's gradient slices are all read");
    for (const { key, actual, expected } of compareSlices(gradientSlices, specs, (s) => result.gradients.get(s.parameter)!)) {
      assert.ok(maxAbsoluteDifference(actual, expected) < 1e-4, `${key}: ${actual} vs ${expected}`);
    }
    const deltaSlices = goldenSlices(step.delta_after_1_step);
    assert.ok(deltaSlices.length >= 7, "the golden's weight changes are all read");
    const delta = (name: string) => result.after.get(name)!.map((value, i) => value - result.before.get(name)![i]);
    for (const { key, actual, expected } of compareSlices(deltaSlices, specs, (s) => (s.before ? result.before.get(s.parameter)! : delta(s.parameter)))) {
      // float32 weights of magnitude ~0.1 resolve changes of ~1e-8; the reference deltas are ±2e-5 (decay only: ~1e-8).
      assert.ok(maxAbsoluteDifference(actual, expected) < 5e-8, `${key}: ${actual} vs ${expected}`);
    }
    // The pooler is no parameter: kept as loaded, never trained.
    assert.ok(model.transformer.unusedTensors.some((t) => t.name === "pooler.dense.weight"));
    model.dispose();
  });
}

for (const dropoutSeed of [undefined, 99]) {
  test(`tiny-xlm-roberta: every ONNX gradient equals the tfjs engine's within 1e-4 (dropout ${dropoutSeed === undefined ? "off" : "on"})`, { skip }, async () => {
    const onnx = await load("onnxruntime");
    const reference = await load("tfjs");
    const batch = onnx.tokenize(cases.map((c) => c.input).slice(0, 5));
    const random = createRandom(3);
    const dHidden = Float32Array.from({ length: batch.batchSize * batch.seqLength * onnx.transformer.hiddenSize }, () => random.normal());
    const run = async (model: SentenceTransformer) => {
      const pass = model.encoder.trainingPass(batch, { dropoutSeed });
      const hidden = await pass.forward();
      return { hidden, gradients: denseGradients(await pass.backward(dHidden)) };
    };
    const [fast, slow] = [await run(onnx), await run(reference)];
    assert.ok(maxAbsoluteDifference(fast.hidden, slow.hidden) < 1e-4, "forward");
    assert.equal(fast.gradients.size, onnx.transformer.weights.size);
    for (const [name, gradient] of slow.gradients) {
      const scale = gradient.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      assert.ok(maxAbsoluteDifference(fast.gradients.get(name)!, gradient) < 1e-4 * scale, name);
    }
    // padding_idx rows: no gradient in either engine.
    const hidden = onnx.transformer.hiddenSize;
    for (const table of ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight"]) {
      assert.ok(fast.gradients.get(table)!.subarray(hidden, 2 * hidden).every((v) => v === 0), `${table} row 1`);
    }
    onnx.dispose();
    reference.dispose();
  });
}
