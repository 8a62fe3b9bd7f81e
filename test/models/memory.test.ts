// No leaks: encoding thousands of sentences and repeated training steps leave tfjs's tensor count
// where it started (after the optimizer's first step has allocated its moments).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_CORPUS, initModel } from "../../src/generator/init-model.ts";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { AdamW } from "../../src/training/adamw.ts";
import { clipGradientsByGlobalNorm } from "../../src/training/gradient-clipping.ts";
import { lossAndGradients } from "../../src/training/train-step.ts";
import { temporaryDirectory } from "../support/temp.ts";

const corpus = readFileSync(DEFAULT_CORPUS, "utf8").split("\n").filter(Boolean);

async function tinyModel(): Promise<SentenceTransformer> {
  const directory = join(temporaryDirectory(), "model");
  await initModel({ out: directory, hidden: 32, layers: 2, heads: 2, intermediate: 64, vocabSize: 1200, seed: 3 });
  return SentenceTransformer.load(directory, { quiet: true });
}

test("encoding 5,000 sentences leaves tf.memory().numTensors where it started", async () => {
  const model = await tinyModel();
  const sentences = Array.from({ length: 5000 }, (_, i) => `${corpus[i % corpus.length]} (${i})`);
  const before = tf.memory().numTensors;
  const embeddings = await model.encode(sentences, { batchSize: 64, normalizeEmbeddings: true });
  assert.equal(embeddings.length, 5000);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test("training steps (dropout, checkpointing, clipping, AdamW) keep the tensor count flat", async () => {
  const model = await tinyModel();
  const parameters = model.transformer.namedParameters();
  const optimizer = new AdamW(parameters, { learningRate: 1e-3, weightDecay: 0.01 });
  const loss = new CoSENTLoss(model);
  const counts: number[] = [];
  for (let step = 0; step < 6; step++) {
    const rows = Array.from({ length: 8 }, (_, i) => (step * 8 + i) % (corpus.length - 1));
    const result = lossAndGradients(
      model,
      loss,
      [rows.map((i) => corpus[i]), rows.map((i) => corpus[i + 1])],
      rows.map((i) => (i % 5) / 4),
      { training: true, dropoutSeed: step, checkpointLayers: true },
    );
    clipGradientsByGlobalNorm(result.gradients, 1);
    optimizer.applyGradients(result.gradients);
    counts.push(tf.memory().numTensors);
  }
  assert.deepEqual(counts.slice(1), Array(5).fill(counts[0]), `tensor counts per step: ${counts}`);
  model.dispose();
});
