// `embedtune encode --model ../shared/models/tiny-<family> -- <golden inputs>` for xlm-roberta, mpnet and
// modernbert: one JSON array per input, each the PyTorch golden embedding (golden.json's pooling, normalised)
// within 1e-4, on both engines (the default onnxruntime and EMBEDTUNE_ENGINE=tfjs). The inputs are the 8 golden
// cases in one batch (mixed lengths, German and Chinese, prompts written into the text, cases truncated at the
// model's max length), and the first alone, as a user would type it.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { maxAbsoluteDifference } from "../support/compare.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { runEmbedtune, show, type Run } from "./embedtune-process.ts";

const FAMILIES = ["xlm-roberta", "mpnet", "modernbert"] as const;
const ENGINES = ["onnxruntime", "tfjs"] as const;

interface Golden {
  pooling: "mean" | "cls";
  cases: { input: string; embedding_mean_normalized: number[]; embedding_cls_normalized: number[] }[];
}

/** The stdout lines of a successful run, each a JSON array of `dimension` numbers. */
function embeddingLines(run: Run, count: number, dimension: number): number[][] {
  assert.equal(run.status, 0, show(run));
  const rows = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as number[]);
  assert.equal(rows.length, count, show(run));
  for (const row of rows) assert.ok(row.length === dimension && row.every(Number.isFinite), show(run));
  return rows;
}

for (const family of FAMILIES) {
  const folder = `models/tiny-${family}`;
  const skip = skipUnlessShared(`${folder}/golden.json`);
  test(`embedtune encode on tiny-${family} prints the golden embeddings on both engines`, { skip, timeout: 120_000 }, async () => {
    const golden = JSON.parse(readFileSync(sharedPath(`${folder}/golden.json`), "utf8")) as Golden;
    assert.equal(golden.cases.length, 8);
    const expected = golden.cases.map((c) => (golden.pooling === "mean" ? c.embedding_mean_normalized : c.embedding_cls_normalized));
    const inputs = golden.cases.map((c) => c.input);
    const encode = (engine: string, texts: string[]) => runEmbedtune(["encode", "--model", sharedPath(folder), "--", ...texts], { EMBEDTUNE_ENGINE: engine });
    const runs = await Promise.all(ENGINES.flatMap((engine) => [encode(engine, inputs), encode(engine, inputs.slice(0, 1))]));
    ENGINES.forEach((engine, index) => {
      const batch = embeddingLines(runs[2 * index], inputs.length, expected[0].length);
      const alone = embeddingLines(runs[2 * index + 1], 1, expected[0].length);
      for (const [row, c] of [...batch.map((embedding, i) => [embedding, i] as const), [alone[0], 0] as const]) {
        const difference = maxAbsoluteDifference(row, expected[c]);
        assert.ok(difference < 1e-4, `${engine}, ${JSON.stringify(inputs[c])}: max |Δ| ${difference}`);
      }
    });
  });
}
