// Tests for loadDataset: data files as a path, a list, a { split: files } object and `*`/`?` patterns;
// concatenation within a split; `split` returning one Dataset; the errors for missing files, empty
// patterns and mismatched columns; and the shared STS-B parquet files with their column roles.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checkLabels, checkTextColumns, inputColumnNames, labelColumnName } from "../../src/data/columns.ts";
import { Dataset } from "../../src/data/dataset.ts";
import { DatasetDict } from "../../src/data/dataset-dict.ts";
import { DataLoadError } from "../../src/data/errors.ts";
import { loadDataset, type DataFormat } from "../../src/data/load-dataset.ts";
import { writeParquet } from "../../src/data/parquet.ts";
import { ArgumentError } from "../../src/errors.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { expectError } from "./expect-error.ts";

const folder = temporaryDirectory("embedtune-load-");

/** part-0.parquet … part-2.parquet, rows numbered across files, plus a CSV and a hidden file that patterns must skip. */
function shardFolder(): string {
  const shards = join(folder, "shards");
  mkdirSync(shards);
  for (let part = 0; part < 3; part++) {
    const ids = [part * 2, part * 2 + 1];
    writeParquet(join(shards, `part-${part}.parquet`), { text: ids.map((id) => `row ${id}`), label: ids });
  }
  writeParquet(join(shards, ".part-9.parquet"), { text: ["hidden"], label: [99] });
  writeFileSync(join(shards, "notes.csv"), "text,label\nx,1\n");
  writeParquet(join(shards, "other-columns.parquet"), { anchor: ["a"], positive: ["p"] });
  return shards;
}
const shards = shardFolder();
const part = (n: number) => join(shards, `part-${n}.parquet`);

test("a single path becomes the train split of a DatasetDict", async () => {
  const dict = await loadDataset("parquet", { dataFiles: part(1) });
  assert.ok(dict instanceof DatasetDict);
  assert.deepEqual(dict.splits, ["train"]);
  assert.deepEqual(dict.train.column("label"), [2, 3]);
});

test("a list of files is concatenated in the order given", async () => {
  const dict = await loadDataset("parquet", { dataFiles: [part(2), part(0)] });
  assert.deepEqual(dict.train.column("label"), [4, 5, 0, 1]);
  assert.deepEqual(dict.train.column("text"), ["row 4", "row 5", "row 0", "row 1"]);
});

test("an object maps split names to files; split returns just that Dataset", async () => {
  const dataFiles = { train: [part(0), part(1)], validation: part(2) };
  const dict = await loadDataset("parquet", { dataFiles });
  assert.deepEqual(dict.splits, ["train", "validation"]);
  assert.deepEqual(dict.numRows, { train: 4, validation: 2 });
  const validation = await loadDataset("parquet", { dataFiles, split: "validation" });
  assert.ok(validation instanceof Dataset);
  assert.deepEqual(validation.column("label"), [4, 5]);
  await expectError(() => loadDataset("parquet", { dataFiles, split: "test" }), ArgumentError, 'split "test"', "train, validation");
  // Only the requested split is read: a broken file in another split does not matter.
  const withBroken = { train: part(0), test: join(folder, "absent.parquet") };
  assert.equal((await loadDataset("parquet", { dataFiles: withBroken, split: "train" })).numRows, 2);
});

test("patterns expand * and ? in the file name, sorted, skipping hidden files", async () => {
  const all = await loadDataset("parquet", { dataFiles: join(shards, "part-*.parquet"), split: "train" });
  assert.deepEqual(all.column("label"), [0, 1, 2, 3, 4, 5]);
  const some = await loadDataset("parquet", { dataFiles: join(shards, "part-?.parq*"), split: "train" });
  assert.equal(some.numRows, 6);
  const csv = await loadDataset("csv", { dataFiles: join(shards, "*.csv") });
  assert.deepEqual([...csv.train], [{ text: "x", label: 1 }]);
});

test("missing files and patterns that match nothing are DataLoadErrors naming them", async () => {
  const absent = join(folder, "absent.parquet");
  await expectError(() => loadDataset("parquet", { dataFiles: absent }), DataLoadError, absent, "no such file");
  await expectError(() => loadDataset("parquet", { dataFiles: [part(0), absent] }), DataLoadError, absent, "no such file");
  const nothing = join(shards, "*.jsonl");
  await expectError(() => loadDataset("jsonl", { dataFiles: nothing }), DataLoadError, nothing, "no file matches this pattern");
  const noFolder = join(folder, "no-such-folder", "*.csv");
  await expectError(() => loadDataset("csv", { dataFiles: noFolder }), DataLoadError, noFolder, "no file matches this pattern");
  const folderWildcard = join(folder, "*", "part-0.parquet");
  await expectError(() => loadDataset("parquet", { dataFiles: folderWildcard }), ArgumentError, `dataFiles "${folderWildcard}"`, "only supported in the file name");
});

test("files of one split with different columns are a DataLoadError naming both files' columns", async () => {
  const other = join(shards, "other-columns.parquet");
  await expectError(
    () => loadDataset("parquet", { dataFiles: [part(0), other] }),
    DataLoadError,
    other,
    "has columns [anchor, positive]",
    `${part(0)} in the same split has [text, label]`,
  );
  const reordered = join(folder, "reordered.parquet");
  writeParquet(reordered, { label: [7], text: ["row 7"] });
  const merged = await loadDataset("parquet", { dataFiles: [part(0), reordered], split: "train" });
  assert.deepEqual(merged.columnNames, ["text", "label"]);
  assert.deepEqual(merged.column("text"), ["row 0", "row 1", "row 7"]);
});

test("bad arguments: unknown format, empty lists, empty split objects", async () => {
  await expectError(() => loadDataset("xml" as DataFormat, { dataFiles: part(0) }), ArgumentError, "format", '"xml"', "parquet, csv, json, jsonl");
  await expectError(() => loadDataset("parquet", { dataFiles: [] }), ArgumentError, "dataFiles", "non-empty");
  await expectError(() => loadDataset("parquet", { dataFiles: { train: [] } }), ArgumentError, "dataFiles.train", "non-empty");
  await expectError(() => loadDataset("parquet", { dataFiles: {} }), ArgumentError, "dataFiles", "no split");
});

const STSB = "data/stsb/train.parquet";

test("shared STS-B: 5,749 / 1,500 / 1,379 rows of sentence1, sentence2, score in [0, 1]", { skip: skipUnlessShared(STSB) }, async () => {
  const stsb = await loadDataset("parquet", {
    dataFiles: {
      train: sharedPath("data/stsb/train.parquet"),
      validation: sharedPath("data/stsb/validation.parquet"),
      test: sharedPath("data/stsb/test.parquet"),
    },
  });
  assert.deepEqual(stsb.numRows, { train: 5749, validation: 1500, test: 1379 });
  for (const [split, dataset] of stsb) {
    assert.deepEqual(dataset.columnNames, ["sentence1", "sentence2", "score"], split);
    const scores = dataset.column("score") as number[];
    assert.ok(scores.every((score) => typeof score === "number" && score >= 0 && score <= 1), split);
    assert.ok(Math.min(...scores) === 0 && Math.max(...scores) === 1, split);
    assert.equal(labelColumnName(dataset), "score");
    assert.deepEqual(inputColumnNames(dataset), ["sentence1", "sentence2"]);
    checkLabels(dataset, { where: split });
    checkTextColumns(dataset, { where: split });
  }
  assert.deepEqual(stsb.train.row(0), { sentence1: "A plane is taking off.", sentence2: "An air plane is taking off.", score: 1 });
  const split = stsb.train.trainTestSplit({ testSize: 0.1, seed: 12 });
  assert.deepEqual(split.numRows, { train: 5174, test: 575 });
});
