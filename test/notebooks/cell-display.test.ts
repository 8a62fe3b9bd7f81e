// What a notebook cell shows, through a real tslab kernel: an embedtune error is one line (`Name: message`,
// no source caret, frames or own fields) and showTrace() prints its stack; a plain Error keeps its stack;
// bare last expressions (model, Dataset, DatasetDict, DataFrame, an evaluator's metrics, embeddings) print
// short texts; show(x) displays HTML tables; showTable takes a Dataset; `{ model }` naming an earlier
// cell's variable works (patches/tslab+*.patch). Outside a notebook, errors and metrics inspect as before.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { inspect } from "node:util";
import { ArgumentError } from "../../src/errors.ts";
import { shortMetricsInNotebook } from "../../src/notebook/inspect.ts";
import { jupyterSkipReason, prepareNotebookRun } from "../support/jupyter.ts";
import { cellText, runInKernel, type KernelCellResult } from "../support/kernel.ts";
import { temporaryDirectory } from "../support/temp.ts";

const skip = jupyterSkipReason();
const emptyModelFolder = join(temporaryDirectory("embedtune-cell-display-"), "model");

// An error ends a cell; the kernel drops requests for 200 ms after it, so each error cell lingers first.
const CELLS = {
  setup: `import { loadModel, loadPairScore, evaluate, similarityEvaluator, devSplit, show, showTable, showTrace } from "embedtune";
const model = await loadModel(undefined, { quiet: true });
const data = await loadPairScore();`,
  argumentError: `data.train.column("scores")`,
  trace: `showTrace()`,
  modelLoadError: `await loadModel(${JSON.stringify(emptyModelFolder)})`,
  bug: `function buggy(): never { throw new Error("plain bug"); }\nbuggy()`,
  model: `model`,
  dataset: `data.train`,
  datasetDict: `data`,
  dataFrame: `const frame = await data.train.toDataFrame();\nframe`,
  metrics: `const metrics = await evaluate(model, similarityEvaluator(data.dev, "sts-dev"));\nmetrics`,
  metricsJson: `console.log(JSON.stringify(metrics))`,
  embeddings: `const embeddings = await model.encode(data.train.column("sentence1").slice(0, 20) as string[]);\nembeddings`,
  show: `show(model); show(data.dev); show(frame.head(3)); show(metrics); show(embeddings); show([{ a: 1, b: 0.5 }, { a: 2, b: 1 }])`,
  showTable: `showTable(devSplit(data), { maxRows: 3 })`,
  shorthand: `const init = { model, data };\nconst shadowed = ((model: number) => ({ model }))(5);\ninit.model === model && init.data === data && shadowed.model === 5`,
};
type CellName = keyof typeof CELLS;
const ERROR_CELLS: CellName[] = ["argumentError", "modelLoadError", "bug"];

const results = new Map<CellName, KernelCellResult>();

before(() => {
  if (skip) return;
  mkdirSync(emptyModelFolder);
  prepareNotebookRun();
  const names = Object.keys(CELLS) as CellName[];
  const cells = runInKernel(names.map((name) => ({ code: CELLS[name], timeout: 180, linger: ERROR_CELLS.includes(name) ? 0.5 : undefined })));
  names.forEach((name, i) => results.set(name, cells[i]));
});

function cell(name: CellName): KernelCellResult {
  const result = results.get(name)!;
  assert.notEqual(result.status, "abort", `cell ${name} was not run`);
  return result;
}

test("an ArgumentError and a ModelLoadError in a cell: one line, Name: message, no frames, paths or fields", { skip, timeout: 600_000 }, () => {
  assert.equal(cell("setup").status, "ok", cellText(cell("setup")));
  const argumentError = cell("argumentError");
  assert.equal(argumentError.status, "error");
  assert.equal(cellText(argumentError), 'ArgumentError: column "scores": no such column (columns: sentence1, sentence2, score)\n');
  const modelLoadError = cell("modelLoadError");
  assert.equal(modelLoadError.status, "error");
  assert.equal(cellText(modelLoadError), `ModelLoadError: ${join(emptyModelFolder, "config.json")}: missing\n`);
  for (const text of [cellText(argumentError), cellText(modelLoadError)]) {
    assert.equal(text.trimEnd().split("\n").length, 1, text);
    assert.doesNotMatch(text, /\bat |dist\/|\{ file:|argument:|\^/);
  }
});

test("showTrace() prints the stack of the last error shown; a plain Error (a bug) keeps its stack", { skip, timeout: 600_000 }, () => {
  const trace = cellText(cell("trace"), "stdout");
  assert.match(trace, /^ArgumentError: column "scores": no such column/);
  assert.match(trace, /\n {4}at Dataset\.column \(.*dist\/data\/dataset\.js:\d+:\d+\)/);
  const bug = cellText(cell("bug"));
  assert.match(bug, /Error: plain bug\n {4}at buggy /);
});

test("bare model, Dataset, DatasetDict and DataFrame print short: the summary and a few rows", { skip, timeout: 600_000 }, () => {
  const model = cellText(cell("model"));
  assert.match(model, /^SentenceTransformer\(bert: \d+ layers, hidden \d+, .*engine /);
  assert.equal(model.trimEnd().split("\n").length, 1);
  assert.ok(model.length < 300, model);
  const dataset = cellText(cell("dataset"));
  assert.match(dataset, /^Dataset\(\{\n {4}features: \['sentence1', 'sentence2', 'score'\],\n {4}num_rows: \d+\n\}\)\nsentence1 +sentence2 +score\n/);
  assert.match(dataset, /\n… \d+ more rows\n$/);
  assert.ok(dataset.length < 1500, dataset);
  const dict = cellText(cell("datasetDict"));
  assert.match(dict, /^DatasetDict\(\{\n {4}train: Dataset/);
  assert.match(dict, /\n {4}dev: Dataset/);
  assert.match(dict, /\ntrain, first rows:\nsentence1 /);
  assert.ok(dict.length < 2000, dict);
  const frame = cellText(cell("dataFrame"));
  assert.match(frame, /^DataFrame: \d+ rows × 3 columns\n {3}sentence1 +sentence2 +score\n0  /);
  assert.ok(frame.length < 1500, frame);
});

test("a bare metrics dict prints with 4 decimals; for code it is the same dict (JSON keeps full precision)", { skip, timeout: 600_000 }, () => {
  const text = cellText(cell("metrics"));
  assert.match(text, /'sts-dev_spearman_cosine': -?\d\.\d{1,4},/);
  assert.doesNotMatch(text, /\d\.\d{5,}/);
  assert.ok(text.length < 600, text);
  const json = JSON.parse(cellText(cell("metricsJson"))) as Record<string, number>;
  assert.equal(Object.keys(json).length, 10);
  assert.ok(Object.values(json).some((value) => /\.\d{6,}/.test(String(value))), "JSON.stringify keeps every digit");
});

test("bare embeddings print their shape and the first values of the first rows", { skip, timeout: 600_000 }, () => {
  const text = cellText(cell("embeddings"));
  assert.match(text, /^Embeddings 20 × \d+\n {2}\[-?\d\.\d{4}, /);
  assert.match(text, /\n {2}… 15 more rows\n$/);
  assert.ok(text.length < 600, text);
});

test("show(x) displays the model's line and HTML tables for a Dataset, a DataFrame, metrics and records; showTable takes a Dataset", { skip, timeout: 600_000 }, () => {
  const displays = cell("show").outputs.filter((output) => output.type === "display_data").map((output) => output.data!);
  assert.equal(displays.length, 6);
  assert.match(String(displays[0]["text/plain"]), /^SentenceTransformer\(/);
  for (const i of [1, 2, 3, 5]) assert.match(String(displays[i]["text/html"]), /<table class="embedtune-table">/);
  assert.match(String(displays[1]["text/plain"]), /^Dataset: \d+ rows × 3 columns\n/);
  assert.match(String(displays[2]["text/plain"]), /^DataFrame: 3 rows × 3 columns\n/);
  assert.match(String(displays[3]["text/html"]), /<td style="text-align: left">sts-dev_spearman_cosine<\/td><td style="text-align: right">-?\d\.\d{4}<\/td>/);
  assert.match(String(displays[4]["text/plain"]), /^Embeddings 20 × \d+/);
  assert.match(String(displays[5]["text/html"]), />1\.0000</);
  const table = cell("showTable").outputs.find((output) => output.type === "display_data")!.data!;
  assert.match(String(table["text/html"]), /<th style="text-align: left">sentence1<\/th>/);
  assert.match(String(table["text/plain"]), /\n… \d+ more rows$/);
});

test("{ model } naming an earlier cell's variable works in a cell, a parameter of the same name still wins (tslab patched at install)", { skip, timeout: 600_000 }, () => {
  const shorthand = cell("shorthand");
  assert.equal(shorthand.status, "ok", cellText(shorthand));
  assert.equal(cellText(shorthand), "true\n");
});

test("outside a notebook an embedtune error inspects as Node's (stack, own fields); a metrics dict is unchanged for code", () => {
  const text = inspect(new ArgumentError("batchSize", "must be positive"));
  assert.match(text, /^ArgumentError: batchSize: must be positive\n {4}at /);
  assert.match(text, /argument: 'batchSize'/);
  const metrics = { "sts-dev_pearson_cosine": 0.123456789, "sts-dev_spearman_cosine": 0.5 };
  const marked = shortMetricsInNotebook({ ...metrics });
  assert.deepStrictEqual(marked, metrics);
  assert.deepEqual(Object.keys(marked), Object.keys(metrics));
  assert.equal(JSON.stringify(marked), JSON.stringify(metrics));
  assert.equal(inspect(marked), inspect(metrics));
});
