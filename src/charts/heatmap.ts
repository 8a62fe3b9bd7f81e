// The cosine-similarity heat map of a few sentences: cos(a, b) = a·b / (‖a‖‖b‖) for every pair of
// embeddings (a zero vector has similarity 0), the values written in the cells. The colour scale spans the
// values shown (so that small differences show), or a fixed range given as zmin/zmax.

import { ArgumentError } from "../errors.ts";
import { baseLayout, type ChartTitles, type Figure } from "./figure.ts";

/** The [n, n] matrix of cosine similarities between the rows of an [n, d] embedding matrix. */
export function cosineSimilarityMatrix(embeddings: readonly (readonly number[])[]): number[][] {
  const norms = embeddings.map((row) => Math.hypot(...row));
  return embeddings.map((a, i) =>
    embeddings.map((b, j) => {
      if (a.length !== b.length) throw new ArgumentError("embeddings", `rows ${i} and ${j} have ${a.length} and ${b.length} dimensions`);
      if (norms[i] === 0 || norms[j] === 0) return 0;
      let dot = 0;
      for (let k = 0; k < a.length; k++) dot += a[k] * b[k];
      return dot / (norms[i] * norms[j]);
    }),
  );
}

/** Labels (shortened to `labelLength` characters) against labels, coloured by cosine similarity. */
export function similarityHeatmap(
  labels: readonly string[],
  embeddings: readonly (readonly number[])[],
  options: ChartTitles & { labelLength?: number; zmin?: number; zmax?: number } = {},
): Figure {
  if (labels.length !== embeddings.length) throw new ArgumentError("labels", `${labels.length} labels for ${embeddings.length} embeddings`);
  const matrix = cosineSimilarityMatrix(embeddings);
  const limit = options.labelLength ?? 32;
  const short = labels.map((label, i) => `${i + 1}. ${label.length > limit ? `${label.slice(0, limit - 1)}…` : label}`);
  return {
    data: [
      {
        type: "heatmap",
        z: matrix,
        x: short,
        y: short,
        ...(options.zmin !== undefined ? { zmin: options.zmin } : {}),
        ...(options.zmax !== undefined ? { zmax: options.zmax } : {}),
        colorscale: "Viridis",
        text: matrix.map((row) => row.map((value) => value.toFixed(2))),
        texttemplate: "%{text}",
        hovertemplate: "%{y}<br>%{x}<br>cosine %{z:.3f}<extra></extra>",
      },
    ],
    layout: {
      ...baseLayout({ title: "Cosine similarity", height: 165 + 45 * labels.length, ...options }),
      yaxis: { autorange: "reversed", automargin: true },
      xaxis: { tickangle: -30, automargin: true },
    },
  };
}
