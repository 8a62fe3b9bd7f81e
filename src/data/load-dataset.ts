// Hugging Face `load_dataset(format, data_files=…, split=…)` for local files: a path, pattern or list
// becomes the "train" split; an object maps split names to them; a split's files (patterns expanded,
// sorted) are concatenated and must have the same columns. With `split`, only that split is read and returned.
import type { DataFrame } from "danfojs-node";
import { ArgumentError } from "../errors.ts";
import { parseCsv } from "./csv.ts";
import { concatenateDatasets, listNames, sameNames, type Dataset } from "./dataset.ts";
import { DatasetDict } from "./dataset-dict.ts";
import { DataLoadError } from "./errors.ts";
import { expandPattern } from "./glob.ts";
import { parseJson, parseJsonLines } from "./json.ts";
import { readDataFile, readParquetFile } from "./parquet.ts";

export const DATA_FORMATS = ["parquet", "csv", "json", "jsonl"] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/** Paths or patterns (`*`, `?` in the file name): one, a list, or { split: one or a list }. */
export type DataFiles = string | readonly string[] | Readonly<Record<string, string | readonly string[]>>;

export interface LoadDatasetOptions {
  dataFiles: DataFiles;
  /** Return only this split (a Dataset) instead of every split (a DatasetDict). */
  split?: string;
}

export function loadDataset(format: DataFormat, options: LoadDatasetOptions & { split: string }): Promise<Dataset>;
export function loadDataset(format: DataFormat, options: LoadDatasetOptions & { split?: undefined }): Promise<DatasetDict>;
export function loadDataset(format: DataFormat, options: LoadDatasetOptions): Promise<DatasetDict | Dataset>;
export async function loadDataset(format: DataFormat, options: LoadDatasetOptions): Promise<DatasetDict | Dataset> {
  if (!DATA_FORMATS.includes(format)) throw new ArgumentError("format", `"${format}" is not one of ${DATA_FORMATS.join(", ")}`);
  const splits = splitPatterns(options.dataFiles);
  if (options.split !== undefined) {
    const patterns = splits.get(options.split);
    if (!patterns) throw new ArgumentError(`split "${options.split}"`, `no such split in dataFiles (splits: ${[...splits.keys()].join(", ")})`);
    return loadSplit(format, patterns);
  }
  const loaded: [string, Dataset][] = [];
  for (const [name, patterns] of splits) loaded.push([name, await loadSplit(format, patterns)]);
  return new DatasetDict(loaded);
}

/** One data file as a Dataset (the format from the options, not from the extension). */
export async function loadDataFile(format: DataFormat, path: string): Promise<Dataset> {
  if (format === "parquet") return readParquetFile(path);
  const text = readDataFile(path).toString("utf8");
  if (format === "csv") return parseCsv(text, path);
  if (format === "jsonl") return parseJsonLines(text, path);
  return parseJson(text, path);
}

/** A parquet file as a danfo DataFrame, for exploration: print(), head(), describe(). Imports danfo (~2.5 s). */
export async function readParquet(path: string): Promise<DataFrame> {
  return (await readParquetFile(path)).toDataFrame();
}

/** The tutorial's step-function name for readParquet. */
export const loadParquet = readParquet;

async function loadSplit(format: DataFormat, patterns: readonly string[]): Promise<Dataset> {
  const files = patterns.flatMap((pattern) => expandPattern(pattern));
  const parts: Dataset[] = [];
  for (const file of files) {
    const part = await loadDataFile(format, file);
    if (parts.length > 0 && !sameNames(part.columnNames, parts[0].columnNames)) {
      throw new DataLoadError(file, `has columns [${listNames(part.columnNames)}] but ${files[0]} in the same split has [${listNames(parts[0].columnNames)}]`);
    }
    parts.push(part);
  }
  return parts.length === 1 ? parts[0] : concatenateDatasets(parts);
}

function splitPatterns(dataFiles: DataFiles): Map<string, readonly string[]> {
  const asList = (value: unknown, argument: string): readonly string[] => {
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === "string" && item !== "")) {
      throw new ArgumentError(argument, "must be a non-empty path or pattern, or a non-empty list of them");
    }
    return list;
  };
  if (typeof dataFiles === "string" || Array.isArray(dataFiles)) return new Map([["train", asList(dataFiles, "dataFiles")]]);
  if (typeof dataFiles !== "object" || dataFiles === null) throw new ArgumentError("dataFiles", "must be a path, a list of paths or { split: paths }");
  const entries = Object.entries(dataFiles as Record<string, unknown>);
  if (entries.length === 0) throw new ArgumentError("dataFiles", "names no split");
  return new Map(entries.map(([split, value]) => [split, asList(value, `dataFiles.${split}`)]));
}
