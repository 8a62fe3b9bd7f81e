// show(x): a notebook display for the kit's values, the step that replaces printing them. A model is its
// one-line summary; a Dataset, DatasetDict, danfo DataFrame or array of records an HTML table of its
// first rows with the row count; an evaluator's metrics (or { label: metrics, … }) a table with 4
// decimals; embeddings their shape and first values. Anything else is printed as Node's inspect.
// Outside a notebook the text form is printed.

import { inspect } from "node:util";
import { Dataset } from "../data/dataset.ts";
import { DatasetDict } from "../data/dataset-dict.ts";
import { SentenceTransformer } from "../models/sentence-transformer.ts";
import { displayBundle, escapeHtml, type MimeBundle } from "./display.ts";
import { embeddingsText, PREVIEW_ROWS } from "./inspect.ts";
import { metricsTable, tableBundle, tableLength, type DataFrameLike, type Table, type TableRow } from "./table.ts";

/** Rows of a table that show() displays. */
const SHOWN_ROWS = 10;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function isMetrics(value: unknown): value is Record<string, number> {
  return isPlainObject(value) && Object.keys(value).length > 0 && Object.values(value).every((metric) => typeof metric === "number");
}

function isDataFrame(value: unknown): value is DataFrameLike {
  const frame = value as DataFrameLike;
  return typeof value === "object" && value !== null && Array.isArray(frame.columns) && Array.isArray(frame.index) && Array.isArray(frame.values);
}

function isVector(value: unknown): value is ArrayLike<number> {
  return (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "number")) || value instanceof Float32Array || value instanceof Float64Array;
}

function isEmbeddings(value: unknown): value is ArrayLike<number>[] {
  return Array.isArray(value) && value.length > 0 && value.every(isVector);
}


/** A table under a one-line caption (its size). */
function captionedTable(caption: string, table: Table, rows = SHOWN_ROWS): MimeBundle {
  const bundle = tableBundle(table, { maxRows: rows });
  return { "text/html": `<p>${escapeHtml(caption)}</p>\n${bundle["text/html"] as string}`, "text/plain": `${caption}\n${bundle["text/plain"]}` };
}

function plainText(text: string): MimeBundle {
  return { "text/html": `<pre>${escapeHtml(text)}</pre>`, "text/plain": text };
}

/** The mime bundle show() displays for `value`. */
export function showBundle(value: unknown): MimeBundle {
  if (value instanceof SentenceTransformer) return plainText(String(value));
  if (value instanceof Dataset) return captionedTable(`Dataset: ${value.numRows} rows × ${value.numColumns} columns`, value);
  if (value instanceof DatasetDict) {
    const splits = [...value].map(([split, dataset]): TableRow => ({ split, rows: dataset.numRows, columns: dataset.columnNames.join(", ") }));
    const [first, dataset] = [...value][0] ?? [];
    const summary = captionedTable(`DatasetDict: ${splits.length} splits`, splits);
    if (!dataset) return summary;
    const rows = captionedTable(`${first}, first rows:`, dataset, PREVIEW_ROWS);
    return { "text/html": `${summary["text/html"] as string}\n${rows["text/html"] as string}`, "text/plain": `${summary["text/plain"]}\n\n${rows["text/plain"]}` };
  }
  if (isDataFrame(value)) return captionedTable(`DataFrame: ${tableLength(value)} rows × ${value.columns.length} columns`, value);
  if (isMetrics(value)) return tableBundle(Object.entries(value).map(([metric, score]) => ({ metric, value: score })));
  if (isPlainObject(value) && Object.keys(value).length > 0 && Object.values(value).every(isMetrics)) return tableBundle(metricsTable(value as Record<string, Record<string, number>>));
  if (isEmbeddings(value) || isVector(value)) return plainText(embeddingsText(value));
  if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject)) return captionedTable(`${value.length} rows`, value as TableRow[]);
  return plainText(inspect(value, { depth: 2, maxArrayLength: 20, maxStringLength: 200, breakLength: 100 }));
}

/**
 * Shows `value` below the running cell as its richest form (see the file's comment): show(model),
 * show(dataset), show(await dataset.train.toDataFrame()), show(metrics), show({ dev, test }), show(embeddings).
 */
export function show(value: unknown): void {
  displayBundle(showBundle(value));
}
