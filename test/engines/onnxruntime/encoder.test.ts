// The onnxruntime encoder (OnnxEncoder) against the tfjs reference encoder and the PyTorch golden
// values: ../shared/models/tiny-bert (last_hidden_state, CLS + Normalize embeddings) and a generated
// model with bge-small-en-v1.5's architecture (12 layers, hidden 384, vocabulary 30,522); padding
// (extra padded columns leave real tokens unchanged) and a batch of one.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import type { EncoderInputs } from "../../../src/engines/architecture.ts";
import { copyWeights } from "../../../src/engines/engine.ts";
import type { BertConfig } from "../../../src/models/families/bert/index.ts";
import { OnnxEncoder } from "../../../src/engines/onnxruntime/encoder.ts";
import { DEFAULT_CORPUS, initModel } from "../../../src/generator/init-model.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";
import { temporaryDirectory } from "../../support/temp.ts";

interface GoldenCase {
  input: string;
  input_ids: number[];
  hidden_token0_head: number[];
  hidden_last_real_token_head: number[];
  embedding_cls_normalized: number[];
}

const TOLERANCE = 1e-5;

/** The tfjs reference encoder's last_hidden_state, row-major. */
function tfjsHidden(model: SentenceTransformer, inputs: EncoderInputs): Float32Array {
  const hidden = model.transformer.forward(inputs);
  const values = hidden.dataSync() as Float32Array;
  hidden.dispose();
  return values;
}

/** Values of the real (attended) tokens only, in order. */
function realTokens(hidden: Float32Array, inputs: EncoderInputs, hiddenSize: number): Float32Array {
  const kept: number[] = [];
  for (let position = 0; position < inputs.batchSize * inputs.seqLength; position++) {
    if (inputs.attentionMask[position]) kept.push(...hidden.subarray(position * hiddenSize, (position + 1) * hiddenSize));
  }
  return Float32Array.from(kept);
}

/** The same batch with `extra` padding columns appended to every row. */
function padded(inputs: EncoderInputs, extra: number, padId: number): EncoderInputs {
  const seqLength = inputs.seqLength + extra;
  const grow = (values: Int32Array, fill: number) => {
    const out = new Int32Array(inputs.batchSize * seqLength).fill(fill);
    for (let row = 0; row < inputs.batchSize; row++) {
      out.set(values.subarray(row * inputs.seqLength, (row + 1) * inputs.seqLength), row * seqLength);
    }
    return out;
  };
  return {
    inputIds: grow(inputs.inputIds, padId),
    attentionMask: grow(inputs.attentionMask, 0),
    tokenTypeIds: grow(inputs.tokenTypeIds, 0),
    batchSize: inputs.batchSize,
    seqLength,
  };
}

const goldenSkip = skipUnlessShared("models/tiny-bert/golden.json");

describe("OnnxEncoder on tiny-bert (PyTorch golden values)", { skip: goldenSkip }, () => {
  let model: SentenceTransformer;
  let encoder: OnnxEncoder;
  let cases: GoldenCase[];

  before(async () => {
    cases = JSON.parse(readFileSync(sharedPath("models/tiny-bert/golden.json"), "utf8")).cases;
    model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true });
    encoder = await OnnxEncoder.create(model.transformer.family, model.transformer.config);
  });
  after(async () => {
    await encoder?.dispose();
    model?.dispose();
  });

  test("last_hidden_state equals the tfjs encoder's and the golden values within 1e-5", async () => {
    assert.ok(["cpu", "cuda"].includes(encoder.provider));
    const inputs = model.tokenize(cases.map((c) => c.input));
    const hiddenSize = model.transformer.hiddenSize;
    const hidden = await encoder.forward(inputs, copyWeights(model.transformer));
    assert.ok(hidden instanceof Float32Array);
    assert.equal(hidden.length, inputs.batchSize * inputs.seqLength * hiddenSize);
    const reference = tfjsHidden(model, inputs);
    assert.ok(maxAbsoluteDifference(realTokens(hidden, inputs, hiddenSize), realTokens(reference, inputs, hiddenSize)) < TOLERANCE);
    cases.forEach((c, row) => {
      const token = (index: number) => {
        const start = (row * inputs.seqLength + index) * hiddenSize;
        return hidden.subarray(start, start + 8);
      };
      assert.ok(maxAbsoluteDifference(token(0), c.hidden_token0_head) < TOLERANCE, `token 0 of ${c.input}`);
      assert.ok(maxAbsoluteDifference(token(c.input_ids.length - 1), c.hidden_last_real_token_head) < TOLERANCE, `last token of ${c.input}`);
    });
  });

  test("CLS pooling + Normalize over its output equals embedding_cls_normalized within 1e-5", async () => {
    const inputs = model.tokenize(cases.map((c) => c.input));
    const hidden = await encoder.forward(inputs, copyWeights(model.transformer));
    const embeddings = tf.tidy(() => {
      const tokens = tf.tensor3d(hidden, [inputs.batchSize, inputs.seqLength, model.transformer.hiddenSize]);
      return model.poolAndNormalize(tokens, inputs);
    });
    const rows = embeddings.arraySync();
    embeddings.dispose();
    cases.forEach((c, row) => assert.ok(maxAbsoluteDifference(rows[row], c.embedding_cls_normalized) < TOLERANCE, `embedding of ${c.input}`));
  });
});

describe("OnnxEncoder on a generated bge-small-shaped model", () => {
  let model: SentenceTransformer;
  let encoder: OnnxEncoder;
  let weights: Map<string, Float32Array>;
  let sentences: string[];

  before(async () => {
    const directory = join(temporaryDirectory(), "bge-small-random");
    const realVocabulary = sharedPath("models/bert-base-uncased-tokenizer/vocab.txt");
    await initModel({ out: directory, preset: "bge-small", vocab: existsSync(realVocabulary) ? realVocabulary : undefined, seed: 3 });
    model = await SentenceTransformer.load(directory, { quiet: true });
    encoder = await OnnxEncoder.create(model.transformer.family, model.transformer.config);
    weights = copyWeights(model.transformer);
    const corpus = readFileSync(DEFAULT_CORPUS, "utf8").split("\n").filter(Boolean);
    // Lengths from a few tokens to two corpus lines, so most rows are padded.
    sentences = ["Hi.", ...corpus.slice(0, 5), corpus.slice(5, 7).join(" "), "A dog."];
  });
  after(async () => {
    await encoder?.dispose();
    model?.dispose();
  });

  test("the architecture is bge-small's", () => {
    const config = model.transformer.config as BertConfig;
    assert.deepEqual(
      [config.numHiddenLayers, config.hiddenSize, config.numAttentionHeads, config.intermediateSize, config.vocabSize],
      [12, 384, 12, 1536, 30522],
    );
    assert.equal(weights.size, model.transformer.namedParameters().length);
  });

  test("8 sentences: equals the tfjs encoder within 1e-5 (every position, padding included)", async () => {
    const inputs = model.tokenize(sentences);
    assert.equal(inputs.batchSize, 8);
    assert.ok(inputs.attentionMask.includes(0), "the batch has padding");
    const hidden = await encoder.forward(inputs, weights);
    const reference = tfjsHidden(model, inputs);
    const scale = Math.max(...reference.map(Math.abs));
    assert.ok(scale > 0.5 && scale < 20, `output magnitude ${scale}`);
    assert.ok(maxAbsoluteDifference(hidden, reference) < TOLERANCE * Math.max(1, scale));
  });

  test("extra padding columns leave the real tokens unchanged", async () => {
    const inputs = model.tokenize(sentences);
    const hiddenSize = model.transformer.hiddenSize;
    const wider = padded(inputs, 5, model.transformer.config.padTokenId);
    const hidden = await encoder.forward(inputs, weights);
    const widerHidden = await encoder.forward(wider, weights);
    assert.equal(widerHidden.length, 8 * wider.seqLength * hiddenSize);
    assert.ok(maxAbsoluteDifference(realTokens(widerHidden, wider, hiddenSize), realTokens(hidden, inputs, hiddenSize)) < TOLERANCE);
  });

  test("a batch of one equals its row in the padded batch and the tfjs encoder", async () => {
    const batch = model.tokenize(sentences);
    const hiddenSize = model.transformer.hiddenSize;
    const batchHidden = await encoder.forward(batch, weights);
    const single = model.tokenize([sentences[0]]);
    assert.equal(single.batchSize, 1);
    const hidden = await encoder.forward(single, weights);
    assert.equal(hidden.length, single.seqLength * hiddenSize);
    assert.ok(maxAbsoluteDifference(hidden, tfjsHidden(model, single)) < TOLERANCE);
    const row = batchHidden.subarray(0, single.seqLength * hiddenSize);
    assert.ok(maxAbsoluteDifference(hidden, row) < TOLERANCE);
  });

  test("weights are read at each call: changed weights change the output; bad weights are refused", async () => {
    const inputs = model.tokenize(sentences.slice(0, 2));
    const before = await encoder.forward(inputs, weights);
    const changed = new Map(weights);
    changed.set("embeddings.LayerNorm.bias", weights.get("embeddings.LayerNorm.bias")!.map((value) => value + 0.5));
    const after = await encoder.forward(inputs, changed);
    assert.ok(maxAbsoluteDifference(after, before) > 1e-3);
    const missing = new Map(weights);
    missing.delete("encoder.layer.3.output.dense.bias");
    await assert.rejects(encoder.forward(inputs, missing), /encoder\.layer\.3\.output\.dense\.bias is missing/);
    const wrong = new Map(weights);
    wrong.set("encoder.layer.0.attention.self.query.weight", new Float32Array(10));
    await assert.rejects(encoder.forward(inputs, wrong), /has 10 values, expected \[384, 384\]/);
  });
});
