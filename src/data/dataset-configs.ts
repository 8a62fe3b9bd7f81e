// How Hugging Face `datasets` turns a dataset folder or Hub repo (its file list, README.md and
// .huggingface.yaml) into one config's { split → data files } (load.py's module factories, utils/metadata.py's
// MetadataConfigs, data_files.py): the card's YAML `configs:` (data_files as a string, a list, or a list of
// {split, path}; data_dir; `default: true`), else the folder/file-name convention (data/{split}-NNNNN-of-NNNNN*.*,
// then split keywords in folder names, then in file names, else everything is "train") as the one config
// "default". The caller's data_files / data_dir replace the config's files. Patterns are fsspec globs (`*`, `?`,
// `[…]` inside one path segment, `**` a whole segment that crosses folders); hidden files and `__*` folders are
// skipped unless the pattern names them, README.md and datasets' metadata files are never data. The builder comes
// from the files' extensions as datasets infers it. Pure: repo-relative POSIX paths in, paths out.
import { parse as parseYaml } from "yaml";
import { ArgumentError } from "../errors.ts";
import { DataLoadError, oneLine } from "./errors.ts";
import type { DataFiles, DataFormat } from "./load-dataset.ts";

/** One entry of the card's `configs:` list. */
export interface CardConfig {
  name: string;
  /** As written in the YAML (a string, a list, or a list of {split, path}); absent → the convention. */
  dataFiles?: unknown;
  /** A folder of the repo the config's patterns are relative to. */
  dataDir?: string;
  isDefault: boolean;
}

/** A config resolved to files: each split's repo-relative paths, and the builder that reads them. */
export interface ResolvedConfig {
  name: string;
  /** Split name → repo-relative paths (sorted within each pattern, in pattern order). */
  splits: Map<string, string[]>;
  /** datasets' builder: "parquet", "csv" or "json" (.json, .jsonl and .ndjson files). */
  builder: DatasetBuilder;
}

export type DatasetBuilder = "parquet" | "csv" | "json";

/** What a dataset offers: the paths of all its files, relative to its root, and its README.md text. */
export interface DatasetListing {
  /** Names the dataset in messages: the Hub id or the folder. */
  source: string;
  files: readonly string[];
  readme?: string;
  /** `.huggingface.yaml` at the root: its top-level fields (`configs`) override the card's. */
  standaloneYaml?: string;
}

export interface ConfigRequest {
  /** datasets' `name`: the config; absent → the default one. */
  configName?: string;
  /** datasets' `data_files`, relative to the dataset's root (or `dataDir`): replaces the config's own files. */
  dataFiles?: DataFiles;
  /** datasets' `data_dir`: a folder of the dataset; without dataFiles its files by the convention replace the config's. */
  dataDir?: string;
}

const DEFAULT_CONFIG = "default";

// data_files.py: the split keywords and the separators allowed around them.
const SPLIT_KEYWORDS: Record<string, string[]> = {
  train: ["train", "training"],
  validation: ["validation", "valid", "dev", "val"],
  test: ["test", "testing", "eval", "evaluation"],
};
const DEFAULT_SPLITS = ["train", "validation", "test"];
const NON_WORDS_CHARS = "-._ 0-9";
const SPLIT_PATTERN_SHARDED = "data/{split}-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*";
const KEYWORDS_IN_FILENAME = ["**/{keyword}[{sep}]*", "**/*[{sep}]{keyword}[{sep}]*"];
const KEYWORDS_IN_DIR_NAME = ["**/{keyword}/**", "**/{keyword}[{sep}]*/**", "**/*[{sep}]{keyword}/**", "**/*[{sep}]{keyword}[{sep}]*/**"];
const FILES_TO_IGNORE = ["README.md", "config.json", "dataset_info.json", "dataset_infos.json", "dummy_data.zip", "dataset_dict.json"];
const SPLIT_NAME = /^\w+(\.\w+)*$/;

// packaged_modules/__init__.py: _EXTENSION_TO_MODULE (the builders embedtune reads, then the others it names).
const EXTENSION_TO_BUILDER: Record<string, string> = {
  ".parquet": "parquet", ".geoparquet": "parquet", ".gpq": "parquet", ".csv": "csv", ".tsv": "csv",
  ".json": "json", ".jsonl": "json", ".ndjson": "json", ".arrow": "arrow", ".txt": "text", ".conll": "conll",
  ".conllu": "conll", ".tar": "webdataset", ".xml": "xml", ".hdf5": "hdf5", ".h5": "hdf5", ".eval": "eval",
  ".lance": "lance", ".tsfile": "tsfile", ".zip": "zip",
};
const READABLE_BUILDERS: readonly string[] = ["parquet", "csv", "json"];
/** The reader of each file extension embedtune reads (.tsv is not: the CSV reader takes commas only). */
const EXTENSION_TO_FORMAT: Record<string, DataFormat> = {
  ".parquet": "parquet", ".geoparquet": "parquet", ".gpq": "parquet", ".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
};

/** The reader for one data file of a resolved config, from its extension. */
export function formatOfFile(path: string): DataFormat {
  const format = EXTENSION_TO_FORMAT[lastExtension(path)];
  if (!format) throw new DataLoadError(path, `embedtune reads ${Object.keys(EXTENSION_TO_FORMAT).join(", ")} data files, not ${lastExtension(path) || "files without an extension"}`);
  return format;
}

/** Resolves the requested config of a dataset to its split files, with datasets' errors as one line each. */
export function resolveDatasetConfig(listing: DatasetListing, request: ConfigRequest = {}): ResolvedConfig {
  const configs = readCardConfigs(listing, `${listing.source}: README.md`);
  const names = configs.size > 0 ? [...configs.keys()] : [DEFAULT_CONFIG];
  let name = request.configName ?? defaultConfigName(configs, listing.source);
  if (name === undefined && configs.size === 0) name = DEFAULT_CONFIG;
  const userFiles = request.dataFiles !== undefined || request.dataDir !== undefined;
  if (name === undefined && !userFiles) {
    throw new ArgumentError(
      "configName",
      `Config name is missing. Please pick one among the available configs: ${pythonList(names)} (e.g. loadDataset("${listing.source}", "${names[0]}"))`,
    );
  }
  if (name !== undefined && !names.includes(name)) {
    throw new ArgumentError("configName", `BuilderConfig '${name}' not found. Available: ${pythonList(names)} (dataset ${listing.source})`);
  }
  const chosen = name === undefined ? undefined : configs.get(name);
  const configLabel = `${listing.source}: config "${name ?? DEFAULT_CONFIG}"`;
  const dataDir = userFiles ? request.dataDir : chosen?.dataDir;
  const basePath = dataDir ? normaliseFolder(dataDir, userFiles ? undefined : `${configLabel}: data_dir`) : "";
  const dataFiles = userFiles ? request.dataFiles : chosen?.dataFiles;
  const underBase = basePath === "" ? listing.files : listing.files.filter((file) => file.startsWith(`${basePath}/`)).map((file) => file.slice(basePath.length + 1));
  let patterns: Map<string, string[]>;
  if (dataFiles !== undefined) {
    patterns = sanitizePatterns(dataFiles, userFiles ? "dataFiles" : `${configLabel}: data_files`);
  } else {
    const found = conventionPatterns(underBase);
    if (!found) throw new DataLoadError(configLabel, `no data files${basePath ? ` under ${basePath}/` : ""} (the dataset holds ${listing.files.length} file(s), none of them data)`);
    patterns = found;
  }
  const splits = new Map<string, string[]>();
  for (const [split, splitPatterns] of patterns) {
    const matched = splitPatterns.flatMap((pattern) => {
      const files = resolvePattern(pattern, underBase);
      if (files.length === 0 && !/[*?[]/.test(pattern)) throw new DataLoadError(configLabel, `split "${split}": Unable to find '${basePath ? `${basePath}/` : ""}${pattern}'`);
      return files;
    });
    if (matched.length === 0) throw new DataLoadError(configLabel, `split "${split}": no data file matches ${pythonList(splitPatterns)}${basePath ? ` under ${basePath}/` : ""}`);
    splits.set(split, basePath === "" ? matched : matched.map((file) => `${basePath}/${file}`));
  }
  const builder = inferBuilder(splits, configLabel);
  const readable = new Map([...splits].map(([split, files]) => [split, files.filter((file) => builderOfFile(file) === builder)]));
  return { name: name ?? DEFAULT_CONFIG, splits: readable, builder };
}

/** The files of one split of a resolved config; datasets' "Unknown split" error otherwise. */
export function splitFilesOf(config: ResolvedConfig, split: string): string[] {
  const files = config.splits.get(split);
  if (!files) throw new ArgumentError("split", `Unknown split "${split}". Should be one of ${pythonList([...config.splits.keys()])}. (config "${config.name}")`);
  return files;
}

/**
 * The card's `configs:` (MetadataConfigs.from_dataset_card_data), in order, `.huggingface.yaml`'s when it has the
 * field; empty without a card or the field.
 */
export function readCardConfigs(listing: Pick<DatasetListing, "readme" | "standaloneYaml">, cardLabel: string): Map<string, CardConfig> {
  const configs = new Map<string, CardConfig>();
  const yamlBlock = listing.readme === undefined ? undefined : cardYaml(listing.readme);
  const card = { ...parseYamlObject(yamlBlock, cardLabel, "the YAML front matter"), ...parseYamlObject(listing.standaloneYaml, cardLabel.replace(/README\.md$/, ".huggingface.yaml"), "the file") };
  const field = card.configs;
  if (field === undefined || field === null || (Array.isArray(field) && field.length === 0)) return configs;
  if (!Array.isArray(field)) throw new DataLoadError(cardLabel, `Expected configs to be a list, but got ${JSON.stringify(field)}`);
  field.forEach((entry: unknown, index) => {
    const where = `configs[${index}]`;
    if (!isRecord(entry) || typeof entry.config_name !== "string") {
      throw new DataLoadError(cardLabel, `${where}: each config must include \`config_name\` field with a string name of a config, but got ${JSON.stringify(entry)}`);
    }
    checkCardDataFiles(entry.data_files, `${where} (${entry.config_name}): data_files`, cardLabel);
    if (entry.data_dir !== undefined && typeof entry.data_dir !== "string") throw new DataLoadError(cardLabel, `${where} (${entry.config_name}): data_dir must be a folder name`);
    configs.set(entry.config_name, {
      name: entry.config_name,
      dataFiles: entry.data_files ?? undefined,
      dataDir: entry.data_dir as string | undefined,
      isDefault: entry.default === true,
    });
  });
  return configs;
}

/** MetadataConfigs.get_default_config_name: the only config, the one named "default", or the one marked `default: true`. */
export function defaultConfigName(configs: Map<string, CardConfig>, source: string): string | undefined {
  let found: string | undefined;
  for (const config of configs.values()) {
    if (configs.size === 1 || config.name === DEFAULT_CONFIG || config.isDefault) {
      if (found !== undefined) throw new DataLoadError(`${source}: README.md`, `Dataset has several default configs: '${found}' and '${config.name}'.`);
      found = config.name;
    }
  }
  return found;
}

/** data_files.py's sanitize_patterns: a pattern or list → "train"; { split: pattern(s) }; [{split, path}] → those splits. */
export function sanitizePatterns(dataFiles: unknown, label: string): Map<string, string[]> {
  const asList = (value: unknown, where: string): string[] => {
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === "string" && item !== "")) {
      throw new ArgumentError(where, "must be a non-empty path or pattern, or a non-empty list of them");
    }
    return list as string[];
  };
  if (typeof dataFiles === "string") return new Map([["train", [dataFiles]]]);
  if (Array.isArray(dataFiles)) {
    if (!dataFiles.some(isRecord)) return new Map([["train", asList(dataFiles, label)]]);
    const splits = new Map<string, string[]>();
    for (const entry of dataFiles) {
      if (!isRecord(entry) || typeof entry.split !== "string" || Object.keys(entry).length !== 2 || entry.path === undefined) {
        throw new ArgumentError(label, `each entry must be {split: <split name>, path: <pattern or list of patterns>}, got ${JSON.stringify(entry)}`);
      }
      if (splits.has(entry.split)) throw new ArgumentError(label, `Some splits are duplicated in data_files: ${pythonList(dataFiles.map((item) => String((item as Record<string, unknown>).split)))}`);
      splits.set(entry.split, asList(entry.path, `${label} (split ${entry.split})`));
    }
    return splits;
  }
  if (isRecord(dataFiles)) {
    const entries = Object.entries(dataFiles);
    if (entries.length === 0) throw new ArgumentError(label, "names no split");
    return new Map(entries.map(([split, value]) => [split, asList(value, `${label}.${split}`)]));
  }
  throw new ArgumentError(label, "must be a path or pattern, a list of them, or { split: paths }");
}

/**
 * data_files.py's get_data_patterns over a file list: the first of the sharded pattern, the keyword-in-folder
 * patterns, the keyword-in-file-name patterns and "everything is train" that matches a file, as split → patterns.
 * Undefined when the files hold no data file at all.
 */
export function conventionPatterns(files: readonly string[]): Map<string, string[]> | undefined {
  const sharded = resolvePattern(SPLIT_PATTERN_SHARDED.replace("{split}", "*"), files, { allowedOnly: true });
  if (sharded.length > 0) {
    const splitOf = new RegExp(`^${globSource(basename(SPLIT_PATTERN_SHARDED).replace("{split}", "\u0000")).replace("\u0000", "(.+)")}$`, "s");
    const found = new Set(sharded.map((file) => splitOf.exec(basename(file))![1]));
    const bad = [...found].filter((split) => !SPLIT_NAME.test(split));
    if (bad.length > 0) throw new DataLoadError(bad[0], `Split name should match '${SPLIT_NAME.source}' but got '${bad.join("', '")}'.`);
    const ordered = [...DEFAULT_SPLITS.filter((split) => found.has(split)), ...[...found].filter((split) => !DEFAULT_SPLITS.includes(split)).sort()];
    return new Map(ordered.map((split) => [split, [SPLIT_PATTERN_SHARDED.replace("{split}", split)]]));
  }
  const keywordPatterns = (bases: string[]) =>
    Object.fromEntries(DEFAULT_SPLITS.map((split) => [split, SPLIT_KEYWORDS[split].flatMap((keyword) => bases.map((base) => base.replaceAll("{keyword}", keyword).replaceAll("{sep}", NON_WORDS_CHARS)))]));
  const candidates: Record<string, string[]>[] = [
    { logs: ["**/*.eval"] },
    keywordPatterns(KEYWORDS_IN_DIR_NAME),
    keywordPatterns(KEYWORDS_IN_FILENAME),
    { train: ["**"] },
  ];
  for (const candidate of candidates) {
    const found = Object.entries(candidate).filter(([, patterns]) => patterns.some((pattern) => resolvePattern(pattern, files, { allowedOnly: true }).length > 0));
    if (found.length > 0) return new Map(found);
  }
  return undefined;
}

/**
 * data_files.py's resolve_pattern over a file list: the files the glob matches, sorted, without hidden files,
 * `__*` folders (unless the pattern names them) and the card/metadata files; `allowedOnly` keeps only files with
 * an extension datasets has a builder for. A leading "./" or "/" is dropped: patterns are relative to the root.
 */
export function resolvePattern(pattern: string, files: readonly string[], options: { allowedOnly?: boolean } = {}): string[] {
  const relative = pattern.replace(/^(\.\/|\/)+/, "");
  const matcher = globRegExp(relative);
  const ignored = FILES_TO_IGNORE.filter((name) => name !== basename(relative));
  return files
    .filter((file) => matcher.test(file) && !ignored.includes(basename(file)))
    .filter((file) => countParts(parentParts(file), isSpecial) === countParts(parentParts(relative), isSpecial))
    .filter((file) => countParts(file.split("/"), isHidden) === countParts(relative.split("/"), isHidden))
    .filter((file) => !options.allowedOnly || extensions(file).some((extension) => extension in EXTENSION_TO_BUILDER))
    .sort();
}

/** fsspec's glob_translate: `*`/`?`/`[…]` within a segment, `**` as a whole segment crossing folders. */
export function globRegExp(pattern: string): RegExp {
  return new RegExp(`^${globSource(pattern)}$`, "s");
}

function globSource(pattern: string): string {
  const parts = pattern.split("/");
  const last = parts.length - 1;
  return parts
    .map((part, index) => {
      if (part === "*") return index < last ? "[^/]+/" : "[^/]+";
      if (part === "**") return index < last ? "(?:.+/)?" : ".*";
      if (part.includes("**")) throw new ArgumentError(`pattern "${pattern}"`, "Invalid pattern: '**' can only be an entire path component");
      return segmentSource(part) + (index < last ? "/" : "");
    })
    .join("");
}

/** fnmatch's translate for one path segment, with `*` and `?` not crossing "/". */
function segmentSource(segment: string): string {
  let source = "";
  for (let index = 0; index < segment.length; index++) {
    const char = segment[index];
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "[") {
      let end = index + 1;
      if (segment[end] === "!") end++;
      if (segment[end] === "]") end++;
      while (end < segment.length && segment[end] !== "]") end++;
      if (end >= segment.length) {
        source += "\\[";
        continue;
      }
      let inside = segment.slice(index + 1, end);
      const negated = inside.startsWith("!");
      if (negated) inside = inside.slice(1);
      source += `[${negated ? "^" : ""}${inside.replace(/[\\^[\]]/g, (special, offset) => (special === "]" && offset === 0 ? "\\]" : `\\${special}`))}]`;
      index = end;
    } else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return source;
}

/** load.py's infer_module_for_data_files: per split the most common extension (ties: parquet, jsonl, json, csv); one builder for all splits. */
function inferBuilder(splits: Map<string, string[]>, label: string): DatasetBuilder {
  const perSplit = [...splits].map(([split, files]) => [split, splitBuilder(files)] as const);
  const builders = new Set(perSplit.map(([, builder]) => builder));
  if (builders.size > 1) {
    throw new DataLoadError(label, `Couldn't infer the same data file format for all splits: ${perSplit.map(([split, builder]) => `${split} is ${builder ?? "no known format"}`).join(", ")}`);
  }
  const builder = perSplit[0][1];
  if (builder === undefined) throw new DataLoadError(label, "No (supported) data files found");
  if (!READABLE_BUILDERS.includes(builder)) {
    const examples = [...splits.values()].flat().filter((file) => builderOfFile(file) === builder).slice(0, 2);
    throw new DataLoadError(label, `its data files are ${builder} files (${examples.join(", ")}); embedtune reads parquet, csv and json/jsonl data sets`);
  }
  return builder as DatasetBuilder;
}

const TIE_ORDER = [".parquet", ".lance", ".arrow", ".jsonl", ".json", ".csv"];

function splitBuilder(files: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const file of files) for (const extension of extensions(file)) counts.set(extension, (counts.get(extension) ?? 0) + 1);
  const ranked = [...counts].sort(([a, countA], [b, countB]) => {
    if (countA !== countB) return countB - countA;
    const rank = (extension: string) => { const at = TIE_ORDER.indexOf(extension); return at < 0 ? TIE_ORDER.length : at; };
    return rank(a) !== rank(b) ? rank(a) - rank(b) : a < b ? 1 : a > b ? -1 : 0;
  });
  return ranked.map(([extension]) => EXTENSION_TO_BUILDER[extension]).find((builder) => builder !== undefined);
}

function builderOfFile(file: string): string | undefined {
  return extensions(file).map((extension) => EXTENSION_TO_BUILDER[extension]).find((builder) => builder !== undefined);
}

/** Every suffix of the file name, as datasets counts them: "a.csv.gz" → [".csv", ".gz"]. */
function extensions(file: string): string[] {
  return basename(file).split(".").slice(1).map((suffix) => `.${suffix.toLowerCase()}`);
}

function lastExtension(file: string): string {
  const all = extensions(file);
  return all[all.length - 1] ?? "";
}

/** metadata.py's _split_yaml_from_readme: the block between a first line "---" and the next "---". */
function cardYaml(readme: string): string | undefined {
  const lines = readme.split(/\r?\n/);
  if (lines[0] !== "---") return undefined;
  const end = lines.indexOf("---", 1);
  return end < 0 ? undefined : lines.slice(1, end).join("\n");
}

function parseYamlObject(text: string | undefined, label: string, what: string): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new DataLoadError(label, `${what} is not valid YAML (${oneLine(error instanceof Error ? error.message : String(error))})`);
  }
  return isRecord(value) ? value : {};
}

function checkCardDataFiles(value: unknown, where: string, cardLabel: string): void {
  if (value === undefined || value === null || typeof value === "string") return;
  const fine =
    Array.isArray(value) &&
    value.every(
      (item) =>
        typeof item === "string" ||
        (isRecord(item) && Object.keys(item).length === 2 && typeof item.split === "string" && SPLIT_NAME.test(item.split) &&
          (typeof item.path === "string" || (Array.isArray(item.path) && item.path.every((path) => typeof path === "string")))),
    );
  if (!fine) {
    throw new DataLoadError(cardLabel, `${where}: expected a string, a list of strings or a list of {split, path} (split names of letters, digits and _), but got ${JSON.stringify(value)}`);
  }
}

/** A data_dir as a repo-relative folder; `cardLabel` names the card's config, else it is the dataDir argument. */
function normaliseFolder(folder: string, cardLabel: string | undefined): string {
  const cleaned = folder.replace(/^\.\//, "").replace(/\/+$/, "");
  if (cleaned.startsWith("/") || cleaned.split("/").includes("..")) {
    const detail = `must be relative to the dataset's root (a folder inside it), got "${folder}"`;
    throw cardLabel === undefined ? new ArgumentError("dataDir", detail) : new DataLoadError(cardLabel, detail);
  }
  return cleaned;
}

const isHidden = (part: string) => part.startsWith(".") && !/^\.+$/.test(part);
const isSpecial = (part: string) => part.startsWith("__");

function parentParts(path: string): string[] {
  return path.split("/").slice(0, -1);
}

function countParts(parts: readonly string[], predicate: (part: string) => boolean): number {
  return parts.filter(predicate).length;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A list as Python prints it, as datasets' messages show available configs and splits. */
export function pythonList(items: readonly string[]): string {
  return `[${items.map((item) => `'${item}'`).join(", ")}]`;
}
