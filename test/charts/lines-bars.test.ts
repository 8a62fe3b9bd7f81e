// Line and bar specs: training curves read from a hand-written log history (loss entries on the left
// axis, eval_<metric> entries on the right, with its own round ticks), before/after bars with the
// evaluator prefix dropped and labels that fit, the prefix rule itself, and where every chart puts its
// title (above the plot area, below Plotly's mode bar).

import assert from "node:assert/strict";
import { test } from "node:test";
import { barChart, beforeAfterBars } from "../../src/charts/bars.ts";
import { lineChart, trainingCurves } from "../../src/charts/lines.ts";
import { TITLE_MARGIN } from "../../src/charts/figure.ts";
import { similarityHeatmap } from "../../src/charts/heatmap.ts";
import { shortMetricNames } from "../../src/charts/metric-names.ts";

const LOG_HISTORY: Record<string, number>[] = [
  { loss: 6.1, grad_norm: 3, learning_rate: 1e-4, epoch: 0.3, step: 10 },
  { loss: 5.5, grad_norm: 2, learning_rate: 2e-4, epoch: 0.6, step: 20 },
  { eval_loss: 5.9, "eval_sts-dev_spearman_cosine": 0.41, epoch: 0.6, step: 20 },
  { loss: 5.2, grad_norm: 2, learning_rate: 1e-4, epoch: 0.9, step: 30 },
  { eval_loss: 5.7, "eval_sts-dev_spearman_cosine": 0.47, epoch: 1, step: 32 },
  { train_runtime: 3, train_loss: 5.6, epoch: 1, step: 32 },
];

type Trace = { name: string; x: number[]; y: number[]; yaxis?: string };

test("trainingCurves: the loss at every log step, the metric at every evaluation on the right axis", () => {
  const figure = trainingCurves(LOG_HISTORY, "sts-dev_spearman_cosine");
  const [loss, metric] = figure.data as Trace[];
  assert.deepEqual([loss.name, loss.x, loss.y, loss.yaxis], ["training loss", [10, 20, 30], [6.1, 5.5, 5.2], undefined]);
  assert.deepEqual([metric.name, metric.x, metric.y, metric.yaxis], ["sts-dev_spearman_cosine", [20, 32], [0.41, 0.47], "y2"]);
  assert.equal(figure.layout.yaxis2?.overlaying, "y");
  assert.equal(figure.layout.title?.text, "Training loss and sts-dev_spearman_cosine");
  assert.deepEqual(trainingCurves(LOG_HISTORY, "eval_sts-dev_spearman_cosine").data, figure.data);
  const lossOnly = trainingCurves(LOG_HISTORY);
  assert.equal(lossOnly.data.length, 1);
  assert.equal(lossOnly.layout.yaxis2, undefined);
});

test("lineChart: markers for short series, lines only beyond 30 points", () => {
  const short = lineChart([{ name: "a", x: [1, 2], y: [3, 4] }]);
  const long = lineChart([{ name: "b", x: Array.from({ length: 31 }, (_, i) => i), y: Array.from({ length: 31 }, () => 1) }]);
  assert.equal((short.data[0] as { mode: string }).mode, "lines+markers");
  assert.equal((long.data[0] as { mode: string }).mode, "lines");
});

test("shortMetricNames drops the evaluator prefix all keys share, cut back to its last underscore", () => {
  assert.deepEqual(shortMetricNames(["sts-dev_pearson_cosine", "sts-dev_spearman_cosine"]), ["pearson_cosine", "spearman_cosine"]);
  assert.deepEqual(shortMetricNames(["all_nli_dev_pearson_max", "all_nli_dev_spearman_max"]), ["pearson_max", "spearman_max"]);
  assert.deepEqual(shortMetricNames(["dev_spearman_cosine", "dev_spearman_dot"]), ["cosine", "dot"]);
  assert.deepEqual(shortMetricNames(["accuracy", "f1"]), ["accuracy", "f1"]);
  assert.deepEqual(shortMetricNames(["sts-test_spearman_cosine"]), ["sts-test_spearman_cosine"]);
});

test("beforeAfterBars: grouped bars over the shortened keys of `before`, values in the same order", () => {
  const before = { "sts-test_pearson_cosine": 0.4, "sts-test_spearman_cosine": 0.42 };
  const after = { "sts-test_spearman_cosine": 0.5, "sts-test_pearson_cosine": 0.48 };
  const figure = beforeAfterBars(before, after);
  const [first, second] = figure.data as Trace[];
  assert.deepEqual(first.x, ["pearson_cosine", "spearman_cosine"]);
  assert.deepEqual([first.name, first.y], ["before training", [0.4, 0.42]]);
  assert.deepEqual([second.name, second.y], ["after training", [0.48, 0.5]]);
  assert.equal(figure.layout.barmode, "group");

  const bars = barChart(["a", "b"], [{ name: "only", values: [1, 2] }], { yTitle: "n" });
  assert.deepEqual((bars.data[0] as Trace).y, [1, 2]);
  assert.equal(bars.layout.showlegend, false);
});

test("the dev metric's right axis has its own round ticks (not the left axis's grid positions) and no second grid", () => {
  const { yaxis2 } = trainingCurves(LOG_HISTORY, "sts-dev_spearman_cosine").layout;
  assert.equal(yaxis2?.tickmode, "auto");
  assert.equal(yaxis2?.showgrid, false);
  assert.equal(yaxis2?.automargin, true);
});

test("before/after bars: long metric names angled on an axis that grows its margin, the legend beside the plot, not among the labels", () => {
  const keys = ["pearson_cosine", "spearman_cosine", "pearson_max", "spearman_max"].map((name) => `sts-test_${name}`);
  const figure = beforeAfterBars(Object.fromEntries(keys.map((key) => [key, 0.5])), Object.fromEntries(keys.map((key) => [key, 0.6])));
  assert.equal(figure.layout.xaxis?.tickangle, -30);
  assert.equal(figure.layout.xaxis?.automargin, true);
  assert.equal(figure.layout.legend, undefined, "Plotly's default place, right of the plot");
});

test("a chart's title sits on the plot area's top edge with the top margin above it for the mode bar", () => {
  for (const figure of [
    trainingCurves(LOG_HISTORY, "sts-dev_spearman_cosine"),
    beforeAfterBars({ a_x: 1, a_y: 2 }, { a_x: 2, a_y: 3 }),
    similarityHeatmap(["a", "b"], [[1, 0], [0, 1]]),
  ]) {
    assert.deepEqual({ ...figure.layout.title, text: undefined }, { text: undefined, yref: "paper", y: 1, yanchor: "bottom", pad: { b: 14 } });
    assert.equal(figure.layout.margin?.t, TITLE_MARGIN);
  }
  assert.equal(barChart(["a"], [{ name: "n", values: [1] }]).layout.title, undefined);
  assert.ok(barChart(["a"], [{ name: "n", values: [1] }]).layout.margin!.t! < TITLE_MARGIN, "no title, no title room");
});

test("trainingCurves before the first log says so in the plot instead of empty axes; with points it has no note", () => {
  const empty = trainingCurves([], "sts-dev_spearman_cosine");
  assert.deepEqual(
    empty.layout.annotations?.map((note) => note.text),
    ["nothing logged yet: the loss appears at the first logging step"],
  );
  assert.equal(trainingCurves(LOG_HISTORY, "sts-dev_spearman_cosine").layout.annotations, undefined);
});
