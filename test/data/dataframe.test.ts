// Tests for the danfo views (the only data tests that import danfo, ~1–3 s): readParquet / loadParquet and
// Dataset.toDataFrame give DataFrames whose shape, columns, values and describe() counts match the data.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Dataset } from "../../src/data/dataset.ts";
import { loadParquet, readParquet } from "../../src/data/load-dataset.ts";
import { writeParquet } from "../../src/data/parquet.ts";
import { ArgumentError } from "../../src/errors.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { expectError } from "./expect-error.ts";

test("readParquet gives a DataFrame with the file's shape, columns and values; describe() counts present numbers", async () => {
  const path = join(temporaryDirectory("embedtune-danfo-"), "pairs.parquet");
  writeParquet(path, { sentence1: ["a", "é", "", "d"], sentence2: ["w", "x", "y", null], score: [0.1, null, 1, 0.25] });
  const frame = await readParquet(path);
  assert.deepEqual(frame.shape, [4, 3]);
  assert.deepEqual(frame.columns, ["sentence1", "sentence2", "score"]);
  assert.deepEqual(frame.column("sentence1").values, ["a", "é", "", "d"]);
  const scores = frame.column("score").values as number[];
  assert.deepEqual([scores[0], scores[2], scores[3]], [0.1, 1, 0.25]);
  assert.ok(Number.isNaN(scores[1])); // null → NaN, danfo's missing number
  const description = frame.describe();
  assert.deepEqual(description.columns, ["score"]);
  assert.deepEqual(description.index.slice(0, 1), ["count"]);
  assert.deepEqual(description.column("score").values[0], 3);
  assert.deepEqual(frame.head(2).shape, [2, 3]);
  assert.equal(loadParquet, readParquet);
});

test("shared STS-B train: a 5,749 × 3 DataFrame whose describe() counts 5,749 scores", { skip: skipUnlessShared("data/stsb/train.parquet") }, async () => {
  const frame = await readParquet(sharedPath("data/stsb/train.parquet"));
  assert.deepEqual(frame.shape, [5749, 3]);
  const description = frame.describe();
  assert.equal(description.column("score").values[0], 5749);
  const [min, max] = ["min", "max"].map((stat) => description.column("score").values[description.index.indexOf(stat)]);
  assert.deepEqual([min, max], [0, 1]);
});

test("toDataFrame of a dataset, and a one-line ArgumentError for an empty one", async () => {
  const frame = await Dataset.fromColumns({ anchor: ["q1", "q2"], positive: ["d1", "d2"] }).toDataFrame();
  assert.deepEqual(frame.shape, [2, 2]);
  await expectError(() => Dataset.fromColumns({ anchor: [] }).toDataFrame(), ArgumentError, "dataset", "0 rows", "empty DataFrame");
});
