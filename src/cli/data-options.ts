// Data files named by CLI options: the format comes from the extension (.parquet, .csv, .json, .jsonl),
// anything else is a one-line ArgumentError naming the option; reading imports the data kit only then.

import type { Dataset } from "../data/dataset.ts";
import type { DataFormat } from "../data/load-dataset.ts";
import { ArgumentError } from "../errors.ts";

/** The format of a data file from its extension; `argument` (e.g. "--train") names it in errors. */
export function dataFormatOf(path: string, argument: string): DataFormat {
  const extension = /\.(parquet|csv|jsonl|json)$/i.exec(path)?.[1];
  if (!extension) throw new ArgumentError(argument, `${path}: cannot tell the format (use .parquet, .csv, .json or .jsonl)`);
  return extension.toLowerCase() as DataFormat;
}

/**
 * The data file `path` (or a pattern such as `train-*.parquet`, whose files are concatenated) as one
 * Dataset; every failure is a one-line DataLoadError naming the file.
 */
export async function readDataOption(path: string, argument: string): Promise<Dataset> {
  const format = dataFormatOf(path, argument);
  const { loadDataset } = await import("../data/load-dataset.ts");
  return loadDataset(format, { dataFiles: path, split: "train" });
}
