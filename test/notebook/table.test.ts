// Notebook tables: records and danfo-shaped frames (index first, or left out), numbers with 4 decimals,
// HTML escaped, long text and long tables shortened, and metric dictionaries lined up by short name.

import assert from "node:assert/strict";
import { test } from "node:test";
import { importDanfo } from "../../src/data/danfo.ts";
import { metricsTable, tableHtml, tableRows, tableText } from "../../src/notebook/table.ts";

test("tableText aligns columns, writes non-integers with 4 decimals and says how many rows it left out", () => {
  const rows = [
    { metric: "spearman_cosine", value: 0.421240198 },
    { metric: "steps", value: 320 },
    { metric: "third", value: 1 },
  ];
  assert.equal(tableText(rows, { maxRows: 2 }), ["metric           value", "spearman_cosine  0.4212", "steps            320", "… 1 more rows"].join("\n"));
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
