// Line charts: named series of (x, y) points on a left or a right y axis, and the training curves a
// trainer's log history gives — the training loss (left axis) and one dev metric (right axis) over steps.

import type { Data, Layout } from "plotly.js-dist-min";
import { baseLayout, type ChartTitles, type Figure } from "./figure.ts";

export interface LineSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** Default "left". */
  axis?: "left" | "right";
}

export function lineChart(series: readonly LineSeries[], options: ChartTitles & { y2Title?: string } = {}): Figure {
  const data: Data[] = series.map((entry) => ({
    type: "scatter",
    mode: entry.x.length > 30 ? "lines" : "lines+markers",
    name: entry.name,
    x: [...entry.x],
    y: [...entry.y],
    ...(entry.axis === "right" ? { yaxis: "y2" as const } : {}),
  }));
  const layout: Partial<Layout> = { ...baseLayout(options), legend: { orientation: "h", y: -0.2 } };
  if (series.some((entry) => entry.axis === "right")) {
    // Its own round ticks (Plotly would otherwise put them at the left axis's grid lines: 0.81810, 0.82062, …), no second grid.
    layout.yaxis2 = { overlaying: "y", side: "right", tickmode: "auto", showgrid: false, automargin: true, ...(options.y2Title ? { title: { text: options.y2Title } } : {}) };
    layout.margin = { ...layout.margin, r: 70 };
  }
  return { data, layout };
}

/**
 * The training loss (`loss` entries) and an evaluation metric (`eval_<metric>` entries, e.g. metric
 * "sts-dev_spearman_cosine") from a trainer's log history (trainer.state.log_history), over steps.
 */
export function trainingCurves(logHistory: readonly Record<string, number>[], metric?: string, options: ChartTitles = {}): Figure {
  const losses = logHistory.filter((entry) => typeof entry.loss === "number");
  const series: LineSeries[] = [{ name: "training loss", x: losses.map((entry) => entry.step), y: losses.map((entry) => entry.loss) }];
  const metricKey = metric === undefined ? undefined : metric.startsWith("eval_") ? metric : `eval_${metric}`;
  if (metricKey) {
    const evaluations = logHistory.filter((entry) => typeof entry[metricKey] === "number");
    series.push({ name: metricKey.slice("eval_".length), x: evaluations.map((entry) => entry.step), y: evaluations.map((entry) => entry[metricKey]), axis: "right" });
  }
  const figure = lineChart(series, {
    title: metricKey ? `Training loss and ${metricKey.slice("eval_".length)}` : "Training loss",
    xTitle: "step",
    yTitle: "training loss",
    y2Title: metricKey?.slice("eval_".length),
    ...options,
  });
  // Before the first log (or a run stopped before it) the axes would be empty and unscaled: say why.
  if (series.every(({ x }) => x.length === 0)) {
    figure.layout.annotations = [{ text: "nothing logged yet: the loss appears at the first logging step", xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false }];
  }
  return figure;
}
