// Bar charts: named series of values over shared categories (grouped bars), and the before/after
// comparison of two metric dictionaries from the same evaluator (keys shortened as in metric-names.ts).

import { baseLayout, type ChartTitles, type Figure } from "./figure.ts";
import { shortMetricNames } from "./metric-names.ts";

export interface BarSeries {
  name: string;
  values: readonly number[];
}

export function barChart(categories: readonly (string | number)[], series: readonly BarSeries[], options: ChartTitles = {}): Figure {
  return {
    data: series.map((entry) => ({ type: "bar", name: entry.name, x: [...categories], y: [...entry.values] })),
    layout: { ...baseLayout(options), barmode: "group", showlegend: series.length > 1 },
  };
}

/** Grouped bars of every metric in `before` (in its order) against the same metric in `after`. */
export function beforeAfterBars(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
  options: ChartTitles & { labels?: [string, string] } = {},
): Figure {
  const keys = Object.keys(before).filter((key) => key in after);
  const [beforeLabel, afterLabel] = options.labels ?? ["before training", "after training"];
  const figure = barChart(
    shortMetricNames(keys),
    [
      { name: beforeLabel, values: keys.map((key) => before[key]) },
      { name: afterLabel, values: keys.map((key) => after[key]) },
    ],
    { title: "Before and after training", ...options },
  );
  // Metric names are long: angled, so that the last one is not cut at the right edge; the legend to the right, clear of them.
  figure.layout.xaxis = { ...figure.layout.xaxis, tickangle: -30 };
  return figure;
}
