// What the REPL prints for a person: tables that fit the width with a row count, metrics as two
// columns, embeddings as shape and first values, errors as one line (the stack for .trace), a model
// as one summary line, a training run as progress bar, chart and latest metrics.

import assert from "node:assert/strict";
import { test } from "node:test";
import { squeeze } from "../../repl/render/chart.ts";
import { errorLine, errorTrace } from "../../repl/render/error.ts";
import { renderTrainingProgress, renderTrainingSummary } from "../../repl/render/training.ts";
import { renderValue } from "../../repl/render/value.ts";
import type { TrainingSnapshot } from "../../repl/training-monitor.ts";
import { ArgumentError } from "../../src/errors.ts";
import { loadModel } from "../../src/steps.ts";
import { temporaryDirectory } from "../support/temp.ts";

const context = { width: 60 };

test("an array of records is a table of its first 10 rows with the count, cut to the width", () => {
  const records = Array.from({ length: 25 }, (_, i) => ({ sentence: `sentence number ${i} ${"long ".repeat(i)}`, score: i / 25 }));
  const lines = renderValue(records, context);
  assert.match(lines[0], /^\s+sentence\s+score$/);
  assert.equal(lines.length, 2 + 10 + 1);
  assert.equal(lines.at(-1), "25 rows × 2 columns, first 10 shown");
  assert.ok(lines.every((line) => line.length <= 60), lines.join("\n"));
  assert.match(lines[2 + 9], /^9 +sentence number 9 long long.*… +0\.3600$/);
});

test("a metrics dict is a two-column table of metric and value", () => {
  const lines = renderValue({ "sts-dev_pearson_cosine": 0.41234, "sts-dev_spearman_cosine": 0.5, eval_steps: 20 }, context);
  assert.deepEqual(lines, [
    "metric                    value",
    "───────────────────────  ──────",
    "sts-dev_pearson_cosine   0.4123",
    "sts-dev_spearman_cosine  0.5000",
    "eval_steps                   20",
  ]);
});

test("retrieval metrics: keys with @k stay whole when they fit; cut in the middle (keeping @k) when they do not; before/after side by side", () => {
  const metrics = {
    "squad_cosine_accuracy@1": 0.25,
    "squad_cosine_precision@10": 0.0375,
    "squad_cosine_ndcg@10": 0.12901,
    "squad_cosine_map@100": 0.5,
  };
  assert.deepEqual(renderValue(metrics, context), [
    "metric                      value",
    "─────────────────────────  ──────",
    "squad_cosine_accuracy@1    0.2500",
    "squad_cosine_precision@10  0.0375",
    "squad_cosine_ndcg@10       0.1290",
    "squad_cosine_map@100       0.5000",
  ]);
  // Width 30 leaves 22 characters for the key: 8 of its start, "…", 13 of its end.
  assert.deepEqual(renderValue({ "squad-retrieval_cosine_precision@10": 0.0375, "squad-retrieval_cosine_ndcg@10": 0.129 }, { width: 30 }), [
    "metric                   value",
    "──────────────────────  ──────",
    "squad-re…_precision@10  0.0375",
    "squad-re…osine_ndcg@10  0.1290",
  ]);
  assert.deepEqual(renderValue({ before: { "squad_cosine_ndcg@10": 0.129, "squad_cosine_mrr@10": 0.1 }, after: { "squad_cosine_ndcg@10": 0.3251, "squad_cosine_mrr@10": 0.27 } }, context), [
    "metric                before   after",
    "────────────────────  ──────  ──────",
    "squad_cosine_ndcg@10  0.1290  0.3251",
    "squad_cosine_mrr@10   0.1000  0.2700",
  ]);
});

test("embeddings show their shape and first values, never every number", () => {
  const embeddings = Array.from({ length: 6 }, (_, row) => Array.from({ length: 384 }, (_, i) => (row + i) / 1000));
  const lines = renderValue(embeddings, { width: 80 });
  assert.equal(lines[0], "number[][] 6 × 384");
  assert.match(lines[1], /^\s+\[0\] 0 +0\.0010 +0\.0020 .* … \(384 values\)$/);
  assert.equal(lines.at(-1), "  … 2 more rows");
  assert.equal(lines.length, 1 + 4 + 1);
  assert.deepEqual(renderValue(new Float32Array(100), { width: 80 })[0], "Float32Array of 100");
});

test("an error is one line; its trace has the stack and causes", () => {
  assert.equal(errorLine(new ArgumentError("loss", '"Nope" is not a loss embedtune has')), 'ArgumentError: loss: "Nope" is not a loss embedtune has');
  assert.equal(errorLine(new Error("first line\nsecond line")), "Error: first line");
  assert.equal(errorLine("thrown text"), "Uncaught 'thrown text'");
  const trace = errorTrace(new Error("outer", { cause: new TypeError("inner") }));
  assert.equal(trace[0], "Error: outer");
  assert.ok(trace.some((line) => line.includes("at ")));
  assert.ok(trace.includes("Caused by:") && trace.some((line) => line === "TypeError: inner"));
});

test("a model is one line: architecture, sizes, dimension, pooling, engine", async () => {
  process.env.EMBEDTUNE_CACHE = temporaryDirectory();
  const model = await loadModel(undefined, { quiet: true });
  const [line, ...rest] = renderValue(model, { width: 100, tfjsBackend: () => "wasm" });
  assert.deepEqual(rest, []);
  assert.match(line, /^SentenceTransformer · bert: 2 layers, hidden 64, 4 heads · dim 64 · pooling mean \+ normalize · max_seq_length \d+ · (onnxruntime \(cpu\)|tfjs \(wasm\))$/);
  model.dispose();
});

function snapshot(change: Partial<TrainingSnapshot>): TrainingSnapshot {
  return {
    outputDir: "out",
    firstStep: 0,
    step: 10,
    maxSteps: 40,
    losses: Array.from({ length: 10 }, (_, i) => 1 - i / 20),
    startedAt: 0,
    updatedAt: 5000,
    latestEvaluation: { step: 10, metrics: { "eval_sts-dev_spearman_cosine": 0.4567, eval_runtime: 0.2 } },
    stopRequested: false,
    finished: false,
    interrupted: false,
    ...change,
  };
}

test("training progress: bar with step/total, percent, ETA and loss; the loss chart; the latest metrics", () => {
  const lines = renderTrainingProgress(snapshot({}), 100);
  assert.match(lines[0], /^Training █+░+ 10\/40 · 25% · ETA 15s · loss 0\.5500$/);
  assert.match(lines[1], /^training loss per step · 10 points · last 0\.5500$/);
  assert.ok(lines.slice(2, 11).every((line) => /[┤┼]/.test(line)), "nine chart rows with an axis");
  assert.equal(lines[11], "evaluation at step 10:");
  assert.match(lines[12], /eval_sts-dev_spearman_cosine\s+0\.4567/);
  assert.ok(!lines.join("\n").includes("eval_runtime"), "bookkeeping figures are left out");
  assert.match(lines.at(-1)!, /Ctrl-C stops training/);
});

test("a stopped run's summary names the step and the checkpoint to resume from", () => {
  const [headline] = renderTrainingSummary(snapshot({ interrupted: true, finished: true, latestCheckpoint: "out/checkpoint-10" }), 100);
  assert.match(headline, /^Training stopped at step 10 of 40 · last loss 0\.5500 · checkpoint out\/checkpoint-10 · /);
});

test("a long series is squeezed to the width by averaging", () => {
  assert.deepEqual(squeeze([1, 3, 5, 7, 9, 11], 3), [2, 6, 10]);
  assert.deepEqual(squeeze([1, 2], 10), [1, 2]);
});
