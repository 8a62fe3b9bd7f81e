// `embedtune mine` end to end. Reference by construction: each anchor's exact copy is in --corpus, so its
// score is 1 (the most similar text there is) and the top-ranked negative of every anchor is its own copy;
// --range-min 1 skips that rank, so no negative is the copy. The output is read back from .jsonl, .csv and
// .parquet; labeled-pair gives the positive (label 1) then the negative (label 0) per anchor. An existing
// --out is never replaced without --overwrite; bad input is one line naming the file and columns, before
// the model loads.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadDataset } from "../../src/data/load-dataset.ts";
import { writeParquet } from "../../src/data/parquet.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";
import { corpus } from "../support/pair-scores.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { errorLine, runEmbedtune, show } from "./embedtune-process.ts";

const workspace = temporaryDirectory();
const env = { EMBEDTUNE_CACHE: join(workspace, "cache") };
const anchors = [corpus[10], corpus[40], corpus[70]];
const positives = [corpus[11], corpus[41], corpus[71]];
const others = [corpus[200], corpus[300], corpus[400], corpus[500]];
const pairsFile = join(workspace, "pairs.parquet");
const corpusFile = join(workspace, "corpus.txt");
writeParquet(pairsFile, { query: anchors, answer: positives });
writeFileSync(corpusFile, [...others.slice(0, 2), ...anchors, ...others.slice(2)].join("\n") + "\n");

async function rows(path: string, format: "jsonl" | "csv" | "parquet"): Promise<Record<string, unknown>[]> {
  return [...(await loadDataset(format, { dataFiles: path, split: "train" })).rows()];
}

test("mined negatives: the top one is the anchor's copy; --range-min 1 skips it; .jsonl, .csv and .parquet hold the same rows", { timeout: 120_000 }, async () => {
  const model = await tinyModelTemplate();
  const common = ["mine", "--model", model, "--pairs", pairsFile, "--corpus", corpusFile, "--num-negatives", "1"];
  const outputs = { jsonl: join(workspace, "top.jsonl"), csv: join(workspace, "top.csv"), parquet: join(workspace, "top.parquet") };
  const skipped = join(workspace, "skipped.jsonl");
  const labeled = join(workspace, "labeled.parquet");
  const runs = await Promise.all([
    ...Object.values(outputs).map((out) => runEmbedtune([...common, "--out", out], env)),
    runEmbedtune([...common, "--out", skipped, "--range-min", "1"], env),
    runEmbedtune([...common, "--out", labeled, "--output-format", "labeled-pair"], env),
  ]);
  for (const run of runs) assert.equal(run.status, 0, show(run));
  assert.match(runs[0].stdout, /^wrote 3 rows \(query, answer, negative\) to .*top\.jsonl$/m);
  assert.match(runs[0].stdout, /^Metric +Positive +Negative +Difference$/m);

  const expected = anchors.map((anchor, i) => ({ query: anchor, answer: positives[i], negative: anchor }));
  for (const [format, path] of Object.entries(outputs) as ["jsonl" | "csv" | "parquet", string][]) {
    assert.deepEqual(await rows(path, format), expected, format);
  }
  const skippedRows = await rows(skipped, "jsonl");
  assert.equal(skippedRows.length, 3);
  skippedRows.forEach((row, i) => {
    assert.equal(row.query, anchors[i]);
    assert.notEqual(row.negative, anchors[i]);
    assert.ok([...others, ...anchors, ...positives].includes(row.negative as string) && row.negative !== positives[i], String(row.negative));
  });
  assert.deepEqual(
    await rows(labeled, "parquet"),
    anchors.flatMap((anchor, i) => [
      { query: anchor, answer: positives[i], label: 1 },
      { query: anchor, answer: anchor, label: 0 },
    ]),
  );
});

test("an existing --out is kept unless --overwrite; bad input is one line before the model loads", { timeout: 120_000 }, async () => {
  const model = await tinyModelTemplate();
  const existing = join(workspace, "existing.jsonl");
  writeFileSync(existing, "my own file\n");
  const oneColumn = join(workspace, "one-column.parquet");
  writeParquet(oneColumn, { query: ["a", "b"] });
  const numberColumn = join(workspace, "numbers.parquet");
  writeParquet(numberColumn, { query: ["a", "b"], score: [0.5, 1] });
  const corpusWithoutText = join(workspace, "corpus.parquet");
  writeParquet(corpusWithoutText, { id: ["d1"], body: ["x"] });
  const out = (name: string) => join(workspace, name);
  const runs = await Promise.all([
    runEmbedtune(["mine", "--model", model, "--pairs", pairsFile, "--out", existing], env),
    runEmbedtune(["mine", "--model", model, "--pairs", oneColumn, "--out", out("a.jsonl")], env),
    runEmbedtune(["mine", "--model", model, "--pairs", numberColumn, "--out", out("b.jsonl")], env),
    runEmbedtune(["mine", "--model", model, "--pairs", pairsFile, "--corpus", corpusWithoutText, "--out", out("c.jsonl")], env),
    runEmbedtune(["mine", "--model", model, "--pairs", pairsFile, "--out", out("d.txt")], env),
    runEmbedtune(["mine", "--model", model, "--pairs", pairsFile, "--out", out("e.jsonl"), "--sampling-strategy", "best"], env),
    runEmbedtune(["mine", "--model", model, "--pairs", pairsFile, "--out", out("f.jsonl"), "--max-score", "high"], env),
  ]);
  const lines = runs.map((run) => errorLine(run, { beforeModel: true }));
  assert.match(lines[0], /--out: .*existing\.jsonl exists; give --overwrite to replace it/);
  assert.equal(readFileSync(existing, "utf8"), "my own file\n");
  assert.match(lines[1], /one-column\.parquet: has columns \[query\]; mining needs two text columns \(anchor, positive\) first/);
  assert.match(lines[2], /numbers\.parquet: has columns \[query, score\]; .*column "score" row 0 is not text/);
  assert.match(lines[3], /corpus\.parquet: has columns \[id, body\]; a corpus file needs a "text" column/);
  assert.match(lines[4], /--out: unknown extension "\.txt"/);
  assert.match(lines[5], /--sampling-strategy: must be one of top, random, got "best"/);
  assert.match(lines[6], /--max-score: must be a number, got "high"/);

  const replaced = await runEmbedtune(["mine", "--model", model, "--pairs", pairsFile, "--corpus", corpusFile, "--num-negatives", "1", "--out", existing, "--overwrite"], env);
  assert.equal(replaced.status, 0, show(replaced));
  assert.equal((await rows(existing, "jsonl")).length, 3);
});
