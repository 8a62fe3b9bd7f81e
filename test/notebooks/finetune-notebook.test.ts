// notebooks/finetune-embeddings.ipynb executed headless (nbconvert, the project's tslab kernel) on the
// embedded default model and the project's data: every cell runs, the evaluator's dictionaries before and
// after training are in the saved outputs as tables (printed once) with a higher test spearman_cosine after, the charts are there
// with plotly.js loaded once; exported to HTML, headless Chromium draws every chart (their divs hold
// Plotly's SVG) — a screenshot is left beside the HTML. Then the same notebook on ../shared/data/stsb
// through EMBEDTUNE_DATA. Skipped, saying why, where jupyter (or chromium, or ../shared) is missing.

import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { skipUnlessShared } from "../support/shared.ts";
import {
  beforeAndAfter,
  cellById,
  chromiumBinary,
  executeNotebook,
  exportHtml,
  jupyterSkipReason,
  outputsWith,
  readNotebook,
  renderInChromium,
  stdoutOf,
  tableMetric,
  tableTextsOf,
  type Notebook,
} from "../support/jupyter.ts";
import { temporaryDirectory } from "../support/temp.ts";

const NOTEBOOK = "finetune-embeddings.ipynb";
const skip = jupyterSkipReason();
const outputDirectory = temporaryDirectory("embedtune-notebook-");
let executedPath = "";
let executed: Notebook;

before(() => {
  if (skip) return;
  const run = executeNotebook(NOTEBOOK, outputDirectory, {
    EMBEDTUNE_CACHE: temporaryDirectory(),
    EMBEDTUNE_OUTPUT: join(outputDirectory, "model"),
  });
  executedPath = run.path;
  executed = readNotebook(run.path);
  console.log(`# ${NOTEBOOK}: ${run.seconds.toFixed(1)} s, ${(statSync(run.path).size / 1e6).toFixed(2)} MB executed`);
});

test("the tutorial notebook runs headless; its outputs hold the evaluator's metrics as tables, test spearman_cosine higher after training", { skip, timeout: 600_000 }, () => {
  const evaluateBefore = cellById(executed, "evaluate-before");
  assert.equal(stdoutOf(evaluateBefore), "", "the metrics are shown once, as a table");
  const [beforeTable] = tableTextsOf(evaluateBefore);
  assert.match(beforeTable, /^metric +dev, before training +test, before training$/m);
  for (const metric of ["spearman_cosine", "pearson_max", "pearson_cosine", "spearman_max"]) assert.equal(tableMetric(beforeTable, metric).length, 2);
  const evaluateAfter = cellById(executed, "evaluate-after");
  assert.match(stdoutOf(evaluateAfter), /saved the final model to /);
  const [afterTable] = tableTextsOf(evaluateAfter);
  const { before: scoreBefore, after: scoreAfter } = beforeAndAfter(executed);
  assert.deepEqual(tableMetric(afterTable, "spearman_cosine").map((score) => score.toFixed(4)), [scoreBefore.toFixed(4), scoreAfter.toFixed(4)]);
  assert.ok(scoreAfter > scoreBefore + 0.03, `test spearman_cosine ${scoreBefore} → ${scoreAfter}`);
  const trainText = stdoutOf(cellById(executed, "train"));
  assert.match(trainText, /^training: 320 steps, 10 epochs$/m);
  assert.match(trainText, /^step \d+ {2}sts-dev_spearman_cosine 0\.\d{4}$/m);
});

test("the tutorial notebook's charts: four Plotly figures (histogram, training curves, bars, heat map), plotly.js embedded once", { skip, timeout: 60_000 }, () => {
  const figures = outputsWith(executed, "application/vnd.plotly.v1+json");
  const titles = figures.map((output) => String(output.data!["text/plain"]));
  assert.deepEqual(titles, [
    "<Plotly figure: Gold scores per split>",
    "<Plotly figure: Training loss and sts-dev_spearman_cosine>",
    "<Plotly figure: Test metrics before and after training>",
    "<Plotly figure: Cosine similarity after training (pairs with the highest, middle, lowest gold score)>",
  ]);
  const curves = figures[1].data!["application/vnd.plotly.v1+json"] as { data: { x: number[] }[] };
  assert.equal(curves.data[0].x.at(-1), 319, "the live chart ends with the last logged step");
  const libraries = outputsWith(executed, "text/html").filter((output) => String(output.data!["text/html"]).includes("window.__embedtuneDefine = window.define"));
  assert.equal(libraries.length, 1);
  assert.ok(statSync(executedPath).size < 6_000_000, `${statSync(executedPath).size} bytes`);
});

test("the notebook's HTML export draws every chart in headless Chromium", { skip: skip || (chromiumBinary() ? false : "chromium is not installed"), timeout: 120_000 }, () => {
  const html = exportHtml(executedPath, outputDirectory);
  const screenshot = join(outputDirectory, "finetune-embeddings.png");
  const dom = renderInChromium(chromiumBinary()!, html, screenshot);
  // From each chart's div to the next one: Plotly drew into the div when it holds its <svg class="main-svg">.
  const plots = dom.split('class="embedtune-plot').slice(1);
  assert.equal(plots.length, 4, "four chart divs");
  plots.forEach((plot, i) => assert.match(plot, /<svg class="main-svg"/, `chart ${i + 1} has Plotly's SVG`));
  assert.doesNotMatch(dom, /class="embedtune-plot[^"]*"[^>]*>plotly\.js is not loaded/);
  assert.ok(statSync(screenshot).size > 50_000, `screenshot ${screenshot}`);
  console.log(`# screenshot: ${screenshot}`);
});

test("with EMBEDTUNE_DATA=../shared/data/stsb the notebook runs to the end (1 epoch) and improves test spearman_cosine", { skip: skip || skipUnlessShared("data/stsb/train.parquet"), timeout: 600_000 }, () => {
  const directory = temporaryDirectory("embedtune-notebook-stsb-");
  const run = executeNotebook(NOTEBOOK, directory, {
    EMBEDTUNE_DATA: "../shared/data/stsb",
    EMBEDTUNE_CACHE: temporaryDirectory(),
    EMBEDTUNE_OUTPUT: join(directory, "model"),
  });
  const notebook = readNotebook(run.path);
  assert.match(stdoutOf(notebook.cells.find((cell) => cell.id === "load-library")!), /data: {3}\/.*\/shared\/data\/stsb$/m);
  assert.match(stdoutOf(cellById(notebook, "train")), /^training: 180 steps, 1 epoch$/m);
  const { before: scoreBefore, after: scoreAfter } = beforeAndAfter(notebook);
  assert.ok(scoreAfter > scoreBefore + 0.03, `STS-B test spearman_cosine ${scoreBefore} → ${scoreAfter}`);
  console.log(`# ${NOTEBOOK} on STS-B: ${run.seconds.toFixed(1)} s, test spearman_cosine ${scoreBefore.toFixed(4)} → ${scoreAfter.toFixed(4)}`);
});
