// notebooks/finetune-retrieval.ipynb executed headless (nbconvert, the project's tslab kernel) on the
// embedded default model and the project's data/retrieval: every cell runs; the IR evaluator's dictionaries
// before and after training are in the saved outputs with test cosine_ndcg@10 clearly higher after (the
// data set's measured lift is 0.11 → 0.74); the mined rows, the live training chart with the IR metric,
// the before/after bars, the rank chart and the top-hits table are there, plotly.js loaded once; exported to
// HTML, headless Chromium draws every chart. Then the same notebook on ../shared/data/squad-retrieval
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

const NOTEBOOK = "finetune-retrieval.ipynb";
const skip = jupyterSkipReason();
const outputDirectory = temporaryDirectory("embedtune-retrieval-notebook-");
let executedPath = "";
let executed: Notebook;

/** The HTML tables a cell displayed. */
/** The HTML of the tables (not the progress lines) a cell displayed. */
function tablesOf(notebook: Notebook, id: string): string[] {
  return (cellById(notebook, id).outputs ?? []).map((output) => String(output.data?.["text/html"] ?? "")).filter((html) => html.includes('<table class="embedtune-table">'));
}

before(() => {
  if (skip) return;
  const run = executeNotebook(NOTEBOOK, outputDirectory, {
    EMBEDTUNE_CACHE: temporaryDirectory(),
    EMBEDTUNE_OUTPUT: join(outputDirectory, "model"),
  });
  executedPath = run.path;
  executed = readNotebook(run.path);
  const { before: ndcgBefore, after: ndcgAfter } = beforeAndAfter(executed);
  console.log(`# ${NOTEBOOK}: ${run.seconds.toFixed(1)} s, ${(statSync(run.path).size / 1e6).toFixed(2)} MB executed, ndcg@10 ${ndcgBefore.toFixed(4)} → ${ndcgAfter.toFixed(4)}`);
});

test("the retrieval notebook runs headless; its outputs hold the IR evaluator's metrics as tables, test ndcg@10 clearly higher after training", { skip, timeout: 600_000 }, () => {
  assert.match(stdoutOf(cellById(executed, "read-data")), /^300 queries, 300 passages, 1024 training pairs$/m);
  const evaluateBefore = cellById(executed, "evaluate-before");
  assert.equal(stdoutOf(evaluateBefore), "", "the metrics are shown once, as a table");
  const [beforeTable] = tableTextsOf(evaluateBefore);
  for (const key of ["retrieval-test_cosine_accuracy@1", "retrieval-test_cosine_recall@10", "retrieval-test_cosine_mrr@10", "retrieval-test_cosine_map@100"]) assert.equal(tableMetric(beforeTable, key).length, 1);
  const evaluateAfter = cellById(executed, "evaluate-after");
  assert.match(stdoutOf(evaluateAfter), /saved the final model to /);
  const [afterTable] = tableTextsOf(evaluateAfter);
  const { before: ndcgBefore, after: ndcgAfter } = beforeAndAfter(executed);
  assert.deepEqual(tableMetric(afterTable, "ndcg@10").map((score) => score.toFixed(4)), [ndcgBefore.toFixed(4), ndcgAfter.toFixed(4)]);
  assert.ok(ndcgBefore < 0.3, `an untrained random model retrieves poorly: ndcg@10 ${ndcgBefore}`);
  assert.ok(ndcgAfter > ndcgBefore + 0.3, `test ndcg@10 ${ndcgBefore} → ${ndcgAfter}`);
  const trainText = stdoutOf(cellById(executed, "train"));
  assert.match(trainText, /^training: 192 steps, 6 epochs$/m);
  assert.match(trainText, /^step \d+ {2}retrieval-test_cosine_ndcg@10 0\.\d{4}$/m);
});

test("the mining cell shows anchor, positive and mined negative rows, and the default model trains on the pairs", { skip, timeout: 60_000 }, () => {
  const [mined] = tablesOf(executed, "mine");
  assert.ok(mined, "a table of mined rows");
  for (const column of ["anchor", "positive", "negative"]) assert.match(mined, new RegExp(`<th[^>]*>${column}</th>`));
  const text = stdoutOf(cellById(executed, "mine"));
  assert.match(text, /Positive\s+Negative\s+Difference/, "the mining summary");
  assert.match(text, /training on the pairs \(random model\): 1024 rows, columns anchor, positive/);
});

test("the retrieval notebook's charts: training curves with ndcg@10, before/after bars, rank histogram; plotly.js embedded once", { skip, timeout: 60_000 }, () => {
  const figures = outputsWith(executed, "application/vnd.plotly.v1+json");
  const titles = figures.map((output) => String(output.data!["text/plain"]));
  assert.deepEqual(titles, [
    "<Plotly figure: Training loss and retrieval-test_cosine_ndcg@10>",
    "<Plotly figure: Retrieval metrics before and after training>",
    "<Plotly figure: Rank of each query's relevant passage>",
  ]);
  type Spec = { data: { name: string; x: (number | string)[]; y: number[] }[] };
  const curves = figures[0].data!["application/vnd.plotly.v1+json"] as Spec;
  assert.equal(curves.data[1].name, "retrieval-test_cosine_ndcg@10");
  assert.ok(curves.data[1].x.length >= 8, "the evaluator ran during training");
  const bars = figures[1].data!["application/vnd.plotly.v1+json"] as Spec;
  assert.deepEqual(bars.data[0].x, ["recall@1", "recall@3", "recall@5", "recall@10", "ndcg@10", "mrr@10"]);
  const ranks = figures[2].data!["application/vnd.plotly.v1+json"] as Spec;
  assert.deepEqual(ranks.data.map((trace) => trace.name), ["before training", "after training"]);
  assert.deepEqual(ranks.data.map((trace) => trace.y.reduce((sum, count) => sum + count, 0)), [300, 300], "every query counted once");
  assert.ok(ranks.data[1].y[0] > ranks.data[0].y[0], "more queries find their passage first after training");
  const libraries = outputsWith(executed, "text/html").filter((output) => String(output.data!["text/html"]).includes("window.__embedtuneDefine = window.define"));
  assert.equal(libraries.length, 1);
  assert.ok(statSync(executedPath).size < 6_000_000, `${statSync(executedPath).size} bytes`);
});

test("the top-hits table lists five queries with their ranks and top 3 passages before and after", { skip, timeout: 60_000 }, () => {
  const [table] = tablesOf(executed, "top-hits");
  assert.ok(table, "a table");
  for (const column of ["query", "answer", "rank before", "rank after", "top 3 before", "top 3 after"]) assert.match(table, new RegExp(`<th[^>]*>${column}</th>`));
  assert.equal(table.match(/<tr>/g)?.length, 6, "a header and five rows");
  assert.match(table, /✓ /, "some right passage is marked");
});

test("the retrieval notebook's HTML export draws every chart in headless Chromium", { skip: skip || (chromiumBinary() ? false : "chromium is not installed"), timeout: 120_000 }, () => {
  const html = exportHtml(executedPath, outputDirectory);
  const screenshot = join(outputDirectory, "finetune-retrieval.png");
  const dom = renderInChromium(chromiumBinary()!, html, screenshot);
  const plots = dom.split('class="embedtune-plot').slice(1);
  assert.equal(plots.length, 3, "three chart divs");
  plots.forEach((plot, i) => assert.match(plot, /<svg class="main-svg"/, `chart ${i + 1} has Plotly's SVG`));
  assert.ok(statSync(screenshot).size > 50_000, `screenshot ${screenshot}`);
  console.log(`# screenshot: ${screenshot}`);
});

test("with EMBEDTUNE_DATA=../shared/data/squad-retrieval the notebook runs to the end (1 epoch) and improves test ndcg@10", { skip: skip || skipUnlessShared("data/squad-retrieval/train_pairs.parquet"), timeout: 900_000 }, () => {
  const directory = temporaryDirectory("embedtune-retrieval-notebook-squad-");
  const run = executeNotebook(NOTEBOOK, directory, {
    EMBEDTUNE_DATA: "../shared/data/squad-retrieval",
    EMBEDTUNE_CACHE: temporaryDirectory(),
    EMBEDTUNE_OUTPUT: join(directory, "model"),
  });
  const notebook = readNotebook(run.path);
  assert.match(stdoutOf(cellById(notebook, "load-library")), /data: {3}\/.*\/shared\/data\/squad-retrieval$/m);
  assert.match(stdoutOf(cellById(notebook, "read-data")), /^1023 queries, 1023 passages, 5146 training pairs$/m);
  assert.match(stdoutOf(cellById(notebook, "train")), /^training: 161 steps, 1 epoch$/m);
  const { before: ndcgBefore, after: ndcgAfter } = beforeAndAfter(notebook);
  assert.ok(ndcgAfter > ndcgBefore + 0.05, `SQuAD test ndcg@10 ${ndcgBefore} → ${ndcgAfter}`);
  console.log(`# ${NOTEBOOK} on SQuAD retrieval: ${run.seconds.toFixed(1)} s, test ndcg@10 ${ndcgBefore.toFixed(4)} → ${ndcgAfter.toFixed(4)}`);
});
