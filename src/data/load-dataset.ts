// Hugging Face `load_dataset(path, name=None, data_files=…, split=…, revision=…)`.
// - A builder name ("parquet", "csv", "json", "jsonl") reads local data files: a path, pattern or list becomes
//   the "train" split; an object maps split names to them; a split's files (patterns expanded, sorted) are
//   concatenated and must have the same columns.
// - A local dataset folder, or else a Hub dataset id ("org/name"), is resolved as `datasets` does (the card's
//   `configs:`, else the folder/file-name convention: dataset-configs.ts); a Hub dataset's chosen files are
//   downloaded into Hugging Face's cache first (hub-dataset.ts). A builder name wins over a folder of that name,
//   a folder over an id.
// With `split`, only that split is read (and downloaded) and returned as a Dataset; else a DatasetDict.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { DataFrame } from "danfojs-node";
import { ArgumentError } from "../errors.ts";
import { parseCsv } from "./csv.ts";
import { formatOfFile, resolveDatasetConfig, splitFilesOf, type ResolvedConfig } from "./dataset-configs.ts";
import { concatenateDatasets, listNames, sameNames, type Dataset } from "./dataset.ts";
import { DatasetDict } from "./dataset-dict.ts";
import { DataLoadError } from "./errors.ts";
import { expandPattern } from "./glob.ts";
import { loadHubDatasetFiles, type HubDatasetOptions } from "./hub-dataset.ts";
import { parseJson, parseJsonLines } from "./json.ts";
import { readDataFile, readParquetFile } from "./parquet.ts";

export const DATA_FORMATS = ["parquet", "csv", "json", "jsonl"] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/** The builders of datasets' packaged_modules that embedtune does not read: names, not folders or Hub ids. */
const OTHER_DATASETS_BUILDERS: readonly string[] = [
  "pandas", "arrow", "text", "conll", "imagefolder", "audiofolder", "videofolder", "meshfolder", "pdffolder", "niftifolder",
  "webdataset", "xml", "eval", "lance", "tsfile", "iceberg",
];

/** Paths or patterns (`*`, `?` in the file name): one, a list, or { split: one or a list }. */
export type DataFiles = string | readonly string[] | Readonly<Record<string, string | readonly string[]>>;

export interface LoadDatasetOptions {
  dataFiles: DataFiles;
  /** Return only this split (a Dataset) instead of every split (a DatasetDict). */
  split?: string;
}

/** Options for a dataset folder or Hub id (datasets' `load_dataset` keyword arguments, camelCase). */
export interface DatasetSourceOptions extends HubDatasetOptions {
  /** Return only this split (a Dataset), reading and downloading only its files. */
  split?: string;
  /** Replaces the config's files: patterns relative to the folder or repo (`*`, `?`, `[…]`, `**`), or to dataDir. */
  dataFiles?: DataFiles;
  /** A folder of the dataset: without dataFiles, its files (by the split-name convention) replace the config's. */
  dataDir?: string;
}

type SplitOption<Options> = Options & { split: string };
type NoSplitOption<Options> = Options & { split?: undefined };

export function loadDataset(format: DataFormat, options: SplitOption<LoadDatasetOptions>): Promise<Dataset>;
export function loadDataset(format: DataFormat, options: NoSplitOption<LoadDatasetOptions>): Promise<DatasetDict>;
export function loadDataset(format: DataFormat, options: LoadDatasetOptions): Promise<DatasetDict | Dataset>;
export function loadDataset(path: string, configName: string | undefined, options: SplitOption<DatasetSourceOptions>): Promise<Dataset>;
export function loadDataset(path: string, options: SplitOption<DatasetSourceOptions>): Promise<Dataset>;
export function loadDataset(path: string, configName?: string, options?: NoSplitOption<DatasetSourceOptions>): Promise<DatasetDict>;
export function loadDataset(path: string, options?: NoSplitOption<DatasetSourceOptions>): Promise<DatasetDict>;
export function loadDataset(path: string, configName?: string, options?: DatasetSourceOptions): Promise<DatasetDict | Dataset>;
export function loadDataset(path: string, options?: DatasetSourceOptions): Promise<DatasetDict | Dataset>;
export async function loadDataset(
  path: string,
  configOrOptions?: string | DatasetSourceOptions,
  maybeOptions?: DatasetSourceOptions,
): Promise<DatasetDict | Dataset> {
  if (typeof path !== "string" || path === "") throw new ArgumentError("path", "must be a data format (parquet, csv, json, jsonl), a dataset folder or a Hub dataset id");
  if (configOrOptions !== undefined && typeof configOrOptions !== "string" && (typeof configOrOptions !== "object" || configOrOptions === null)) {
    throw new ArgumentError("configName", `must be a config name (a string), got ${typeof configOrOptions}`);
  }
  const configName = typeof configOrOptions === "string" ? configOrOptions : undefined;
  const options = (typeof configOrOptions === "object" ? configOrOptions : maybeOptions) ?? {};
  if ((DATA_FORMATS as readonly string[]).includes(path)) {
    if (options.dataFiles === undefined) {
      throw new ArgumentError("dataFiles", `Please specify the data files to load for the ${path} dataset builder, e.g. { dataFiles: { train: "path/to/data/train/*.${path}" } }`);
    }
    return loadDataFiles(path as DataFormat, { dataFiles: options.dataFiles, split: options.split });
  }
  if (OTHER_DATASETS_BUILDERS.includes(path)) throw new ArgumentError("format", `"${path}" is not one of ${DATA_FORMATS.join(", ")}`);
  if (existsSync(path) && statSync(path).isDirectory()) return loadDatasetFolder(path, configName, options);
  if (existsSync(path)) throw new ArgumentError("path", `${path} is a file, not a dataset folder: load it with loadDataset("${DATA_FORMATS.find((format) => path.endsWith(`.${format}`)) ?? "parquet"}", { dataFiles: "${path}" })`);
  const hubFiles = await loadHubDatasetFiles(path, { configName, dataFiles: options.dataFiles, dataDir: options.dataDir, split: options.split }, options);
  return readResolvedConfig(hubFiles.config, hubFiles.localPaths, options.split);
}

async function loadDataFiles(format: DataFormat, options: LoadDatasetOptions): Promise<DatasetDict | Dataset> {
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

/** LocalDatasetModuleFactory: a folder's files and README.md resolved like a Hub repo's, read in place. */
async function loadDatasetFolder(folder: string, configName: string | undefined, options: DatasetSourceOptions): Promise<DatasetDict | Dataset> {
  const script = `${basename(folder.replace(/[\\/]+$/, ""))}.py`;
  if (existsSync(join(folder, script))) throw new DataLoadError(join(folder, script), `Dataset scripts are no longer supported, but found ${script} (as in datasets 4): keep the data files only`);
  const readIfPresent = (name: string) => (existsSync(join(folder, name)) ? readFileSync(join(folder, name), "utf8") : undefined);
  const config = resolveDatasetConfig(
    { source: folder, files: listFolder(folder), readme: readIfPresent("README.md"), standaloneYaml: readIfPresent(".huggingface.yaml") },
    { configName, dataFiles: options.dataFiles, dataDir: options.dataDir },
  );
  const localPaths = new Map([...config.splits.values()].flat().map((file) => [file, join(folder, file)]));
  return readResolvedConfig(config, localPaths, options.split);
}

/** The chosen split (or every split) of a resolved config, from the local copies of its files. */
async function readResolvedConfig(config: ResolvedConfig, localPaths: ReadonlyMap<string, string>, split: string | undefined): Promise<DatasetDict | Dataset> {
  const readSplitFiles = (files: readonly string[]) => readSplit(files.map((file) => ({ format: formatOfFile(file), path: localPaths.get(file)! })));
  if (split !== undefined) return readSplitFiles(splitFilesOf(config, split));
  const loaded: [string, Dataset][] = [];
  for (const [name, files] of config.splits) loaded.push([name, await readSplitFiles(files)]);
  return new DatasetDict(loaded);
}

/** Every file under a folder, as POSIX paths relative to it (symlinks followed; .git skipped). */
function listFolder(root: string): string[] {
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.name === ".git") continue;
      const isFolder = entry.isDirectory() || (entry.isSymbolicLink() && statSync(join(root, path), { throwIfNoEntry: false })?.isDirectory());
      if (isFolder) walk(path);
      else files.push(path);
    }
  };
  walk("");
  return files.sort();
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
  return readSplit(patterns.flatMap((pattern) => expandPattern(pattern)).map((path) => ({ format, path })));
}

/** A split's files read and concatenated in order; they must have the same columns. */
async function readSplit(files: readonly { format: DataFormat; path: string }[]): Promise<Dataset> {
  const parts: Dataset[] = [];
  for (const file of files) {
    const part = await loadDataFile(file.format, file.path);
    if (parts.length > 0 && !sameNames(part.columnNames, parts[0].columnNames)) {
      throw new DataLoadError(file.path, `has columns [${listNames(part.columnNames)}] but ${files[0].path} in the same split has [${listNames(parts[0].columnNames)}]`);
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
