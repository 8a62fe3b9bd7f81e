// A row-sparse gradient of an embedding table [tableRows, width]: the rows a batch looked up (sorted,
// unique) and their values [rows.length, width]; every other row is exactly +0. It stands for the dense
// table tfjs's gather gradient and torch's embedding gradient give, without materialising it (XLM-R's
// word table is 250,002 × 768: 768 MB per dense copy). Every operation here gives, bit for bit, what the
// same operation gives on the dense table: rows are accumulated in the same order from +0, a row present
// in only one term of a sum gets "+ 0" as the dense x + 0 does (turning −0 into +0), and zero rows add
// nothing to a sum of squares.
// Gradient = Float32Array | RowGradient is what engines hand to the training step.

export class RowGradient {
  constructor(
    /** Sorted, unique row indices. */
    readonly rows: Int32Array,
    /** The rows' values, row-major [rows.length, width]. */
    readonly values: Float32Array,
    /** The table's number of rows. */
    readonly tableRows: number,
    readonly width: number,
  ) {}

  /** The number of values of the dense table. */
  get length(): number {
    return this.tableRows * this.width;
  }
}

export type Gradient = Float32Array | RowGradient;

/**
 * The gather gradient of a table: row ids[t] accumulates source[t·width … (t+1)·width) in token order
 * (tfjs's unsortedSegmentSum and torch's embedding backward), kept row-sparse.
 */
export function scatterRows(ids: ArrayLike<number>, source: Float32Array, tableRows: number, width: number, what: string): RowGradient {
  if (source.length !== ids.length * width) throw new Error(`the gradient has ${source.length} values, expected ${ids.length}×${width}`);
  const rows = uniqueRows(ids, tableRows, what);
  const slotOf = new Map<number, number>();
  rows.forEach((row, slot) => slotOf.set(row, slot));
  const values = new Float32Array(rows.length * width);
  for (let token = 0; token < ids.length; token++) {
    const target = slotOf.get(ids[token])! * width;
    const from = token * width;
    for (let k = 0; k < width; k++) values[target + k] += source[from + k];
  }
  return new RowGradient(rows, values, tableRows, width);
}

/** The rows `ids` touch of a dense table gradient (all others must be zero: a gather gradient of those ids). */
export function gatherRows(dense: Float32Array, ids: ArrayLike<number>, tableRows: number, width: number, what: string): RowGradient {
  if (dense.length !== tableRows * width) throw new Error(`the gradient has ${dense.length} values, expected ${tableRows}×${width}`);
  const rows = uniqueRows(ids, tableRows, what);
  const values = new Float32Array(rows.length * width);
  rows.forEach((row, slot) => values.set(dense.subarray(row * width, (row + 1) * width), slot * width));
  return new RowGradient(rows, values, tableRows, width);
}

function uniqueRows(ids: ArrayLike<number>, tableRows: number, what: string): Int32Array {
  for (let i = 0; i < ids.length; i++) {
    const row = ids[i];
    if (!(row >= 0 && row < tableRows)) throw new Error(`${what} ${row} is outside the table's ${tableRows} rows`);
  }
  return Int32Array.from(new Set(Array.from(ids))).sort();
}

/** The dense table a gradient stands for (a Float32Array as it is). */
export function toDense(gradient: Gradient): Float32Array {
  if (gradient instanceof Float32Array) return gradient;
  const dense = new Float32Array(gradient.length);
  const { rows, values, width } = gradient;
  rows.forEach((row, slot) => dense.set(values.subarray(slot * width, (slot + 1) * width), row * width));
  return dense;
}

/** a + b, as the dense sum (a Float32Array `a` is added into in place; otherwise a new gradient). */
export function addGradients(a: Gradient, b: Gradient): Gradient {
  if (a.length !== b.length) throw new Error(`cannot add gradients of ${a.length} and ${b.length} values`);
  if (a instanceof Float32Array) {
    if (b instanceof Float32Array) for (let i = 0; i < a.length; i++) a[i] += b[i];
    else addRowsInto(a, b);
    return a;
  }
  if (b instanceof Float32Array) {
    // a + dense is dense: 0 + b where a has no row (turning −0 into +0, as the dense sum does), a + b where it has.
    const sum = new Float32Array(b.length);
    for (let i = 0; i < b.length; i++) sum[i] = 0 + b[i];
    const { rows, values, width } = a;
    rows.forEach((row, slot) => {
      for (let k = 0; k < width; k++) sum[row * width + k] = values[slot * width + k] + b[row * width + k];
    });
    return sum;
  }
  return addRowGradients(a, b);
}

/** dense[row] += values of each of `gradient`'s rows. */
function addRowsInto(dense: Float32Array, gradient: RowGradient): void {
  const { rows, values, width } = gradient;
  rows.forEach((row, slot) => {
    for (let k = 0; k < width; k++) dense[row * width + k] += values[slot * width + k];
  });
}

/** The union of two row gradients' rows, each value as the dense sum gives it. */
function addRowGradients(a: RowGradient, b: RowGradient): RowGradient {
  const width = a.width;
  const rows: number[] = [];
  for (let i = 0, j = 0; i < a.rows.length || j < b.rows.length; ) {
    if (j === b.rows.length || (i < a.rows.length && a.rows[i] < b.rows[j])) rows.push(a.rows[i++]);
    else if (i === a.rows.length || b.rows[j] < a.rows[i]) rows.push(b.rows[j++]);
    else {
      rows.push(a.rows[i++]);
      j++;
    }
  }
  const values = new Float32Array(rows.length * width);
  for (let slot = 0, i = 0, j = 0; slot < rows.length; slot++) {
    const row = rows[slot];
    const fromA = i < a.rows.length && a.rows[i] === row ? i++ : -1;
    const fromB = j < b.rows.length && b.rows[j] === row ? j++ : -1;
    for (let k = 0; k < width; k++) {
      const x = fromA < 0 ? 0 : a.values[fromA * width + k];
      const y = fromB < 0 ? 0 : b.values[fromB * width + k];
      values[slot * width + k] = x + y;
    }
  }
  return new RowGradient(Int32Array.from(rows), values, a.tableRows, width);
}

/** The stored values of a gradient (its rows' for a RowGradient): scaling or squaring them is the dense operation. */
export function storedValues(gradient: Gradient): Float32Array {
  return gradient instanceof Float32Array ? gradient : gradient.values;
}

/** Sets one row of a [rows, width] table gradient to zero. */
export function zeroRow(gradient: Gradient, row: number, width: number): void {
  if (gradient instanceof Float32Array) {
    gradient.fill(0, row * width, (row + 1) * width);
    return;
  }
  const slot = binarySearch(gradient.rows, row);
  if (slot >= 0) gradient.values.fill(0, slot * width, (slot + 1) * width);
}

function binarySearch(sorted: Int32Array, value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] === value) return middle;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
