// Datasets as danfo DataFrames, for exploring data in a notebook or the REPL (print, head, describe).
// danfo is imported lazily (about 2.5 s, danfo.ts). Nulls in numeric columns become NaN (danfo's missing value;
// describe() fails on null), so describe() counts only present numbers. An empty dataset is refused.
import type { DataFrame } from "danfojs-node";
import { ArgumentError } from "../errors.ts";
import { importDanfo } from "./danfo.ts";
import type { Dataset } from "./dataset.ts";

export async function datasetToDataFrame(dataset: Dataset): Promise<DataFrame> {
  if (dataset.numRows === 0 || dataset.numColumns === 0) {
    throw new ArgumentError("dataset", `has ${dataset.numRows} rows and ${dataset.numColumns} columns; danfo cannot make an empty DataFrame`);
  }
  const danfo = await importDanfo();
  const columns: Record<string, unknown[]> = {};
  for (const name of dataset.columnNames) columns[name] = forDanfo(dataset.column(name));
  return new danfo.DataFrame(columns);
}

function forDanfo(values: readonly unknown[]): unknown[] {
  const present = values.filter((value) => value !== null && value !== undefined);
  const numeric = present.length > 0 && present.every((value) => typeof value === "number");
  return numeric ? values.map((value) => (typeof value === "number" ? value : NaN)) : [...values];
}
