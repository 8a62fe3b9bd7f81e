// Pooling.includePrompt = false (ST's include_prompt): the first prompt_length positions are masked before
// pooling (ST: attention_mask[:, :prompt_length] = 0), where prompt_length is the prompt tokenized alone less
// its trailing special token ([CLS] query : [SEP] → 3), so [CLS] is masked too. Checked on hand-made
// tensors, on the real bert-base-uncased tokenizer of ../shared/models/tiny-bert-uncased (token ids known
// from BERT's vocab), against a manually masked mean over the encoder's token embeddings (both engines),
// and through the 1_Pooling/config.json round trip.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../src/backend.ts";
import { Pooling, type PoolingMode } from "../../src/models/modules/pooling.ts";
import { SentenceTransformer, type EngineName } from "../../src/models/sentence-transformer.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

await initializeBackend({ quiet: true });

const TINY = "models/tiny-bert-uncased";
const skip = skipUnlessShared(TINY);

// [2 rows, 4 tokens, 2 dims]; row 1 has 4 real tokens, row 2 three (its last is padding holding 100s).
const TOKENS = [
  [[1, 2], [3, 4], [5, 6], [7, 8]],
  [[-1, -2], [-3, -4], [-5, 6], [100, 100]],
];
const MASK = [
  [1, 1, 1, 1],
  [1, 1, 1, 0],
];

function pool(modes: PoolingMode[], includePrompt: boolean, promptLength?: number): number[][] {
  return tf.tidy(() => new Pooling(2, modes, includePrompt).forward({ tokenEmbeddings: tf.tensor3d(TOKENS), attentionMask: tf.tensor2d(MASK, undefined, "int32"), promptLength }).arraySync());
}

test("includePrompt false with a prompt length of 2: mean, max and mean_sqrt_len skip the first 2 tokens, cls stays token 0", () => {
  // Row 1 keeps tokens 2, 3: mean [6, 7], max [7, 8], sum [12, 14]/√2. Row 2 keeps token 2 only: [-5, 6].
  assert.deepEqual(pool(["mean"], false, 2), [[6, 7], [-5, 6]]);
  assert.deepEqual(pool(["max"], false, 2), [[7, 8], [-5, 6]]);
  const sqrt = pool(["mean_sqrt_len_tokens"], false, 2);
  [12 / Math.SQRT2, 14 / Math.SQRT2, -5, 6].forEach((expected, i) => assert.ok(Math.abs(sqrt.flat()[i] - expected) < 1e-5));
  assert.deepEqual(pool(["cls"], false, 2), [[1, 2], [-1, -2]]);
});

test("includePrompt true ignores the prompt length; false without a prompt length pools every real token", () => {
  const fullMean = [[4, 5], [-3, 0]];
  assert.deepEqual(pool(["mean"], true, 2), fullMean);
  assert.deepEqual(pool(["mean"], false), fullMean);
  assert.deepEqual(pool(["mean"], false, 0), fullMean);
});

test("a prompt as long as the row masks every token: mean 0 (sum / clamp(0, 1e-9)), max −1e9, as ST", () => {
  assert.deepEqual(pool(["mean"], false, 4), [[0, 0], [0, 0]]);
  assert.deepEqual(pool(["max"], false, 4), [[-1e9, -1e9], [-1e9, -1e9]]);
});

test("1_Pooling/config.json: include_prompt written (false and true), read back; absent means true", () => {
  assert.equal(new Pooling(8, "mean", false).toConfig().include_prompt, false);
  assert.equal(new Pooling(8, "mean").toConfig().include_prompt, true);
  const base = { word_embedding_dimension: 8, pooling_mode_mean_tokens: true };
  assert.equal(Pooling.fromConfig({ ...base, include_prompt: false }, "config.json", 8).includePrompt, false);
  assert.equal(Pooling.fromConfig({ ...base, include_prompt: true }, "config.json", 8).includePrompt, true);
  assert.equal(Pooling.fromConfig(base, "config.json", 8).includePrompt, true);
});

test("prompt lengths on the bert-base-uncased tokenizer: [CLS] + the prompt's tokens, the trailing [SEP] not counted", { skip }, async () => {
  const model = await SentenceTransformer.load(sharedPath(TINY), { quiet: true, engine: "tfjs" });
  try {
    const options = { maxSeqLength: model.maxSeqLength, doLowerCase: true };
    // bert-base-uncased ids: [CLS] 101, query 23032, : 1024, [SEP] 102.
    assert.deepEqual(model.transformer.tokenizer.ids("query: ", options), [101, 23032, 1024, 102]);
    assert.equal(model.getPromptLength("query: "), 3);
    assert.equal(model.getPromptLength("passage: "), 3);
    // bge's instruction: [CLS] represent this sentence for searching relevant passages : [SEP] → 9.
    assert.equal(model.getPromptLength("Represent this sentence for searching relevant passages: "), 9);
  } finally {
    model.dispose();
  }
});

/** The encoder's token embeddings of one text (no padding) through the tfjs reference. */
function tokenEmbeddings(model: SentenceTransformer, text: string): number[][] {
  return tf.tidy(() => {
    const features = model.tokenize([text]);
    return (model.transformer.forward(features).arraySync() as number[][][])[0];
  });
}

function normalizedMean(rows: number[][]): number[] {
  const mean = rows[0].map((_, d) => rows.reduce((sum, row) => sum + row[d], 0) / rows.length);
  const norm = Math.hypot(...mean);
  return mean.map((value) => value / norm);
}

function maxDifference(a: number[], b: number[]): number {
  return Math.max(...a.map((value, i) => Math.abs(value - b[i])));
}

for (const engine of ["tfjs", "onnxruntime"] as EngineName[]) {
  test(`encode with a prompt and includePrompt false (${engine}): the mean over the text's tokens only, [SEP] included`, { skip }, async (t) => {
    const model = await SentenceTransformer.load(sharedPath(TINY), { quiet: true, engine });
    if (model.engine !== engine) return t.skip(`${engine} cannot run here`);
    try {
      const texts = ["how are you", "a man is playing the guitar on stage"];
      // [CLS] query : | how are you [SEP] → positions 3.. of each (unpadded) row.
      const expectedExcluded = texts.map((text) => normalizedMean(tokenEmbeddings(model, `query: ${text}`).slice(3)));
      const expectedIncluded = texts.map((text) => normalizedMean(tokenEmbeddings(model, `query: ${text}`)));
      const included = await model.encode(texts, { prompt: "query: ", batchSize: 2 });
      model.setPoolingIncludePrompt(false);
      assert.equal(model.pooling.includePrompt, false);
      const excluded = await model.encode(texts, { prompt: "query: ", batchSize: 2 });
      texts.forEach((_, i) => {
        assert.ok(maxDifference(excluded[i], expectedExcluded[i]) < 1e-5, `row ${i}: ${maxDifference(excluded[i], expectedExcluded[i])}`);
        assert.ok(maxDifference(included[i], expectedIncluded[i]) < 1e-5);
        assert.ok(maxDifference(excluded[i], included[i]) > 1e-3, "excluding the prompt changes the embedding");
      });
      // Without a prompt nothing is masked, includePrompt false or not.
      const plain = await model.encode(texts[0]);
      assert.ok(maxDifference(plain, normalizedMean(tokenEmbeddings(model, texts[0]))) < 1e-5);
      // A prompt by name (config_sentence_transformers.json's prompts) is masked the same way.
      model.prompts = { query: "query: " };
      assert.ok(maxDifference(await model.encode(texts[0], { promptName: "query" }), expectedExcluded[0]) < 1e-5);
    } finally {
      model.dispose();
    }
  });
}

test("a saved model keeps include_prompt false and encodes the same after reloading", { skip }, async () => {
  const model = await SentenceTransformer.load(sharedPath(TINY), { quiet: true, engine: "tfjs" });
  const directory = join(temporaryDirectory(), "saved");
  try {
    model.setPoolingIncludePrompt(false);
    const before = await model.encode("what is the capital of france", { prompt: "query: " });
    await model.savePretrained(directory);
    const config = JSON.parse(readFileSync(join(directory, "1_Pooling", "config.json"), "utf8"));
    assert.equal(config.include_prompt, false);
    const reloaded = await SentenceTransformer.load(directory, { quiet: true, engine: "tfjs" });
    try {
      assert.equal(reloaded.pooling.includePrompt, false);
      assert.ok(maxDifference(await reloaded.encode("what is the capital of france", { prompt: "query: " }), before) < 1e-6);
    } finally {
      reloaded.dispose();
    }
  } finally {
    model.dispose();
  }
});
