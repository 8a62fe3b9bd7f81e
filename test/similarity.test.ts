// Similarity functions against hand-computed values (reference §2: cosine = a·b/(‖a‖‖b‖), dot = a·b,
// euclidean = −‖a−b‖₂, manhattan = −‖a−b‖₁), and SentenceTransformer.similarity using the function named
// by the model's config_sentence_transformers.json.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../src/backend.ts";
import { ArgumentError } from "../src/errors.ts";
import { initModel } from "../src/generator/init-model.ts";
import { SentenceTransformer } from "../src/models/sentence-transformer.ts";
import {
  SIMILARITY_FUNCTIONS,
  SimilarityFunction,
  checkSimilarityFunction,
  pairwiseSimilarity,
  similarity,
  type SimilarityFunctionName,
} from "../src/similarity.ts";
import { maxAbsoluteDifference } from "./support/compare.ts";
import { temporaryDirectory } from "./support/temp.ts";

await initializeBackend({ quiet: true });

// ‖a0‖ = 3, ‖a1‖ = 5, ‖b0‖ = 1, ‖b1‖ = 5.
const A = [
  [1, 2, 2],
  [3, 0, 4],
];
const B = [
  [1, 0, 0],
  [0, 3, 4],
];
// a0·b0 = 1, a0·b1 = 14, a1·b0 = 3, a1·b1 = 16.
// a0−b0 = [0,2,2], a0−b1 = [1,−1,−2], a1−b0 = [2,0,4], a1−b1 = [3,−3,0].
const MATRIX: Record<SimilarityFunctionName, number[][]> = {
  cosine: [
    [1 / 3, 14 / 15],
    [3 / 5, 16 / 25],
  ],
  dot: [
    [1, 14],
    [3, 16],
  ],
  euclidean: [
    [-Math.sqrt(8), -Math.sqrt(6)],
    [-Math.sqrt(20), -Math.sqrt(18)],
  ],
  manhattan: [
    [-4, -4],
    [-6, -6],
  ],
};
const PAIRWISE: Record<SimilarityFunctionName, number[]> = {
  cosine: [1 / 3, 16 / 25],
  dot: [1, 16],
  euclidean: [-Math.sqrt(8), -Math.sqrt(18)],
  manhattan: [-4, -6],
};

function assertClose(actual: number[], expected: number[], tolerance: number, message: string): void {
  const difference = maxAbsoluteDifference(actual, expected);
  assert.ok(difference <= tolerance, `${message}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)} (|diff| ${difference})`);
}

for (const name of SIMILARITY_FUNCTIONS) {
  test(`similarity(${name}) gives the hand-computed [2, 2] matrix`, () => {
    const matrix = tf.tidy(() => similarity(tf.tensor2d(A), tf.tensor2d(B), name).arraySync());
    assert.deepEqual(matrix.map((row) => row.length), [2, 2]);
    assertClose(matrix.flat(), MATRIX[name].flat(), 1e-5, name);
  });

  test(`pairwiseSimilarity(${name}) gives the hand-computed row-wise scores`, () => {
    const scores = tf.tidy(() => pairwiseSimilarity(tf.tensor2d(A), tf.tensor2d(B), name).arraySync());
    assertClose(scores, PAIRWISE[name], 1e-5, name);
  });
}

test("similarity of a [1, d] and a [3, d] matrix has shape [1, 3]; the default function is cosine", () => {
  const matrix = tf.tidy(() => similarity(tf.tensor2d([[1, 0]]), tf.tensor2d([[2, 0], [0, 5], [-1, -1]])).arraySync());
  assertClose(matrix.flat(), [1, 0, -1 / Math.SQRT2], 1e-6, "cosine by default");
  const pair = tf.tidy(() => pairwiseSimilarity(tf.tensor2d([[0, 2]]), tf.tensor2d([[0, -7]])).arraySync());
  assertClose(pair, [-1], 1e-6, "pairwise cosine by default");
});

test("cosine with a zero vector is 0, not NaN (normalisation eps as in util.cos_sim)", () => {
  const matrix = tf.tidy(() => similarity(tf.tensor2d([[0, 0, 0]]), tf.tensor2d([[1, 2, 3]]), "cosine").arraySync());
  assert.deepEqual(matrix, [[0]]);
  const pair = tf.tidy(() => pairwiseSimilarity(tf.tensor2d([[0, 0]]), tf.tensor2d([[0, 0]]), "cosine").arraySync());
  assert.deepEqual(pair, [0]);
});

test("checkSimilarityFunction accepts the four names (and ST's dot_product) and rejects others with ArgumentError", () => {
  assert.deepEqual([...SIMILARITY_FUNCTIONS].sort(), ["cosine", "dot", "euclidean", "manhattan"]);
  assert.deepEqual(SimilarityFunction, { COSINE: "cosine", DOT_PRODUCT: "dot", EUCLIDEAN: "euclidean", MANHATTAN: "manhattan" });
  for (const name of SIMILARITY_FUNCTIONS) assert.equal(checkSimilarityFunction(name, "where"), name);
  assert.equal(checkSimilarityFunction("dot_product", "where"), "dot");
  for (const bad of ["bogus", "Cosine", "", 3, null, undefined]) {
    assert.throws(
      () => checkSimilarityFunction(bad, "--similarity"),
      (error: unknown) => {
        assert.ok(error instanceof ArgumentError, `expected ArgumentError for ${String(bad)}, got ${String(error)}`);
        assert.equal(error.argument, "--similarity");
        assert.ok(error.message.startsWith("--similarity: "), error.message);
        return true;
      },
    );
  }
  assert.throws(() => checkSimilarityFunction("bogus", "x"), /"bogus"/);
});

// ---- SentenceTransformer.similarity -----------------------------------------------------------------

const SENTENCES = ["A man is playing a guitar.", "Someone plays the guitar.", "A woman is slicing onions in the kitchen."];

// Without Normalize, so that dot, cosine and the distances all differ.
const modelDirectory = join(temporaryDirectory(), "model");
await initModel({ out: modelDirectory, hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 600, normalize: false, seed: 3 });

function setSimilarityFunction(name: unknown): void {
  const path = join(modelDirectory, "config_sentence_transformers.json");
  const config = JSON.parse(readFileSync(path, "utf8"));
  config.similarity_fn_name = name;
  writeFileSync(path, JSON.stringify(config));
}

const dot = (x: number[], y: number[]) => x.reduce((sum, value, i) => sum + value * y[i], 0);
const norm = (x: number[]) => Math.sqrt(dot(x, x));
const REFERENCE: Record<SimilarityFunctionName, (x: number[], y: number[]) => number> = {
  cosine: (x, y) => dot(x, y) / (norm(x) * norm(y)),
  dot,
  euclidean: (x, y) => -Math.sqrt(x.reduce((sum, value, i) => sum + (value - y[i]) ** 2, 0)),
  manhattan: (x, y) => -x.reduce((sum, value, i) => sum + Math.abs(value - y[i]), 0),
};

test("model.similarity uses similarity_fn_name from config_sentence_transformers.json", async () => {
  for (const name of ["dot", "cosine", "euclidean", "manhattan"] as const) {
    setSimilarityFunction(name);
    const model = await SentenceTransformer.load(modelDirectory, { quiet: true });
    try {
      assert.equal(model.similarityFnName, name);
      assert.equal(model.normalize, undefined);
      const embeddings = await model.encode(SENTENCES);
      const norms = embeddings.map(norm);
      assert.ok(norms.every((n) => Math.abs(n - 1) > 1e-3), `embeddings are not unit vectors (${norms}), so dot ≠ cosine`);
      const expected = embeddings.map((x) => embeddings.map((y) => REFERENCE[name](x, y)));
      const matrix = model.similarity(embeddings, embeddings);
      assert.deepEqual(matrix.map((row) => row.length), [3, 3, 3]);
      const scale = Math.max(1, ...expected.flat().map(Math.abs));
      assertClose(matrix.flat(), expected.flat(), 1e-5 * scale, `model.similarity with ${name}`);
      // A single vector on either side is treated as one row.
      const single = model.similarity(embeddings[0], embeddings[2]);
      assertClose(single.flat(), [REFERENCE[name](embeddings[0], embeddings[2])], 1e-5 * scale, `${name} of two single vectors`);
    } finally {
      model.dispose();
    }
  }
});

test("model.similarity with 'dot' differs from cosine on unnormalised embeddings", async () => {
  setSimilarityFunction("dot");
  const model = await SentenceTransformer.load(modelDirectory, { quiet: true });
  try {
    const [x, y] = await model.encode(SENTENCES.slice(0, 2));
    const [[score]] = model.similarity(x, y);
    assert.ok(Math.abs(score - dot(x, y)) < 1e-5 * Math.max(1, Math.abs(dot(x, y))));
    assert.ok(Math.abs(score - REFERENCE.cosine(x, y)) > 1e-3, "dot must not be cosine here");
  } finally {
    model.dispose();
  }
});

test("similarity_fn_name null means cosine; 'dot_product' means dot; an unknown name fails to load naming the file", async () => {
  setSimilarityFunction(null);
  let model = await SentenceTransformer.load(modelDirectory, { quiet: true });
  assert.equal(model.similarityFnName, "cosine");
  model.dispose();
  setSimilarityFunction("dot_product");
  model = await SentenceTransformer.load(modelDirectory, { quiet: true });
  assert.equal(model.similarityFnName, "dot");
  model.dispose();
  setSimilarityFunction("bogus");
  await assert.rejects(SentenceTransformer.load(modelDirectory, { quiet: true }), (error: Error) => {
    assert.ok(error.message.includes("config_sentence_transformers.json"), error.message);
    assert.match(error.message, /"bogus"/);
    return true;
  });
});
