// Evaluators print (console.log, a notebook cell's last expression) as one line — class, name, what they
// hold, primary metric — not their thousands of sentences.

import assert from "node:assert/strict";
import { inspect } from "node:util";
import { test } from "node:test";
import { BinaryClassificationEvaluator } from "../../src/evaluation/binary-classification.ts";
import { EmbeddingSimilarityEvaluator } from "../../src/evaluation/embedding-similarity.ts";
import { InformationRetrievalEvaluator } from "../../src/evaluation/information-retrieval.ts";
import { SequentialEvaluator } from "../../src/evaluation/sequential.ts";
import { TripletEvaluator } from "../../src/evaluation/triplet.ts";

const sentences = Array.from({ length: 2000 }, (_, i) => `sentence number ${i} with a few more words in it`);

test("each evaluator prints as one short line naming its class, name, size and primary metric", () => {
  const similarity = new EmbeddingSimilarityEvaluator(sentences, sentences, sentences.map((_, i) => (i % 10) / 10), { name: "sts-dev" });
  const binary = new BinaryClassificationEvaluator(sentences, sentences, sentences.map((_, i) => i % 2), { name: "pairs" });
  const triplet = new TripletEvaluator(sentences, sentences, sentences);
  const queries = Object.fromEntries(sentences.slice(0, 30).map((text, i) => [`q${i}`, text]));
  const corpus = Object.fromEntries(sentences.map((text, i) => [`d${i}`, text]));
  const relevant = Object.fromEntries(sentences.slice(0, 30).map((_, i) => [`q${i}`, new Set([`d${i}`])]));
  const retrieval = new InformationRetrievalEvaluator(queries, corpus, relevant, { name: "squad" });
  assert.equal(inspect(similarity), 'EmbeddingSimilarityEvaluator("sts-dev", 2000 scored pairs; primary metric sts-dev_spearman_max)');
  assert.equal(inspect(binary), 'BinaryClassificationEvaluator("pairs", 2000 labeled pairs; primary metric pairs_max_ap)');
  assert.equal(inspect(triplet), "TripletEvaluator(2000 triplets; primary metric max_accuracy)");
  assert.match(inspect(retrieval), /^InformationRetrievalEvaluator\("squad", 30 queries, 2000 documents; primary metric squad_\w+_ndcg@10\)$/);
  const sequential = inspect(new SequentialEvaluator([similarity, triplet]));
  assert.equal(sequential, `SequentialEvaluator(${inspect(similarity)}, ${inspect(triplet)}; primary metric sequential_score)`);
  assert.ok(sequential.length < 250, sequential);
});
