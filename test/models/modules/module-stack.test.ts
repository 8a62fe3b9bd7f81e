// The module stack from modules.json, with hand-made folders: a plain Hugging Face folder gets mean
// pooling and ST's one line saying so; unsupported types, a Pooling out of place, dimensions that do not
// chain, pickled Dense weights and unknown activations are one-line errors naming the file; a Dense
// with Identity / ReLU gives hand-computed values; widened F16 weights are noted once per process.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../../src/backend.ts";
import { ModelLoadError } from "../../../src/errors.ts";
import { writeSafetensors } from "../../../src/io/safetensors.ts";
import { forwardModuleStack, loadModuleStack } from "../../../src/models/modules/module-stack.ts";
import { readModules } from "../../../src/models/modules/modules-json.ts";
import { noteWidenedWeights } from "../../../src/models/modules/widened-weights.ts";
import { temporaryDirectory } from "../../support/temp.ts";

before(() => initializeBackend({ quiet: true }));

/** What `action` writes to stderr, and its result. */
function captureStderr<T>(action: () => T): { result: T; stderr: string } {
  const original = process.stderr.write;
  let stderr = "";
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: action(), stderr };
  } finally {
    process.stderr.write = original;
  }
}

const POOLING = { word_embedding_dimension: 2, pooling_mode_mean_tokens: true };

/** A model folder with modules.json listing the Transformer then `modules` ([type, folder, config?]). */
function modelFolder(modules: [string, string, Record<string, unknown>?][]): string {
  const directory = temporaryDirectory();
  const entries = [{ idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" }];
  modules.forEach(([type, path, config], index) => {
    entries.push({ idx: index + 1, name: String(index + 1), path, type });
    mkdirSync(join(directory, path), { recursive: true });
    if (config) writeFileSync(join(directory, path, "config.json"), JSON.stringify(config));
  });
  writeFileSync(join(directory, "modules.json"), JSON.stringify(entries));
  return directory;
}

function load(directory: string, inputDimension = 2) {
  return loadModuleStack(directory, readModules(directory)!.slice(1), inputDimension, { quiet: true });
}

function denseWeights(directory: string, path: string, weight: number[][], bias?: number[]): void {
  const tensors = [{ name: "linear.weight", shape: [weight.length, weight[0].length], values: new Float32Array(weight.flat()) }];
  if (bias) tensors.push({ name: "linear.bias", shape: [bias.length], values: new Float32Array(bias) });
  writeSafetensors(join(directory, path, "model.safetensors"), tensors);
}

test("a folder without modules.json gets mean pooling, and ST's one line says so", () => {
  const directory = temporaryDirectory();
  const { result, stderr } = captureStderr(() => loadModuleStack(directory, undefined, 2));
  assert.equal(stderr, `embedtune: No sentence-transformers model found with name ${directory}. Creating a new one with mean pooling.\n`);
  const embedding = tf.tidy(() =>
    forwardModuleStack(result, { tokenEmbeddings: tf.tensor3d([[[1, 2], [3, 6], [100, 100]]]), attentionMask: tf.tensor2d([[1, 1, 0]], undefined, "int32") }).arraySync(),
  );
  assert.deepEqual(embedding, [[2, 4]]);
});

test("Dense with Identity and ReLU: x·Wᵀ + b by hand", () => {
  const weight = [[1, 2], [3, -4], [0, -1]];
  const directory = modelFolder([
    ["sentence_transformers.models.Pooling", "1_Pooling", POOLING],
    ["sentence_transformers.base.modules.dense.Dense", "2_Dense", { in_features: 2, out_features: 3, bias: true, activation_function: "torch.nn.modules.linear.Identity" }],
    ["sentence_transformers.models.Dense", "3_Dense", { in_features: 3, out_features: 3, bias: false, activation_function: "torch.nn.ReLU" }],
  ]);
  denseWeights(directory, "2_Dense", weight, [0.5, 0, 1]);
  denseWeights(directory, "3_Dense", [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  const modules = load(directory);
  const features = { tokenEmbeddings: tf.tensor3d([[[1, 1]], [[2, 0]]]), attentionMask: tf.tensor2d([[1], [1]], undefined, "int32") };
  // Row 1: [1,1] → [3.5, -1, 0] → ReLU [3.5, 0, 0]; row 2: [2,0] → [2.5, 6, 1].
  assert.deepEqual(tf.tidy(() => forwardModuleStack(modules, features).arraySync()), [[3.5, 0, 0], [2.5, 6, 1]]);
  assert.deepEqual(modules.map((module) => module.summary()), ["pooling mean", "dense 2→3 identity", "dense 3→3 relu"]);
  for (const module of modules) module.dispose();
});

test("an unknown module type is one line naming modules.json, the index and the type, listing the supported ones", () => {
  const directory = modelFolder([["sentence_transformers.models.LSTM", "1_LSTM", {}]]);
  assert.throws(
    () => readModules(directory),
    (error: Error) =>
      error instanceof ModelLoadError &&
      error.message ===
        `${join(directory, "modules.json")}: module 1 has type sentence_transformers.models.LSTM, which embedtune does not support ` +
          "(it supports sentence_transformers.models.Transformer, sentence_transformers.models.Pooling, sentence_transformers.models.Dense, sentence_transformers.models.Normalize)",
  );
});

test("Pooling must come right after the Transformer, exactly once", () => {
  const directory = modelFolder([["sentence_transformers.models.Normalize", "1_Normalize"]]);
  assert.throws(() => load(directory), { message: `${join(directory, "modules.json")}: module 1 is a Normalize; embedtune needs exactly one Pooling, right after the Transformer` });
});

test("dimensions must chain: Pooling's against the hidden size, Dense's in_features against the previous output", () => {
  const pooling = modelFolder([["sentence_transformers.models.Pooling", "1_Pooling", POOLING]]);
  assert.throws(() => load(pooling, 3), { message: `${join(pooling, "1_Pooling", "config.json")}: word_embedding_dimension 2 differs from the encoder's hidden_size 3` });
  const dense = modelFolder([
    ["sentence_transformers.models.Pooling", "1_Pooling", POOLING],
    ["sentence_transformers.models.Dense", "2_Dense", { in_features: 4, out_features: 3 }],
  ]);
  denseWeights(dense, "2_Dense", [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]], [0, 0, 0]);
  assert.throws(() => load(dense), { message: `${join(dense, "2_Dense", "config.json")}: in_features 4 differs from the previous module's output dimension 2` });
});

test("Dense with only pytorch_model.bin, or an activation embedtune lacks, is one line", () => {
  const pickled = modelFolder([
    ["sentence_transformers.models.Pooling", "1_Pooling", POOLING],
    ["sentence_transformers.models.Dense", "2_Dense", { in_features: 2, out_features: 2 }],
  ]);
  writeFileSync(join(pickled, "2_Dense", "pytorch_model.bin"), "not read");
  assert.throws(() => load(pickled), {
    message:
      `${join(pickled, "2_Dense", "pytorch_model.bin")}: embedtune does not load pickled PyTorch weights; convert the model once in Python: ` +
      "SentenceTransformer(dir).save(new_dir, safe_serialization=True)",
  });
  const softplus = modelFolder([
    ["sentence_transformers.models.Pooling", "1_Pooling", POOLING],
    ["sentence_transformers.models.Dense", "2_Dense", { in_features: 2, out_features: 2, activation_function: "torch.nn.modules.activation.Softplus" }],
  ]);
  assert.throws(() => load(softplus), {
    message:
      `${join(softplus, "2_Dense", "config.json")}: activation_function "torch.nn.modules.activation.Softplus" is not supported ` +
      "(embedtune supports torch.nn.Tanh, torch.nn.Identity, torch.nn.ReLU, torch.nn.GELU, torch.nn.Sigmoid)",
  });
});

test("weights widened from F16/BF16 are noted once per process", () => {
  const { stderr } = captureStderr(() => {
    noteWidenedWeights("a/model.safetensors", "F32");
    noteWidenedWeights("a/model.safetensors", "F16");
    noteWidenedWeights("b/model.safetensors", "BF16");
  });
  assert.equal(stderr, "embedtune: a/model.safetensors stores weights as F16; they are widened to float32 to compute and train\n");
});
