// Pooling and Normalize against hand-computed values (sentence-transformers semantics, reference §1.9/§2):
// cls = first token; mean = Σ(tok·mask)/Σmask; max over real tokens only; mean_sqrt_len = Σ(tok·mask)/√Σmask;
// several modes concatenated in ST's order cls, max, mean, mean_sqrt_len; Normalize = x / max(‖x‖₂, 1e-12).

import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../src/backend.ts";
import { ModelLoadError } from "../../src/errors.ts";
import { Normalize, l2Normalize } from "../../src/models/modules/normalize.ts";
import { Pooling, type PoolingMode } from "../../src/models/modules/pooling.ts";
import { maxAbsoluteDifference } from "../support/compare.ts";

await initializeBackend({ quiet: true });

// [2 rows, 3 tokens, 2 dims]. Row 1's last token is padding and holds the largest value of dim 0 (100)
// and, in dim 1, a 0 that beats every (negative) real value — max pooling must ignore both.
const TOKENS = [
  [
    [1, 2],
    [3, -4],
    [5, 0],
  ],
  [
    [-1, -6],
    [-2, -3],
    [100, 0],
  ],
];
const MASK = [
  [1, 1, 1],
  [1, 1, 0],
];

// Hand-computed expectations.
const CLS = [
  [1, 2],
  [-1, -6],
];
const MAX = [
  [5, 2],
  [-1, -3],
];
const MEAN = [
  [9 / 3, -2 / 3],
  [-3 / 2, -9 / 2],
];
const MEAN_SQRT = [
  [9 / Math.sqrt(3), -2 / Math.sqrt(3)],
  [-3 / Math.sqrt(2), -9 / Math.sqrt(2)],
];

function pool(modes: PoolingMode | PoolingMode[], tokens = TOKENS, mask = MASK): number[][] {
  const pooling = new Pooling(tokens[0][0].length, modes);
  return tf.tidy(() => pooling.forward({ tokenEmbeddings: tf.tensor3d(tokens), attentionMask: tf.tensor2d(mask, undefined, "int32") }).arraySync());
}

function assertClose(actual: number[][], expected: number[][], tolerance = 1e-5, message?: string): void {
  assert.deepEqual(
    actual.map((row) => row.length),
    expected.map((row) => row.length),
    `${message ?? ""} shape`,
  );
  const difference = maxAbsoluteDifference(actual.flat(), expected.flat());
  assert.ok(difference <= tolerance, `${message ?? ""} differs by ${difference}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
}

test("cls pooling takes the first token of each row", () => {
  assertClose(pool("cls"), CLS);
});

test("mean pooling divides the masked sum by the number of real tokens", () => {
  assertClose(pool("mean"), MEAN);
});

test("max pooling ignores padding even where padding holds the largest value", () => {
  assertClose(pool("max"), MAX);
});

test("mean_sqrt_len_tokens divides the masked sum by √(number of real tokens)", () => {
  assertClose(pool("mean_sqrt_len_tokens"), MEAN_SQRT);
});

test("two modes are concatenated in ST order (cls before mean) whatever order they are given in", () => {
  const pooling = new Pooling(2, ["mean", "cls"]);
  assert.deepEqual(pooling.modes, ["cls", "mean"]);
  assert.equal(pooling.outputDimension, 4);
  const expected = CLS.map((row, i) => [...row, ...MEAN[i]]);
  assertClose(pool(["mean", "cls"]), expected);
});

test("all four modes: cls | max | mean | mean_sqrt_len, dimension 4 × word dimension", () => {
  const pooling = new Pooling(2, ["mean_sqrt_len_tokens", "mean", "max", "cls"]);
  assert.deepEqual(pooling.modes, ["cls", "max", "mean", "mean_sqrt_len_tokens"]);
  assert.equal(pooling.outputDimension, 8);
  const expected = CLS.map((row, i) => [...row, ...MAX[i], ...MEAN[i], ...MEAN_SQRT[i]]);
  assertClose(pool(["mean_sqrt_len_tokens", "mean", "max", "cls"]), expected);
});

test("a row without real tokens gives 0 for mean (count clamped to 1e-9, not a division by zero)", () => {
  const result = pool(["mean", "mean_sqrt_len_tokens"], [[[4, -4]]], [[0]]);
  assert.deepEqual(result, [[0, 0, 0, 0]]);
});

test("Pooling constructor refuses an empty mode list", () => {
  assert.throws(() => new Pooling(2, []), /at least one mode/);
});

// ---- config dialects -------------------------------------------------------------------------------

const FILE = "/models/x/1_Pooling/config.json";

function v3Config(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    word_embedding_dimension: 384,
    pooling_mode_cls_token: false,
    pooling_mode_mean_tokens: false,
    pooling_mode_max_tokens: false,
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: false,
    include_prompt: true,
    ...overrides,
  };
}

test("fromConfig reads the v3 boolean dialect", () => {
  const mean = Pooling.fromConfig(v3Config({ pooling_mode_mean_tokens: true }), FILE, 7);
  assert.deepEqual(mean.modes, ["mean"]);
  assert.equal(mean.wordEmbeddingDimension, 384);
  assert.equal(mean.outputDimension, 384);
  assert.equal(mean.includePrompt, true);

  const clsMax = Pooling.fromConfig(v3Config({ pooling_mode_cls_token: true, pooling_mode_max_tokens: true, include_prompt: false }), FILE, 7);
  assert.deepEqual(clsMax.modes, ["cls", "max"]);
  assert.equal(clsMax.outputDimension, 768);
  assert.equal(clsMax.includePrompt, false);

  // The oldest files (like the shared tiny-bert's) have only the four original booleans.
  const old = Pooling.fromConfig(
    { word_embedding_dimension: 64, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false, pooling_mode_max_tokens: false, pooling_mode_mean_sqrt_len_tokens: false },
    FILE,
    7,
  );
  assert.deepEqual(old.modes, ["cls"]);
  assert.equal(old.wordEmbeddingDimension, 64);
});

test("fromConfig reads the v5.4 dialect {embedding_dimension, pooling_mode}", () => {
  const mean = Pooling.fromConfig({ embedding_dimension: 384, pooling_mode: "mean", include_prompt: true }, FILE, 7);
  assert.deepEqual(mean.modes, ["mean"]);
  assert.equal(mean.wordEmbeddingDimension, 384);
  const sqrt = Pooling.fromConfig({ embedding_dimension: 16, pooling_mode: "mean_sqrt_len_tokens" }, FILE, 7);
  assert.deepEqual(sqrt.modes, ["mean_sqrt_len_tokens"]);
  assert.equal(sqrt.wordEmbeddingDimension, 16);
  const cls = Pooling.fromConfig({ pooling_mode: "cls" }, FILE, 7);
  assert.deepEqual(cls.modes, ["cls"]);
  assert.equal(cls.wordEmbeddingDimension, 7, "without a dimension the encoder's hidden size is used");
});

function assertLoadError(config: unknown, pattern: RegExp): void {
  assert.throws(
    () => Pooling.fromConfig(config, FILE, 7),
    (error: unknown) => {
      assert.ok(error instanceof ModelLoadError, `expected ModelLoadError, got ${String(error)}`);
      assert.equal(error.file, FILE);
      assert.ok(error.message.includes(FILE), `message names the file: ${error.message}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test("fromConfig rejects weightedmean, lasttoken and configs without a mode, naming the file", () => {
  assertLoadError(v3Config({ pooling_mode_weightedmean_tokens: true }), /weightedmean/);
  assertLoadError(v3Config({ pooling_mode_mean_tokens: true, pooling_mode_lasttoken: true }), /lasttoken/);
  assertLoadError({ embedding_dimension: 8, pooling_mode: "weightedmean" }, /weightedmean/);
  assertLoadError({ embedding_dimension: 8, pooling_mode: "lasttoken" }, /lasttoken/);
  assertLoadError(v3Config({}), /no pooling mode/);
  assertLoadError({ word_embedding_dimension: 8 }, /no pooling mode/);
  assertLoadError({ word_embedding_dimension: -3, pooling_mode_mean_tokens: true }, /word_embedding_dimension/);
  assertLoadError([1, 2], /not a JSON object/);
});

test("toConfig writes exactly the v3 keys in ST's order and reads back to the same module", () => {
  const pooling = new Pooling(32, ["max", "cls"]);
  const config = pooling.toConfig();
  assert.deepEqual(Object.keys(config), [
    "word_embedding_dimension",
    "pooling_mode_cls_token",
    "pooling_mode_mean_tokens",
    "pooling_mode_max_tokens",
    "pooling_mode_mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens",
    "pooling_mode_lasttoken",
    "include_prompt",
  ]);
  assert.deepEqual(config, {
    word_embedding_dimension: 32,
    pooling_mode_cls_token: true,
    pooling_mode_mean_tokens: false,
    pooling_mode_max_tokens: true,
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: false,
    include_prompt: true,
  });
  const combinations: PoolingMode[][] = [["cls"], ["mean"], ["max"], ["mean_sqrt_len_tokens"], ["cls", "mean"], ["cls", "max", "mean", "mean_sqrt_len_tokens"]];
  for (const modes of combinations) {
    for (const includePrompt of [true, false]) {
      const original = new Pooling(12, modes, includePrompt);
      const json = JSON.parse(JSON.stringify(original.toConfig()));
      const back = Pooling.fromConfig(json, FILE, 99);
      assert.deepEqual(back.modes, original.modes);
      assert.equal(back.wordEmbeddingDimension, 12);
      assert.equal(back.includePrompt, includePrompt);
    }
  }
});

// ---- Normalize --------------------------------------------------------------------------------------

test("Normalize divides each row by its L2 norm (hand-computed)", () => {
  const input = [
    [3, 4, 0],
    [1, 2, 2],
    [-2, 0, 0],
  ];
  const expected = [
    [0.6, 0.8, 0],
    [1 / 3, 2 / 3, 2 / 3],
    [-1, 0, 0],
  ];
  const viaFunction = tf.tidy(() => l2Normalize(tf.tensor2d(input)).arraySync());
  const viaModule = tf.tidy(() => new Normalize(3).forward({ tokenEmbeddings: tf.zeros([3, 1, 3]), attentionMask: tf.ones([3, 1]), sentenceEmbedding: tf.tensor2d(input) }).arraySync());
  assertClose(viaFunction, expected, 1e-6);
  assertClose(viaModule, expected, 1e-6);
});

test("Normalize keeps the zero vector at zero and divides tiny vectors by eps = 1e-12 (torch F.normalize)", () => {
  const result = tf.tidy(() => l2Normalize(tf.tensor2d([[0, 0, 0], [1e-13, 0, 0]])).arraySync());
  assert.deepEqual(result[0], [0, 0, 0]);
  assert.ok(result[0].every(Number.isFinite));
  // ‖x‖ = 1e-13 < eps, so x / 1e-12 = [0.1, 0, 0] (not a unit vector).
  assert.ok(Math.abs(result[1][0] - 0.1) < 1e-6, `got ${result[1][0]}`);
  assert.equal(result[1][1], 0);
});
