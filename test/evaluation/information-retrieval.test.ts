// InformationRetrievalEvaluator on a hand-worked corpus (FakeModel embeddings, 2-d):
//   queries qa [1, 0], qb [0, 1], qc [1, 1] (qc has no relevant document: skipped with a note)
//   corpus  d1 [.9, .1]  d2 [.8, .5]  d3 [.7, .9]  d4 [.8, .3]  d5 [.1, .2]
//   relevant: qa → {d3, d4} (two documents), qb → {d5}
// dot ranking   qa: d1 .9, d2 .8, d4 .8 (tie with d2: the lower corpus position first), d3 .7, d5 .1
//                   relevance 0 0 1 1 0
//               qb: d3 .9, d2 .5, d4 .3, d5 .2, d1 .1 → relevance 0 0 0 1 0
// cosine ranking qa: d1 .994, d4 .936, d2 .848, d3 .614, d5 .447 → 0 1 0 1 0
//               qb: d5 .894, d3 .789, d2 .530, d4 .351, d1 .110 → 1 0 0 0 0
// dot metrics (mean over qa, qb):
//   accuracy@1 0, @3 (1 + 0)/2, @5 1          precision@1 0, @3 (1/3 + 0)/2, @5 (2/5 + 1/5)/2 = .3
//   recall@1 0, @3 (1/2 + 0)/2, @5 1          mrr@3 (1/3 + 0)/2, mrr@5 (1/3 + 1/4)/2
//   ndcg@3: qa DCG 1/log2 4, IDCG 1 + 1/log2 3; qb 0
//   ndcg@5: qa (1/log2 4 + 1/log2 5)/(1 + 1/log2 3); qb (1/log2 5)/1
//   map@2 0;  map@5: qa (1/3 + 2/4)/min(5, 2) = 5/12, qb (1/4)/1 → (5/12 + 1/4)/2 = 1/3
// cosine ndcg@5: qa (1/log2 3 + 1/log2 5)/(1 + 1/log2 3), qb 1 — larger than dot's, so the best function.
// Default ks (10, 100) on this 5-document corpus: every document is ranked (k > hits), precision@10 still
// divides by 10 (as sentence-transformers): dot precision@10 = (2/10 + 1/10)/2, recall@10 = 1, map@100 = 1/3.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ArgumentError } from "../../src/errors.ts";
import { InformationRetrievalEvaluator, type InformationRetrievalEvaluatorOptions } from "../../src/evaluation/information-retrieval.ts";
import type { EncodeOptions } from "../../src/models/sentence-transformer.ts";
import { createRandom } from "../../src/util/random.ts";
import { expectError } from "../data/expect-error.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { assertClose, FakeModel } from "./fake-model.ts";

const TABLE: Record<string, number[]> = {
  "query a": [1, 0],
  "query b": [0, 1],
  "query c": [1, 1],
  "doc 1": [0.9, 0.1],
  "doc 2": [0.8, 0.5],
  "doc 3": [0.7, 0.9],
  "doc 4": [0.8, 0.3],
  "doc 5": [0.1, 0.2],
};
const QUERIES = { qa: "query a", qb: "query b", qc: "query c" };
const CORPUS = { d1: "doc 1", d2: "doc 2", d3: "doc 3", d4: "doc 4", d5: "doc 5" };
const RELEVANT = { qa: new Set(["d3", "d4"]), qb: ["d5"], qc: [] };
const HAND_KS: InformationRetrievalEvaluatorOptions = {
  accuracyAtK: [1, 3, 5],
  precisionRecallAtK: [1, 3, 5],
  mrrAtK: [3, 5],
  ndcgAtK: [3, 5],
  mapAtK: [2, 5],
};

const IDCG2 = 1 + 1 / Math.log2(3);
const DOT = {
  "dot_accuracy@1": 0,
  "dot_accuracy@3": 0.5,
  "dot_accuracy@5": 1,
  "dot_precision@1": 0,
  "dot_precision@3": 1 / 6,
  "dot_precision@5": 0.3,
  "dot_recall@1": 0,
  "dot_recall@3": 0.25,
  "dot_recall@5": 1,
  "dot_ndcg@3": 0.5 / IDCG2 / 2,
  "dot_ndcg@5": ((0.5 + 1 / Math.log2(5)) / IDCG2 + 1 / Math.log2(5)) / 2,
  "dot_mrr@3": 1 / 6,
  "dot_mrr@5": 7 / 24,
  "dot_map@2": 0,
  "dot_map@5": 1 / 3,
};

/** Runs `action` with stderr captured; returns what it wrote. */
async function captureStderr(action: () => unknown): Promise<string> {
  const original = process.stderr.write.bind(process.stderr);
  let written = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stderr.write;
  try {
    await action();
  } finally {
    process.stderr.write = original;
  }
  return written;
}

function quietly<T>(make: () => T): T {
  let made: T | undefined;
  const original = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    made = make();
  } finally {
    process.stderr.write = original;
  }
  return made;
}

function assertMetrics(actual: Record<string, number>, expected: Record<string, number>): void {
  for (const [key, value] of Object.entries(expected)) assertClose(actual[key], value, 1e-12, key);
}

test("hand-worked dot metrics: several relevant documents, a tie (lower corpus position first), keys in ST's order", async () => {
  const evaluator = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { ...HAND_KS, scoreFunctions: ["dot"] }));
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  assert.deepEqual(Object.keys(metrics), Object.keys(DOT));
  assertMetrics(metrics, DOT);
  assert.equal(evaluator.primaryMetric, "dot_ndcg@5");
  assert.deepEqual(evaluator.queriesIds, ["qa", "qb"]);
  assert.deepEqual(evaluator.lastRankings, {
    qa: [
      { corpusId: "d1", score: 0.9 },
      { corpusId: "d2", score: 0.8 },
      { corpusId: "d4", score: 0.8 },
      { corpusId: "d3", score: 0.7 },
      { corpusId: "d5", score: 0.1 },
    ],
    qb: [
      { corpusId: "d3", score: 0.9 },
      { corpusId: "d2", score: 0.5 },
      { corpusId: "d4", score: 0.3 },
      { corpusId: "d5", score: 0.2 },
      { corpusId: "d1", score: 0.1 },
    ],
  });
});

test("k smaller than the relevant set: map@k divides by min(k, |R|), ndcg@k's ideal DCG has min(k, |R|) terms", async () => {
  // qb → {d3, d5}: dot ranking d3, d2, d4, d5, d1 → relevance 1 0 0 1 0; qa as above (0 0 1 1 0).
  //   map@1: qb (1/1)/min(1, 2) = 1, qa 0 → .5      map@2: qb (1/1)/2 = .5, qa 0 → .25
  //   ndcg@1: qb 1/1 = 1, qa 0 → .5                  ndcg@5: qb (1 + 1/log2 5)/(1 + 1/log2 3)
  const relevant = { qa: ["d3", "d4"], qb: ["d3", "d5"] };
  const evaluator = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, relevant, { ...HAND_KS, mapAtK: [1, 2], ndcgAtK: [1, 5], scoreFunctions: ["dot"] }));
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  assertMetrics(metrics, {
    "dot_map@1": 0.5,
    "dot_map@2": 0.25,
    "dot_ndcg@1": 0.5,
    "dot_ndcg@5": ((0.5 + 1 / Math.log2(5)) / IDCG2 + (1 + 1 / Math.log2(5)) / IDCG2) / 2,
    "dot_recall@1": 0.25,
    "dot_precision@1": 0.5,
  });
});

test("queries without a relevant document are skipped with one note line naming the count", async () => {
  const note = await captureStderr(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { name: "hand" }));
  assert.equal(note, 'embedtune: note: InformationRetrievalEvaluator "hand": 1 of 3 queries have no relevant document in relevantDocs and are skipped (as sentence-transformers does)\n');
  const none = await captureStderr(() => new InformationRetrievalEvaluator({ qa: "query a" }, CORPUS, RELEVANT));
  assert.equal(none, "");
});

test("corpus chunks of 2 give the same hand-worked metrics; queries encoded once, corpus in chunks", async () => {
  const evaluator = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { ...HAND_KS, scoreFunctions: ["dot"], corpusChunkSize: 2, batchSize: 7 }));
  const model = new FakeModel(TABLE);
  assertMetrics(await evaluator.evaluate(model), DOT);
  assert.deepEqual(
    model.calls.map((call) => call.sentences),
    [["query a", "query b"], ["doc 1", "doc 2"], ["doc 3", "doc 4"], ["doc 5"]],
  );
  for (const call of model.calls) {
    assert.equal(call.options?.batchSize, 7);
    assert.equal(call.options?.normalizeEmbeddings, false);
  }
});

test("default ks larger than the corpus rank every document; precision@k still divides by k (k > hits, as ST)", async () => {
  const evaluator = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { scoreFunctions: ["dot"] }));
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  assert.deepEqual(Object.keys(metrics), [
    "dot_accuracy@1",
    "dot_accuracy@3",
    "dot_accuracy@5",
    "dot_accuracy@10",
    "dot_precision@1",
    "dot_precision@3",
    "dot_precision@5",
    "dot_precision@10",
    "dot_recall@1",
    "dot_recall@3",
    "dot_recall@5",
    "dot_recall@10",
    "dot_ndcg@10",
    "dot_mrr@10",
    "dot_map@100",
  ]);
  assertMetrics(metrics, {
    "dot_accuracy@10": 1,
    "dot_precision@10": 0.15,
    "dot_recall@10": 1,
    "dot_ndcg@10": DOT["dot_ndcg@5"],
    "dot_mrr@10": 7 / 24,
    "dot_map@100": 1 / 3,
  });
  assert.equal(evaluator.primaryMetric, "dot_ndcg@10");
  assert.equal(evaluator.lastRankings?.qa.length, 5);
});

test("two score functions: keys per function in the given order, primary = the best ndcg@max k, unless mainScoreFunction", async () => {
  const evaluator = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { ...HAND_KS, scoreFunctions: ["dot", "cosine"], name: "hand" }));
  const metrics = await evaluator.evaluate(new FakeModel(TABLE));
  const keys = Object.keys(metrics);
  assert.equal(keys.length, 30);
  assert.deepEqual(keys.slice(0, 15), Object.keys(DOT).map((key) => `hand_${key}`));
  assert.deepEqual(keys.slice(15), Object.keys(DOT).map((key) => `hand_${key.replace("dot", "cosine")}`));
  assertMetrics(metrics, {
    "hand_cosine_accuracy@1": 0.5,
    "hand_cosine_ndcg@5": ((1 / Math.log2(3) + 1 / Math.log2(5)) / IDCG2 + 1) / 2,
    "hand_cosine_mrr@5": (1 / 2 + 1) / 2,
    "hand_dot_ndcg@5": DOT["dot_ndcg@5"],
  });
  assert.equal(evaluator.primaryMetric, "hand_cosine_ndcg@5");
  assert.deepEqual(evaluator.lastRankings?.qb.map((hit) => hit.corpusId), ["d5", "d3", "d2", "d4", "d1"]);

  const main = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { ...HAND_KS, scoreFunctions: ["dot", "cosine"], mainScoreFunction: "dot" }));
  assert.equal(main.primaryMetric, "dot_ndcg@5");
  await main.evaluate(new FakeModel(TABLE));
  assert.equal(main.primaryMetric, "dot_ndcg@5");
  assert.deepEqual(main.lastRankings?.qb.map((hit) => hit.corpusId), ["d3", "d2", "d4", "d5", "d1"]);
});

test("default score function: the model's similarity function", async () => {
  const evaluator = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, HAND_KS));
  const metrics = await evaluator.evaluate(new FakeModel(TABLE, "dot"));
  assert.deepEqual(Object.keys(metrics), Object.keys(DOT));
  const cosine = await evaluator.evaluate(new FakeModel(TABLE));
  assertClose(cosine["cosine_accuracy@1"], 0.5);
});

test("euclidean and manhattan rank by negated distance", async () => {
  // qb [0, 1]: L2 to d5 [.1, .2] = √.65 ≈ .806, d3 [.7, .9] = √.5 ≈ .707 (closest), d2 √.89, d4 √1.13, d1 √1.62
  //            L1: d3 .8, d5 .9, d2 1.3, d4 1.5, d1 1.8
  const evaluator = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { ...HAND_KS, scoreFunctions: ["euclidean", "manhattan"] }));
  await evaluator.evaluate(new FakeModel(TABLE));
  const euclidean = await evaluator.rankings(new FakeModel(TABLE), "euclidean");
  assert.deepEqual(euclidean.qb.map((hit) => hit.corpusId), ["d3", "d5", "d2", "d4", "d1"]);
  assertClose(euclidean.qb[0].score, -Math.sqrt(0.7 * 0.7 + 0.1 * 0.1));
  const manhattan = await evaluator.rankings(new FakeModel(TABLE), "manhattan");
  assert.deepEqual(manhattan.qb.map((hit) => hit.corpusId), ["d3", "d5", "d2", "d4", "d1"]);
  assertClose(manhattan.qb[1].score, -0.9);
});

test("CSV: Information-Retrieval_evaluation_{name}_results.csv, columns sorted by function, precision and recall interleaved", async () => {
  const out = join(temporaryDirectory(), "eval");
  const evaluator = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { accuracyAtK: [1, 5], precisionRecallAtK: [5], mrrAtK: [5], ndcgAtK: [3], mapAtK: [5], scoreFunctions: ["dot", "cosine"], name: "hand" }));
  await evaluator.evaluate(new FakeModel(TABLE), { outputPath: out, epoch: 1, steps: 20 });
  const lines = readFileSync(join(out, "Information-Retrieval_evaluation_hand_results.csv"), "utf8").split("\r\n");
  assert.equal(lines.length, 3);
  assert.equal(
    lines[0],
    "epoch,steps,cosine-Accuracy@1,cosine-Accuracy@5,cosine-Precision@5,cosine-Recall@5,cosine-MRR@5,cosine-NDCG@3,cosine-MAP@5," +
      "dot-Accuracy@1,dot-Accuracy@5,dot-Precision@5,dot-Recall@5,dot-MRR@5,dot-NDCG@3,dot-MAP@5",
  );
  const fields = lines[1].split(",");
  assert.deepEqual(fields.slice(0, 4), ["1", "20", "0.5", "1.0"]);
  assertClose(Number(fields[4]), 0.3, 1e-15, "cosine-Precision@5");
  assert.equal(fields[5], "1.0");
  // cosine map@5: qa hits at 2 and 4 → (1/2 + 2/4)/2 = .5; qb hit at 1 → 1; mean .75
  assert.equal(fields[8], "0.75");
  assert.deepEqual([fields[9], fields[10], fields[12]], ["0.0", "1.0", "1.0"]);
  assertClose(Number(fields[11]), 0.3, 1e-15, "dot-Precision@5");
  assert.equal(Number(fields[15]), 1 / 3);
  assert.equal(lines[2], "");
});

test("prompts: queryPrompt / corpusPromptName go to encode; without them the model's query/document prompts (ST v5)", async () => {
  const explicit = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { queryPrompt: "q: ", corpusPromptName: "passage" }));
  const model = new FakeModel(TABLE);
  await explicit.evaluate(model);
  assert.equal(model.calls[0].options?.prompt, "q: ");
  assert.equal(model.calls[1].options?.promptName, "passage");

  class PromptedModel extends FakeModel {
    prompts = { query: "query: ", passage: "passage: " };
  }
  const prompted = new PromptedModel(TABLE);
  await quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT)).evaluate(prompted);
  assert.equal(prompted.calls[0].options?.promptName, "query");
  assert.equal(prompted.calls[1].options?.promptName, "passage");

  const missing = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { queryPromptName: "search" }));
  await expectError(() => missing.evaluate(new PromptedModel(TABLE)), ArgumentError, "queryPromptName", '"search" is not one of the model\'s prompts');
});

test("truncateDim scores only the first components", async () => {
  // A third component that would put d5 first for qa: [1, 0, 1]·[.1, .2, 5] = 5.1. Truncated to 2: the hand ranking.
  const table = Object.fromEntries(Object.entries(TABLE).map(([text, vector]) => [text, [...vector, text === "doc 5" || text === "query a" ? 5 : 0]]));
  const full = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { ...HAND_KS, scoreFunctions: ["dot"] }));
  await full.evaluate(new FakeModel(table));
  assert.equal(full.lastRankings?.qa[0].corpusId, "d5");
  const truncated = quietly(() => new InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, { ...HAND_KS, scoreFunctions: ["dot"], truncateDim: 2 }));
  assertMetrics(await truncated.evaluate(new FakeModel(table)), DOT);
});

test("bad input: one-line errors before any encoding", async () => {
  const make = (queries: Record<string, string>, corpus: Record<string, string>, relevant: Record<string, string[] | Set<string>>, options: InformationRetrievalEvaluatorOptions = {}) =>
    quietly(() => new InformationRetrievalEvaluator(queries, corpus, relevant, options));
  await expectError(() => make(QUERIES, {}, RELEVANT), ArgumentError, "corpus", "is empty");
  await expectError(() => make(QUERIES, CORPUS, { qa: ["d9"] }), ArgumentError, 'relevantDocs["qa"]', 'corpus id "d9"', "not in corpus");
  await expectError(() => make(QUERIES, CORPUS, { qz: ["d1"] }), ArgumentError, "relevantDocs", "none of the 3 queries has a relevant document");
  await expectError(() => make(QUERIES, CORPUS, RELEVANT, { mapAtK: [6] }), ArgumentError, "mapAtK", "k = 6 is larger than the corpus (5 documents)");
  await expectError(() => make(QUERIES, CORPUS, RELEVANT, { ndcgAtK: [3, 3] }), ArgumentError, "ndcgAtK", "k = 3 twice");
  await expectError(() => make(QUERIES, CORPUS, RELEVANT, { accuracyAtK: [0] }), ArgumentError, "accuracyAtK", "positive integers");
  await expectError(() => make(QUERIES, CORPUS, RELEVANT, { accuracyAtK: [] }), ArgumentError, "accuracyAtK", "non-empty");
  await expectError(() => make(QUERIES, CORPUS, RELEVANT, { scoreFunctions: ["dot"], mainScoreFunction: "cosine" }), ArgumentError, "mainScoreFunction", "not in scoreFunctions");
  await expectError(() => make(QUERIES, CORPUS, RELEVANT, { scoreFunctions: ["cos" as "cosine"] }), ArgumentError, "scoreFunctions[0]", "not a similarity function");
  await expectError(() => make(QUERIES, CORPUS, RELEVANT, { corpusChunkSize: 0 }), ArgumentError, "corpusChunkSize", "positive integer");
  await expectError(() => make({ qa: 3 as unknown as string }, CORPUS, RELEVANT), ArgumentError, 'queries["qa"]', "must be a string");
});

/** Seeded random vectors for texts "doc {i}" (i < documents) and "query {q}" (a copy of doc planted(q)); records encode call sizes. */
class RandomModel {
  readonly similarityFnName = "cosine" as const;
  readonly batchSizes: number[] = [];
  readonly vectors: number[][];
  constructor(documents: number, dim: number, readonly planted: (query: number) => number) {
    const random = createRandom(123);
    this.vectors = new Array(documents);
    for (let i = 0; i < documents; i++) {
      const vector = new Array<number>(dim);
      for (let c = 0; c < dim; c++) vector[c] = random.next() - 0.5;
      this.vectors[i] = vector;
    }
  }
  async encode(texts: string[], _options?: EncodeOptions): Promise<number[][]> {
    this.batchSizes.push(texts.length);
    return texts.map((text) => {
      const [kind, number] = text.split(" ");
      return [...this.vectors[kind === "query" ? this.planted(Number(number)) : Number(number)]];
    });
  }
}

test("100,000 documents × 50 queries in corpus chunks: bounded per-query heaps, hits equal a brute-force sort", async () => {
  const documents = 100_000;
  const planted = (query: number) => query * 1999 + 7;
  const corpus: Record<string, string> = {};
  for (let i = 0; i < documents; i++) corpus[`c${i}`] = `doc ${i}`;
  const queries: Record<string, string> = {};
  const relevant: Record<string, string[]> = {};
  for (let q = 0; q < 50; q++) {
    queries[`q${q}`] = `query ${q}`;
    // The planted copy (cosine 1, rank 1) plus, for even queries, a random second document.
    relevant[`q${q}`] = q % 2 === 0 ? [`c${planted(q)}`, `c${(q * 7919) % documents}`] : [`c${planted(q)}`];
  }
  const model = new RandomModel(documents, 16, planted);
  const evaluator = new InformationRetrievalEvaluator(queries, corpus, relevant, { corpusChunkSize: 30_000 });
  const started = Date.now();
  const metrics = await evaluator.evaluate(model);
  const seconds = (Date.now() - started) / 1000;
  assert.deepEqual(model.batchSizes, [50, 30_000, 30_000, 30_000, 10_000]);
  assert.equal(metrics["cosine_accuracy@1"], 1);
  assert.equal(metrics["cosine_mrr@10"], 1);
  assertClose(metrics["cosine_recall@1"], (25 * 0.5 + 25 * 1) / 50);
  for (const hits of Object.values(evaluator.lastRankings!)) assert.equal(hits.length, 100);
  // Brute force for two queries: every cosine score, fully sorted.
  const unit = (v: number[]) => {
    const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
    return v.map((x) => x / norm);
  };
  const units = model.vectors.map(unit);
  for (const q of [0, 49]) {
    const query = units[planted(q)];
    const scores = units.map((doc) => doc.reduce((sum, x, c) => sum + x * query[c], 0));
    const top = scores.map((score, index) => ({ score, index })).sort((a, b) => b.score - a.score || a.index - b.index).slice(0, 100);
    assert.deepEqual(evaluator.lastRankings![`q${q}`].map((hit) => hit.corpusId), top.map((hit) => `c${hit.index}`));
  }
  assert.ok(seconds < 20, `took ${seconds} s`);
});
