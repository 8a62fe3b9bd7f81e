// `embedtune mine`: sentence-transformers' mine_hard_negatives from the command line. Reads (anchor,
// positive) pairs — the first two columns of --pairs, as ST takes them — and optionally a separate
// --corpus of candidate texts (a .txt file, one text per line, or a data file's "text" column, e.g. a
// BEIR corpus.parquet), embeds them with --model, and writes the mined dataset to --out (.parquet,
// .jsonl or .csv by extension). The main mining options are flags with ST's defaults (num_negatives 3,
// range_min 0, sampling_strategy top, output_format triplet; --seed for "random", --output-scores adds the
// model's scores); the summary table goes to stdout, progress bars to stderr.
// Before any model loads: the options are parsed, an existing --out is refused unless --overwrite
// (a user's file is never replaced by accident), --out's folder must be writable, and the pairs file
// must have two text columns first (else one line naming the file and its columns).

import { existsSync, readFileSync } from "node:fs";
import type { Dataset } from "../data/dataset.ts";
import { DataLoadError } from "../data/errors.ts";
import { ArgumentError } from "../errors.ts";
import { atomicFileOutput } from "../io/byte-outputs.ts";
import { isErrnoError } from "../io/file-system-errors.ts";
import type { MineHardNegativesOptions } from "../mining/hard-negatives.ts";
import type { SentenceTransformer } from "../models/sentence-transformer.ts";
import { readDataOption } from "./data-options.ts";
import { datasetFileFormat, writeDatasetTo } from "./dataset-output.ts";
import type { Command } from "./main.ts";
import { integerOption, loadModelOption, type OptionValues, MODEL_OPTIONS, MODEL_USAGE } from "./options.ts";

const SAMPLING_STRATEGIES = ["top", "random"] as const;
const OUTPUT_FORMATS = ["triplet", "n-tuple", "n-tuple-scores", "labeled-pair", "labeled-list"] as const;

export const mineCommand: Command = {
  summary: "add hard negatives to (anchor, positive) pairs with a model (sentence-transformers' mine_hard_negatives)",
  usage:
    `embedtune mine ${MODEL_USAGE} --pairs FILE [--corpus FILE] --out FILE.parquet|.jsonl|.csv [--overwrite] [--num-negatives 3] ` +
    "[--range-min 0] [--range-max N] [--max-score X] [--min-score X] [--absolute-margin X] [--relative-margin X] " +
    "[--sampling-strategy top|random] [--seed 42] [--output-format triplet|n-tuple|n-tuple-scores|labeled-pair|labeled-list] [--output-scores] [--batch-size 32]",
  options: {
    ...MODEL_OPTIONS,
    pairs: { type: "string" },
    corpus: { type: "string" },
    out: { type: "string" },
    overwrite: { type: "boolean" },
    "num-negatives": { type: "string" },
    "range-min": { type: "string" },
    "range-max": { type: "string" },
    "max-score": { type: "string" },
    "min-score": { type: "string" },
    "absolute-margin": { type: "string" },
    "relative-margin": { type: "string" },
    "sampling-strategy": { type: "string" },
    seed: { type: "string" },
    "output-format": { type: "string" },
    "output-scores": { type: "boolean" },
    "batch-size": { type: "string" },
  },
  async run(values) {
    if (typeof values.pairs !== "string") throw new ArgumentError("--pairs", "is required: a data file (.parquet, .csv, .json, .jsonl) of (anchor, positive) pairs");
    if (typeof values.out !== "string") throw new ArgumentError("--out", "is required: the file to write (.parquet, .jsonl or .csv)");
    const outPath = values.out;
    const format = datasetFileFormat(outPath, "--out");
    const options = miningOptions(values);
    if (existsSync(outPath) && values.overwrite !== true) throw new ArgumentError("--out", `${outPath} exists; give --overwrite to replace it`);
    const pairs = await readPairs(values.pairs);
    const corpus = typeof values.corpus === "string" ? await readCorpus(values.corpus) : undefined;
    // Created now (a folder that cannot be written fails before the model loads); renamed into place at the end.
    const output = await atomicFileOutput(outPath, "the mined dataset");
    let model: SentenceTransformer | undefined;
    try {
      model = await loadModelOption(values);
      const { mineHardNegatives } = await import("../mining/hard-negatives.ts");
      const mined = await mineHardNegatives(pairs, model, { ...options, ...(corpus ? { corpus } : {}) });
      await writeDatasetTo(output, mined, format);
      console.log(`wrote ${mined.numRows} rows (${mined.columnNames.join(", ")}) to ${outPath}`);
    } catch (error) {
      await output.discard();
      throw error;
    } finally {
      model?.dispose();
    }
  },
};

function numberOption(values: OptionValues, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw === "" || !Number.isFinite(value)) throw new ArgumentError(`--${name}`, `must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[]): T | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!choices.includes(raw as T)) throw new ArgumentError(`--${name}`, `must be one of ${choices.join(", ")}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

/** The mining flags as mineHardNegatives' options (only those given; ST's defaults otherwise). */
export function miningOptions(values: OptionValues): MineHardNegativesOptions {
  const options: Record<string, unknown> = {
    numNegatives: integerOption(values, "num-negatives"),
    rangeMin: integerOption(values, "range-min", 0),
    rangeMax: integerOption(values, "range-max"),
    maxScore: numberOption(values, "max-score"),
    minScore: numberOption(values, "min-score"),
    absoluteMargin: numberOption(values, "absolute-margin"),
    relativeMargin: numberOption(values, "relative-margin"),
    samplingStrategy: choiceOption(values, "sampling-strategy", SAMPLING_STRATEGIES),
    seed: integerOption(values, "seed", 0),
    outputFormat: choiceOption(values, "output-format", OUTPUT_FORMATS),
    outputScores: values["output-scores"] === true ? true : undefined,
    batchSize: integerOption(values, "batch-size"),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as MineHardNegativesOptions;
}

/** The pairs file; its first two columns must hold text (ST mines with columns[0] and columns[1]). */
export async function readPairs(path: string): Promise<Dataset> {
  const dataset = await readDataOption(path, "--pairs");
  const [anchor, positive] = dataset.columnNames;
  const columns = `[${dataset.columnNames.join(", ")}]`;
  if (positive === undefined) throw new DataLoadError(path, `has columns ${columns}; mining needs two text columns (anchor, positive) first`);
  for (const name of [anchor, positive]) {
    const row = dataset.column(name).findIndex((value) => typeof value !== "string");
    if (row >= 0) {
      throw new DataLoadError(path, `has columns ${columns}; mining needs two text columns (anchor, positive) first, but column "${name}" row ${row} is not text`);
    }
  }
  if (dataset.numRows === 0) throw new DataLoadError(path, "holds no pairs");
  return dataset;
}

/** Candidate texts: a .txt file (one per non-empty line) or a data file's "text" column (or its only column). */
export async function readCorpus(path: string): Promise<string[]> {
  if (/\.txt$/i.test(path)) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new DataLoadError(path, isErrnoError(error) && error.code === "ENOENT" ? "no such file" : `cannot be read (${(error as Error).message.split("\n")[0]})`);
    }
    const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
    if (lines.length === 0) throw new DataLoadError(path, "holds no texts");
    return lines;
  }
  const dataset = await readDataOption(path, "--corpus");
  const name = dataset.hasColumn("text") ? "text" : dataset.columnNames.length === 1 ? dataset.columnNames[0] : undefined;
  if (name === undefined) {
    throw new DataLoadError(path, `has columns [${dataset.columnNames.join(", ")}]; a corpus file needs a "text" column (or a single column), or use a .txt file with one text per line`);
  }
  const values = dataset.column(name);
  const row = values.findIndex((value) => typeof value !== "string");
  if (row >= 0) throw new DataLoadError(path, `column "${name}" row ${row} is not text`);
  if (values.length === 0) throw new DataLoadError(path, "holds no texts");
  return values as string[];
}
