// Tests for sentence-transformers' column roles ("label" before "score", every other column an input by
// position) and for the label/text checks' one-line DataLoadErrors naming source, column and first bad row.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkLabels, checkTextColumns, inputColumnNames, labelColumnName } from "../../src/data/columns.ts";
import { Dataset } from "../../src/data/dataset.ts";
import { DataLoadError } from "../../src/data/errors.ts";
import { EmbedtuneError } from "../../src/errors.ts";
import { expectError } from "./expect-error.ts";

test("the label column is 'label' or 'score' (label first); every other column is an input, in order", () => {
  const scored = Dataset.fromColumns({ sentence1: ["a"], score: [0.5], sentence2: ["b"] });
  assert.equal(labelColumnName(scored), "score");
  assert.deepEqual(inputColumnNames(scored), ["sentence1", "sentence2"]);
  const both = Dataset.fromColumns({ score: [1], anchor: ["a"], label: [0] });
  assert.equal(labelColumnName(both), "label");
  assert.deepEqual(inputColumnNames(both), ["score", "anchor"]); // "score" is then an input, as in ST
  const triplets = Dataset.fromColumns({ anchor: ["a"], positive: ["p"], negative: ["n"] });
  assert.equal(labelColumnName(triplets), undefined);
  assert.deepEqual(inputColumnNames(triplets), ["anchor", "positive", "negative"]);
  assert.deepEqual(inputColumnNames(triplets.selectColumns(["negative", "anchor"])), ["negative", "anchor"]);
});

test("checkLabels passes finite numbers and datasets without a label column", () => {
  checkLabels(Dataset.fromColumns({ a: ["x", "y"], score: [0, 1] }));
  checkLabels(Dataset.fromColumns({ a: ["x", "y"], label: [-3, 1e-300] }));
  checkLabels(Dataset.fromColumns({ anchor: ["x"], positive: ["y"] }));
});

test("checkLabels names the source, the column and the first bad row for null, NaN, Infinity and words", async () => {
  const labels = (values: unknown[]) => Dataset.fromColumns({ text: values.map(() => "t"), score: values });
  const error = await expectError(() => checkLabels(labels([0.5, null, NaN]), { where: "train.csv" }), DataLoadError, "train.csv", 'column "score", row 1', "null");
  assert.ok(error instanceof EmbedtuneError);
  assert.equal((error as DataLoadError).file, "train.csv");
  await expectError(() => checkLabels(labels([0.5, 0.25, NaN])), DataLoadError, "dataset", 'column "score", row 2', "number NaN", "finite");
  await expectError(() => checkLabels(labels([Infinity])), DataLoadError, "dataset", "row 0", "Infinity");
  await expectError(() => checkLabels(labels([0.1, undefined])), DataLoadError, "dataset", "row 1", "undefined");
  // A CSV column with one stray word stays strings: the word is named, not the first numeric-looking string.
  await expectError(() => checkLabels(labels(["0.1", "0.2", "high", "0.3"]), { where: "train split" }), DataLoadError, "train split", "row 2", '"high"');
  await expectError(() => checkLabels(labels(["0.1", "0.2"])), DataLoadError, "dataset", "row 0", '"0.1"', "is a string, not a number");
  await expectError(() => checkLabels(Dataset.fromColumns({ label: [1, true] })), DataLoadError, "dataset", 'column "label", row 1', "boolean true");
});

test("checkTextColumns passes strings (empty ones too) and names the first non-string input value", async () => {
  checkTextColumns(Dataset.fromColumns({ sentence1: ["a", ""], sentence2: ["b", "é"], score: [null, NaN] }));
  const data = Dataset.fromColumns({ sentence1: ["a", "b", "c"], sentence2: ["x", null, 3], score: [0, 1, 0] });
  await expectError(() => checkTextColumns(data, { where: "pairs.jsonl" }), DataLoadError, "pairs.jsonl", 'column "sentence2", row 1', "null is not a string");
  await expectError(() => checkTextColumns(data.select([2])), DataLoadError, "dataset", 'column "sentence2", row 0', "number 3");
  await expectError(() => checkTextColumns(Dataset.fromColumns({ anchor: [["a"]] })), DataLoadError, "dataset", 'column "anchor", row 0', "an array");
  checkTextColumns(data, { columns: ["sentence1"] });
});
