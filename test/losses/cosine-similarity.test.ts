// CosineSimilarityLoss: mean (cos(u, v) − y)² (MSE, default) or mean |cos(u, v) − y| (L1), by hand.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../src/backend.ts";
import { ArgumentError } from "../../src/errors.ts";
import { CosineSimilarityLoss } from "../../src/losses/index.ts";
import { assertClose, assertUsefulGradient, gradientOf, lossOf } from "./reference.ts";

before(async () => {
  await initializeBackend({ quiet: true });
});

// cos = 3/5 (‖[3, 4]‖ = 5 against [1, 0]), 0 (orthogonal), −1 (opposite).
const U = [
  [3, 4],
  [1, 0],
  [2, 2],
];
const V = [
  [1, 0],
  [0, 5],
  [-1, -1],
];
const LABELS = [1, 0.5, -0.5];

describe("CosineSimilarityLoss", () => {
  test("MSE of the cosine similarities against the labels", () => {
    // ((0.6 − 1)² + (0 − 0.5)² + (−1 + 0.5)²) / 3 = (0.16 + 0.25 + 0.25) / 3 = 0.22
    assertClose(lossOf(new CosineSimilarityLoss(null), [U, V], LABELS), 0.22);
  });

  test("L1 and a score transformation", () => {
    // (0.4 + 0.5 + 0.5) / 3
    assertClose(lossOf(new CosineSimilarityLoss(null, { lossFct: "l1" }), [U, V], LABELS), 1.4 / 3);
    // t(c) = (c + 1) / 2 → [0.8, 0.5, 0]: ((0.2)² + 0 + (0.5)²) / 3 = 0.29 / 3
    const shifted = new CosineSimilarityLoss(null, { cosScoreTransformation: (c) => tf.div(tf.add(c, 1), 2) });
    assertClose(lossOf(shifted, [U, V], LABELS), 0.29 / 3);
  });

  test("gradients flow", () => {
    assertUsefulGradient(gradientOf(new CosineSimilarityLoss(null), [U, V], LABELS, 0));
  });

  test("errors and config dict", () => {
    assert.throws(() => lossOf(new CosineSimilarityLoss(null), [U, V, V], LABELS), (e: Error) => e instanceof ArgumentError && /^CosineSimilarityLoss: needs 2 input columns/.test(e.message));
    assert.throws(() => lossOf(new CosineSimilarityLoss(null), [U, V]), (e: Error) => e instanceof ArgumentError && /^CosineSimilarityLoss: needs a label column/.test(e.message));
    assert.throws(() => new CosineSimilarityLoss(null, { lossFct: "huber" as "mse" }), ArgumentError);
    assert.deepEqual(new CosineSimilarityLoss(null).getConfigDict(), { loss_fct: "torch.nn.modules.loss.MSELoss" });
    assert.deepEqual(new CosineSimilarityLoss(null, { lossFct: "l1" }).getConfigDict(), { loss_fct: "torch.nn.modules.loss.L1Loss" });
  });
});
