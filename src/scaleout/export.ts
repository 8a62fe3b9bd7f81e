// Writes an embedtune run as a sentence-transformers training folder: train.py (script.ts),
// requirements.txt and README.md (launch.ts), data/train.parquet and data/eval.parquet (the run's
// datasets, integers as INT64 as Hugging Face's to_parquet writes them) and data/evaluator-<i>.json
// (the evaluators' inputs). exportTrainingScript(trainer, dir) is trainer.exportScript(dir).
// The folder is written as io/output-folder.ts writes models (staged, then moved in file by file; a
// failure changes nothing). Into an existing folder only when it is empty or holds an earlier export;
// a folder with other files needs `overwrite` (then only the export's own files are replaced).

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { datasetFileFormat, writeDatasetTo } from "../cli/dataset-output.ts";
import type { Dataset } from "../data/dataset.ts";
import { EmbedtuneError } from "../errors.ts";
import { atomicFileOutput } from "../io/byte-outputs.ts";
import { writeModelFolder } from "../io/output-folder.ts";
import type { SentenceTransformerTrainer } from "../training/trainer.ts";
import { describeEvaluators } from "./evaluators.ts";
import { requirementsText, launchReadme } from "./launch.ts";
import { describeLoss, type LossDescription } from "./losses.ts";
import { loadedModelReference } from "./model-reference.ts";
import { EVAL_DATA_FILE, evaluatorInputsFile, TRAIN_DATA_FILE, trainingScript, type RunDescription } from "./script.ts";

/** What of a trainer the export reads. */
export type ExportableTrainer = Pick<SentenceTransformerTrainer, "model" | "args" | "trainDataset" | "evalDataset" | "loss" | "evaluator">;

export interface ExportOptions {
  /** Write into a non-empty folder that holds no earlier export (its files of the same names are replaced). */
  overwrite?: boolean;
  /** How a refusal names the switch: "--overwrite" in the CLI; default "overwrite: true". */
  argument?: string;
  /** Comment lines for the top of train.py (what the export could not carry). */
  notes?: readonly string[];
}

/** The files an export wrote, relative to its folder. */
export interface ExportResult {
  folder: string;
  files: string[];
}

/** The first line of every train.py embedtune writes: an earlier export is recognised by it. */
const SCRIPT_MARK = "# Written by embedtune ";

export class ExportFolderNotEmptyError extends EmbedtuneError {
  constructor(folder: string, entries: string[], argument: string) {
    const shown = entries.slice(0, 3).join(", ") + (entries.length > 3 ? ", …" : "");
    super(
      `${folder}: folder is not empty and holds no exported script (${shown}); choose a new or empty folder, or pass ${argument} ` +
        "to write train.py, requirements.txt, README.md and data/ beside what is there (files of those names are replaced)",
    );
  }
}

/** trainer.exportScript(dir): the trainer's run as a sentence-transformers script folder. */
export async function exportTrainingScript(trainer: ExportableTrainer, directory: string, options: ExportOptions = {}): Promise<ExportResult> {
  return writeScriptFolder(describeTrainerRun(trainer), directory, options);
}

/** The trainer's model (where it was loaded from), arguments, data, loss and evaluators. */
export function describeTrainerRun(trainer: ExportableTrainer): RunDescription {
  return {
    model: loadedModelReference(trainer.model, "model"),
    maxSeqLength: trainer.model.maxSeqLength,
    arguments: trainer.args,
    loss: describeLoss(trainer.loss),
    trainDataset: trainer.trainDataset,
    evalDataset: trainer.evalDataset,
    evaluators: describeEvaluators(trainer.evaluator),
  };
}

/** Refuses a non-empty folder that is not an earlier export, unless `overwrite`; before any work. */
export function checkExportFolder(directory: string, options: ExportOptions = {}): void {
  const absolute = resolve(directory);
  if (!existsSync(absolute) || options.overwrite || !statSync(absolute).isDirectory()) return; // a file in the way: writeModelFolder says so
  const entries = readdirSync(absolute).filter((entry) => !entry.startsWith(".")).sort();
  if (entries.length === 0 || isEarlierExport(absolute)) return;
  throw new ExportFolderNotEmptyError(absolute, entries, options.argument ?? "overwrite: true");
}

function isEarlierExport(directory: string): boolean {
  try {
    return readFileSync(join(directory, "train.py"), "utf8").startsWith(SCRIPT_MARK);
  } catch {
    return false;
  }
}

/** ["MatryoshkaLoss", "MultipleNegativesRankingLoss"]: a loss and those it wraps. */
function lossChain(loss: LossDescription): string[] {
  return [loss.name, ...(loss.inner ? lossChain(loss.inner) : [])];
}

/** Writes the folder for `run`. */
export async function writeScriptFolder(run: RunDescription, directory: string, options: ExportOptions = {}): Promise<ExportResult> {
  checkExportFolder(directory, options);
  const script = trainingScript(run, options.notes);
  const files: string[] = [];
  await writeModelFolder(
    directory,
    async (staging) => {
      mkdirSync(join(staging, "data"));
      const writeDataset = async (file: string, dataset: Dataset) => {
        await writeDatasetTo(await atomicFileOutput(join(staging, file), file), dataset, datasetFileFormat(file, file));
        files.push(file);
      };
      await writeDataset(TRAIN_DATA_FILE, run.trainDataset);
      if (run.evalDataset) await writeDataset(EVAL_DATA_FILE, run.evalDataset);
      run.evaluators.forEach((evaluator, index) => {
        writeFileSync(join(staging, evaluatorInputsFile(index)), `${JSON.stringify(evaluator.inputs)}\n`);
        files.push(evaluatorInputsFile(index));
      });
      const text: [string, string][] = [
        ["train.py", script],
        ["requirements.txt", requirementsText()],
        [
          "README.md",
          launchReadme({
            model: run.model,
            args: run.arguments,
            trainRows: run.trainDataset.numRows,
            evalRows: run.evalDataset?.numRows,
            lossNames: lossChain(run.loss),
            evaluatorNames: run.evaluators.map(({ name }) => name),
          }),
        ],
      ];
      for (const [file, content] of text) {
        writeFileSync(join(staging, file), content);
        files.push(file);
      }
    },
    { overwrite: true, what: "the training script" },
  );
  return { folder: resolve(directory), files: files.sort() };
}
