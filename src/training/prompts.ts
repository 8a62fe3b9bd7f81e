// Training prompts: sentence-transformers' SentenceTransformerTrainingArguments.prompts, resolved as its
// SentenceTransformerDataCollator does. Four forms:
//   "query: "                                  every input column gets the prompt;
//   { anchor: "query: ", positive: "passage: " } those columns get theirs;
//   { stsb: "query: " }                         every column of the dataset named stsb (multi-dataset only);
//   { stsb: { anchor: "query: " } }             per dataset, per column (multi-dataset only).
// A prompt is prepended to each text of its column (prompt + text); an empty prompt is no prompt. When
// the model's Pooling excludes prompts (include_prompt false), each prompted column also carries its
// prompt length (SentenceTransformer.getPromptLength), which pooling uses to skip the prompt's tokens.
// Beyond ST (which ignores them silently): a key that names no input column (or dataset) is an error.

import { inputColumnNames } from "../data/columns.ts";
import type { Dataset } from "../data/dataset.ts";
import { ArgumentError } from "../errors.ts";
import type { SentenceTransformer } from "../models/sentence-transformer.ts";

export type TrainingPrompts = string | Record<string, string> | Record<string, Record<string, string>>;

const ARGUMENT = "prompts";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const describe = (value: unknown) => (Array.isArray(value) ? "an array" : value === null ? "null" : typeof value);

/** The argument's shape (a string, { column: string } or { dataset: { column: string } }); undefined/null is none. */
export function checkPrompts(value: unknown): TrainingPrompts | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (!isPlainObject(value)) {
    throw new ArgumentError(ARGUMENT, `must be a string, { column: prompt } or { dataset: { column: prompt } }, got ${describe(value)}`);
  }
  const entries = Object.entries(value);
  const nested = entries.filter(([, inner]) => isPlainObject(inner)).map(([key]) => key);
  const flat = entries.filter(([, inner]) => !isPlainObject(inner)).map(([key]) => key);
  if (nested.length > 0 && flat.length > 0) {
    throw new ArgumentError(ARGUMENT, `mixes prompts (${flat.join(", ")}) with dataset mappings (${nested.join(", ")}); use one form`);
  }
  for (const [key, inner] of entries) {
    if (isPlainObject(inner)) {
      for (const [column, prompt] of Object.entries(inner)) {
        if (typeof prompt !== "string") throw new ArgumentError(`${ARGUMENT}.${key}.${column}`, `must be a string, got ${describe(prompt)}`);
      }
    } else if (typeof inner !== "string") {
      throw new ArgumentError(`${ARGUMENT}.${key}`, `must be a string or { column: prompt }, got ${describe(inner)}`);
    }
  }
  return value as TrainingPrompts;
}

/**
 * The prompt of each column (columns without one are absent), as ST's collator picks it: `datasetName`
 * is the batch's dataset in multi-dataset training, undefined for a single dataset.
 */
export function columnPrompts(prompts: TrainingPrompts | undefined, columns: readonly string[], datasetName?: string): Map<string, string> {
  let chosen: TrainingPrompts | Record<string, never> | undefined = prompts;
  if (isPlainObject(chosen) && Object.keys(chosen).length > 0) {
    const record = chosen as Record<string, string | Record<string, string>>;
    if (datasetName !== undefined && Object.hasOwn(record, datasetName)) chosen = record[datasetName];
    else if (isPlainObject(Object.values(record)[0])) {
      if (datasetName === undefined) throw nestedWithoutDatasets(Object.keys(record), columns);
      chosen = {};
    }
  }
  const result = new Map<string, string>();
  for (const column of columns) {
    const prompt = typeof chosen === "string" ? chosen : isPlainObject(chosen) && Object.hasOwn(chosen, column) ? chosen[column] : undefined;
    if (typeof prompt === "string" && prompt.length > 0) result.set(column, prompt);
  }
  return result;
}

function nestedWithoutDatasets(keys: string[], columns: readonly string[]): ArgumentError {
  return new ArgumentError(
    ARGUMENT,
    `maps dataset names (${keys.join(", ")}) to prompts, but the training data is one Dataset, which has no dataset names; ` +
      `map its columns (${columns.join(", ")}) to prompts instead`,
  );
}

/**
 * Every name in `prompts` must exist: a column key must be an input column of one of the datasets, a
 * dataset key one of `datasetNames` (multi-dataset training; none for a single Dataset).
 */
export function checkPromptNames(
  prompts: TrainingPrompts | undefined,
  datasets: { name: string; dataset: Dataset }[],
  datasetNames: readonly string[] = [],
): void {
  if (prompts === undefined || typeof prompts === "string") return;
  const inputColumns = [...new Set(datasets.flatMap(({ dataset }) => inputColumnNames(dataset)))];
  const where = datasets.map(({ name }) => name).join(" or ");
  const checkColumn = (column: string, key: string) => {
    if (!inputColumns.includes(column)) {
      throw new ArgumentError(`${ARGUMENT}.${key}`, `"${column}" is not an input column of ${where} (input columns: ${inputColumns.join(", ")})`);
    }
  };
  for (const [key, value] of Object.entries(prompts)) {
    if (isPlainObject(value)) {
      if (datasetNames.length === 0) throw nestedWithoutDatasets(Object.keys(prompts), inputColumns);
      if (!datasetNames.includes(key)) {
        throw new ArgumentError(`${ARGUMENT}.${key}`, `"${key}" is not a dataset name (datasets: ${datasetNames.join(", ")})`);
      }
      for (const column of Object.keys(value)) checkColumn(column, `${key}.${column}`);
    } else if (!datasetNames.includes(key)) {
      checkColumn(key, key);
    }
  }
}

/** The input columns of a dataset as the loss sees them: each text with its column's prompt in front. */
export interface PromptedColumns {
  /** Per input column (dataset order), the texts, prompted where the column has a prompt. */
  texts: string[][];
  /** Per input column, the prompt's token count when Pooling excludes prompts (else undefined). */
  promptLengths: (number | undefined)[];
}

export function promptedInputColumns(
  model: SentenceTransformer,
  dataset: Dataset,
  prompts: TrainingPrompts | undefined,
  datasetName?: string,
): PromptedColumns {
  const names = inputColumnNames(dataset);
  const chosen = columnPrompts(prompts, names, datasetName);
  const texts = names.map((name) => {
    const values = dataset.column(name) as string[];
    const prompt = chosen.get(name);
    return prompt === undefined ? values : values.map((text) => prompt + text);
  });
  // ST's trainer passes prompt lengths only when the Pooling module excludes the prompt.
  const promptLengths = names.map((name) => {
    const prompt = chosen.get(name);
    return prompt !== undefined && !model.pooling.includePrompt ? model.getPromptLength(prompt) : undefined;
  });
  return { texts, promptLengths };
}
