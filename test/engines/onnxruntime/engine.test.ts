// OnnxEngine.encode's two sessions: weights as loaded run from a snapshot session with the weights
// baked in; changed weights switch to the session that takes them as inputs (never a stale snapshot);
// weights that then stay put for SNAPSHOT_AFTER_STABLE_BATCHES batches get a new snapshot. Every
// output is checked against the tfjs reference encoder at the same weights.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initModel } from "../../../src/generator/init-model.ts";
import type { OnnxEngine } from "../../../src/engines/onnxruntime/engine.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { temporaryDirectory } from "../../support/temp.ts";

const SENTENCES = ["A man is playing a guitar.", "Two dogs run across a field of snow.", "Hi."];

let onnxModel: SentenceTransformer;
let tfjsModel: SentenceTransformer;

before(async () => {
  const directory = join(temporaryDirectory(), "tiny");
  await initModel({ out: directory, preset: "tiny", seed: 5 });
  onnxModel = await SentenceTransformer.load(directory, { engine: "onnxruntime", quiet: true });
  tfjsModel = await SentenceTransformer.load(directory, { engine: "tfjs", quiet: true });
});
after(() => {
  onnxModel?.dispose();
  tfjsModel?.dispose();
});

/** Adds `delta` to one weight of both models. */
function shiftWeight(name: string, delta: number): void {
  for (const model of [onnxModel, tfjsModel]) {
    const variable = model.transformer.namedParameters().find((parameter) => parameter.name === name)!.tensor;
    variable.assign(tf.tidy(() => variable.add(delta)));
  }
}

async function assertMatchesReference(label: string): Promise<number[][]> {
  const embeddings = await onnxModel.encode(SENTENCES);
  const reference = await tfjsModel.encode(SENTENCES);
  assert.ok(maxAbsoluteDifference(embeddings.flat(), reference.flat()) < 1e-5, label);
  return embeddings;
}

test("encode runs a snapshot at loaded weights, the weight-input session after a change, and a new snapshot once weights stay put", async () => {
  assert.equal(onnxModel.engine, "onnxruntime");
  const engine = onnxModel.encoder as OnnxEngine;
  const loaded = await assertMatchesReference("weights as loaded");
  assert.equal(engine.encodesFromSnapshot, true);

  shiftWeight("encoder.layer.1.output.LayerNorm.bias", 0.25);
  const changed = await assertMatchesReference("right after a change");
  assert.equal(engine.encodesFromSnapshot, false);
  assert.ok(maxAbsoluteDifference(changed.flat(), loaded.flat()) > 1e-3, "the change reached the output");

  // With the batch above, 48 batches at the same weights; the 49th builds a snapshot.
  await onnxModel.encode(Array.from({ length: 47 }, (_, index) => `sentence number ${index}`), { batchSize: 1 });
  assert.equal(engine.encodesFromSnapshot, false);
  await assertMatchesReference("after the weights stayed put");
  assert.equal(engine.encodesFromSnapshot, true);

  shiftWeight("embeddings.word_embeddings.weight", -0.1);
  await assertMatchesReference("after a second change");
  assert.equal(engine.encodesFromSnapshot, false);
});
