// Every loss through the index: sentence-transformers' class names, JSON-ready config dicts, one-line
// ArgumentErrors for a wrong number of columns, and no tensors left behind by computeLoss.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../src/backend.ts";
import { ArgumentError } from "../../src/errors.ts";
import * as losses from "../../src/losses/index.ts";
import type { Loss } from "../../src/losses/index.ts";

before(async () => {
  await initializeBackend({ quiet: true });
});

const ROWS = [
  [1, 2, 3, 4],
  [0.5, -1, 2, 1],
  [2, 0, -1, 1],
];
const OTHER = [
  [2, 1, 3, 3],
  [1, 1, 0, -1],
  [1, 0.5, -1, 2],
];

/** Each loss (built after the backend is up: SoftmaxLoss creates variables) with the columns and labels it takes, and a column count it rejects. */
const cases: { name: string; make: () => Loss; columns: number; labels?: number[]; wrong: number }[] = [
  { name: "CoSENTLoss", make: () => new losses.CoSENTLoss(null), columns: 2, labels: [0.9, 0.1, 0.5], wrong: 3 },
  { name: "AnglELoss", make: () => new losses.AnglELoss(null), columns: 2, labels: [0.9, 0.1, 0.5], wrong: 1 },
  { name: "CosineSimilarityLoss", make: () => new losses.CosineSimilarityLoss(null), columns: 2, labels: [0.9, 0.1, 0.5], wrong: 3 },
  { name: "MultipleNegativesRankingLoss", make: () => new losses.MultipleNegativesRankingLoss(null), columns: 3, wrong: 1 },
  { name: "MultipleNegativesSymmetricRankingLoss", make: () => new losses.MultipleNegativesSymmetricRankingLoss(null), columns: 2, wrong: 1 },
  { name: "TripletLoss", make: () => new losses.TripletLoss(null), columns: 3, wrong: 2 },
  { name: "ContrastiveLoss", make: () => new losses.ContrastiveLoss(null), columns: 2, labels: [1, 0, 1], wrong: 3 },
  { name: "OnlineContrastiveLoss", make: () => new losses.OnlineContrastiveLoss(null), columns: 2, labels: [1, 0, 1], wrong: 1 },
  {
    name: "SoftmaxLoss",
    make: () => new losses.SoftmaxLoss(null, { sentenceEmbeddingDimension: 4, numLabels: 3 }),
    columns: 2,
    labels: [2, 0, 1],
    wrong: 1,
  },
  {
    name: "MatryoshkaLoss",
    make: () => new losses.MatryoshkaLoss(null, new losses.CoSENTLoss(null), { matryoshkaDims: [4, 2] }),
    columns: 2,
    labels: [0.9, 0.1, 0.5],
    wrong: 3,
  },
];

describe("losses index", () => {
  test("class names and config dicts", () => {
    for (const { name, make } of cases) {
      const loss = make();
      assert.equal(loss.name, name);
      assert.deepEqual(JSON.parse(JSON.stringify(loss.getConfigDict())), loss.getConfigDict(), name);
    }
  });

  for (const { name, make, columns, labels, wrong } of cases) {
    test(`${name}: a finite scalar, no leaked tensors, an ArgumentError for ${wrong} column(s)`, () => {
      const loss = make();
      const inputs = Array.from({ length: columns }, (_, i) => tf.tensor2d(i % 2 === 0 ? ROWS : OTHER));
      const labelTensor = labels ? tf.tensor1d(labels) : undefined;
      const before = tf.memory().numTensors;
      const value = loss.computeLoss(inputs, labelTensor);
      assert.equal(value.rank, 0);
      assert.ok(Number.isFinite(value.dataSync()[0]));
      value.dispose();
      assert.equal(tf.memory().numTensors, before, "computeLoss left tensors behind");
      const wrongInputs = Array.from({ length: wrong }, () => inputs[0]);
      assert.throws(
        () => loss.computeLoss(wrongInputs, labelTensor),
        (error: Error) => error instanceof ArgumentError && error.message.startsWith(`${loss.name === "MatryoshkaLoss" ? "CoSENTLoss" : loss.name}: needs `) && !error.message.includes("\n"),
      );
      assert.equal(tf.memory().numTensors, before, "a rejected call left tensors behind");
      tf.dispose([...inputs, ...(labelTensor ? [labelTensor] : [])]);
    });
  }
});
