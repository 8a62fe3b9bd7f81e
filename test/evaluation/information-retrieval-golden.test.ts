// Parity with sentence-transformers' InformationRetrievalEvaluator: the untrained tiny-bert-uncased model on
// ../shared/data/squad-retrieval (1,023 queries, 1,023 passages, corpus text = (title + " " + text).strip())
// with the evaluator's defaults; ../shared/models/tiny-bert-uncased/golden-squad-ir.json holds the 15 metrics
// a PyTorch reference of ST's evaluator computed. Every metric must match within 1e-3.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { loadRetrievalData } from "../../src/data/retrieval-data.ts";
import { InformationRetrievalEvaluator } from "../../src/evaluation/information-retrieval.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";

const MODEL = "models/tiny-bert-uncased";
const GOLDEN = "models/tiny-bert-uncased/golden-squad-ir.json";
const DATA = "data/squad-retrieval";

const skip = skipUnlessShared(GOLDEN) || skipUnlessShared(`${DATA}/qrels.parquet`);

test("tiny-bert-uncased on squad-retrieval: all 15 IR metrics within 1e-3 of ST's reference", { skip }, async () => {
  const golden = JSON.parse(readFileSync(sharedPath(GOLDEN), "utf8")).metrics as Record<string, number>;
  const data = await loadRetrievalData(sharedPath(DATA));
  assert.equal(Object.keys(data.queries).length, 1023);
  assert.equal(Object.keys(data.corpus).length, 1023);
  const model = await SentenceTransformer.load(sharedPath(MODEL), { quiet: true });
  try {
    const evaluator = new InformationRetrievalEvaluator(data.queries, data.corpus, data.relevantDocs);
    const metrics = await evaluator.evaluate(model);
    assert.deepEqual(Object.keys(metrics).sort(), Object.keys(golden).sort());
    for (const [key, expected] of Object.entries(golden)) {
      assert.ok(Math.abs(metrics[key] - expected) <= 1e-3, `${key}: ${metrics[key]} vs golden ${expected}`);
    }
    assert.equal(evaluator.primaryMetric, "cosine_ndcg@10");
  } finally {
    model.dispose();
  }
});
