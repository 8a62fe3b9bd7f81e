// Where retrieval puts the relevant documents. relevantRanks: for each query, the 1-based position of the
// first relevant document in its ranked hits (the rank MRR takes the reciprocal of), or null when none of
// its hits is relevant (the relevant document is below the ranked top k). rankBuckets counts ranks in
// buckets bounded above by `edges` (default 1, 2, 3, 5, 10, 20, 50, 100 → "1", "2", "3", "4–5", "6–10",
// "11–20", "21–50", "51–100", "> 100"; null counts in the last); rankHistogram draws several series
// (e.g. before and after training) as grouped bars over the same buckets.

import { ArgumentError } from "../errors.ts";
import { baseLayout, type ChartTitles, type Figure } from "./figure.ts";

export const DEFAULT_RANK_EDGES: readonly number[] = [1, 2, 3, 5, 10, 20, 50, 100];

/** A ranked hit as an information-retrieval evaluator lists it (best first). */
export interface RankedHit {
  corpusId: string;
}

/** Per query id of `relevantDocs`: the rank of its best-placed relevant document in `rankings`, or null. */
export function relevantRanks(
  rankings: Readonly<Record<string, readonly RankedHit[]>>,
  relevantDocs: Readonly<Record<string, Iterable<string>>>,
): Record<string, number | null> {
  const ranks: Record<string, number | null> = {};
  for (const [queryId, relevant] of Object.entries(relevantDocs)) {
    const wanted = new Set(relevant);
    const position = (rankings[queryId] ?? []).findIndex((hit) => wanted.has(hit.corpusId));
    ranks[queryId] = position < 0 ? null : position + 1;
  }
  return ranks;
}

/** Bucket labels and the number of `ranks` in each; null and ranks above the last edge go in the last bucket. */
export function rankBuckets(ranks: readonly (number | null)[], edges: readonly number[] = DEFAULT_RANK_EDGES): { labels: string[]; counts: number[] } {
  if (edges.length === 0 || edges.some((edge, i) => !Number.isInteger(edge) || edge < 1 || (i > 0 && edge <= edges[i - 1]))) {
    throw new ArgumentError("edges", `must be increasing whole numbers ≥ 1, got [${edges.join(", ")}]`);
  }
  const labels = edges.map((edge, i) => {
    const low = i === 0 ? 1 : edges[i - 1] + 1;
    return low === edge ? String(edge) : `${low}–${edge}`;
  });
  labels.push(`> ${edges.at(-1)}`);
  const counts = new Array<number>(labels.length).fill(0);
  for (const rank of ranks) {
    const bucket = rank === null ? -1 : edges.findIndex((edge) => rank <= edge);
    counts[bucket < 0 ? edges.length : bucket] += 1;
  }
  return { labels, counts };
}

export interface RankSeries {
  name: string;
  /** One rank per query (null: not in the ranked hits), e.g. Object.values(relevantRanks(…)). */
  ranks: readonly (number | null)[];
}

export interface RankHistogramOptions extends ChartTitles {
  edges?: readonly number[];
  /** Bar heights as the fraction of each series' queries. */
  fractions?: boolean;
}

/** Grouped bars: how many queries have their relevant document at rank 1, 2, 3, 4–5, …, per series. */
export function rankHistogram(series: readonly RankSeries[], options: RankHistogramOptions = {}): Figure {
  const data = series.map((entry) => {
    const { labels, counts } = rankBuckets(entry.ranks, options.edges);
    const total = entry.ranks.length;
    return { type: "bar" as const, name: entry.name, x: labels, y: options.fractions ? counts.map((count) => (total > 0 ? count / total : 0)) : counts };
  });
  const layout = baseLayout({
    title: "Rank of the relevant document",
    xTitle: "rank of the relevant document",
    yTitle: options.fractions ? "fraction of queries" : "queries",
    ...options,
  });
  return {
    data,
    layout: { ...layout, xaxis: { ...layout.xaxis, type: "category" }, barmode: "group", showlegend: series.length > 1, legend: { orientation: "h", y: -0.3 } },
  };
}
