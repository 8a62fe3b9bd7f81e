// `embedtune export-script --run DIR`: a run read back from its output folder — the latest checkpoint's
// training_args.json (every argument) and embedtune_run.json (the loss, the model it started from, the
// model's max_seq_length, and a hash of the training data). A run folder holds no data: the training
// data comes from `--train FILE`, which must hash as the run's did (and `--eval FILE`, unchecked); the
// evaluator is not recorded either. What is missing is one ArgumentError line pointing to --args.

import { join } from "node:path";
import { readDataOption } from "../cli/data-options.ts";
import { ArgumentError } from "../errors.ts";
import { readJsonFile } from "../io/model-folder.ts";
import { SentenceTransformerTrainingArguments, type TrainingArgumentsInit } from "../training/arguments.ts";
import { listCheckpoints } from "../training/checkpoint.ts";
import { datasetHash, readRunConfiguration, RUN_CONFIGURATION_FILE } from "../training/run-configuration.ts";
import { PYTHON_TRAINING_ARGUMENTS } from "./argument-names.ts";
import { PYTHON_LOSSES } from "./losses.ts";
import type { RunDescription } from "./script.ts";

export interface RunFolderOptions {
  /** The run's training data file (checked against the run's hash). */
  train?: string;
  /** Its evaluation data file. */
  eval?: string;
}

/** The run of `directory` (its latest checkpoint), with the data files given; notes say what is not exported. */
export async function readRunFolder(directory: string, options: RunFolderOptions = {}): Promise<{ run: RunDescription; notes: string[] }> {
  const checkpoint = listCheckpoints(directory).at(-1);
  if (checkpoint === undefined) throw new ArgumentError("--run", `${directory} holds no checkpoint-*/ folder with trainer_state.json: not an embedtune run's output folder (or it saved none); use --args FILE`);
  const record = readRunConfiguration(checkpoint);
  if (record === undefined) throw new ArgumentError("--run", `${join(checkpoint, RUN_CONFIGURATION_FILE)} is missing or unreadable (a run of another trainer or an older embedtune); use --args FILE`);
  const model = record.source?.model;
  if (model === undefined) throw new ArgumentError("--run", `${join(checkpoint, RUN_CONFIGURATION_FILE)} does not say which model the run started from (recorded since embedtune's export-script, for models loaded from a folder); use --args FILE`);
  const loss = record.source?.loss ?? (PYTHON_LOSSES.has(record.loss.name) && !["MatryoshkaLoss", "SoftmaxLoss", "GISTEmbedLoss", "CachedGISTEmbedLoss"].includes(record.loss.name) ? record.loss : undefined);
  if (loss === undefined) throw new ArgumentError("--run", `${join(checkpoint, RUN_CONFIGURATION_FILE)} does not record ${record.loss.name}'s parameters as sentence-transformers needs them; use --args FILE`);
  const saved = readJsonFile(join(checkpoint, "training_args.json")) as Record<string, unknown>;
  const init = Object.fromEntries(Object.entries(saved).filter(([name, value]) => name in PYTHON_TRAINING_ARGUMENTS && value !== null));
  const args = new SentenceTransformerTrainingArguments(init as unknown as TrainingArgumentsInit);

  if (options.train === undefined) {
    throw new ArgumentError("--run", `a run folder records only a hash of its training data (${record.trainDataset.rows} rows, columns ${record.trainDataset.columns.join(", ")}), not the data: pass --train FILE (checked against that hash) or use --args FILE`);
  }
  const trainDataset = await readDataOption(options.train, "--train");
  if (datasetHash(trainDataset) !== record.trainDataset.sha256) {
    throw new ArgumentError("--train", `${options.train} is not the data the run trained on (${trainDataset.numRows} rows, columns ${trainDataset.columnNames.join(", ")}; the run: ${record.trainDataset.rows} rows, columns ${record.trainDataset.columns.join(", ")}, or the same shape with other values)`);
  }
  const evalDataset = options.eval === undefined ? undefined : await readDataOption(options.eval, "--eval");
  return {
    run: { model, maxSeqLength: record.model.maxSeqLength, arguments: args, loss, trainDataset, evalDataset, evaluators: [] },
    notes: [`exported from ${checkpoint}: a run folder does not record the run's evaluator, so the script has none (add one with --args)`],
  };
}
