// Notebook tables: records, the kit's Dataset and danfo-shaped frames (index first, or left out), one
// number format per column (4 decimals when any is fractional), HTML escaped, long text and long tables
// shortened, and metric dictionaries lined up by short name.

import assert from "node:assert/strict";
import { test } from "node:test";
import { importDanfo } from "../../src/data/danfo.ts";
import { Dataset } from "../../src/data/dataset.ts";
import { metricsTable, tableHtml, tableRows, tableText } from "../../src/notebook/table.ts";

test("tableText aligns columns, writes a column with a fractional number all with 4 decimals and says how many rows it left out", () => {
  const rows = [
    { metric: "spearman_cosine", value: 0.421240198, steps: 320 },
    { metric: "accuracy", value: 1, steps: 5 },
    { metric: "third", value: 1, steps: 0.5 },
  ];
  assert.equal(
    tableText(rows, { maxRows: 2 }),
    ["metric           value   steps", "spearman_cosine  0.4212  320", "accuracy         1.0000  5", "… 1 more rows"].join("\n"),
  );
});

test("a column mixing numbers with text writes each number as it is (arguments: 10 epochs, learning rate 0.0005)", () => {
  const rows = [
    { argument: "numTrainEpochs", value: 10 },
    { argument: "learningRate", value: 0.0005 },
    { argument: "evalStrategy", value: "steps" },
  ];
  assert.equal(tableText(rows), ["argument        value", "numTrainEpochs  10", "learningRate    0.0005", "evalStrategy    steps"].join("\n"));
});

test("a metrics column writes every number alike (1.0000 beside 0.9000, not 1)", () => {
  const html = tableHtml(metricsTable({ dev: { "d_accuracy": 1, "d_f1": 0.9 } }));
  assert.ok(html.includes('<td style="text-align: right">1.0000</td>'), html);
  assert.ok(html.includes('<td style="text-align: right">0.9000</td>'), html);
  assert.ok(!/>1</.test(html), html);
});

test("the kit's Dataset is a table: its columns in order, only the rows shown are read, the rest counted", () => {
  const dataset = Dataset.fromColumns({ sentence1: ["a", "b", "c"], score: [0.5, 1, 0] });
  assert.deepEqual(tableRows(dataset), [
    { sentence1: "a", score: 0.5 },
    { sentence1: "b", score: 1 },
    { sentence1: "c", score: 0 },
  ]);
  assert.equal(tableText(dataset, { maxRows: 2 }), ["sentence1  score", "a          0.5000", "b          1.0000", "… 1 more rows"].join("\n"));
});

test("tableHtml escapes text, shortens long text and right-aligns numbers", () => {
  const html = tableHtml([{ sentence: "<b>bold</b> & more text here", score: 0.5 }], { maxTextLength: 12 });
  assert.ok(html.includes("<td style=\"text-align: left\">&lt;b&gt;bold&lt;/b&gt;…</td>"), html);
  assert.ok(html.includes("<td style=\"text-align: right\">0.5000</td>"), html);
  assert.ok(!html.includes("<b>"));
});

test("a danfo DataFrame becomes records with its index first (or without it)", async () => {
  const danfo = await importDanfo();
  const frame = new danfo.DataFrame({ sentence: ["a", "b"], score: [0.25, 1] }, { index: ["x", "y"] });
  assert.deepEqual(tableRows(frame), [
    { "": "x", sentence: "a", score: 0.25 },
    { "": "y", sentence: "b", score: 1 },
  ]);
  assert.deepEqual(tableRows(frame, { index: false }), [
    { sentence: "a", score: 0.25 },
    { sentence: "b", score: 1 },
  ]);
  const described = tableRows(frame.describe());
  assert.deepEqual(described.map((row) => row[""]), ["count", "mean", "std", "min", "median", "max", "variance"]);
  assert.equal(described[1].score, 0.625);
});

test("metricsTable lines up dictionaries of differently named evaluators by metric", () => {
  const dev = { "sts-dev_pearson_cosine": 0.3, "sts-dev_spearman_cosine": 0.35 };
  const test_ = { "sts-test_pearson_cosine": 0.4, "sts-test_spearman_cosine": 0.42 };
  assert.deepEqual(metricsTable({ dev, test: test_ }), [
    { metric: "pearson_cosine", dev: 0.3, test: 0.4 },
    { metric: "spearman_cosine", dev: 0.35, test: 0.42 },
  ]);
});
