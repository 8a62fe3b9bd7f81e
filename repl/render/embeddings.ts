// Embeddings for a person: the shape and the first values of the first rows, never thousands of
// numbers. Matrices (number[][] as encode() and similarity() return, rows of one length), long vectors
// (number[] of 16 or more, typed arrays) and tfjs tensors.

import { formatNumber } from "./cell.ts";

const ROWS_SHOWN = 4;
const VECTOR_MIN_LENGTH = 16;

type NumericRow = ArrayLike<number>;

interface TensorLike {
  shape: number[];
  dtype: string;
  size: number;
  isDisposed: boolean;
  dataSync(): ArrayLike<number>;
}

export function isEmbeddingMatrix(value: unknown): value is NumericRow[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  const width = numericRowLength(value[0]);
  return width > 0 && value.every((row) => numericRowLength(row) === width);
}

export function isLongVector(value: unknown): value is NumericRow {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return true;
  return Array.isArray(value) && value.length >= VECTOR_MIN_LENGTH && value.every((entry) => typeof entry === "number");
}

export function isTensor(value: unknown): value is TensorLike {
  const candidate = value as Partial<TensorLike> | null;
  return typeof candidate === "object" && candidate !== null && Array.isArray(candidate.shape) && typeof candidate.dtype === "string" && typeof candidate.dataSync === "function";
}

export function renderEmbeddingMatrix(rows: NumericRow[], width: number): string[] {
  const columns = rows[0].length;
  const label = (index: number) => `[${index}]`.padStart(String(rows.length - 1).length + 2);
  const lines = [`number[][] ${rows.length} × ${columns}`];
  for (const [index, row] of rows.slice(0, ROWS_SHOWN).entries()) lines.push(`  ${label(index)} ${firstValues(row, width - 8)}`);
  if (rows.length > ROWS_SHOWN) lines.push(`  … ${rows.length - ROWS_SHOWN} more ${rows.length - ROWS_SHOWN === 1 ? "row" : "rows"}`);
  return lines;
}

export function renderVector(vector: NumericRow, width: number): string[] {
  const kind = Array.isArray(vector) ? "number[]" : vector.constructor.name;
  return [`${kind} of ${vector.length}`, `  ${firstValues(vector, width - 4)}`];
}

export function renderTensor(tensor: TensorLike, width: number): string[] {
  const title = `Tensor [${tensor.shape.join(", ")}] ${tensor.dtype}`;
  if (tensor.isDisposed) return [`${title} (disposed)`];
  if (tensor.dtype === "string") return [title];
  return [title, `  ${firstValues(tensor.dataSync(), width - 4)}`];
}

/** As many leading values as fit the width, then how many there are in all. */
function firstValues(values: NumericRow, width: number): string {
  const parts: string[] = [];
  let used = 0;
  for (let i = 0; i < values.length; i++) {
    const text = formatNumber(values[i]).padStart(i === 0 ? 0 : 8);
    if (used + text.length + 12 > width && parts.length > 0) break;
    parts.push(text);
    used += text.length;
  }
  return parts.length < values.length ? `${parts.join("")}  … (${values.length} values)` : parts.join("");
}

function numericRowLength(row: unknown): number {
  if (ArrayBuffer.isView(row) && !(row instanceof DataView)) return (row as unknown as NumericRow).length;
  if (Array.isArray(row) && row.length > 0 && row.every((entry) => typeof entry === "number")) return row.length;
  return 0;
}
