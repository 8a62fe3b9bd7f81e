// Histograms with the bins computed here (equal widths over [min, max], the last bin closed), drawn as
// bar traces: the spec carries counts, not every value, so it stays small for large data and the counts
// can be checked. Several series share the bins and stand side by side in each bin.

import { ArgumentError } from "../errors.ts";
import { baseLayout, type ChartTitles, type Figure } from "./figure.ts";

export interface Bins {
  /** bins + 1 edges, ascending. */
  edges: number[];
  counts: number[];
}

export interface BinOptions {
  bins?: number;
  /** Default: the smallest and largest value over all series. */
  min?: number;
  max?: number;
}

/** Counts of `values` in `bins` equal-width bins over [min, max]; values outside the range are not counted. */
export function binCounts(values: readonly number[], options: BinOptions = {}): Bins {
  const bins = options.bins ?? 20;
  if (!Number.isInteger(bins) || bins < 1) throw new ArgumentError("bins", `must be a whole number ≥ 1, got ${bins}`);
  const finite = values.filter(Number.isFinite);
  const [low, high] = extent(finite);
  const min = options.min ?? low;
  let max = options.max ?? high;
  if (max <= min) max = min + 1;
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const value of finite) {
    if (value < min || value > max) continue;
    counts[Math.min(bins - 1, Math.floor((value - min) / width))] += 1;
  }
  return { edges, counts };
}

export interface HistogramSeries {
  name: string;
  values: readonly number[];
}

export interface HistogramOptions extends BinOptions, ChartTitles {
  /** Bar heights as the fraction of each series' values in the bin, so series of different sizes compare. */
  fractions?: boolean;
}

/** A histogram of one list of values, or overlaid histograms of several named series on the same bins. */
export function histogram(values: readonly number[] | readonly HistogramSeries[], options: HistogramOptions = {}): Figure {
  const series: readonly HistogramSeries[] = isNumberList(values) ? [{ name: "count", values }] : values;
  const [low, high] = extent(series.flatMap((entry) => entry.values.filter(Number.isFinite)));
  const range = { bins: options.bins, min: options.min ?? low, max: options.max ?? high };
  const data = series.map((entry) => {
    const { edges, counts } = binCounts(entry.values, range);
    const total = counts.reduce((sum, count) => sum + count, 0);
    return {
      type: "bar" as const,
      name: entry.name,
      x: counts.map((_, i) => (edges[i] + edges[i + 1]) / 2),
      y: options.fractions ? counts.map((count) => (total > 0 ? count / total : 0)) : counts,
      ...(series.length === 1 ? { width: counts.map((_, i) => edges[i + 1] - edges[i]) } : {}),
    };
  });
  return {
    data,
    layout: { ...baseLayout({ yTitle: options.fractions ? "fraction" : "count", ...options }), barmode: "group", bargap: series.length > 1 ? 0.1 : 0, showlegend: series.length > 1 },
  };
}

function isNumberList(values: readonly number[] | readonly HistogramSeries[]): values is readonly number[] {
  return values.length === 0 || typeof values[0] === "number";
}

/** [smallest, largest] of finite values; [0, 1] when there are none. */
function extent(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  return [low, high];
}
