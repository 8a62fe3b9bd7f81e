// The score summary sentence-transformers' mine_hard_negatives prints, with torch's definitions:
//   mean; median = the LOWER middle value for an even count (torch.median, not the average of the two);
//   std = sample standard deviation (n − 1; NaN for fewer than two scores); min, max;
//   25% / 50% / 75% = torch.quantile's linear interpolation at position q·(n − 1) of the sorted scores.
// No scores: mean, median and std are NaN, min and the quantiles +Infinity, max −Infinity (ST's fallbacks).
// The table is ST's `"{:<6} {:>14} {:>14} {:>14}"` rows (Metric, Positive, Negative, Difference): counts
// with thousands separators, scores with 4 decimals, "nan" / "inf" / "-inf" as Python prints them.

export interface ScoreStatistics {
  count: number;
  mean: number;
  median: number;
  std: number;
  min: number;
  /** 25% quantile. */
  p25: number;
  /** 50% quantile (differs from `median` for an even count: it interpolates). */
  p50: number;
  /** 75% quantile. */
  p75: number;
  max: number;
}

export function scoreStatistics(values: readonly number[]): ScoreStatistics {
  const count = values.length;
  if (count === 0) {
    return { count, mean: NaN, median: NaN, std: NaN, min: Infinity, p25: Infinity, p50: Infinity, p75: Infinity, max: -Infinity };
  }
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (const value of values) sum += value;
  const mean = sum / count;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  const quantile = (q: number): number => {
    const position = q * (count - 1);
    const low = Math.floor(position);
    const high = Math.ceil(position);
    return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
  };
  return {
    count,
    mean,
    median: sorted[Math.floor((count - 1) / 2)],
    std: count > 1 ? Math.sqrt(squares / (count - 1)) : NaN,
    min: sorted[0],
    p25: quantile(0.25),
    p50: quantile(0.5),
    p75: quantile(0.75),
    max: sorted[count - 1],
  };
}

/** Python's f"{value:.4f}" for the table (nan, inf, -inf, and -0.0000 as Python writes them). */
export function formatScore(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  const text = value.toFixed(4);
  return (value < 0 || Object.is(value, -0)) && !text.startsWith("-") ? `-${text}` : text;
}

/** Python's f"{count:,}". */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

/** Python's f"{ratio:.2%}". */
export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}

function row(cells: readonly [string, string, string, string]): string {
  return `${cells[0].padEnd(6)} ${cells[1].padStart(14)} ${cells[2].padStart(14)} ${cells[3].padStart(14)}`;
}

const METRICS: readonly [string, keyof ScoreStatistics][] = [
  ["Mean", "mean"],
  ["Median", "median"],
  ["Std", "std"],
  ["Min", "min"],
  ["25%", "p25"],
  ["50%", "p50"],
  ["75%", "p75"],
  ["Max", "max"],
];

/** ST's table lines: header, Count, then Mean … Max. */
export function statisticsTable(positive: ScoreStatistics, negative: ScoreStatistics, difference: ScoreStatistics): string[] {
  return [
    row(["Metric", "Positive", "Negative", "Difference"]),
    row(["Count", formatCount(positive.count), formatCount(negative.count), ""]),
    ...METRICS.map(([label, key]) => row([label, formatScore(positive[key]), formatScore(negative[key]), formatScore(difference[key])])),
  ];
}
