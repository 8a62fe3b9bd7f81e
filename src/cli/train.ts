// `embedtune train`: fine-tune a model on a data file with a loss and Hugging Face-style arguments,
// evaluating the test file's similarity metrics and, with --ir-eval DIR, retrieval metrics on a
// BEIR-layout folder (InformationRetrievalEvaluator) before and after; with either, the last line on
// stdout is one JSON object {"before": {...}, "after": {...}} (every key, for scripts; the data is read
// and checked before the model loads). Checkpoints go to --output; --resume continues from the latest
// one of the same run configuration (the same options, data and model; --resume-from DIR: that one), and
// a new run refuses an --output holding another configuration's checkpoints unless --overwrite, which
// deletes them (training/run-checkpoints.ts). The final model goes to OUTPUT/final.
// --output is checked (writable, not in use by another run) before any data or model is read. Ctrl-C
// or SIGTERM stops after the current step with a checkpoint and prints the command that resumes
// (this command line with --resume); the exit code is then 130 / 143 and no final model is saved.
// --report-to tensorboard,csv|all|none (Hugging Face's --report_to), --run-name and --logging-dir say where
// the run is tracked (training/tracking/).

import { basename, isAbsolute, join, relative, resolve } from "node:path";
import type { Dataset } from "../data/dataset.ts";
import { ArgumentError } from "../errors.ts";
import type { EvaluationModel, SentenceEvaluator } from "../evaluation/evaluator.ts";
import type { EngineName } from "../models/sentence-transformer.ts";
import type { LossName } from "../steps.ts";
import { REPORT_TO_INTEGRATIONS, SentenceTransformerTrainingArguments, type ReportTo } from "../training/arguments.ts";
import { BatchSamplers, type BatchSampler } from "../training/samplers.ts";
import { openOutputFolder } from "../training/output-directory.ts";
import { resolveReportTo } from "../training/tracking/index.ts";
import { assertWritableFolder } from "../io/file-system-errors.ts";
import { formatMetrics } from "../util/format.ts";
import { SIGNAL_EXIT_CODES } from "../util/interruption.ts";
import { readDataOption } from "./data-options.ts";
import type { Command } from "./main.ts";
import { integerOption, loadModelOption, type OptionValues, MODEL_OPTIONS, MODEL_USAGE } from "./options.ts";

function numberOption(values: OptionValues, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ArgumentError(`--${name}`, `must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

/** A word as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that resumes this run: how the program was started (`embedtune` from PATH, else
 * node and the script), the same options, and --resume instead of any --resume/--resume-from.
 */
export function resumeCommandLine(argv: readonly string[] = process.argv, environment: NodeJS.ProcessEnv = process.env): string {
  const [, script, ...rest] = argv;
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--resume" || rest[i].startsWith("--resume-from=")) continue;
    if (rest[i] === "--resume-from") {
      i += 1;
      continue;
    }
    words.push(rest[i]);
  }
  const viaPath = /(^|\/)embedtune$/.test(environment._ ?? "");
  const scriptPath = isAbsolute(script) && !relative(process.cwd(), script).startsWith("..") ? relative(process.cwd(), script) : script;
  const program = viaPath ? ["embedtune"] : [process.argv0 || "node", scriptPath];
  return [...program, ...words, "--resume"].map(shellQuote).join(" ");
}

/** --report-to: one name or a comma-separated list, checked (an integration that cannot run here refused) before anything loads. */
function reportToOption(values: OptionValues): ReportTo[] | undefined {
  const raw = values["report-to"];
  if (typeof raw !== "string") return undefined;
  const allowed: readonly string[] = ["none", "all", ...REPORT_TO_INTEGRATIONS];
  const names = raw.split(",").map((name) => name.trim());
  const unknown = names.find((name) => !allowed.includes(name));
  if (unknown !== undefined) {
    throw new ArgumentError("--report-to", `${JSON.stringify(unknown)} is not one of ${allowed.join(", ")} (several: a comma-separated list), got ${JSON.stringify(raw)}`);
  }
  resolveReportTo(names as ReportTo[], "--report-to");
  return names as ReportTo[];
}

/** The split names --eval and --test default to with --dataset (the first the dataset has), as the tutorial's all-nli and stsb name them. */
const DEFAULT_SPLITS: Record<"train" | "eval" | "test", readonly string[]> = { train: ["train"], eval: ["dev", "validation"], test: ["test"] };

/**
 * The train, eval and test datasets: files named by --train/--eval/--test, or, with --dataset ID|DIR
 * [--dataset-config NAME] (loadDataset's Hub id or dataset folder), splits of it — --train/--eval/--test then
 * name splits, by default train, dev or validation, and test where the dataset has them.
 */
async function readSplits(values: OptionValues): Promise<Record<"train" | "eval" | "test", Dataset | undefined>> {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const source = text("dataset");
  if (source === undefined) {
    if (text("train") === undefined) throw new ArgumentError("--train", "is required: a .parquet, .csv, .json or .jsonl file (or --dataset ID)");
    const read = async (name: string) => (text(name) === undefined ? undefined : readDataOption(text(name)!, `--${name}`));
    return { train: await read("train"), eval: await read("eval"), test: await read("test") };
  }
  const { loadDataset } = await import("../data/load-dataset.ts");
  const splits = await loadDataset(source, text("dataset-config"), {
    revision: text("dataset-revision"),
    cacheFolder: text("cache-folder"),
    token: text("token"),
    localFilesOnly: values["local-files-only"] === true ? true : undefined,
  });
  const pick = (name: "train" | "eval" | "test"): Dataset | undefined => {
    const asked = text(name);
    const chosen = asked ?? DEFAULT_SPLITS[name].find((split) => splits.has(split));
    if (chosen === undefined) return undefined;
    if (!splits.has(chosen)) throw new ArgumentError(`--${name}`, `${source} has no split "${chosen}" (splits: ${splits.splits.join(", ")})`);
    return splits.get(chosen);
  };
  const train = pick("train");
  if (!train) throw new ArgumentError("--train", `${source} has no "train" split: name one with --train SPLIT (splits: ${splits.splits.join(", ")})`);
  return { train, eval: pick("eval"), test: pick("test") };
}

export const trainCommand: Command = {
  summary: "fine-tune a model on a data file (CoSENT by default) and report test metrics before and after",
  usage:
    `embedtune train ${MODEL_USAGE} (--train FILE [--eval FILE] [--test FILE] | --dataset ID|DIR [--dataset-config NAME] [--dataset-revision REV] [--train SPLIT] [--eval SPLIT] [--test SPLIT]) [--output DIR] [--loss NAME] [--epochs N] [--max-steps N] ` +
    "[--batch-size N] [--learning-rate X] [--warmup-ratio X] [--weight-decay X] [--seed N] [--batch-sampler batch_sampler|no_duplicates] " +
    "[--ir-eval DIR] [--eval-steps N] [--save-steps N] [--save-total-limit N] [--logging-steps N] [--engine onnxruntime|tfjs] [--resume | --resume-from DIR] [--overwrite] " +
    "[--report-to none|all|tensorboard,csv] [--run-name NAME] [--logging-dir DIR]",
  options: {
    ...MODEL_OPTIONS,
    train: { type: "string" },
    dataset: { type: "string" },
    "dataset-config": { type: "string" },
    "dataset-revision": { type: "string" },
    eval: { type: "string" },
    test: { type: "string" },
    "ir-eval": { type: "string" },
    output: { type: "string" },
    loss: { type: "string" },
    epochs: { type: "string" },
    "max-steps": { type: "string" },
    "batch-size": { type: "string" },
    "learning-rate": { type: "string" },
    "warmup-ratio": { type: "string" },
    "weight-decay": { type: "string" },
    seed: { type: "string" },
    "batch-sampler": { type: "string" },
    "eval-steps": { type: "string" },
    "save-steps": { type: "string" },
    "save-total-limit": { type: "string" },
    "logging-steps": { type: "string" },
    engine: { type: "string" },
    resume: { type: "boolean" },
    "resume-from": { type: "string" },
    overwrite: { type: "boolean" },
    "report-to": { type: "string" },
    "run-name": { type: "string" },
    "logging-dir": { type: "string" },
  },
  async run(values) {
    if (typeof values.train !== "string" && typeof values.dataset !== "string") {
      throw new ArgumentError("--train", "is required: a .parquet, .csv, .json or .jsonl file (or --dataset ID)");
    }
    const saveSteps = integerOption(values, "save-steps");
    const evalSteps = integerOption(values, "eval-steps");
    const args = new SentenceTransformerTrainingArguments({
      outputDir: typeof values.output === "string" ? values.output : "models/embedtune-train",
      numTrainEpochs: numberOption(values, "epochs") ?? 1,
      maxSteps: integerOption(values, "max-steps") ?? -1,
      perDeviceTrainBatchSize: integerOption(values, "batch-size") ?? 16,
      perDeviceEvalBatchSize: integerOption(values, "batch-size") ?? 16,
      learningRate: numberOption(values, "learning-rate") ?? 2e-5,
      warmupRatio: numberOption(values, "warmup-ratio") ?? 0.1,
      weightDecay: numberOption(values, "weight-decay") ?? 0,
      seed: integerOption(values, "seed", 0) ?? 42,
      batchSampler: (values["batch-sampler"] as BatchSampler | undefined) ?? BatchSamplers.BATCH_SAMPLER,
      evalStrategy: evalSteps !== undefined && (typeof values.eval === "string" || typeof values.dataset === "string") ? "steps" : "no",
      evalSteps,
      saveStrategy: saveSteps !== undefined ? "steps" : "epoch",
      saveSteps: saveSteps ?? 500,
      saveTotalLimit: integerOption(values, "save-total-limit"),
      loggingSteps: integerOption(values, "logging-steps") ?? 100,
      engine: values.engine as EngineName | undefined,
      overwriteOutputDir: values.overwrite === true,
      reportTo: reportToOption(values),
      runName: typeof values["run-name"] === "string" ? values["run-name"] : undefined,
      loggingDir: typeof values["logging-dir"] === "string" ? values["logging-dir"] : undefined,
    });
    const folder = openOutputFolder(args.outputDir, "--output");
    try {
      if (args.loggingDir !== undefined && resolveReportTo(args.reportTo).length > 0) assertWritableFolder(args.loggingDir, "--logging-dir");
      await trainInto(values, args);
    } finally {
      folder.release();
    }
  },
};

/** The run itself; the kit is imported only now, so the lock above is taken within a moment of the start. */
async function trainInto(values: OptionValues, args: SentenceTransformerTrainingArguments): Promise<void> {
  const [{ loadRetrievalData, pickLoss, retrievalEvaluator, similarityEvaluator }, { SentenceTransformerTrainer }] = await Promise.all([
    import("../steps.ts"),
    import("../training/trainer.ts"),
  ]);
  const { train: trainDataset, eval: evalDataset, test: testDataset } = await readSplits(values);
  const irFolder = typeof values["ir-eval"] === "string" ? values["ir-eval"] : undefined;
  // Each evaluation with its title and the key of its "before → after" line.
  const evaluations: { evaluator: SentenceEvaluator; title: string; key: string }[] = [];
  if (testDataset) evaluations.push({ evaluator: similarityEvaluator(testDataset, "test"), title: "test metrics", key: "test_spearman_cosine" });
  if (irFolder !== undefined) {
    const evaluator = retrievalEvaluator(await loadRetrievalData(irFolder), basename(resolve(irFolder)));
    evaluations.push({ evaluator, title: "retrieval metrics", key: evaluator.primaryMetric });
  }
  const model = await loadModelOption(values);
  const loss = pickLoss(model, ((values.loss as string | undefined) ?? "CoSENTLoss") as LossName);
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: trainDataset!, evalDataset, loss });
  const before = await evaluateAll(evaluations, model);
  const resume = typeof values["resume-from"] === "string" ? values["resume-from"] : values.resume === true;
  const output = await trainer.train({ resumeFromCheckpoint: resume, resumeCommand: resumeCommandLine() });
  if (output.interrupted) {
    // The trainer printed where the checkpoint is and the command that resumes.
    model.dispose();
    process.exit(output.signal ? SIGNAL_EXIT_CODES[output.signal] : 130);
  }
  const after = await evaluateAll(evaluations, model);
  for (const [index, { evaluator, title, key }] of evaluations.entries()) {
    console.log(formatMetrics(after[index], `${title} after training:`));
    const label = evaluator.name && key.startsWith(`${evaluator.name}_`) ? `${evaluator.name} ${key.slice(evaluator.name.length + 1)}` : key;
    console.log(`${label}: ${before[index][key].toFixed(4)} before → ${after[index][key].toFixed(4)} after`);
  }
  const final = join(args.outputDir, "final");
  await trainer.saveModel(final);
  console.log(`trained ${output.globalStep} steps (loss ${output.trainingLoss.toFixed(4)}); saved the model to ${final}`);
  model.dispose();
  if (evaluations.length > 0) console.log(JSON.stringify({ before: Object.assign({}, ...before), after: Object.assign({}, ...after) }));
}

async function evaluateAll(evaluations: readonly { evaluator: SentenceEvaluator }[], model: EvaluationModel): Promise<Record<string, number>[]> {
  const results: Record<string, number>[] = [];
  for (const { evaluator } of evaluations) results.push(await evaluator.evaluate(model));
  return results;
}
