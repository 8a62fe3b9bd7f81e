// A training run's configuration: what decides its trajectory, so a checkpoint can say which run it
// belongs to. describeRun() summarises, readably, the training arguments that change the weights
// (TRAJECTORY_ARGUMENTS: not outputDir, the logging/eval/save cadence, reporting, fp16/bf16 or the
// engine), the train dataset (rows, columns, a sha256 of its content in order), the loss (name and
// config) and the starting model (a sha256 of its and the loss's weights before any checkpoint is
// loaded; sequence length, pooling, normalisation); its fingerprint is the sha256 of that summary.
// Every checkpoint holds it in `embedtune_run.json`, with `savedWeights` (the sha256 of the weights it
// saved), so a model still holding those weights (a run stopped in this process: the same trainer, or
// a notebook cell run again) is known to continue that run (continuesRun). trainer_state.json is left as
// Hugging Face writes it: TrainerState.load_from_json builds TrainerState(**json), failing on a new key.
// A checkpoint without the file (an older embedtune, Hugging Face's Trainer) has an unknown configuration.
// Beside the fingerprinted summary, `source` (not fingerprinted) records where the model came from and
// the loss as sentence-transformers builds it, for `embedtune export-script --run` (src/scaleout/).

import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Dataset } from "../data/dataset.ts";
import { EmbedtuneError } from "../errors.ts";
import type { Loss } from "../losses/loss.ts";
import type { SentenceTransformer } from "../models/sentence-transformer.ts";
import { describeLoss, type LossDescription } from "../scaleout/losses.ts";
import { loadedModelReference, type ModelReference } from "../scaleout/model-reference.ts";
import type { NamedParameter } from "./adamw.ts";
import type { SentenceTransformerTrainingArguments, TrainingArgumentsInit } from "./arguments.ts";

export const RUN_CONFIGURATION_FILE = "embedtune_run.json";

/**
 * Whether each training argument changes the weights a run goes through. Evaluation, logging and
 * saving only read them; fp16/bf16 compute in float32 whatever they say; the engine is where the run
 * computes (as Hugging Face's device), so a run may resume on the other one.
 */
export const TRAJECTORY_ARGUMENTS: Readonly<Record<keyof TrainingArgumentsInit, boolean>> = {
  outputDir: false,
  overwriteOutputDir: false,
  numTrainEpochs: true,
  maxSteps: true,
  perDeviceTrainBatchSize: true,
  perDeviceEvalBatchSize: false,
  learningRate: true,
  weightDecay: true,
  adamBeta1: true,
  adamBeta2: true,
  adamEpsilon: true,
  maxGradNorm: true,
  lrSchedulerType: true,
  warmupRatio: true,
  warmupSteps: true,
  gradientAccumulationSteps: true,
  evalStrategy: false,
  evalSteps: false,
  saveStrategy: false,
  saveSteps: false,
  saveTotalLimit: false,
  loggingStrategy: false,
  loggingSteps: false,
  loggingFirstStep: false,
  loadBestModelAtEnd: false,
  metricForBestModel: false,
  greaterIsBetter: false,
  seed: true,
  dataSeed: true,
  fp16: false,
  bf16: false,
  prompts: true,
  batchSampler: true,
  dataloaderDropLast: true,
  runName: false,
  reportTo: false,
  loggingDir: false,
  device: false,
  disableTqdm: false,
  engine: false,
};

export interface RunConfiguration {
  /** sha256 of the summary below, as JSON in this order (fingerprinted). */
  fingerprint: string;
  arguments: Record<string, unknown>;
  trainDataset: { rows: number; columns: string[]; sha256: string };
  loss: { name: string; config: Record<string, unknown> };
  model: { weights: number; maxSeqLength: number; pooling: Record<string, unknown>; normalize: boolean; sha256: string };
  /**
   * Not fingerprinted: where the model came from and the loss as sentence-transformers builds it, for
   * `embedtune export-script --run` (absent where the model was not loaded from a folder, or the loss
   * has no Python equivalent).
   */
  source?: RunSource;
}

export interface RunSource {
  model?: ModelReference;
  loss?: LossDescription;
}

/** What a checkpoint's embedtune_run.json holds: its run's configuration and the weights it saved. */
export interface CheckpointRun extends RunConfiguration {
  savedWeights?: string;
}

export function describeRun(parts: {
  args: SentenceTransformerTrainingArguments;
  trainDataset: Dataset;
  loss: Loss;
  model: SentenceTransformer;
  /** The weights training updates (the model's and the loss's), as they are before the first step. */
  weights: readonly NamedParameter[];
}): RunConfiguration {
  const { args, trainDataset, loss, model, weights } = parts;
  const summary = {
    arguments: Object.fromEntries(
      (Object.keys(TRAJECTORY_ARGUMENTS) as (keyof TrainingArgumentsInit)[])
        .filter((name) => TRAJECTORY_ARGUMENTS[name] && args[name] !== undefined)
        .sort()
        .map((name) => [name, args[name]]),
    ),
    trainDataset: { rows: trainDataset.numRows, columns: trainDataset.columnNames, sha256: datasetHash(trainDataset) },
    loss: { name: loss.name, config: loss.getConfigDict() },
    model: {
      weights: weights.reduce((sum, { tensor }) => sum + tensor.size, 0),
      maxSeqLength: model.maxSeqLength,
      pooling: model.pooling.toConfig(),
      normalize: model.normalize !== undefined,
      sha256: weightsHash(weights),
    },
  };
  const source: RunSource = { model: optional(() => loadedModelReference(model, "model")), loss: optional(() => describeLoss(loss)) };
  // JSON round trip: the summary as it reads back from the file (undefined config entries dropped).
  return fingerprinted(JSON.parse(JSON.stringify({ ...summary, source })) as Omit<RunConfiguration, "fingerprint">);
}

function optional<T>(describe: () => T): T | undefined {
  try {
    return describe();
  } catch (error) {
    if (error instanceof EmbedtuneError) return undefined;
    throw error;
  }
}

/** The fingerprint covers arguments, train data, loss and model; `source` rides along unfingerprinted. */
function fingerprinted(summary: Omit<RunConfiguration, "fingerprint">): RunConfiguration {
  const { arguments: args, trainDataset, loss, model, source } = summary;
  const ordered = { arguments: args, trainDataset, loss, model };
  return { fingerprint: sha256(JSON.stringify(ordered)), ...ordered, ...(source === undefined ? {} : { source }) };
}

/** `ours` as a run that started from the weights hashed `sha256`. */
export function withStartingWeights(ours: RunConfiguration, sha256: string): RunConfiguration {
  return fingerprinted({ ...ours, model: { ...ours.model, sha256 } });
}

/**
 * Whether a run of configuration `ours` continues the checkpoint's run: the model holds the weights
 * the checkpoint saved, and everything else is the same (its starting weights are then that run's).
 */
export function continuesRun(theirs: CheckpointRun, ours: RunConfiguration): boolean {
  return theirs.savedWeights === ours.model.sha256 && withStartingWeights(ours, theirs.model.sha256).fingerprint === theirs.fingerprint;
}

/** The dataset's column names and values, in order (the run record's trainDataset.sha256). */
export function datasetHash(dataset: Dataset): string {
  const hash = createHash("sha256");
  for (const name of dataset.columnNames) {
    hash.update(JSON.stringify(name));
    hash.update(JSON.stringify(dataset.column(name)));
  }
  return hash.digest("hex");
}

/** Each weight's name, shape and float32 bytes (bge-small's 33M weights: about half a second, mostly reading them out of tfjs). */
export function weightsHash(weights: readonly NamedParameter[]): string {
  const hash = createHash("sha256");
  for (const { name, tensor } of weights) {
    const values = tensor.dataSync() as Float32Array;
    hash.update(`${name}[${tensor.shape.join(",")}]`);
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest("hex");
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Written into each checkpoint folder (before it is moved into place). */
export function writeRunConfiguration(directory: string, run: CheckpointRun): void {
  writeFileSync(join(directory, RUN_CONFIGURATION_FILE), `${JSON.stringify(run, null, 2)}\n`);
}

/** The checkpoint's run configuration; undefined when it has no readable embedtune_run.json. */
export function readRunConfiguration(checkpoint: string): CheckpointRun | undefined {
  const path = join(checkpoint, RUN_CONFIGURATION_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const content = JSON.parse(readFileSync(path, "utf8")) as CheckpointRun;
    return typeof content.fingerprint === "string" ? content : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What differs from `theirs` (a checkpoint's) to `ours`, one phrase each: "numTrainEpochs 3 → 1",
 * "train data differs" ("train data 400 → 80 rows"), "starting weights differ", "loss scale 20 → 30".
 */
export function configurationDifferences(theirs: CheckpointRun, ours: RunConfiguration): string[] {
  if (theirs.fingerprint === ours.fingerprint) return [];
  const differences = [
    ...valueDifferences(theirs.arguments, ours.arguments, ""),
    ...(theirs.trainDataset?.sha256 === ours.trainDataset.sha256 ? [] : [changed("train data differs", "train data", theirs.trainDataset?.rows, ours.trainDataset.rows, "rows")]),
    ...(theirs.loss?.name === ours.loss.name ? valueDifferences(theirs.loss.config, ours.loss.config, "loss ") : [`loss ${theirs.loss?.name} → ${ours.loss.name}`]),
    ...(theirs.model?.sha256 === ours.model.sha256 ? [] : [startingWeights(theirs, ours)]),
    ...valueDifferences({ ...theirs.model, sha256: undefined, weights: undefined }, { ...ours.model, sha256: undefined, weights: undefined }, ""),
  ];
  return differences.length > 0 ? differences : ["the configuration differs"];
}

function valueDifferences(theirs: Record<string, unknown> | undefined, ours: Record<string, unknown>, prefix: string): string[] {
  const names = [...new Set([...Object.keys(theirs ?? {}), ...Object.keys(ours)])].sort();
  return names
    .filter((name) => JSON.stringify(theirs?.[name]) !== JSON.stringify(ours[name]))
    .map((name) => `${prefix}${name} ${shown(theirs?.[name])} → ${shown(ours[name])}`);
}

function shown(value: unknown): string {
  return value === undefined ? "unset" : JSON.stringify(value);
}

function startingWeights(theirs: CheckpointRun, ours: RunConfiguration): string {
  if (theirs.savedWeights === ours.model.sha256) return "starting weights differ: the model holds this checkpoint's trained weights";
  return changed("starting weights differ", "starting model", theirs.model?.weights, ours.model.weights, "weights");
}

/** "train data 400 → 80 rows" when the counts differ, else `differs` ("train data differs"). */
function changed(differs: string, what: string, before: number | undefined, after: number, unit: string): string {
  return before === undefined || before === after ? differs : `${what} ${before} → ${after} ${unit}`;
}
