// Real size on the wasm backend: a model with bge-small-en-v1.5's architecture (12 layers, hidden 384,
// 12 heads, intermediate 1536, vocabulary 30,522; random weights from the generator) encodes, and runs
// training steps on 16 pairs of 33 tokens within the 4 GB wasm heap (tfjs's default gradients do not).

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_CORPUS, initModel } from "../../../src/generator/init-model.ts";
import { CoSENTLoss } from "../../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { AdamW } from "../../../src/training/adamw.ts";
import { clipGradientsByGlobalNorm } from "../../../src/training/gradient-clipping.ts";
import { lossAndGradients } from "../../../src/training/train-step.ts";
import type { BertConfig } from "../../../src/models/families/bert/index.ts";
import { sharedPath } from "../../support/shared.ts";
import { temporaryDirectory } from "../../support/temp.ts";

const SEQ_LENGTH = 33;
const corpus = readFileSync(DEFAULT_CORPUS, "utf8").split("\n").filter(Boolean);

/** Sentences long enough to fill 33 tokens, so every row is truncated to exactly 33. */
function longSentences(count: number, offset: number): string[] {
  return Array.from({ length: count }, (_, i) => corpus.slice(offset + 3 * i, offset + 3 * i + 4).join(" "));
}

test("bge-small architecture: encode and two training steps of 16 pairs × 33 tokens on wasm", { timeout: 600_000 }, async () => {
  const directory = join(temporaryDirectory(), "bge-small-random");
  const realVocabulary = sharedPath("models/bert-base-uncased-tokenizer/vocab.txt");
  await initModel({ out: directory, preset: "bge-small", vocab: existsSync(realVocabulary) ? realVocabulary : undefined, seed: 1 });
  const model = await SentenceTransformer.load(directory, { quiet: true });
  assert.equal(tf.getBackend(), "wasm");
  const config = model.transformer.config as BertConfig;
  assert.deepEqual(
    [config.numHiddenLayers, config.hiddenSize, config.numAttentionHeads, config.intermediateSize, config.vocabSize],
    [12, 384, 12, 1536, 30522],
  );
  model.maxSeqLength = SEQ_LENGTH;

  const first = longSentences(16, 0);
  const second = longSentences(16, 1);
  const batch = model.tokenize(first);
  assert.equal(batch.seqLength, SEQ_LENGTH);
  assert.ok(batch.attentionMask.every((bit) => bit === 1), "every row fills all 33 tokens");

  const embeddings = await model.encode(first.slice(0, 8));
  assert.equal(embeddings[0].length, 384);
  assert.ok(embeddings.flat().every(Number.isFinite));

  const parameters = model.transformer.namedParameters();
  const optimizer = new AdamW(parameters, { learningRate: 2e-5 });
  const loss = new CoSENTLoss(model);
  const labels = Array.from({ length: 16 }, (_, i) => (i % 6) / 5);
  const query = parameters.find((p) => p.name === "encoder.layer.11.attention.self.query.weight")!.tensor;
  const queryBefore = query.dataSync().slice();
  const tensorCounts: number[] = [];
  for (let step = 0; step < 2; step++) {
    const result = lossAndGradients(model, loss, [first, second], labels, { training: true, dropoutSeed: step, checkpointLayers: true });
    assert.ok(Number.isFinite(result.loss) && result.loss > 0, `loss ${result.loss}`);
    const norm = clipGradientsByGlobalNorm(result.gradients, 1);
    assert.ok(Number.isFinite(norm) && norm > 0);
    optimizer.applyGradients(result.gradients);
    tensorCounts.push(tf.memory().numTensors);
  }
  assert.equal(tensorCounts[1], tensorCounts[0], "second step allocates nothing new");
  assert.ok(query.dataSync().some((value, i) => value !== queryBefore[i]), "the step changed the weights");
  model.dispose();
});
