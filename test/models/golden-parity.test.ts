// Parity with the PyTorch reference (Hugging Face BertModel semantics): ../shared/models/tiny-bert
// and golden.json computed in PyTorch (fp32, eval mode, all 8 inputs in one right-padded batch).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { maxAbsoluteDifference } from "../support/compare.ts";

interface GoldenCase {
  input: string;
  tokens: string[];
  input_ids: number[];
  hidden_token0_head: number[];
  hidden_last_real_token_head: number[];
  hidden_sum_real_tokens: number;
  hidden_abs_sum_real_tokens: number;
  embedding_cls_normalized: number[];
  embedding_mean_normalized: number[];
}

const skip = skipUnlessShared("models/tiny-bert/golden.json");
const golden = skip ? undefined : JSON.parse(readFileSync(sharedPath("models/tiny-bert/golden.json"), "utf8"));
const cases: GoldenCase[] = golden?.cases ?? [];
const inputs = cases.map((c) => c.input);

test("tiny-bert: token ids match the Python tokenizer exactly, [CLS] … [SEP] kept", { skip }, async () => {
  const model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true });
  const batch = model.tokenize(inputs);
  cases.forEach((c, row) => {
    const length = batch.attentionMask.subarray(row * batch.seqLength, (row + 1) * batch.seqLength).reduce((a, b) => a + b, 0);
    const ids = Array.from(batch.inputIds.subarray(row * batch.seqLength, row * batch.seqLength + length));
    assert.deepEqual(ids, c.input_ids, `ids of ${JSON.stringify(c.input)}`);
    assert.deepEqual(model.transformer.tokenizer.tokens(c.input, { maxSeqLength: 128, doLowerCase: true }), c.tokens);
  });
  model.dispose();
});

test("tiny-bert: final hidden states match PyTorch within 1e-4", { skip }, async () => {
  const model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true });
  const batch = model.tokenize(inputs);
  const hidden = model.transformer.forward(batch);
  const values = (await hidden.array()) as number[][][];
  hidden.dispose();
  cases.forEach((c, row) => {
    const length = c.input_ids.length;
    const real = values[row].slice(0, length);
    assert.ok(maxAbsoluteDifference(real[0].slice(0, 8), c.hidden_token0_head) < 1e-4, `token 0 of ${c.input}`);
    assert.ok(maxAbsoluteDifference(real[length - 1].slice(0, 8), c.hidden_last_real_token_head) < 1e-4, `last token of ${c.input}`);
    const sum = real.flat().reduce((a, b) => a + b, 0);
    const absoluteSum = real.flat().reduce((a, b) => a + Math.abs(b), 0);
    assert.ok(Math.abs(sum - c.hidden_sum_real_tokens) < 1e-3, `sum ${sum} vs ${c.hidden_sum_real_tokens}`);
    assert.ok(Math.abs(absoluteSum - c.hidden_abs_sum_real_tokens) < 1e-3, `abs sum ${absoluteSum}`);
  });
  model.dispose();
});

test("tiny-bert (CLS + Normalize): embeddings and cosine matrix match PyTorch within 1e-4", { skip }, async () => {
  const model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true });
  assert.deepEqual(model.pooling.modes, ["cls"]);
  assert.ok(model.normalize, "modules.json lists Normalize although 2_Normalize/ is absent");
  const embeddings = await model.encode(inputs);
  cases.forEach((c, row) => {
    assert.equal(embeddings[row].length, 64);
    assert.ok(maxAbsoluteDifference(embeddings[row], c.embedding_cls_normalized) < 1e-4, `embedding of ${c.input}`);
  });
  const cosine = model.similarity(embeddings, embeddings).flat();
  assert.ok(maxAbsoluteDifference(cosine, golden.cosine_matrix_of_model_embeddings) < 1e-4);
  model.dispose();
});

test("tiny-bert-mean (mean pooling + Normalize): embeddings match PyTorch within 1e-4", { skip: skip || skipUnlessShared("models/tiny-bert-mean") }, async () => {
  const model = await SentenceTransformer.load(sharedPath("models/tiny-bert-mean"), { quiet: true });
  assert.deepEqual(model.pooling.modes, ["mean"]);
  const embeddings = await model.encode(inputs, { batchSize: 3 });
  cases.forEach((c, row) => {
    assert.ok(maxAbsoluteDifference(embeddings[row], c.embedding_mean_normalized) < 1e-4, `embedding of ${c.input}`);
  });
  model.dispose();
  assert.equal(tf.getBackend(), "wasm");
});
