// notebooks/explore-data.ipynb executed headless on the project's data: every cell runs, and its
// findings match the data — pair counts per split, the score filters, the score-band counts summing to
// the split sizes, no pair of dev or test repeated in train — with four Plotly charts. Skipped, saying
// why, where jupyter is missing.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPairScore } from "../../src/steps.ts";
import { cellById, executeNotebook, jupyterSkipReason, outputsWith, readNotebook, stdoutOf, type NotebookCell } from "../support/jupyter.ts";
import { temporaryDirectory } from "../support/temp.ts";

const skip = jupyterSkipReason();

function tableTexts(cell: NotebookCell): string[] {
  return (cell.outputs ?? []).filter((output) => output.data?.["text/html"]).map((output) => {
    const text = output.data!["text/plain"];
    return Array.isArray(text) ? text.join("") : String(text);
  });
}

test("the data-exploration notebook runs headless and reports what the data holds", { skip, timeout: 300_000 }, async () => {
  const run = executeNotebook("explore-data.ipynb", temporaryDirectory("embedtune-explore-"));
  const notebook = readNotebook(run.path);
  const dataset = await loadPairScore();
  const scores = dataset.splits.flatMap((split) => dataset.get(split).column("score") as number[]);

  const [splitsTable] = tableTexts(cellById(notebook, "load"));
  for (const split of dataset.splits) assert.match(splitsTable, new RegExp(`^${split} +${dataset.get(split).numRows} +sentence1, sentence2, score$`, "m"));

  const high = scores.filter((score) => score >= 0.9).length;
  const low = scores.filter((score) => score <= 0.1).length;
  assert.equal(stdoutOf(cellById(notebook, "filter")).trim(), `score ≥ 0.9: ${high} pairs; score ≤ 0.1: ${low} pairs (of ${scores.length})`);

  const [bandCounts] = tableTexts(cellById(notebook, "bands"));
  for (const split of dataset.splits) {
    const counted = [...bandCounts.matchAll(new RegExp(`^${split} +\\S+ +(\\d+)$`, "gm"))].reduce((sum, match) => sum + Number(match[1]), 0);
    assert.equal(counted, dataset.get(split).numRows, `band counts of ${split}`);
  }

  const [overlap] = tableTexts(cellById(notebook, "overlap"));
  assert.match(overlap, /^dev +0\.\d{4} +0$/m);
  assert.match(overlap, /^test +0\.\d{4} +0$/m);

  const titles = outputsWith(notebook, "application/vnd.plotly.v1+json").map((output) => String(output.data!["text/plain"]));
  assert.deepEqual(titles, [
    "<Plotly figure: Gold scores per split>",
    "<Plotly figure: Share of each split's pairs per score band>",
    "<Plotly figure: Words per sentence>",
    "<Plotly figure: Overlap with the train split>",
  ]);
  console.log(`# explore-data.ipynb: ${run.seconds.toFixed(1)} s`);
});
