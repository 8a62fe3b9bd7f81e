// Short texts for the kit's values where a notebook prints them whole (tslab console.logs a cell's last
// expression): a DataFrame as its size and first rows, an evaluator's metrics with 4 decimals, embeddings
// as their shape and a corner. The hooks are util.inspect.custom getters that answer only inside a tslab
// kernel, and on plain objects they are non-enumerable: keys, JSON.stringify, deepEqual and anything the
// code reads stay exactly as they were, and outside a notebook Node prints the values as it always did.

import { inspect } from "node:util";
import { inNotebook } from "./display.ts";
import { tableLength, tableText, type DataFrameLike } from "./table.ts";

/** Rows of a table that a notebook's short text shows. */
export const PREVIEW_ROWS = 5;

/** Values of each embedding that a short text shows. */
const PREVIEW_VALUES = 6;

/** Gives `target` (an object or a prototype) a util.inspect.custom hook that only answers in a notebook. */
function inspectInNotebook<T extends object>(target: T, text: (value: T) => string): void {
  Object.defineProperty(target, inspect.custom, {
    configurable: true,
    enumerable: false,
    get: () => (inNotebook() ? function (this: T) { return text(this); } : undefined),
  });
}

export function dataFrameText(frame: DataFrameLike): string {
  return `DataFrame: ${tableLength(frame)} rows × ${frame.columns.length} columns\n${tableText(frame, { maxRows: PREVIEW_ROWS, maxTextLength: 40 })}`;
}

const shortened = new WeakSet<object>();

/** DataFrames (every instance of `frame`'s class) print in a notebook as dataFrameText. */
export function shortenDataFramesInNotebook(frame: DataFrameLike): void {
  const prototype = Object.getPrototypeOf(frame) as object;
  if (shortened.has(prototype)) return;
  shortened.add(prototype);
  inspectInNotebook(prototype as DataFrameLike, dataFrameText);
}

/** An evaluator's metrics as Node prints them, numbers rounded to 4 decimals. */
export function metricsText(metrics: Readonly<Record<string, number>>): string {
  const rounded = Object.fromEntries(Object.entries(metrics).map(([key, value]) => [key, Number.isFinite(value) ? Number(value.toFixed(4)) : value]));
  return inspect(rounded, { breakLength: 100 });
}

/** Returns `metrics` itself, printing in a notebook as metricsText. */
export function shortMetricsInNotebook<T extends Record<string, number>>(metrics: T): T {
  inspectInNotebook(metrics, metricsText);
  return metrics;
}

function vectorHead(vector: ArrayLike<number>): string {
  const values = Array.from({ length: Math.min(PREVIEW_VALUES, vector.length) }, (_, i) => vector[i].toFixed(4));
  return `[${values.join(", ")}${vector.length > PREVIEW_VALUES ? ", …" : ""}]`;
}

/** Embeddings as their shape and the first values of the first rows: `Embeddings 3 × 384` then rows. */
export function embeddingsText(embeddings: readonly ArrayLike<number>[] | ArrayLike<number>): string {
  if (embeddings.length > 0 && typeof embeddings[0] === "number") return `Embedding (${embeddings.length} values) ${vectorHead(embeddings as ArrayLike<number>)}`;
  const rows = embeddings as readonly ArrayLike<number>[];
  const lines = rows.slice(0, PREVIEW_ROWS).map((row) => `  ${vectorHead(row)}`);
  if (rows.length > PREVIEW_ROWS) lines.push(`  … ${rows.length - PREVIEW_ROWS} more rows`);
  return `Embeddings ${rows.length} × ${rows[0]?.length ?? 0}\n${lines.join("\n")}`;
}

/** Returns `embeddings` itself, printing in a notebook as embeddingsText. */
export function shortEmbeddingsInNotebook<T extends number[][] | number[]>(embeddings: T): T {
  inspectInNotebook(embeddings, embeddingsText);
  return embeddings;
}
