// Run tracking (src/training/tracking/): reportTo resolution as Hugging Face's report_to, TensorBoard
// event files read back by test/support/tfevents-reader.ts (both CRCs of every record checked) and, where
// Python's tensorboard is importable, by its event_accumulator; the CSV/JSONL log equal to log_history;
// "none" writes nothing; a resumed run continues the same folder and log after its checkpoint; an
// unwritable loggingDir stops train() before the first step with one FileSystemError line.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { test } from "node:test";
import { ArgumentError } from "../../../src/errors.ts";
import { EmbeddingSimilarityEvaluator } from "../../../src/evaluation/embedding-similarity.ts";
import { FileSystemError } from "../../../src/io/file-system-errors.ts";
import { CoSENTLoss } from "../../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments, type TrainingArgumentsInit } from "../../../src/training/arguments.ts";
import { SentenceTransformerTrainer } from "../../../src/training/trainer.ts";
import { crc32c, maskedCrc32c } from "../../../src/training/tracking/crc32c.ts";
import { CsvLogTracker } from "../../../src/training/tracking/csv-log.ts";
import { defaultLoggingDir, resolveReportTo } from "../../../src/training/tracking/index.ts";
import { tinyModelTemplate } from "../../support/model-fixtures.ts";
import { corpusPairScores } from "../../support/pair-scores.ts";
import { temporaryDirectory } from "../../support/temp.ts";
import { maskedCrc32cBitwise, readEventFile, type TensorBoardEvent } from "../../support/tfevents-reader.ts";
import { interopPython, skipUnlessPython } from "../../support/python-interop.ts";

const train = corpusPairScores(0, 48);
const dev = corpusPairScores(400, 16);

function trainer(overrides: Partial<TrainingArgumentsInit>, model: SentenceTransformer) {
  const args = new SentenceTransformerTrainingArguments({
    outputDir: join(temporaryDirectory(), "output"),
    maxSteps: 6,
    perDeviceTrainBatchSize: 8,
    learningRate: 1e-3,
    warmupRatio: 0.2,
    loggingSteps: 2,
    evalStrategy: "steps",
    evalSteps: 3,
    saveStrategy: "no",
    disableTqdm: true,
    ...overrides,
  });
  const evaluator = new EmbeddingSimilarityEvaluator(dev.column("sentence1") as string[], dev.column("sentence2") as string[], dev.column("score") as number[], { name: "sts-dev" });
  return new SentenceTransformerTrainer({ model, args, trainDataset: train, evalDataset: dev, loss: new CoSENTLoss(model), evaluator });
}

async function tinyModel(): Promise<SentenceTransformer> {
  return SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
}

/** "tag@step" → value as TensorBoard keeps it (float32), from log_history with rewrite_logs' names. */
function expectedScalars(history: readonly Record<string, number>[]): Map<string, number> {
  const expected = new Map<string, number>();
  for (const { step, ...values } of history) {
    for (const [key, value] of Object.entries(values)) {
      const tag = key.startsWith("eval_") ? `eval/${key.slice(5)}` : key.startsWith("test_") ? `test/${key.slice(5)}` : `train/${key}`;
      expected.set(`${tag}@${step}`, Math.fround(value));
    }
  }
  return expected;
}

/** The scalars TensorBoard shows for a folder: files in name order, a SessionLog START purging steps >= its step. */
function shownScalars(events: readonly TensorBoardEvent[]): Map<string, number> {
  let kept: { key: string; step: number; value: number }[] = [];
  for (const event of events) {
    if (event.sessionLogStatus === 1) kept = kept.filter(({ step }) => step < event.step);
    for (const value of event.values) if (value.simpleValue !== undefined) kept.push({ key: `${value.tag}@${event.step}`, step: event.step, value: value.simpleValue });
  }
  return new Map(kept.map(({ key, value }) => [key, value]));
}

function eventFiles(folder: string): string[] {
  return readdirSync(folder).filter((name) => name.startsWith("events.out.tfevents.")).sort().map((name) => join(folder, name));
}

function readJsonl(path: string): Record<string, number>[] {
  return readFileSync(path, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, number>);
}

/** The CSV as entries: header keys, numbers, empty cells left out. */
function readCsv(path: string): { columns: string[]; rows: Record<string, number>[] } {
  const [header, ...lines] = readFileSync(path, "utf8").trimEnd().split("\n");
  const columns = header.split(",");
  const rows = lines.map((line) => Object.fromEntries(line.split(",").flatMap((cell, i) => (cell === "" ? [] : [[columns[i], Number(cell)]]))));
  return { columns, rows };
}

test("CRC-32C: the Castagnoli check value, the reader's bitwise twin, TFRecord's mask", () => {
  assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff);
  assert.equal(maskedCrc32c(bytes), maskedCrc32cBitwise(bytes));
  const crc = crc32c(bytes);
  assert.equal(maskedCrc32c(bytes), ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
});

test("reportTo resolves as Hugging Face's report_to; wandb is refused in one line at construction", async () => {
  assert.deepEqual(resolveReportTo(undefined), []);
  assert.deepEqual(resolveReportTo("none"), []);
  assert.deepEqual(resolveReportTo(["none"]), []);
  assert.deepEqual(resolveReportTo("all"), ["tensorboard", "csv"]);
  assert.deepEqual(resolveReportTo(["csv", "tensorboard", "csv"]), ["csv", "tensorboard"]);
  assert.throws(() => resolveReportTo(["none", "csv"]), (error: Error) => error instanceof ArgumentError && /reportTo: "none" and "all" stand alone/.test(error.message));
  assert.throws(
    () => resolveReportTo(["tensorboard", "wandb"], "--report-to"),
    (error: Error) => error instanceof ArgumentError && error.message.startsWith('--report-to: "wandb" is not supported') && !error.message.includes("\n"),
  );
  const model = await tinyModel();
  assert.throws(() => trainer({ reportTo: "wandb" }, model), (error: Error) => error instanceof ArgumentError && /wandb sync/.test(error.message));
  model.dispose();
});

test("the default logging folder is Hugging Face's default_logdir under outputDir", () => {
  assert.equal(defaultLoggingDir("out", new Date(2026, 11, 4, 9, 5, 7)), join("out", "runs", `Dec04_09-05-07_${hostname()}`));
});

test("TensorBoard and CSV/JSONL: every log and evaluation of log_history, at its global step", async () => {
  const model = await tinyModel();
  const run = trainer({ reportTo: "all", runName: "tiny run/1" }, model);
  await run.train();
  const history = run.state.log_history;
  const loggingDir = run.args.loggingDir!;
  assert.match(loggingDir, new RegExp(`^${run.args.outputDir}/runs/[A-Z][a-z]{2}\\d{2}_\\d{2}-\\d{2}-\\d{2}_${hostname()}$`));

  const [file, ...others] = eventFiles(loggingDir);
  assert.deepEqual(others, []);
  assert.match(basename(file), new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${hostname()}\\.${process.pid}\\.\\d+$`));
  const events = readEventFile(file);
  assert.equal(events[0].fileVersion, "brain.Event:2");
  const args = events.flatMap((event) => event.values).find((value) => value.tag === "args/text_summary")!;
  assert.equal(args.pluginName, "text");
  assert.equal(JSON.parse(args.strings![0]).runName, "tiny run/1");
  assert.ok(events.flatMap((event) => event.values).some((value) => value.tag === "model_config/text_summary"));

  const shown = shownScalars(events);
  assert.deepEqual(shown, expectedScalars(history));
  for (const step of [2, 4, 6]) for (const tag of ["train/loss", "train/learning_rate", "train/grad_norm", "train/epoch"]) assert.ok(shown.has(`${tag}@${step}`), `${tag}@${step}`);
  for (const step of [3, 6]) for (const tag of ["eval/loss", "eval/sts-dev_spearman_cosine", "eval/sts-dev_pearson_cosine"]) assert.ok(shown.has(`${tag}@${step}`), `${tag}@${step}`);
  assert.ok(shown.has("train/train_runtime@6"));

  // The run name names the CSV/JSONL files (made file-safe).
  assert.deepEqual(readJsonl(join(loggingDir, "tiny_run_1.jsonl")), history);
  const csv = readCsv(join(loggingDir, "tiny_run_1.csv"));
  assert.deepEqual(csv.columns, [...new Set(history.flatMap((entry) => Object.keys(entry)))]);
  assert.deepEqual(csv.rows, history);
  model.dispose();
});

test("reportTo none (the default) writes nothing beside the checkpoints", async () => {
  const model = await tinyModel();
  const run = trainer({ saveStrategy: "steps", saveSteps: 6 }, model);
  await run.train();
  assert.equal(run.args.loggingDir, undefined);
  assert.deepEqual(readdirSync(run.args.outputDir).sort(), ["checkpoint-6", "eval"]);
  model.dispose();
});

/** A run that fails after step 5 was logged (checkpoint-4 saved), then resumed with fresh arguments. */
async function crashAndResume(): Promise<{ loggingDir: string; history: Record<string, number>[]; firstRunLogged: number[]; resumedLoggingDir: string | undefined }> {
  const outputDir = join(temporaryDirectory(), "output");
  const settings = { outputDir, reportTo: "all" as const, loggingSteps: 1, evalSteps: 3, saveStrategy: "steps" as const, saveSteps: 4 };
  const first = trainer(settings, await tinyModel());
  first.on("log", (entry) => {
    if (entry.step === 5) throw new Error("simulated crash after step 5 was logged");
  });
  await assert.rejects(first.train(), /simulated crash/);
  const loggingDir = first.args.loggingDir!;
  const firstRunLogged = readJsonl(join(loggingDir, `${basename(loggingDir)}.jsonl`)).map((entry) => entry.step);
  await new Promise((resolve) => setTimeout(resolve, 1100)); // a new default folder would now have another name
  const second = trainer(settings, await tinyModel()); // fresh arguments: the folder comes from checkpoint-4
  await second.train({ resumeFromCheckpoint: true });
  return { loggingDir, history: second.state.log_history, firstRunLogged, resumedLoggingDir: second.args.loggingDir };
}

test("a run that failed after its checkpoint, resumed: the same folder, logs after the checkpoint replace the lost ones", async () => {
  const { loggingDir, history, firstRunLogged, resumedLoggingDir } = await crashAndResume();
  assert.ok(firstRunLogged.includes(5));
  assert.equal(resumedLoggingDir, loggingDir);
  assert.deepEqual(history.filter((entry) => "loss" in entry).map((entry) => entry.step), [1, 2, 3, 4, 5, 6]);

  const files = eventFiles(loggingDir);
  assert.equal(files.length, 2);
  const resumed = readEventFile(files[1]);
  assert.ok(resumed.some((event) => event.sessionLogStatus === 1 && event.step === 5), "SessionLog START at step 5 purges the lost steps");
  assert.deepEqual(shownScalars(files.flatMap(readEventFile)), expectedScalars(history));
  assert.deepEqual(readJsonl(join(loggingDir, `${basename(loggingDir)}.jsonl`)), history);
  assert.deepEqual(readCsv(join(loggingDir, `${basename(loggingDir)}.csv`)).rows, history);
});

test("an unwritable loggingDir stops train() before the first step, in one FileSystemError line", async () => {
  const blocker = join(temporaryDirectory(), "a-file");
  writeFileSync(blocker, "");
  const model = await tinyModel();
  const run = trainer({ reportTo: "tensorboard", loggingDir: join(blocker, "runs") }, model);
  let steps = 0;
  run.on("step", () => (steps += 1));
  await assert.rejects(run.train(), (error: Error) => {
    assert.ok(error instanceof FileSystemError, String(error));
    assert.match(error.message, /a-file is a file, not a folder \(ENOTDIR\) while checking that loggingDir can be written/);
    assert.ok(!error.message.includes("\n"));
    return true;
  });
  assert.equal(steps, 0);
  model.dispose();
});

test("Python's TensorBoard (event_accumulator) shows the same scalars, a resumed run's purge included", { skip: skipUnlessPython("tensorboard.backend.event_processing.event_accumulator") }, async () => {
  const { loggingDir, history } = await crashAndResume();
  const script = [
    "import json, sys",
    "from tensorboard.backend.event_processing import event_accumulator as ea",
    "acc = ea.EventAccumulator(sys.argv[1], size_guidance={ea.SCALARS: 0, ea.TENSORS: 0})",
    "acc.Reload()",
    "scalars = {f'{tag}@{e.step}': e.value for tag in acc.Tags()['scalars'] for e in acc.Scalars(tag)}",
    "print(json.dumps({'scalars': scalars, 'tensors': acc.Tags()['tensors']}))",
  ].join("\n");
  const result = spawnSync(interopPython(), ["-c", script, loggingDir], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  const read = JSON.parse(result.stdout) as { scalars: Record<string, number>; tensors: string[] };
  assert.deepEqual(new Map(Object.entries(read.scalars)), expectedScalars(history));
  assert.deepEqual(read.tensors.sort(), ["args/text_summary", "model_config/text_summary"]);
});

test("the CSV/JSONL log: a non-finite value as Python's json writes it, a new column rewrites the header", async () => {
  const loggingDir = temporaryDirectory();
  const tracker = new CsvLogTracker();
  const args = new SentenceTransformerTrainingArguments({ outputDir: join(loggingDir, "unused") });
  tracker.onTrainBegin({ args, loggingDir, runName: "r", modelConfig: undefined, startStep: 0, history: [] });
  tracker.onLog({ loss: 0.5, step: 1 });
  tracker.onLog({ loss: 0.25, step: 2 });
  assert.equal(readFileSync(join(loggingDir, "r.csv"), "utf8"), "loss,step\n0.5,1\n0.25,2\n");
  tracker.onLog({ loss: Number.NaN, grad_norm: Number.POSITIVE_INFINITY, step: 3 });
  tracker.close();
  assert.equal(readFileSync(join(loggingDir, "r.jsonl"), "utf8"), '{"loss":0.5,"step":1}\n{"loss":0.25,"step":2}\n{"loss":NaN,"grad_norm":Infinity,"step":3}\n');
  assert.equal(readFileSync(join(loggingDir, "r.csv"), "utf8"), "loss,step,grad_norm\n0.5,1,\n0.25,2,\nNaN,3,Infinity\n");
});
