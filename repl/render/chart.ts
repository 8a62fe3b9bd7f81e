// A line chart of a number series in the terminal (asciichart), squeezed to the width by averaging
// neighbouring points, with a title line saying what is plotted and its last value.

import { plot } from "asciichart";
import { formatNumber } from "./cell.ts";

export interface ChartOptions {
  width: number;
  height?: number;
  title: string;
}

/** Room asciichart's labels and axis take on the left of the plot. */
const LABEL_WIDTH = 12;

export function renderLineChart(series: readonly number[], options: ChartOptions): string[] {
  const points = series.filter((value) => Number.isFinite(value));
  if (points.length === 0) return [`${options.title}: no points to plot`];
  const squeezed = squeeze(points, Math.max(8, options.width - LABEL_WIDTH));
  const height = options.height ?? 8;
  const low = Math.min(...squeezed);
  const high = Math.max(...squeezed);
  // A flat series gets a band around its value, or asciichart's labels would all read the same.
  const band = high > low ? {} : { min: low - (Math.abs(low) * 0.05 || 1), max: high + (Math.abs(high) * 0.05 || 1) };
  const chart = plot(squeezed.length === 1 ? [squeezed[0], squeezed[0]] : squeezed, {
    height,
    ...band,
    format: (value: number) => value.toPrecision(4).padStart(LABEL_WIDTH - 2),
  });
  const summary = `${options.title} · ${points.length} ${points.length === 1 ? "point" : "points"} · last ${formatNumber(points[points.length - 1])}`;
  return [summary, ...chart.split("\n")];
}

/** At most `width` points: each the mean of an equal share of the series. */
export function squeeze(points: readonly number[], width: number): number[] {
  if (points.length <= width) return [...points];
  const squeezed: number[] = [];
  for (let i = 0; i < width; i++) {
    const start = Math.floor((i * points.length) / width);
    const end = Math.max(start + 1, Math.floor(((i + 1) * points.length) / width));
    let sum = 0;
    for (let j = start; j < end; j++) sum += points[j];
    squeezed.push(sum / (end - start));
  }
  return squeezed;
}
