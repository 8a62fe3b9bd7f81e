// `embedtune evaluate` end to end: --data picks the evaluator from the columns (pair score →
// EmbeddingSimilarityEvaluator, 0/1 labels → BinaryClassificationEvaluator, three texts → TripletEvaluator),
// --ir evaluates retrieval on a BEIR-layout folder; the last line of stdout is the metrics as JSON.
// Reference values by construction: a text paired with an exact copy of itself has cosine 1 and distance
// 0, so with a tiny random model every "related" pair below is ranked first and every metric that only
// asks "is the copy ahead of the other texts" is exactly 1 (and precision@10 is 1/10 with one relevant
// document in a corpus of 12). Bad input: one line naming the file and its columns, before any model loads.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { writeParquet } from "../../src/data/parquet.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";
import { corpus } from "../support/pair-scores.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { errorLine, lastJsonLine, runEmbedtune, show } from "./embedtune-process.ts";

const workspace = temporaryDirectory();
const env = { EMBEDTUNE_CACHE: join(workspace, "cache") };
const text = (i: number) => corpus[i * 7];

function assertOne(metrics: Record<string, unknown>, keys: string[]): void {
  for (const key of keys) {
    assert.equal(typeof metrics[key], "number", `${key} missing from ${JSON.stringify(metrics)}`);
    assert.ok(Math.abs((metrics[key] as number) - 1) < 1e-9, `${key} = ${metrics[key]}, expected 1`);
  }
}

test("--data: pair score, labeled pairs and triplets each get their evaluator; the JSON last line holds its keys", { timeout: 120_000 }, async () => {
  const model = await tinyModelTemplate();
  const pairScore = join(workspace, "pair-score.parquet");
  writeParquet(pairScore, { sentence1: [text(1), text(2)], sentence2: [text(1), text(3)], score: [0.9, 0.2] });
  const labeled = join(workspace, "labeled.parquet");
  writeParquet(labeled, { sentence1: [text(1), text(2), text(4), text(6)], sentence2: [text(1), text(3), text(4), text(7)], label: [1, 0, 1, 0] });
  const triplets = join(workspace, "triplets.jsonl");
  writeFileSync(triplets, [1, 2, 3].map((i) => JSON.stringify({ anchor: text(i), positive: text(i), negative: text(i + 10) })).join("\n") + "\n");

  const [scoreRun, labeledRun, tripletRun, namedRun] = await Promise.all([
    runEmbedtune(["evaluate", "--model", model, "--data", pairScore], env),
    runEmbedtune(["evaluate", "--model", model, "--data", labeled], env),
    runEmbedtune(["evaluate", "--model", model, "--data", triplets], env),
    runEmbedtune(["evaluate", "--model", model, "--data", triplets, "--name", "dev"], env),
  ]);

  // Two pairs: any correlation of two points ordered the same way is 1.
  const scores = lastJsonLine(scoreRun);
  const similarityKeys = ["pearson", "spearman"].flatMap((kind) => ["cosine", "manhattan", "euclidean", "dot", "max"].map((fn) => `pair-score_${kind}_${fn}`));
  assert.deepEqual(Object.keys(scores).sort(), similarityKeys.sort(), show(scoreRun));
  assertOne(scores, similarityKeys);
  assert.match(scoreRun.stdout, /^EmbeddingSimilarityEvaluator on .*pair-score\.parquet:$/m);

  const binary = lastJsonLine(labeledRun);
  assert.equal(Object.keys(binary).length, 8 * 5, show(labeledRun));
  assertOne(binary, ["cosine", "euclidean", "manhattan"].flatMap((fn) => ["accuracy", "f1", "precision", "recall", "ap", "mcc"].map((metric) => `labeled_${fn}_${metric}`)));
  assert.match(labeledRun.stdout, /^BinaryClassificationEvaluator on /m);

  const triplet = lastJsonLine(tripletRun);
  assert.deepEqual(Object.keys(triplet), ["cosine", "dot", "manhattan", "euclidean", "max"].map((fn) => `triplets_${fn}_accuracy`));
  assertOne(triplet, ["triplets_cosine_accuracy", "triplets_manhattan_accuracy", "triplets_euclidean_accuracy", "triplets_max_accuracy"]);
  assert.deepEqual(Object.keys(lastJsonLine(namedRun)), Object.keys(triplet).map((key) => key.replace("triplets_", "dev_")));
});

test("--ir: retrieval metrics of a BEIR-layout folder (ST's 15 keys, prefixed with the folder's name)", { timeout: 120_000 }, async () => {
  const model = await tinyModelTemplate();
  const folder = join(workspace, "tiny-ir");
  mkdirSync(folder);
  const documents = Array.from({ length: 12 }, (_, i) => text(20 + i));
  writeParquet(join(folder, "corpus.parquet"), { _id: documents.map((_, i) => `d${i}`), title: documents.map(() => ""), text: documents });
  // Each query is the exact text of its one relevant document.
  writeParquet(join(folder, "queries.parquet"), { _id: ["q0", "q1", "q2", "q3"], text: [documents[0], documents[3], documents[7], documents[11]] });
  writeParquet(join(folder, "qrels.parquet"), { "query-id": ["q0", "q1", "q2", "q3"], "corpus-id": ["d0", "d3", "d7", "d11"], score: [1, 1, 1, 1] });

  const run = await runEmbedtune(["evaluate", "--model", model, "--ir", folder], env);
  const metrics = lastJsonLine(run);
  const keys = [
    ...[1, 3, 5, 10].map((k) => `accuracy@${k}`),
    ...[1, 3, 5, 10].flatMap((k) => [`precision@${k}`, `recall@${k}`]),
    "ndcg@10",
    "mrr@10",
    "map@100",
  ].map((metric) => `tiny-ir_cosine_${metric}`);
  assert.deepEqual(Object.keys(metrics).sort(), [...keys].sort(), show(run));
  assertOne(metrics, ["accuracy@1", "accuracy@10", "recall@1", "recall@10", "precision@1", "ndcg@10", "mrr@10", "map@100"].map((metric) => `tiny-ir_cosine_${metric}`));
  for (const [k, expected] of [[3, 1 / 3], [5, 1 / 5], [10, 1 / 10]] as const) {
    assert.ok(Math.abs((metrics[`tiny-ir_cosine_precision@${k}`] as number) - expected) < 1e-9, `precision@${k}`);
  }
});

test("bad input: one line naming the file and what is wrong, before the model loads", { timeout: 120_000 }, async () => {
  const model = await tinyModelTemplate();
  const pairs = join(workspace, "pairs-only.parquet");
  writeParquet(pairs, { anchor: ["a", "b"], positive: ["c", "d"] });
  const wordLabels = join(workspace, "word-labels.parquet");
  writeParquet(wordLabels, { sentence1: ["a", "b"], sentence2: ["c", "d"], score: ["high", "low"] });
  const runs = await Promise.all([
    runEmbedtune(["evaluate", "--model", model, "--data", pairs], env),
    runEmbedtune(["evaluate", "--model", model, "--data", wordLabels], env),
    runEmbedtune(["evaluate", "--model", model], env),
    runEmbedtune(["evaluate", "--model", model, "--data", join(workspace, "notes.txt")], env),
    runEmbedtune(["evaluate", "--model", model, "--ir", join(workspace, "no-such-folder")], env),
  ]);
  const lines = runs.map((run) => errorLine(run, { beforeModel: true }));
  assert.match(lines[0], /pairs-only\.parquet: has columns \[anchor, positive\]; evaluate needs two text columns and a "score" or 0\/1 "label" column/);
  assert.match(lines[1], /word-labels\.parquet: column "score", row 0: .*"high"/);
  assert.match(lines[2], /--data: give --data FILE .* or --ir DIR/);
  assert.match(lines[3], /--data: .*notes\.txt: cannot tell the format/);
  assert.match(lines[4], /no-such-folder/);
});
