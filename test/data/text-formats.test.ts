// Tests for the text data formats, through loadDataset on files written here: CSV (quotes, "" escapes,
// CRLF, quoted line breaks, BOM, numeric columns, empty fields) and JSON / JSON Lines, and their one-line
// DataLoadErrors naming the file and the 1-based line.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Dataset } from "../../src/data/dataset.ts";
import { DataLoadError } from "../../src/data/errors.ts";
import { loadDataset, type DataFormat } from "../../src/data/load-dataset.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { expectError } from "./expect-error.ts";

const folder = temporaryDirectory("embedtune-text-");

function fileWith(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function load(format: DataFormat, name: string, text: string): Promise<Dataset> {
  return loadDataset(format, { dataFiles: fileWith(name, text), split: "train" });
}

test("csv: quoted fields, doubled quotes, commas, CRLF and quoted line breaks", async () => {
  const text =
    'sentence1,sentence2,score\r\n' +
    '"He said ""hi"", then left.",plain,0.5\r\n' +
    '"a, b","multi\r\nline",1\r\n' +
    'naïve,東京,0\r\n';
  const dataset = await load("csv", "quoted.csv", text);
  assert.deepEqual(dataset.columnNames, ["sentence1", "sentence2", "score"]);
  assert.deepEqual(dataset.column("sentence1"), ['He said "hi", then left.', "a, b", "naïve"]);
  assert.deepEqual(dataset.column("sentence2"), ["plain", "multi\r\nline", "東京"]);
  assert.deepEqual(dataset.column("score"), [0.5, 1, 0]);
});

test("csv: a column is numeric only when every non-empty field is a number; empty fields are null", async () => {
  const text = "\uFEFFid,score,mixed,text\n1,0.25,1,a\n2,,2,\n\n3,-1e-3,three,c\n";
  const dataset = await load("csv", "typed.csv", text);
  assert.deepEqual(dataset.columnNames, ["id", "score", "mixed", "text"]); // BOM dropped
  assert.deepEqual(dataset.column("id"), [1, 2, 3]); // the blank line is skipped
  assert.deepEqual(dataset.column("score"), [0.25, null, -0.001]);
  assert.deepEqual(dataset.column("mixed"), ["1", "2", "three"]);
  assert.deepEqual(dataset.column("text"), ["a", null, "c"]);
  const exact = await load("csv", "exact.csv", "x\n0.1\n3.141592653589793\n1e-300\n");
  assert.deepEqual(exact.column("x"), [0.1, Math.PI, 1e-300]);
  const unnamed = await load("csv", "pandas-index.csv", ",text\n0,a\n1,b\n");
  assert.deepEqual(unnamed.columnNames, ["Unnamed: 0", "text"]);
  const headerOnly = await load("csv", "header-only.csv", "a,b\n");
  assert.deepEqual(headerOnly.shape, [0, 2]);
});

test("csv: a row with the wrong number of fields names the file and its line (after quoted line breaks)", async () => {
  const tooMany = fileWith("too-many.csv", 'a,b\n1,"two\nlines"\n3,4,5\n');
  await expectError(() => loadDataset("csv", { dataFiles: tooMany }), DataLoadError, tooMany, "line 4 has 3 fields, but the header has 2");
  const tooFew = fileWith("too-few.csv", "a,b,c\r\n1,2,3\r\n4,5\r\n");
  await expectError(() => loadDataset("csv", { dataFiles: tooFew }), DataLoadError, tooFew, "line 3 has 2 fields, but the header has 3");
});

test("csv: bad quoting, duplicate header names and empty files are DataLoadErrors", async () => {
  const unterminated = fileWith("unterminated.csv", 'a,b\n1,2\n3,"never closed\n4,5\n');
  await expectError(() => loadDataset("csv", { dataFiles: unterminated }), DataLoadError, unterminated, "line 3", "Quoted field unterminated");
  const malformed = fileWith("malformed.csv", 'a,b\n"x"y,2\n');
  await expectError(() => loadDataset("csv", { dataFiles: malformed }), DataLoadError, malformed, "line 2", "quote");
  const duplicate = fileWith("duplicate.csv", "text,text\na,b\n");
  await expectError(() => loadDataset("csv", { dataFiles: duplicate }), DataLoadError, duplicate, "line 1", '"text" appears twice');
  const empty = fileWith("empty.csv", "\n\n");
  await expectError(() => loadDataset("csv", { dataFiles: empty }), DataLoadError, empty, "is empty");
});

test("jsonl: one object per line, CRLF and blank lines allowed, keys united, missing keys null", async () => {
  const text = '{"anchor": "naïve café", "positive": "東京 🙂"}\r\n\r\n{"anchor": "", "positive": "b", "score": 0.5}\n';
  const dataset = await load("jsonl", "pairs.jsonl", text);
  assert.deepEqual(dataset.columnNames, ["anchor", "positive", "score"]);
  assert.deepEqual(dataset.column("anchor"), ["naïve café", ""]);
  assert.deepEqual(dataset.column("positive"), ["東京 🙂", "b"]);
  assert.deepEqual(dataset.column("score"), [null, 0.5]);
});

test("jsonl: an invalid or non-object line names the file and the line", async () => {
  const invalid = fileWith("invalid.jsonl", '{"a": 1}\n\n{"a": 2,}\n');
  await expectError(() => loadDataset("jsonl", { dataFiles: invalid }), DataLoadError, invalid, "line 3 is not valid JSON");
  const notObject = fileWith("array-line.jsonl", '{"a": 1}\n[1, 2]\n');
  await expectError(() => loadDataset("jsonl", { dataFiles: notObject }), DataLoadError, notObject, "line 2 is an array, not a JSON object");
});

test("json: a whole-file array of rows, an object of columns, or JSON Lines", async () => {
  const rows = await load("json", "rows.json", '[\n  {"q": "a", "label": 1},\n  {"q": "b", "label": 0}\n]\n');
  assert.deepEqual([...rows], [{ q: "a", label: 1 }, { q: "b", label: 0 }]);
  const columns = await load("json", "columns.json", '{"q": ["a", "b"], "label": [1, 0]}');
  assert.deepEqual([...columns], [...rows]);
  const lines = await load("json", "lines.json", '{"q": "a", "label": 1}\n{"q": "b", "label": 0}\n');
  assert.deepEqual([...lines], [...rows]);
  const single = await load("json", "single.json", '{"q": "a", "label": 1}\n');
  assert.deepEqual([...single], [{ q: "a", label: 1 }]);
});

test("json: broken files are DataLoadErrors naming the file", async () => {
  const broken = fileWith("broken.json", '[{"q": "a"},\n');
  await expectError(() => loadDataset("json", { dataFiles: broken }), DataLoadError, broken, "is not valid JSON");
  const element = fileWith("element.json", '[{"q": "a"}, "b"]');
  await expectError(() => loadDataset("json", { dataFiles: element }), DataLoadError, element, "element 1", "a string, not a JSON object");
  const ragged = fileWith("ragged.json", '{"q": ["a", "b"], "label": [1]}');
  await expectError(() => loadDataset("json", { dataFiles: ragged }), DataLoadError, ragged, "different lengths", "q: 2, label: 1");
  const badLine = fileWith("bad-line.json", '{"q": "a"}\n{"q": }\n');
  await expectError(() => loadDataset("json", { dataFiles: badLine }), DataLoadError, badLine, "line 2 is not valid JSON");
});
