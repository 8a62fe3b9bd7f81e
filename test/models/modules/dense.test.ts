// sentence-transformers' Dense against the real library (ST 6 + torch in .venv): dense_reference.py builds
// tiny-bert → mean Pooling → Dense 64→32 Tanh → Dense 32→16 GELU (no bias) → Normalize and records torch's
// outputs and gradients. The folder ST saved loads here (its v6 type spellings and Pooling dialect), Dense
// and the whole stack give torch's values within 1e-6 with tf autodiff giving torch's gradients, and the
// folder embedtune saves loads back in ST with the same classes, configs, weights and embeddings.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../../src/backend.ts";
import { Dense } from "../../../src/models/modules/dense.ts";
import type { SentenceModule } from "../../../src/models/modules/module.ts";
import { forwardModuleStack, loadModuleStack, moduleStackParameters, saveModuleStack } from "../../../src/models/modules/module-stack.ts";
import { readModules } from "../../../src/models/modules/modules-json.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { interopPython, skipUnlessPython } from "../../support/python-interop.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";
import { temporaryDirectory } from "../../support/temp.ts";

const SCRIPT = new URL("./dense_reference.py", import.meta.url).pathname;
const skip = skipUnlessShared("models/tiny-bert") || skipUnlessPython("sentence_transformers", "torch");

interface Reference {
  pooled: number[][];
  dense1: number[][];
  tokens: number[][][];
  mask: number[][];
  loss_weights: number[][];
  stack: number[][];
  grad_dense1_weight: number[][];
  grad_dense1_bias: number[];
  grad_dense2_weight: number[][];
}

function runPython(...args: string[]): string {
  const result = spawnSync(interopPython(), [SCRIPT, ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`dense_reference.py ${args[0]} failed: ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

describe("Dense and the module stack against sentence-transformers 6", { skip }, () => {
  const workspace = temporaryDirectory();
  const modelDirectory = join(workspace, "model");
  let reference: Reference;
  let modules: SentenceModule[];

  before(async () => {
    await initializeBackend({ quiet: true });
    runPython("build", workspace, sharedPath("models/tiny-bert"));
    reference = JSON.parse(readFileSync(join(workspace, "reference.json"), "utf8")) as Reference;
    modules = loadModuleStack(modelDirectory, readModules(modelDirectory)!.slice(1), 64, { quiet: true });
  });
  after(() => {
    for (const module of modules ?? []) module.dispose();
  });

  const features = () => ({ tokenEmbeddings: tf.tensor3d(reference.tokens), attentionMask: tf.tensor2d(reference.mask, undefined, "int32") });

  test("ST's folder loads as Pooling → Dense → Dense → Normalize with the dimensions chained", () => {
    assert.deepEqual(modules.map((module) => module.className), ["Pooling", "Dense", "Dense", "Normalize"]);
    assert.deepEqual(modules.map((module) => module.outputDimension), [64, 32, 16, 16]);
  });

  test("Dense (64→32, Tanh) on given pooled vectors equals torch within 1e-6", () => {
    const dense = modules[1];
    assert.ok(dense instanceof Dense);
    const output = tf.tidy(() => dense.forward({ ...features(), sentenceEmbedding: tf.tensor2d(reference.pooled) }).arraySync());
    assert.ok(maxAbsoluteDifference(output.flat(), reference.dense1.flat()) < 1e-6);
  });

  test("the whole stack and its gradients (tf autodiff) equal torch's within 1e-6", () => {
    const parameters = moduleStackParameters(modules);
    assert.deepEqual([...parameters.keys()], ["2_Dense/linear.weight", "2_Dense/linear.bias", "3_Dense/linear.weight"]);
    const { value, grads } = tf.variableGrads(() =>
      tf.sum(tf.mul(forwardModuleStack(modules, features()), tf.tensor2d(reference.loss_weights))) as tf.Scalar,
    );
    const stack = tf.tidy(() => forwardModuleStack(modules, features()).arraySync());
    assert.ok(maxAbsoluteDifference(stack.flat(), reference.stack.flat()) < 1e-6);
    const gradient = (name: string) => grads[parameters.get(name)!.name].dataSync();
    assert.ok(maxAbsoluteDifference(gradient("2_Dense/linear.weight"), reference.grad_dense1_weight.flat()) < 1e-6);
    assert.ok(maxAbsoluteDifference(gradient("2_Dense/linear.bias"), reference.grad_dense1_bias) < 1e-6);
    assert.ok(maxAbsoluteDifference(gradient("3_Dense/linear.weight"), reference.grad_dense2_weight.flat()) < 1e-6);
    value.dispose();
    tf.dispose(grads);
  });

  test("a folder embedtune saves loads in ST with the same modules, configs, weights and embeddings", () => {
    const saved = join(workspace, "saved");
    cpSync(modelDirectory, saved, { recursive: true });
    for (const entry of ["modules.json", "1_Pooling", "2_Dense", "3_Dense", "4_Normalize"]) rmSync(join(saved, entry), { recursive: true });
    saveModuleStack(saved, modules);
    const entries = JSON.parse(readFileSync(join(saved, "modules.json"), "utf8")) as { idx: number; name: string; path: string; type: string }[];
    assert.deepEqual(
      entries.map((entry) => [entry.idx, entry.name, entry.path, entry.type]),
      [
        [0, "0", "", "sentence_transformers.models.Transformer"],
        [1, "1", "1_Pooling", "sentence_transformers.models.Pooling"],
        [2, "2", "2_Dense", "sentence_transformers.models.Dense"],
        [3, "3", "3_Dense", "sentence_transformers.models.Dense"],
        [4, "4", "4_Normalize", "sentence_transformers.models.Normalize"],
      ],
    );
    assert.deepEqual(JSON.parse(readFileSync(join(saved, "3_Dense", "config.json"), "utf8")), {
      in_features: 32,
      out_features: 16,
      bias: false,
      activation_function: "torch.nn.modules.activation.GELU",
    });
    const check = JSON.parse(runPython("check", saved, modelDirectory)) as Record<string, unknown>;
    assert.deepEqual(check, {
      classes: ["Transformer", "Pooling", "Dense", "Dense", "Normalize"],
      configs_equal: true,
      weights_equal: true,
      same_length: true,
      max_embedding_difference: 0,
    });
  });
});
