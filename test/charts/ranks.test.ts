// Rank charts against hand-counted cases: the rank of each query's best-placed relevant document in its
// ranked hits (null when it is not among them), the default buckets 1, 2, 3, 4–5, 6–10, …, > 100 (null in
// the last), and grouped bars of several series over those buckets.

import assert from "node:assert/strict";
import { test } from "node:test";
import { rankBuckets, rankHistogram, relevantRanks } from "../../src/charts/ranks.ts";
import { ArgumentError } from "../../src/errors.ts";

const hits = (...ids: string[]) => ids.map((corpusId, i) => ({ corpusId, score: 1 - i / 10 }));

test("relevantRanks: 1-based position of the first relevant hit; the best of several relevant; null when none is ranked", () => {
  const rankings = {
    q1: hits("d1", "d2", "d3"),
    q2: hits("d4", "d5", "d2"),
    q3: hits("d9", "d8", "d7", "d6"),
    q4: hits("d1"),
  };
  const relevant = { q1: ["d1"], q2: new Set(["d2", "d5"]), q3: ["d3"], q4: ["d2"], q5: ["d1"] };
  assert.deepEqual(relevantRanks(rankings, relevant), { q1: 1, q2: 2, q3: null, q4: null, q5: null });
});

test("rankBuckets: the default buckets counted by hand; null and ranks past the last edge in '> 100'", () => {
  // 1, 1 | 2 | 3 | 4, 5 | 6, 10 | 11 | 50 | 51, 100 | 101, null
  const ranks = [1, 4, 2, 1, 101, 6, 10, 11, null, 3, 5, 50, 51, 100];
  const { labels, counts } = rankBuckets(ranks);
  assert.deepEqual(labels, ["1", "2", "3", "4–5", "6–10", "11–20", "21–50", "51–100", "> 100"]);
  assert.deepEqual(counts, [2, 1, 1, 2, 2, 1, 1, 2, 2]);
  assert.deepEqual(rankBuckets([1, 2, 3, 7, null], [2, 5]), { labels: ["1–2", "3–5", "> 5"], counts: [2, 1, 2] });
  assert.throws(() => rankBuckets([1], [5, 3]), ArgumentError);
  assert.throws(() => rankBuckets([1], [0, 3]), ArgumentError);
});

test("rankHistogram: one bar trace per series on category buckets, counts or fractions", () => {
  const figure = rankHistogram(
    [
      { name: "before training", ranks: [3, 40, null, 1] },
      { name: "after training", ranks: [1, 1, 2, 12] },
    ],
    { edges: [1, 2, 10], fractions: true },
  );
  type Bars = { type: string; name: string; x: string[]; y: number[] };
  const [before, after] = figure.data as Bars[];
  assert.equal(before.type, "bar");
  assert.deepEqual(before.x, ["1", "2", "3–10", "> 10"]);
  assert.deepEqual(before.y, [0.25, 0, 0.25, 0.5]);
  assert.deepEqual(after.y, [0.5, 0.25, 0, 0.25]);
  assert.equal(figure.layout.barmode, "group");
  assert.equal(figure.layout.title?.text, "Rank of the relevant document");
  assert.equal((figure.layout.xaxis as { type?: string }).type, "category");
  assert.equal((figure.layout.yaxis?.title as { text?: string }).text, "fraction of queries");

  const counts = rankHistogram([{ name: "test", ranks: [1, 1, 5] }], { title: "Ranks" });
  assert.deepEqual((counts.data[0] as Bars).y, [2, 0, 0, 1, 0, 0, 0, 0, 0]);
  assert.equal(counts.layout.showlegend, false);
  assert.equal(counts.layout.title?.text, "Ranks");
});
