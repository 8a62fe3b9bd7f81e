// mineHardNegatives against hand-worked cases. Every score is fixed by TableModel (test/mining/fake-model.ts):
// the cosine of query qi with a document is the i-th number given to doc(). By hand, the rankings are
//   q1: p1 .9, a .8, b .6, c .4, d .3, p2 .2, p3 .1, e .05
//   q2: p2 .8, d .6, b .5, e .4, a .3, p3 .2, c .15, p1 .1
//   q3: p3 .7, c .6, e .5, d .3, a .2, b .12, p2 .1, p1 0
// and the corpus (extra texts a–e, then the positives) is [a, b, c, d, e, p1, p2, p3].
// The expected summary tables were worked out from the hand-listed scores with torch's definitions (lower
// median, sample std, linear quantiles) and printed with ST's Python format string.
import assert from "node:assert/strict";
import test from "node:test";
import { Dataset } from "../../src/data/dataset.ts";
import { readParquetFile } from "../../src/data/parquet.ts";
import { ArgumentError } from "../../src/errors.ts";
import * as mining from "../../src/mining/hard-negatives.ts";
import { mineHardNegatives, type MineHardNegativesOptions, type MiningModel, type MiningSummary } from "../../src/mining/hard-negatives.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { createRandom } from "../../src/util/random.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { assertClose } from "../evaluation/fake-model.ts";
import { doc, Q1, Q2, Q3, TableModel } from "./fake-model.ts";

const TABLE: Record<string, number[]> = {
  q1: Q1,
  q2: Q2,
  q3: Q3,
  p1: doc(0.9, 0.1, 0),
  p2: doc(0.2, 0.8, 0.1),
  p3: doc(0.1, 0.2, 0.7),
  a: doc(0.8, 0.3, 0.2),
  b: doc(0.6, 0.5, 0.12),
  c: doc(0.4, 0.15, 0.6),
  d: doc(0.3, 0.6, 0.3),
  e: doc(0.05, 0.4, 0.5),
};
const EXTRA = ["a", "b", "c", "d", "e"];
const PAIRS = Dataset.fromColumns({ query: ["q1", "q2", "q3"], answer: ["p1", "p2", "p3"], id: [1, 2, 3] });

async function mine(
  dataset: Dataset,
  options: MineHardNegativesOptions = {},
  model: MiningModel = new TableModel(TABLE),
): Promise<{ out: Dataset; summary: MiningSummary; printed: string[] }> {
  const printed: string[] = [];
  let summary: MiningSummary | undefined;
  const out = await mineHardNegatives(dataset, model, {
    corpus: EXTRA,
    showProgressBar: false,
    log: (line) => printed.push(line),
    onSummary: (value) => (summary = value),
    ...options,
  });
  return { out, summary: summary!, printed };
}

function rows(dataset: Dataset): unknown[][] {
  return [...dataset.rows()].map((row) => Object.values(row));
}

/** Rounds every number in nested arrays to 6 decimals (the table's scores are exact to ~1e-16). */
function rounded(value: unknown): unknown {
  if (typeof value === "number") return Math.round(value * 1e6) / 1e6;
  if (Array.isArray(value)) return value.map(rounded);
  return value;
}

const BASE_TABLE = [
  "Metric       Positive       Negative     Difference",
  "Count               3              9               ",
  "Mean           0.8000         0.5222         0.2778",
  "Median         0.8000         0.5000         0.3000",
  "Std            0.1000         0.1481         0.1394",
  "Min            0.7000         0.3000         0.1000",
  "25%            0.7500         0.4000         0.2000",
  "50%            0.8000         0.5000         0.3000",
  "75%            0.8500         0.6000         0.4000",
  "Max            0.9000         0.8000         0.5000",
];

test("triplet (defaults): the top 3 non-positive candidates per anchor, ST's printed lines and summary table", async () => {
  const model = new TableModel(TABLE);
  const { out, summary, printed } = await mine(PAIRS, {}, model);
  assert.deepEqual(out.columnNames, ["query", "answer", "negative"]);
  assert.deepEqual(rows(out), [
    ["q1", "p1", "a"],
    ["q1", "p1", "b"],
    ["q1", "p1", "c"],
    ["q2", "p2", "d"],
    ["q2", "p2", "b"],
    ["q2", "p2", "e"],
    ["q3", "p3", "c"],
    ["q3", "p3", "e"],
    ["q3", "p3", "d"],
  ]);
  // rangeMax = rangeMin 0 + numNegatives 3 + maxPositives 1.
  assert.deepEqual(printed, ["Setting range_max to 4 based on the provided parameters.", "Negative candidates mined, preparing dataset...", ...BASE_TABLE]);
  assert.deepEqual(summary.lines, printed);
  assert.equal(summary.rangeMax, 4);
  assert.equal(summary.corpusSize, 8);
  assert.equal(summary.maximumPossibleSamples, 9);
  assert.equal(summary.missingSamples, 0);
  assert.deepEqual(summary.skipped, {});
  assertClose(summary.negative.mean, 4.7 / 9, 1e-12, "negative mean");
  assertClose(summary.negative.median, 0.5, 1e-12, "negative median");
  assertClose(summary.difference.mean, 2.5 / 9, 1e-12, "difference mean");
  assertClose(summary.positive.std, 0.1, 1e-12, "positive std");
  assert.equal(mining.lastMiningSummary, summary);
  // Corpus first, then the distinct anchors; normalised as ST's encode_document/encode_query calls do.
  assert.deepEqual(
    model.calls.map((call) => call.sentences),
    [["a", "b", "c", "d", "e", "p1", "p2", "p3"], ["q1", "q2", "q3"]],
  );
  for (const call of model.calls) assert.deepEqual(call.options, { batchSize: 32, normalizeEmbeddings: true, showProgressBar: false });
});

test("the corpus defaults to the positives; batchSize reaches encode; verbose false prints nothing", async () => {
  const model = new TableModel(TABLE);
  const printed: string[] = [];
  let summary: MiningSummary | undefined;
  const out = await mineHardNegatives(PAIRS, model, {
    numNegatives: 1,
    batchSize: 7,
    verbose: false,
    log: (line) => printed.push(line),
    onSummary: (value) => (summary = value),
  });
  // Candidates are only p1, p2, p3: q1's best non-positive is p2 (.2), q2's p3 (.2), q3's p2 (.1).
  assert.deepEqual(rows(out), [
    ["q1", "p1", "p2"],
    ["q2", "p2", "p3"],
    ["q3", "p3", "p2"],
  ]);
  assert.deepEqual(printed, []);
  assert.equal(summary!.lines.length, 12);
  assert.equal(model.calls[0].options?.batchSize, 7);
  assert.deepEqual(model.calls[0].sentences, ["p1", "p2", "p3"]);
});

test("n-tuple: negative_1 … negative_n columns; outputScores adds scores [positive, negatives…]", async () => {
  const { out } = await mine(PAIRS, { outputFormat: "n-tuple" });
  assert.deepEqual(out.columnNames, ["query", "answer", "negative_1", "negative_2", "negative_3"]);
  assert.deepEqual(rows(out), [
    ["q1", "p1", "a", "b", "c"],
    ["q2", "p2", "d", "b", "e"],
    ["q3", "p3", "c", "e", "d"],
  ]);
  const scored = (await mine(PAIRS, { outputFormat: "n-tuple", outputScores: true })).out;
  assert.deepEqual(scored.columnNames, ["query", "answer", "negative_1", "negative_2", "negative_3", "scores"]);
  assert.deepEqual(rounded(scored.column("scores")), [
    [0.9, 0.8, 0.6, 0.4],
    [0.8, 0.6, 0.5, 0.4],
    [0.7, 0.6, 0.5, 0.3],
  ]);
  // ST's deprecated "n-tuple-scores" is the same output.
  const alias = (await mine(PAIRS, { outputFormat: "n-tuple-scores" })).out;
  assert.deepEqual(alias.columnNames, scored.columnNames);
  assert.deepEqual(rounded(alias.column("scores")), rounded(scored.column("scores")));
});

test("triplet with outputScores: a scores column [positive, negative] per row", async () => {
  const { out } = await mine(PAIRS, { outputScores: true, numNegatives: 1 });
  assert.deepEqual(out.columnNames, ["query", "answer", "negative", "scores"]);
  assert.deepEqual(rounded(rows(out)), [
    ["q1", "p1", "a", [0.9, 0.8]],
    ["q2", "p2", "d", [0.8, 0.6]],
    ["q3", "p3", "c", [0.7, 0.6]],
  ]);
});

test("labeled-pair: per anchor its positive (label 1) then its negatives (label 0); outputScores → score column", async () => {
  const { out, summary } = await mine(PAIRS, { outputFormat: "labeled-pair", numNegatives: 2 });
  assert.deepEqual(out.columnNames, ["query", "answer", "label"]);
  assert.deepEqual(rows(out), [
    ["q1", "p1", 1],
    ["q1", "a", 0],
    ["q1", "b", 0],
    ["q2", "p2", 1],
    ["q2", "d", 0],
    ["q2", "b", 0],
    ["q3", "p3", 1],
    ["q3", "c", 0],
    ["q3", "e", 0],
  ]);
  assert.equal(summary.maximumPossibleSamples, 9);
  const scored = (await mine(PAIRS, { outputFormat: "labeled-pair", numNegatives: 2, outputScores: true })).out;
  assert.deepEqual(scored.columnNames, ["query", "answer", "score"]);
  assert.deepEqual(rounded(scored.column("score")), [0.9, 0.8, 0.6, 0.8, 0.6, 0.5, 0.7, 0.6, 0.5]);
});

test("labeled-list: (anchor, [positive, negatives…], labels [1, 0…]); outputScores → scores", async () => {
  const { out } = await mine(PAIRS, { outputFormat: "labeled-list" });
  assert.deepEqual(out.columnNames, ["query", "answer", "labels"]);
  assert.deepEqual(rows(out), [
    ["q1", ["p1", "a", "b", "c"], [1, 0, 0, 0]],
    ["q2", ["p2", "d", "b", "e"], [1, 0, 0, 0]],
    ["q3", ["p3", "c", "e", "d"], [1, 0, 0, 0]],
  ]);
  const scored = (await mine(PAIRS, { outputFormat: "labeled-list", outputScores: true })).out;
  assert.deepEqual(scored.columnNames, ["query", "answer", "scores"]);
  assert.deepEqual(rounded(scored.column("scores")), [
    [0.9, 0.8, 0.6, 0.4],
    [0.8, 0.6, 0.5, 0.4],
    [0.7, 0.6, 0.5, 0.3],
  ]);
});

test("rangeMin skips the best surviving candidates (counted after positives and filters are removed)", async () => {
  // rangeMax = 1 + 3 + 1 = 5; q1's candidates a b c d p2 → skip a → b c d.
  const { out, summary } = await mine(PAIRS, { rangeMin: 1, outputFormat: "n-tuple" });
  assert.equal(summary.rangeMax, 5);
  assert.deepEqual(rows(out), [
    ["q1", "p1", "b", "c", "d"],
    ["q2", "p2", "b", "e", "a"],
    ["q3", "p3", "e", "d", "a"],
  ]);
  // With maxScore 0.7, q1 loses a first, so rangeMin 1 then skips b (the best survivor).
  const filtered = (await mine(PAIRS, { rangeMin: 1, maxScore: 0.7, outputFormat: "n-tuple" })).out;
  assert.deepEqual(rows(filtered), [
    ["q1", "p1", "c", "d", "p2"],
    ["q2", "p2", "b", "e", "a"],
    ["q3", "p3", "e", "d", "a"],
  ]);
});

test("rangeMax bounds the candidates; missing negatives are reported with ST's message", async () => {
  // rangeMax 2 with 2 negatives: q1 a b, q2 d b, q3 c e.
  const { out, printed } = await mine(PAIRS, { rangeMax: 2, numNegatives: 2, outputFormat: "n-tuple" });
  assert.deepEqual(rows(out), [
    ["q1", "p1", "a", "b"],
    ["q2", "p2", "d", "b"],
    ["q3", "p3", "c", "e"],
  ]);
  assert.ok(!printed.some((line) => line.startsWith("Setting range_max")));
  // rangeMax 4 and maxScore 0.55: q1 keeps c d (a, b too similar); q2 b e a; q3 e d a → q1's row is dropped.
  const short = await mine(PAIRS, { rangeMax: 4, maxScore: 0.55, outputFormat: "n-tuple" });
  assert.deepEqual(rows(short.out), [
    ["q2", "p2", "b", "e", "a"],
    ["q3", "p3", "e", "d", "a"],
  ]);
  // 15 candidates (3 anchors × (rangeMax 4 + 1)); maxScore removes a, b (q1), d (q2), c (q3).
  assert.deepEqual(short.printed.slice(-2), [
    "Skipped 4 potential negatives (26.67%) due to the maxScore of 0.55.",
    "Could not find enough negatives for 1 samples (33.33%). Consider adjusting the rangeMax and maxScore parameters if you'd like to find more valid negatives.",
  ]);
  assert.equal(short.summary.missingSamples, 1);
});

test("maxScore and minScore: skipped counts, ratios, partial triplets and the table over what was kept", async () => {
  const { out, summary, printed } = await mine(PAIRS, { maxScore: 0.55, minScore: 0.35 });
  // rangeMax = 0 + 10·3 + 1 = 31, so every text is a candidate. q1: a b too high, d p2 p3 e too low → c.
  // q2: d too high, a p3 c p1 too low → b e. q3: c too high, d a b p2 p1 too low → e.
  assert.deepEqual(rows(out), [
    ["q1", "p1", "c"],
    ["q2", "p2", "b"],
    ["q2", "p2", "e"],
    ["q3", "p3", "e"],
  ]);
  assert.deepEqual(summary.skipped, { maxScore: { skipped: 4, ratio: 4 / 96 }, minScore: { skipped: 13, ratio: 13 / 96 } });
  assert.deepEqual(printed, [
    "Setting range_max to 31 based on the provided parameters.",
    "Negative candidates mined, preparing dataset...",
    "Metric       Positive       Negative     Difference",
    "Count               3              4               ",
    "Mean           0.8000         0.4500         0.3500",
    "Median         0.8000         0.4000         0.3000",
    "Std            0.1000         0.0577         0.1291",
    "Min            0.7000         0.4000         0.2000",
    "25%            0.7500         0.4000         0.2750",
    "50%            0.8000         0.4500         0.3500",
    "75%            0.8500         0.5000         0.4250",
    "Max            0.9000         0.5000         0.5000",
    "Skipped 4 potential negatives (4.17%) due to the maxScore of 0.55.",
    "Skipped 13 potential negatives (13.54%) due to the minScore of 0.35.",
    "Could not find enough negatives for 5 samples (55.56%). Consider adjusting the rangeMax, maxScore and minScore parameters if you'd like to find more valid negatives.",
  ]);
});

test("no negative at all: an empty output with the columns, and ST's nan/inf table", async () => {
  const { out, printed } = await mine(PAIRS, { maxScore: 0.55, minScore: 0.35, outputFormat: "n-tuple" });
  assert.equal(out.numRows, 0);
  assert.deepEqual(out.columnNames, ["query", "answer", "negative_1", "negative_2", "negative_3"]);
  assert.deepEqual(printed.slice(2, 12), [
    "Metric       Positive       Negative     Difference",
    "Count               3              0               ",
    "Mean           0.8000            nan            nan",
    "Median         0.8000            nan            nan",
    "Std            0.1000            nan            nan",
    "Min            0.7000            inf            inf",
    "25%            0.7500            inf            inf",
    "50%            0.8000            inf            inf",
    "75%            0.8500            inf            inf",
    "Max            0.9000           -inf           -inf",
  ]);
  assert.match(printed[printed.length - 1], /^Could not find enough negatives for 3 samples \(100\.00%\)\./);
});

test("absoluteMargin and relativeMargin remove candidates too close to the positive score", async () => {
  // absoluteMargin 0.15, rangeMax 4 (5 candidates each): removes s + 0.15 > positive: a (q1, .95 > .9), c (q3, .75 > .7).
  const absolute = await mine(PAIRS, { absoluteMargin: 0.15, rangeMax: 4, outputFormat: "n-tuple" });
  assert.deepEqual(rows(absolute.out), [
    ["q1", "p1", "b", "c", "d"],
    ["q2", "p2", "d", "b", "e"],
    ["q3", "p3", "e", "d", "a"],
  ]);
  assert.equal(absolute.printed.at(-1), "Skipped 2 potential negatives (13.33%) due to the absoluteMargin of 0.15.");
  // relativeMargin 0.2: thresholds .9 − .18 = .72, .8 − .16 = .64, .7 − .14 = .56 → removes a (q1), c (q3); d (.6) stays for q2.
  const relative = await mine(PAIRS, { relativeMargin: 0.2, rangeMax: 4, outputFormat: "n-tuple" });
  assert.deepEqual(rows(relative.out), rows(absolute.out));
  assert.equal(relative.printed.at(-1), "Skipped 2 potential negatives (13.33%) due to the relativeMargin of 0.2.");
  // Both: absolute 0.15 removes a, c; relative 0.3 (thresholds .63, .56, .49) then removes d (q2) and e (q3).
  // Ratios: 2 of 15, then 2 of the 13 left. q3 keeps only d, a → one triplet short.
  const both = await mine(PAIRS, { absoluteMargin: 0.15, relativeMargin: 0.3, rangeMax: 4 });
  assert.deepEqual(rows(both.out), [
    ["q1", "p1", "b"],
    ["q1", "p1", "c"],
    ["q1", "p1", "d"],
    ["q2", "p2", "b"],
    ["q2", "p2", "e"],
    ["q2", "p2", "a"],
    ["q3", "p3", "d"],
    ["q3", "p3", "a"],
  ]);
  assert.deepEqual(both.printed.slice(-3), [
    "Skipped 2 potential negatives (13.33%) due to the absoluteMargin of 0.15.",
    "Skipped 2 potential negatives (15.38%) due to the relativeMargin of 0.3.",
    "Could not find enough negatives for 1 samples (11.11%). Consider adjusting the rangeMax, absoluteMargin and relativeMargin parameters if you'd like to find more valid negatives.",
  ]);
});

test("relativeMargin is sign-independent: threshold positive − |positive|·margin (ST #3819)", async () => {
  // Positive score −0.5; threshold −0.5 − 0.025 = −0.525, so −0.49 (more similar than the positive) goes and −0.8 stays.
  const model = new TableModel({
    q: [1, 0],
    p: [-0.5, Math.sqrt(0.75)],
    near: [-0.49, Math.sqrt(1 - 0.49 ** 2)],
    far: [-0.8, 0.6],
  });
  const dataset = Dataset.fromColumns({ query: ["q"], positive: ["p"] });
  const { out } = await mine(dataset, { corpus: ["p", "near", "far"], rangeMax: 2, relativeMargin: 0.05, numNegatives: 1, outputScores: true }, model);
  assert.deepEqual(rounded(rows(out)), [["q", "p", "far", [-0.5, -0.8]]]);
});

test("random sampling: numNegatives distinct picks from the window, best first, reproducible by seed", async () => {
  // rangeMax 5, 2 negatives: q1's window is a b c d p2 (ranks 0–4), q2's d b e a p3, q3's c e d a b.
  const windows: Record<string, string[]> = { q1: ["a", "b", "c", "d", "p2"], q2: ["d", "b", "e", "a", "p3"], q3: ["c", "e", "d", "a", "b"] };
  const seen: Record<string, Set<string>> = { q1: new Set(), q2: new Set(), q3: new Set() };
  for (let seed = 0; seed < 40; seed++) {
    const { out } = await mine(PAIRS, { samplingStrategy: "random", seed, rangeMax: 5, numNegatives: 2, outputFormat: "n-tuple" });
    assert.equal(out.numRows, 3);
    for (const row of out.rows()) {
      const window = windows[row.query as string];
      const picks = [row.negative_1 as string, row.negative_2 as string];
      assert.notEqual(picks[0], picks[1]);
      for (const pick of picks) assert.ok(window.includes(pick), `${pick} is outside ${row.query}'s window`);
      assert.ok(window.indexOf(picks[0]) < window.indexOf(picks[1]), "picks are re-sorted best first");
      picks.forEach((pick) => seen[row.query as string].add(pick));
    }
  }
  for (const query of ["q1", "q2", "q3"]) assert.deepEqual([...seen[query]].sort(), [...windows[query]].sort());
  const first = await mine(PAIRS, { samplingStrategy: "random", rangeMax: 5, numNegatives: 2, outputFormat: "n-tuple" });
  const again = await mine(PAIRS, { samplingStrategy: "random", seed: 42, rangeMax: 5, numNegatives: 2, outputFormat: "n-tuple" });
  assert.deepEqual(rows(first.out), rows(again.out), "the default seed is 42");
  // The documented draw: per anchor in order, a partial Fisher–Yates over ranks 0–4 with createRandom(seed).
  const random = createRandom(42);
  const expected = ["q1", "q2", "q3"].map((query) => {
    const ranks = [0, 1, 2, 3, 4];
    for (let i = 0; i < 2; i++) {
      const j = i + Math.floor(random.next() * (5 - i));
      [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
    }
    const picked = ranks.slice(0, 2).sort((x, y) => x - y);
    return [query, `p${query.slice(1)}`, ...picked.map((rank) => windows[query][rank])];
  });
  assert.deepEqual(rows(first.out), expected);
});

test("random sampling with fewer survivors than numNegatives keeps the survivors (missing slots stay missing)", async () => {
  // maxScore 0.55 and minScore 0.35 leave q1 only c, q2 b e, q3 only e (see above), whatever the seed.
  for (const seed of [1, 2, 3]) {
    const { out } = await mine(PAIRS, { samplingStrategy: "random", seed, maxScore: 0.55, minScore: 0.35 });
    assert.deepEqual(rows(out), [
      ["q1", "p1", "c"],
      ["q2", "p2", "b"],
      ["q2", "p2", "e"],
      ["q3", "p3", "e"],
    ]);
  }
});

test("includePositives keeps the positives as candidates and forces n-tuple, with a warning", async (t) => {
  const warn = t.mock.method(console, "warn", () => {});
  const { out, summary } = await mine(PAIRS, { includePositives: true, outputFormat: "labeled-pair" });
  assert.equal(summary.outputFormat, "n-tuple");
  assert.deepEqual(rows(out), [
    ["q1", "p1", "p1", "a", "b"],
    ["q2", "p2", "p2", "d", "b"],
    ["q3", "p3", "p3", "c", "e"],
  ]);
  assert.equal(warn.mock.callCount(), 1);
  assert.match(String(warn.mock.calls[0].arguments[0]), /includePositives.*"labeled-pair" is replaced by "n-tuple"/);
  assert.deepEqual(summary.warnings.length, 1);
});

test("the positive never becomes a negative, also when its text is repeated in the corpus", async () => {
  // The corpus holds p1 twice and a twice; deduplicated it is [a, p1, b, c, d, e, p2, p3].
  const { out, summary } = await mine(PAIRS, { corpus: ["a", "p1", "a", "b", "p1", "c", "d", "e"], outputFormat: "n-tuple" });
  assert.equal(summary.corpusSize, 8);
  assert.deepEqual(rows(out), [
    ["q1", "p1", "a", "b", "c"],
    ["q2", "p2", "d", "b", "e"],
    ["q3", "p3", "c", "e", "d"],
  ]);
  // A corpus made only of the anchor's positive and one other text: p1 is never chosen, even with room for it.
  const small = await mine(Dataset.fromColumns({ query: ["q1"], answer: ["p1"] }), { corpus: ["p1", "p1", "a"], numNegatives: 1, rangeMax: 5 });
  assert.deepEqual(rows(small.out), [["q1", "p1", "a"]]);
});

test("an anchor with several positives: grouped rows, all its positives masked, margins against its lowest positive", async () => {
  // q1 has positives p1 (.9) and a (.8); the row (q1, p1) appears twice; rows per anchor 3 → maxPositives 3.
  const dataset = Dataset.fromColumns({ query: ["q1", "q2", "q1", "q1"], answer: ["p1", "p2", "a", "p1"] });
  const { out, summary, printed } = await mine(dataset);
  assert.deepEqual(rows(out), [
    ["q1", "p1", "b"],
    ["q1", "p1", "c"],
    ["q1", "p1", "d"],
    ["q1", "a", "b"],
    ["q1", "a", "c"],
    ["q1", "a", "d"],
    ["q2", "p2", "d"],
    ["q2", "p2", "b"],
    ["q2", "p2", "e"],
  ]);
  assert.deepEqual(printed.slice(0, 4), [
    "Setting range_max to 6 based on the provided parameters.",
    "Found 2 unique queries out of 4 total queries.",
    "Found an average of 2.000 positives per query.",
    "Negative candidates mined, preparing dataset...",
  ]);
  assert.equal(summary.positive.count, 3);
  assert.equal(summary.uniqueQueries, 2);
  // Margin against q1's lowest positive (.8): absoluteMargin 0.25 removes s > .55, so b (.6) goes (against .9 it would stay).
  const margin = await mine(dataset, { absoluteMargin: 0.25, outputFormat: "n-tuple" });
  assert.deepEqual(rows(margin.out), [
    ["q1", "p1", "c", "d", "p2"],
    ["q1", "a", "c", "d", "p2"],
    ["q2", "p2", "b", "e", "a"],
  ]);
  // labeled-pair: each positive once, then the anchor's negatives once; the stats pair each negative with each positive.
  const labeled = await mine(dataset, { outputFormat: "labeled-pair" });
  assert.deepEqual(rows(labeled.out), [
    ["q1", "p1", 1],
    ["q1", "a", 1],
    ["q1", "b", 0],
    ["q1", "c", 0],
    ["q1", "d", 0],
    ["q2", "p2", 1],
    ["q2", "d", 0],
    ["q2", "b", 0],
    ["q2", "e", 0],
  ]);
  assert.equal(labeled.summary.negative.count, 9);
  assert.equal(labeled.summary.missingSamples, 0);
  // labeled-list: one row per (anchor, positive).
  const list = await mine(dataset, { outputFormat: "labeled-list", numNegatives: 1 });
  assert.deepEqual(rows(list.out), [
    ["q1", ["p1", "b"], [1, 0]],
    ["q1", ["a", "b"], [1, 0]],
    ["q2", ["p2", "d"], [1, 0]],
  ]);
});

test("named anchor/positive columns; other columns are dropped", async () => {
  const dataset = Dataset.fromColumns({ id: [1, 2, 3], text: ["p1", "p2", "p3"], question: ["q1", "q2", "q3"] });
  const { out } = await mine(dataset, { anchorColumnName: "question", positiveColumnName: "text", numNegatives: 1 });
  assert.deepEqual(out.columnNames, ["question", "text", "negative"]);
  assert.deepEqual(rows(out), [
    ["q1", "p1", "a"],
    ["q2", "p2", "d"],
    ["q3", "p3", "c"],
  ]);
});

test("prompts: the query prompt reaches the anchors, the corpus prompt the corpus; ST's automatic query/document prompts", async () => {
  const prompts = { query: "query: ", doc: "passage: " };
  const prefixed: Record<string, number[]> = {};
  for (const [text, vector] of Object.entries(TABLE)) {
    prefixed[`query: ${text}`] = vector;
    prefixed[`search: ${text}`] = vector;
    prefixed[`passage: ${text}`] = vector;
    prefixed[`document: ${text}`] = vector;
    prefixed[text] = vector;
  }
  // No prompt options: the model's "query" prompt is used for anchors; it has no document/passage/corpus prompt.
  const automatic = new TableModel(prefixed, "cosine", prompts);
  await mine(PAIRS, { numNegatives: 1 }, automatic);
  assert.equal(automatic.calls[0].options?.promptName, undefined);
  assert.equal(automatic.calls[1].options?.promptName, "query");
  // corpusPromptName and queryPrompt (a raw prompt wins over names).
  const named = new TableModel(prefixed, "cosine", prompts);
  const { out } = await mine(PAIRS, { numNegatives: 1, corpusPromptName: "doc", queryPrompt: "search: ", queryPromptName: "query" }, named);
  assert.deepEqual(named.calls[0].options, { batchSize: 32, normalizeEmbeddings: true, showProgressBar: false, promptName: "doc" });
  assert.deepEqual(named.calls[1].options, { batchSize: 32, normalizeEmbeddings: true, showProgressBar: false, prompt: "search: " });
  assert.deepEqual(rows(out).map((row) => row[2]), ["a", "d", "c"]);
  // corpusPrompt, and a model "document" prompt chosen automatically for the corpus.
  const raw = new TableModel(prefixed, "cosine", { document: "document: " });
  await mine(PAIRS, { numNegatives: 1, queryPromptName: undefined }, raw);
  assert.equal(raw.calls[0].options?.promptName, "document");
  const rawPrompt = new TableModel(prefixed, "cosine", { document: "document: " });
  await mine(PAIRS, { numNegatives: 1, corpusPrompt: "passage: " }, rawPrompt);
  assert.equal(rawPrompt.calls[0].options?.prompt, "passage: ");
  assert.equal(rawPrompt.calls[0].options?.promptName, undefined);
});

test("the model's similarity function scores the candidates, on normalised embeddings", async () => {
  // euclidean on unit vectors: −√(2 − 2·cos): q1–p1 −√0.2, q1–a −√0.4.
  const euclidean = await mine(PAIRS, { numNegatives: 1, outputScores: true }, new TableModel(TABLE, "euclidean"));
  assert.deepEqual(rounded(rows(euclidean.out)[0]), rounded(["q1", "p1", "a", [-Math.sqrt(0.2), -Math.sqrt(0.4)]]));
  // dot on vectors scaled by 3: normalised first (as ST encodes with normalize_embeddings=True), so the cosines.
  const scaled = Object.fromEntries(Object.entries(TABLE).map(([text, vector]) => [text, vector.map((value) => 3 * value)]));
  const dot = await mine(PAIRS, { numNegatives: 1, outputScores: true }, new TableModel(scaled, "dot"));
  assert.deepEqual(rounded(rows(dot.out)), [
    ["q1", "p1", "a", [0.9, 0.8]],
    ["q2", "p2", "d", [0.8, 0.6]],
    ["q3", "p3", "c", [0.7, 0.6]],
  ]);
});

test("bad input: one ArgumentError naming the column or option", async () => {
  const cases: [Dataset, MineHardNegativesOptions, RegExp][] = [
    [Dataset.fromColumns({ query: [], answer: [] }), {}, /^dataset: is empty/],
    [Dataset.fromColumns({ query: ["q1"] }), {}, /^dataset: has columns \[query\]; mining needs two text columns/],
    [PAIRS, { anchorColumnName: "question" }, /^anchorColumnName: "question" is not a column of the dataset \(columns: query, answer, id\)$/],
    [PAIRS, { positiveColumnName: "passage" }, /^positiveColumnName: "passage" is not a column/],
    [PAIRS, { positiveColumnName: "query" }, /^positiveColumnName: "query" is also the anchor column/],
    [PAIRS, { positiveColumnName: "id" }, /^column "id": row 0 is number 1, not text/],
    [PAIRS, { numNegatives: 0 }, /^numNegatives: must be an integer ≥ 1, got number 0$/],
    [PAIRS, { numNegatives: 1.5 }, /^numNegatives: must be an integer ≥ 1/],
    [PAIRS, { rangeMin: -1 }, /^rangeMin: must be an integer ≥ 0/],
    [PAIRS, { rangeMin: 3, rangeMax: 3 }, /^rangeMin: must be smaller than rangeMax, got rangeMin 3 and rangeMax 3$/],
    [PAIRS, { rangeMax: 2 }, /^numNegatives: cannot mine 3 negatives per anchor: only 2 candidates remain/],
    [PAIRS, { rangeMin: 8, corpus: EXTRA }, /^rangeMin: is 8 but the corpus has only 8 distinct texts/],
    [PAIRS, { maxScore: Number.NaN }, /^maxScore: must be a finite number/],
    [PAIRS, { outputFormat: "pairs" as never }, /^outputFormat: must be one of triplet, n-tuple, labeled-pair, labeled-list/],
    [PAIRS, { samplingStrategy: "bottom" as never }, /^samplingStrategy: must be one of top, random/],
    [PAIRS, { corpus: ["a", 3 as never] }, /^corpus: item 1 is number 3, not text$/],
    [PAIRS, { queryPromptName: "search" }, /^queryPromptName: "search" is not one of the model's prompts \(none\)$/],
    [Dataset.fromColumns({ query: ["q1"], negative: ["p1"] }), {}, /^positiveColumnName: column "negative" would clash/],
  ];
  for (const [dataset, options, message] of cases) {
    const model = new TableModel(TABLE);
    await assert.rejects(mine(dataset, options, model), (error: unknown) => {
      assert.ok(error instanceof ArgumentError, `${message}: ${String(error)}`);
      assert.match(error.message, message);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
    assert.equal(model.calls.length, 0, `${message}: nothing is encoded before the arguments are checked`);
  }
});

const TINY = "models/tiny-bert-uncased";
const PAIRS_FILE = "data/squad-retrieval/train_pairs.parquet";

test(
  "tiny-bert-uncased on 200 SQuAD training pairs: the right shape, and no negative equals its anchor's positives",
  { skip: skipUnlessShared(TINY) || skipUnlessShared(PAIRS_FILE) },
  async () => {
    const all = await readParquetFile(sharedPath(PAIRS_FILE));
    const pairs = all.select(Array.from({ length: 200 }, (_, index) => index));
    const model = await SentenceTransformer.load(sharedPath(TINY), { quiet: true });
    try {
      let summary: MiningSummary | undefined;
      const triplets = await mineHardNegatives(pairs, model, { verbose: false, onSummary: (value) => (summary = value) });
      const positivesOf = new Map<string, Set<string>>();
      for (const row of pairs.rows()) {
        const set = positivesOf.get(row.anchor as string) ?? new Set<string>();
        set.add(row.positive as string);
        positivesOf.set(row.anchor as string, set);
      }
      assert.deepEqual(triplets.columnNames, ["anchor", "positive", "negative"]);
      // Each distinct (anchor, positive) pair gets up to 3 negatives; the 200 rows hold about 40 paragraphs.
      assert.equal(summary!.positive.count, new Set([...pairs.rows()].map((row) => `${row.anchor}\u0000${row.positive}`)).size);
      assert.equal(triplets.numRows, summary!.maximumPossibleSamples - summary!.missingSamples);
      assert.ok(triplets.numRows > 0.9 * summary!.maximumPossibleSamples, `${triplets.numRows} triplets`);
      for (const row of triplets.rows()) {
        assert.ok(positivesOf.get(row.anchor as string)!.has(row.positive as string));
        assert.ok(!positivesOf.get(row.anchor as string)!.has(row.negative as string), "a negative is one of its anchor's positives");
        assert.notEqual(row.negative, row.positive);
      }
      const tuples = await mineHardNegatives(pairs, model, { verbose: false, outputFormat: "n-tuple", numNegatives: 2 });
      assert.deepEqual(tuples.columnNames, ["anchor", "positive", "negative_1", "negative_2"]);
      for (const row of tuples.rows()) {
        assert.notEqual(row.negative_1, row.negative_2);
        for (const negative of [row.negative_1, row.negative_2]) assert.ok(!positivesOf.get(row.anchor as string)!.has(negative as string));
      }
    } finally {
      model.dispose();
    }
  },
);
