// EmbeddingSimilarityEvaluator end to end: a freshly generated tiny BERT (hidden 16, 1 layer, 2 heads,
// intermediate 32, 600 tokens) loaded as a SentenceTransformer, evaluated on the first 200 pairs of the
// STS-B validation split (../shared/data/stsb/validation.parquet; skipped when absent). A random model gives
// arbitrary correlations, so the test checks the contract: the 10 keys in order, finite, within [−1, 1],
// and the CSV row the trainer's output folder would get.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { EmbeddingSimilarityEvaluator } from "../../src/evaluation/embedding-similarity.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

const STSB = "data/stsb/validation.parquet";

test("STS-B validation (200 pairs) with a generated tiny model: 10 finite keys in [−1, 1]", { skip: skipUnlessShared(STSB) }, async () => {
  const file = await asyncBufferFromFile(sharedPath(STSB));
  const rows = await parquetReadObjects({ file, compressors, columns: ["sentence1", "sentence2", "score"], rowEnd: 200 });
  assert.equal(rows.length, 200);

  const directory = join(temporaryDirectory(), "tiny");
  await initModel({ out: directory, hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 600, seed: 11 });
  const model = await SentenceTransformer.load(directory, { quiet: true });
  try {
    const evaluator = new EmbeddingSimilarityEvaluator(
      rows.map((row) => row.sentence1 as string),
      rows.map((row) => row.sentence2 as string),
      rows.map((row) => row.score as number),
      { name: "sts-dev", batchSize: 32 },
    );
    const out = join(temporaryDirectory(), "eval");
    const metrics = await evaluator.evaluate(model, { outputPath: out, epoch: 0, steps: 0 });
    const keys = ["cosine", "manhattan", "euclidean", "dot"].flatMap((fn) => [`sts-dev_pearson_${fn}`, `sts-dev_spearman_${fn}`]);
    assert.deepEqual(Object.keys(metrics), [...keys, "sts-dev_pearson_max", "sts-dev_spearman_max"]);
    for (const [key, value] of Object.entries(metrics)) {
      assert.ok(Number.isFinite(value) && value >= -1 && value <= 1, `${key} = ${value}`);
    }
    assert.equal(metrics["sts-dev_spearman_max"], Math.max(...keys.filter((key) => key.includes("spearman")).map((key) => metrics[key])));
    assert.equal(metrics[evaluator.primaryMetric], metrics["sts-dev_spearman_max"]);
    // The model normalises its embeddings (Normalize module), so dot = cosine up to float32 rounding.
    assert.ok(Math.abs(metrics["sts-dev_pearson_dot"] - metrics["sts-dev_pearson_cosine"]) < 1e-5);
    const lines = readFileSync(join(out, "similarity_evaluation_sts-dev_results.csv"), "utf8").split("\r\n");
    assert.equal(lines.length, 3);
    assert.ok(lines[1].startsWith("0,0,"));
  } finally {
    model.dispose();
  }
});
