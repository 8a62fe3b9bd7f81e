// Tabular data as tables: a danfo DataFrame or Series (first rows with their index, and the count),
// an embedtune Dataset (first rows), a DatasetDict (one line per split), and an array of records
// (objects: the union of their keys as columns).

import type { Dataset, DatasetDict } from "../../src/index.ts";
import { renderTable } from "./table.ts";

const ROWS_SHOWN = 10;

interface DanfoFrameLike {
  columns: string[];
  shape: number[];
  index: unknown[];
  values: unknown[];
  head(rows: number): DanfoFrameLike;
}

export function isDanfoFrame(value: unknown): value is DanfoFrameLike {
  const candidate = value as Partial<DanfoFrameLike> | null;
  const name = (value as object | null)?.constructor?.name;
  return (
    (name === "DataFrame" || name === "Series") &&
    Array.isArray(candidate?.columns) &&
    Array.isArray(candidate?.shape) &&
    typeof candidate?.head === "function"
  );
}

export function renderDanfoFrame(frame: DanfoFrameLike, width: number): string[] {
  const head = frame.head(ROWS_SHOWN);
  const isSeries = frame.constructor.name === "Series";
  const rows = isSeries ? head.values.map((value) => [value]) : (head.values as unknown[][]);
  return [
    `${isSeries ? "Series" : "DataFrame"}`,
    ...renderTable(frame.columns, rows, { width, index: head.index, totalRows: frame.shape[0] }),
  ];
}

export function isDataset(value: unknown): value is Dataset {
  const candidate = value as Partial<Dataset> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    candidate.constructor?.name === "Dataset" &&
    typeof candidate.numRows === "number" &&
    typeof candidate.column === "function"
  );
}

export function renderDataset(dataset: Dataset, width: number): string[] {
  const names = dataset.columnNames;
  const shown = Math.min(ROWS_SHOWN, dataset.numRows);
  const rows = Array.from({ length: shown }, (_, r) => names.map((name) => dataset.column(name)[r]));
  return ["Dataset", ...renderTable(names, rows, { width, index: rows.map((_, r) => r), totalRows: dataset.numRows })];
}

export function isDatasetDict(value: unknown): value is DatasetDict {
  const candidate = value as Partial<DatasetDict> | null;
  return typeof candidate === "object" && candidate !== null && candidate.constructor?.name === "DatasetDict" && typeof candidate.get === "function";
}

export function renderDatasetDict(dict: DatasetDict, width: number): string[] {
  const rows = dict.splits.map((split) => {
    const dataset = dict.get(split);
    return [split, dataset.numRows, dataset.columnNames.join(", ")];
  });
  return ["DatasetDict", ...renderTable(["split", "rows", "columns"], rows, { width, countLine: false })];
}

export function isArrayOfRecords(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((entry) => typeof entry === "object" && entry !== null && !Array.isArray(entry) && isPlainObject(entry))
  );
}

export function renderRecords(records: Record<string, unknown>[], width: number): string[] {
  const columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
  const shown = records.slice(0, ROWS_SHOWN);
  return renderTable(columns, shown.map((record) => columns.map((column) => record[column])), {
    width,
    index: shown.map((_, r) => r),
    totalRows: records.length,
  });
}

export function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
