// Tests for Dataset and DatasetDict: construction from columns and rows, Hugging Face's selection,
// renaming, map/filter, seeded shuffling, train_test_split sizes, reprs, immutability, and the
// one-line ArgumentErrors for missing columns, splits and bad indices.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { test } from "node:test";
import { ArgumentError } from "../../src/errors.ts";
import { concatenateDatasets, Dataset } from "../../src/data/dataset.ts";
import { DatasetDict } from "../../src/data/dataset-dict.ts";
import { expectError } from "./expect-error.ts";

const pairs = Dataset.fromColumns({
  sentence1: ["a", "b", "c", "d"],
  sentence2: ["A", "B", "C", "D"],
  score: [0.1, 0.2, 0.3, 0.4],
});

function numbered(rows: number): Dataset {
  return Dataset.fromColumns({ id: Array.from({ length: rows }, (_, i) => i), text: Array.from({ length: rows }, (_, i) => `t${i}`) });
}

test("fromColumns keeps column order, counts rows and hands out rows as fresh objects", () => {
  assert.deepEqual(pairs.columnNames, ["sentence1", "sentence2", "score"]);
  assert.equal(pairs.numRows, 4);
  assert.equal(pairs.length, 4);
  assert.deepEqual(pairs.shape, [4, 3]);
  assert.deepEqual(pairs.row(2), { sentence1: "c", sentence2: "C", score: 0.3 });
  assert.deepEqual([...pairs].map((row) => row.sentence1), ["a", "b", "c", "d"]);
  assert.deepEqual([...pairs.rows()], [...pairs]);
  const row = pairs.row(0);
  row.sentence1 = "changed";
  assert.equal(pairs.row(0).sentence1, "a");
  assert.deepEqual(Dataset.fromColumns({ x: Float64Array.of(1.5, -2) }).column("x"), [1.5, -2]);
  assert.equal(Dataset.fromColumns({}).numRows, 0);
});

test("columns are copied in and frozen, so nothing outside can change a dataset", () => {
  const source = ["x", "y"];
  const dataset = Dataset.fromColumns({ text: source });
  source[0] = "changed";
  assert.deepEqual(dataset.column("text"), ["x", "y"]);
  assert.throws(() => {
    dataset.column("text")[0] = "z";
  }, TypeError);
  const names = dataset.columnNames;
  names.push("extra");
  assert.deepEqual(dataset.columnNames, ["text"]);
});

test("fromColumns refuses columns of different lengths and non-arrays", async () => {
  await expectError(() => Dataset.fromColumns({ a: [1, 2], b: [1] }), ArgumentError, 'column "b"', "has 1 values", 'column "a" has 2');
  await expectError(() => Dataset.fromColumns({ a: "abc" as unknown as string[] }), ArgumentError, 'column "a"', "is not an array");
});

test("fromRows takes the union of keys in order of appearance and fills gaps with null", async () => {
  const dataset = Dataset.fromRows([{ a: 1, b: "x" }, { b: "y", c: true }, { a: 3 }]);
  assert.deepEqual(dataset.columnNames, ["a", "b", "c"]);
  assert.deepEqual(dataset.column("a"), [1, null, 3]);
  assert.deepEqual(dataset.column("b"), ["x", "y", null]);
  assert.deepEqual(dataset.column("c"), [null, true, null]);
  await expectError(() => Dataset.fromRows([{ a: 1 }, [2] as unknown as Record<string, unknown>]), ArgumentError, "row 1", "not an object");
});

test("a missing column names itself and lists the columns that exist", async () => {
  await expectError(() => pairs.column("label"), ArgumentError, 'column "label"', "no such column", "sentence1, sentence2, score");
  await expectError(() => pairs.removeColumns(["score", "nope"]), ArgumentError, 'column "nope"', "no such column");
  await expectError(() => pairs.renameColumn("nope", "x"), ArgumentError, 'column "nope"');
});

test("row and select refuse indices outside the dataset", async () => {
  await expectError(() => pairs.row(4), ArgumentError, "row 4", "out of range", "4 rows");
  await expectError(() => pairs.row(-1), ArgumentError, "row -1", "out of range");
  await expectError(() => pairs.row(1.5), ArgumentError, "row 1.5");
  await expectError(() => pairs.select([0, 9]), ArgumentError, "indices[1]", "out of range");
});

test("select takes rows in the order given, repeats allowed", () => {
  const chosen = pairs.select([3, 0, 3]);
  assert.deepEqual(chosen.column("sentence1"), ["d", "a", "d"]);
  assert.deepEqual(chosen.column("score"), [0.4, 0.1, 0.4]);
  assert.equal(pairs.select([]).numRows, 0);
  assert.deepEqual(pairs.select([]).columnNames, pairs.columnNames);
});

test("renameColumn(s), removeColumns, selectColumns and addColumn behave as in Hugging Face", async () => {
  assert.deepEqual(pairs.renameColumn("score", "label").columnNames, ["sentence1", "sentence2", "label"]);
  const swapped = pairs.renameColumns({ sentence1: "sentence2", sentence2: "sentence1" });
  assert.deepEqual(swapped.columnNames, ["sentence2", "sentence1", "score"]);
  assert.deepEqual(swapped.column("sentence2"), ["a", "b", "c", "d"]);
  await expectError(() => pairs.renameColumn("sentence1", "score"), ArgumentError, 'column "score"', "two columns");
  assert.deepEqual(pairs.removeColumns("score").columnNames, ["sentence1", "sentence2"]);
  assert.equal(pairs.removeColumns(["sentence1", "sentence2", "score"]).numRows, 4);
  const reordered = pairs.selectColumns(["sentence2", "sentence1"]);
  assert.deepEqual(reordered.columnNames, ["sentence2", "sentence1"]);
  assert.deepEqual(reordered.row(1), { sentence2: "B", sentence1: "b" });
  await expectError(() => pairs.selectColumns(["score", "score"]), ArgumentError, 'column "score"', "twice");
  assert.deepEqual(pairs.addColumn("id", [7, 8, 9, 10]).row(0), { sentence1: "a", sentence2: "A", score: 0.1, id: 7 });
  await expectError(() => pairs.addColumn("id", [1]), ArgumentError, 'column "id"', "4 rows");
  await expectError(() => pairs.addColumn("score", [1, 2, 3, 4]), ArgumentError, 'column "score"', "already exists");
  assert.deepEqual(pairs.columnNames, ["sentence1", "sentence2", "score"]); // the original is untouched
});

test("map merges the returned object into each row; removeColumns applies before the merge", async () => {
  const mapped = pairs.map((row, index) => ({ score: (row.score as number) * 10, index }));
  assert.deepEqual(mapped.columnNames, ["sentence1", "sentence2", "score", "index"]);
  assert.deepEqual(mapped.column("score"), [1, 2, 3, 4]);
  assert.deepEqual(mapped.column("index"), [0, 1, 2, 3]);
  const joined = pairs.map((row) => ({ text: `${row.sentence1}|${row.sentence2}` }), { removeColumns: ["sentence1", "sentence2"] });
  assert.deepEqual(joined.columnNames, ["score", "text"]);
  assert.deepEqual(joined.column("text"), ["a|A", "b|B", "c|C", "d|D"]);
  assert.deepEqual(pairs.map(() => undefined).column("sentence1"), ["a", "b", "c", "d"]);
  await expectError(() => pairs.map(() => 5 as unknown as Record<string, unknown>), ArgumentError, "map function", "number 5", "row 0");
});

test("filter keeps the rows the predicate accepts, in order", () => {
  const kept = pairs.filter((row, index) => (row.score as number) > 0.15 && index !== 2);
  assert.deepEqual(kept.column("sentence1"), ["b", "d"]);
  assert.equal(pairs.filter(() => false).numRows, 0);
});

test("shuffle is a seeded permutation: same seed same order, another seed another order", () => {
  const data = numbered(50);
  const first = data.shuffle({ seed: 42 }).column("id");
  assert.deepEqual(data.shuffle({ seed: 42 }).column("id"), first);
  assert.notDeepEqual(data.shuffle({ seed: 43 }).column("id"), first);
  assert.notDeepEqual(first, data.column("id"));
  assert.deepEqual([...first].sort((a, b) => (a as number) - (b as number)), data.column("id"));
  const shuffled = data.shuffle({ seed: 42 });
  shuffled.column("id").forEach((id, row) => assert.equal(shuffled.column("text")[row], `t${id}`)); // rows stay whole
  assert.deepEqual(data.column("id").slice(0, 3), [0, 1, 2]); // the original is untouched
  // Regression pin of the generator (mulberry32 + Fisher–Yates from the last index); not numpy's order.
  assert.deepEqual(numbered(10).shuffle({ seed: 42 }).column("id"), [0, 7, 3, 5, 2, 1, 8, 9, 4, 6]);
  assert.equal(numbered(0).shuffle({ seed: 1 }).numRows, 0);
  assert.throws(() => data.shuffle({ seed: 0.5 }), ArgumentError);
});

test("trainTestSplit sizes follow Hugging Face: test = ceil(n·fraction), train = floor(n·fraction) or the rest", async () => {
  const sizes = (rows: number, options: Parameters<Dataset["trainTestSplit"]>[0]) => {
    const split = numbered(rows).trainTestSplit({ seed: 1, ...options });
    return [split.train.numRows, split.test.numRows];
  };
  assert.deepEqual(sizes(10, {}), [7, 3]); // default testSize 0.25 → ceil(2.5)
  assert.deepEqual(sizes(5749, { testSize: 0.2 }), [4599, 1150]);
  assert.deepEqual(sizes(10, { testSize: 0.05 }), [9, 1]);
  assert.deepEqual(sizes(100, { testSize: 10 }), [90, 10]);
  assert.deepEqual(sizes(10, { trainSize: 0.55 }), [5, 5]);
  assert.deepEqual(sizes(10, { trainSize: 0.5, testSize: 0.25 }), [5, 3]);
  await expectError(() => sizes(10, { testSize: 0 }), ArgumentError, "testSize", "fraction in (0, 1)");
  await expectError(() => sizes(10, { testSize: 1.5 }), ArgumentError, "testSize");
  await expectError(() => sizes(10, { testSize: 10 }), ArgumentError, "testSize", "from 1 to 9");
  await expectError(() => sizes(10, { testSize: 0.6, trainSize: 0.6 }), ArgumentError, "trainSize", "more than");
  await expectError(() => sizes(2, { testSize: 0.9 }), ArgumentError, "testSize", "no rows for the train split");
});

test("trainTestSplit partitions the rows: disjoint, complete, seeded; shuffle false keeps file order", () => {
  const data = numbered(20);
  const split = data.trainTestSplit({ testSize: 0.25, seed: 7 });
  const train = split.train.column("id") as number[];
  const test = split.test.column("id") as number[];
  assert.deepEqual([...train, ...test].sort((a, b) => a - b), data.column("id"));
  assert.deepEqual(data.trainTestSplit({ testSize: 0.25, seed: 7 }).test.column("id"), test);
  assert.notDeepEqual(data.trainTestSplit({ testSize: 0.25, seed: 8 }).test.column("id"), test);
  const ordered = data.trainTestSplit({ testSize: 5, shuffle: false });
  assert.deepEqual(ordered.train.column("id"), Array.from({ length: 15 }, (_, i) => i));
  assert.deepEqual(ordered.test.column("id"), [15, 16, 17, 18, 19]);
});

test("toString and util.inspect print Hugging Face's repr", () => {
  const expected = "Dataset({\n    features: ['sentence1', 'sentence2', 'score'],\n    num_rows: 4\n})";
  assert.equal(String(pairs), expected);
  assert.equal(inspect(pairs), expected);
  const dict = new DatasetDict({ train: pairs, test: pairs.select([0]) });
  assert.equal(
    String(dict),
    "DatasetDict({\n    train: Dataset({\n        features: ['sentence1', 'sentence2', 'score'],\n        num_rows: 4\n    })\n" +
      "    test: Dataset({\n        features: ['sentence1', 'sentence2', 'score'],\n        num_rows: 1\n    })\n})",
  );
  assert.equal(inspect(dict), String(dict));
});

test("DatasetDict names its splits; a missing split is an ArgumentError listing the existing ones", async () => {
  const dict = new DatasetDict({ train: pairs, test: pairs.select([0, 1]) });
  assert.deepEqual(dict.splits, ["train", "test"]);
  assert.deepEqual(dict.numRows, { train: 4, test: 2 });
  assert.equal(dict.train, pairs);
  assert.equal(dict.get("test").numRows, 2);
  assert.equal(dict.has("validation"), false);
  assert.deepEqual([...dict].map(([name]) => name), ["train", "test"]);
  await expectError(() => dict.validation, ArgumentError, 'split "validation"', "no such split", "train, test");
  await expectError(() => dict.get("dev"), ArgumentError, 'split "dev"', "train, test");
  assert.deepEqual(new DatasetDict([["only", pairs]]).splits, ["only"]);
});

test("concatenateDatasets stacks rows, takes the first column order, refuses other columns", async () => {
  const other = Dataset.fromColumns({ score: [0.9], sentence2: ["Z"], sentence1: ["z"] });
  const both = concatenateDatasets([pairs, other]);
  assert.deepEqual(both.columnNames, ["sentence1", "sentence2", "score"]);
  assert.deepEqual(both.column("sentence1"), ["a", "b", "c", "d", "z"]);
  assert.deepEqual(both.column("score"), [0.1, 0.2, 0.3, 0.4, 0.9]);
  await expectError(() => concatenateDatasets([pairs, pairs.removeColumns("score")]), ArgumentError, "datasets[1]", "sentence1, sentence2]");
});
