// Column roles as sentence-transformers reads a training dataset: a column named "label" or "score"
// (the first found, in that order) is the label; every other column is an input, by position (names are
// ignored). The checks throw a one-line DataLoadError naming the source, the column and the first bad row.
import { DataLoadError } from "./errors.ts";
import { describeValue, type Dataset } from "./dataset.ts";

export const LABEL_COLUMN_NAMES = ["label", "score"] as const;
export type LabelColumnName = (typeof LABEL_COLUMN_NAMES)[number];

/** What the dataset needs to expose to have its columns classified (a Dataset does). */
type Columnar = Pick<Dataset, "columnNames" | "column">;

export interface CheckOptions {
  /** Where the data came from (a file, or e.g. "train split"); it starts the error message. Default "dataset". */
  where?: string;
}

/** "label" or "score" (the first present, in that order), or undefined when the dataset has neither. */
export function labelColumnName(dataset: Pick<Dataset, "columnNames">): LabelColumnName | undefined {
  const names = dataset.columnNames;
  return LABEL_COLUMN_NAMES.find((name) => names.includes(name));
}

/** Every column except the label column, in dataset order. */
export function inputColumnNames(dataset: Pick<Dataset, "columnNames">): string[] {
  const label = labelColumnName(dataset);
  return dataset.columnNames.filter((name) => name !== label);
}

/**
 * Throws unless every value of the label column is a finite number (no null, NaN, ±Infinity, string).
 * A dataset without a label column passes. When the column holds strings that look like numbers (a CSV
 * column with one stray word), the first value that is not a number at all is named.
 */
export function checkLabels(dataset: Columnar, options: CheckOptions = {}): void {
  const label = labelColumnName(dataset);
  if (label === undefined) return;
  const values = dataset.column(label);
  let firstBad = -1;
  for (let row = 0; row < values.length; row++) {
    const value = values[row];
    if (typeof value === "number" && Number.isFinite(value)) continue;
    if (firstBad < 0) firstBad = row;
    if (!looksNumeric(value)) {
      firstBad = row;
      break;
    }
  }
  if (firstBad < 0) return;
  const value = values[firstBad];
  const why = looksNumeric(value) ? "is a string, not a number" : "is not a finite number";
  throw new DataLoadError(options.where ?? "dataset", `column "${label}", row ${firstBad}: ${describeValue(value)} ${why} (labels must be finite numbers)`);
}

/** Throws unless every value of the input columns (default: all of them) is a string; empty strings pass. */
export function checkTextColumns(dataset: Columnar, options: CheckOptions & { columns?: readonly string[] } = {}): void {
  for (const name of options.columns ?? inputColumnNames(dataset)) {
    const values = dataset.column(name);
    const row = values.findIndex((value) => typeof value !== "string");
    if (row >= 0) {
      throw new DataLoadError(options.where ?? "dataset", `column "${name}", row ${row}: ${describeValue(values[row])} is not a string (input columns must hold text)`);
    }
  }
}

function looksNumeric(value: unknown): boolean {
  return typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value));
}
