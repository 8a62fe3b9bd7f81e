// The shared evaluator pieces: sentence-transformers' name prefixing, Python's max and float repr, and the
// CSV rows ST appends (header once, CRLF, Python number formatting).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { appendCsvRow, formatPythonFloat, prefixMetricName, prefixNameToMetrics, pythonMax } from "../../src/evaluation/evaluator.ts";
import { temporaryDirectory } from "../support/temp.ts";

test("prefixNameToMetrics prefixes every key with `${name}_` when the name is non-empty, keeping order", () => {
  const metrics = { pearson_cosine: 0.5, spearman_cosine: 0.25 };
  const prefixed = prefixNameToMetrics(metrics, "sts-dev");
  assert.deepEqual(Object.keys(prefixed), ["sts-dev_pearson_cosine", "sts-dev_spearman_cosine"]);
  assert.equal(prefixed["sts-dev_spearman_cosine"], 0.25);
  assert.deepEqual(prefixNameToMetrics(metrics, ""), metrics);
  assert.notEqual(prefixNameToMetrics(metrics, ""), metrics); // a copy
  assert.equal(prefixMetricName("max_ap", "quora"), "quora_max_ap");
  assert.equal(prefixMetricName("max_ap", ""), "max_ap");
});

test("pythonMax keeps the first value unless a later one is strictly greater (Python's max)", () => {
  assert.equal(pythonMax([0.2, 0.9, 0.5]), 0.9);
  assert.ok(Number.isNaN(pythonMax([Number.NaN, 0.5]))); // max([nan, .5]) is nan in Python
  assert.equal(pythonMax([0.5, Number.NaN]), 0.5); // max([.5, nan]) is .5
});

test("formatPythonFloat is Python's repr(float)", () => {
  const cases: [number, string][] = [
    [0.1, "0.1"],
    [1, "1.0"],
    [-2.5, "-2.5"],
    [0, "0.0"],
    [-0, "-0.0"],
    [0.8333333333333333, "0.8333333333333333"],
    [2 / 3, "0.6666666666666666"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [1234567890123456, "1234567890123456.0"],
    [1e16, "1e+16"],
    [1.5e300, "1.5e+300"],
    [123.456, "123.456"],
    [Number.NaN, "nan"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
  ];
  for (const [value, expected] of cases) assert.equal(formatPythonFloat(value), expected, String(value));
});

test("appendCsvRow creates the folder and file with a header once, then appends rows like Python's csv.writer", () => {
  const out = join(temporaryDirectory(), "eval", "nested");
  const headers = ["epoch", "steps", "cosine_pearson", "cosine_spearman"];
  const path = appendCsvRow(out, "similarity_evaluation_sts-dev_results.csv", headers, -1, -1, [0.5, 1]);
  appendCsvRow(out, "similarity_evaluation_sts-dev_results.csv", headers, 2, 150, [1e-5, Number.NaN]);
  assert.equal(path, join(out, "similarity_evaluation_sts-dev_results.csv"));
  assert.equal(readFileSync(path, "utf8"), "epoch,steps,cosine_pearson,cosine_spearman\r\n-1,-1,0.5,1.0\r\n2,150,1e-05,nan\r\n");
  assert.throws(() => appendCsvRow(out, "x.csv", headers, 0, 0, [1]), /CSV row of 3 fields for 4 headers/);
});
