// Learning-rate schedules against Hugging Face's values (golden.json's warmup-linear factors, computed
// by the PyTorch reference) and hand-computed cosine factors; batch samplers' contracts.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Dataset } from "../../src/data/dataset.ts";
import { ArgumentError } from "../../src/errors.ts";
import { BatchSamplers, epochBatches, nominalBatchCount } from "../../src/training/samplers.ts";
import { learningRateFactor, warmupStepCount } from "../../src/training/schedules.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";

test("linear warmup/decay factors equal the PyTorch reference (warmup 3, total 10)", { skip: skipUnlessShared("models/tiny-bert/golden.json") }, () => {
  const golden = JSON.parse(readFileSync(sharedPath("models/tiny-bert/golden.json"), "utf8"));
  const expected: number[] = golden.train_step.warmup_linear_factors_warmup3_total10;
  const actual = expected.map((_, step) => learningRateFactor("linear", step, 3, 10));
  actual.forEach((value, step) => assert.ok(Math.abs(value - expected[step]) < 1e-9, `step ${step}: ${value} vs ${expected[step]}`));
});

test("linear, cosine, constant and constant_with_warmup factors by hand", () => {
  assert.equal(learningRateFactor("linear", 0, 2, 10), 0);
  assert.equal(learningRateFactor("linear", 1, 2, 10), 0.5);
  assert.equal(learningRateFactor("linear", 6, 2, 10), 0.5); // (10 − 6)/(10 − 2)
  assert.equal(learningRateFactor("linear", 12, 2, 10), 0);
  assert.equal(learningRateFactor("cosine", 2, 2, 10), 1);
  assert.ok(Math.abs(learningRateFactor("cosine", 6, 2, 10) - 0.5) < 1e-12); // ½(1 + cos(π/2))
  assert.ok(Math.abs(learningRateFactor("cosine", 4, 2, 10) - 0.5 * (1 + Math.cos(Math.PI / 4))) < 1e-12);
  assert.equal(learningRateFactor("constant", 0, 5, 10), 1);
  assert.equal(learningRateFactor("constant_with_warmup", 1, 4, 10), 0.25);
  assert.equal(learningRateFactor("constant_with_warmup", 7, 4, 10), 1);
  assert.equal(warmupStepCount(360, 0, 0.1), 36);
  assert.equal(warmupStepCount(361, 0, 0.1), 37); // ceil
  assert.equal(warmupStepCount(361, 5, 0.1), 5); // warmupSteps wins
});

const texts = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
const pairs = Dataset.fromColumns({
  sentence1: ["a", "a", "b", "c", "a", "d", "e", "f", "g", "a"],
  sentence2: ["x", "y", "a", "a", "z", "w", "v", "u", "t", "s"],
  score: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
});
const options = { batchSize: 4, dropLast: false, seed: 42, labelColumns: ["score"] };

test("BATCH_SAMPLER: each epoch is a seeded permutation cut into batches", () => {
  const data = Dataset.fromColumns({ text: texts });
  const epoch0 = epochBatches(BatchSamplers.BATCH_SAMPLER, data, options, 0);
  assert.deepEqual(epoch0.map((b) => b.length), [4, 4, 2]);
  assert.deepEqual(epoch0.flat().sort((a, b) => a - b), [...texts.keys()]);
  assert.deepEqual(epochBatches(BatchSamplers.BATCH_SAMPLER, data, options, 0), epoch0, "same seed and epoch, same order");
  assert.notDeepEqual(epochBatches(BatchSamplers.BATCH_SAMPLER, data, options, 1), epoch0, "each epoch reshuffles");
  assert.deepEqual(epochBatches(BatchSamplers.BATCH_SAMPLER, data, { ...options, dropLast: true }, 0).map((b) => b.length), [4, 4]);
  assert.equal(nominalBatchCount(10, options), 3);
  assert.equal(nominalBatchCount(10, { ...options, dropLast: true }), 2);
});

test("NO_DUPLICATES: no text value twice in a batch, labels ignored, every row used once", () => {
  for (let epoch = 0; epoch < 5; epoch++) {
    const batches = epochBatches(BatchSamplers.NO_DUPLICATES, pairs, options, epoch);
    assert.deepEqual(batches.flat().sort((a, b) => a - b), [...texts.keys()], `epoch ${epoch} uses every row once`);
    for (const batch of batches) {
      const values = batch.flatMap((row) => [pairs.column("sentence1")[row], pairs.column("sentence2")[row]]);
      assert.equal(new Set(values).size, values.length, `batch ${batch} repeats a text`);
    }
  }
  // Rows sharing only their score may sit together: labels are not texts.
  const sameScore = Dataset.fromColumns({ sentence1: ["p", "q"], sentence2: ["r", "s"], score: [1, 1] });
  assert.deepEqual(epochBatches(BatchSamplers.NO_DUPLICATES, sameScore, options, 0).length, 1);
});

test("GROUP_BY_LABEL: batches of label groups with at least two rows each; odd batch size refused", () => {
  const data = Dataset.fromColumns({ text: texts, label: [0, 0, 0, 1, 1, 2, 2, 2, 2, 3] });
  const batches = epochBatches(BatchSamplers.GROUP_BY_LABEL, data, { ...options, labelColumns: ["label"] }, 0);
  for (const batch of batches) {
    assert.equal(batch.length, 4);
    const counts = new Map<unknown, number>();
    batch.forEach((row) => counts.set(data.column("label")[row], (counts.get(data.column("label")[row]) ?? 0) + 1));
    for (const count of counts.values()) assert.ok(count >= 2, `batch ${batch}`);
  }
  assert.throws(() => epochBatches(BatchSamplers.GROUP_BY_LABEL, data, { ...options, batchSize: 3, labelColumns: ["label"] }, 0), ArgumentError);
});
