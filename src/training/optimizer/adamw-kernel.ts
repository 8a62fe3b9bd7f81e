// The AdamW update of one weight (adamw.ts' formulas), with the gradient clipping folded in
// and the finite check of the new weights, in one pass over memory. Per element, in JS doubles:
//   g = fround(gradient · scale)              the clipped gradient as clip_grad_norm_ stores it (scale 1: g itself)
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g·g          (m, v stored as float32, used unrounded below)
//   θ = θ·keep − (stepSize·m) / (√v · inverseSecondCorrectionRoot + ε)
// A row-sparse slice walks a row range of the table: rows with a gradient row as above, rows touched
// before with g = 0, the others θ·keep (nothing when keep is 1).

export interface StepConstants {
  beta1: number;
  beta2: number;
  epsilon: number;
  stepSize: number;
  inverseSecondCorrectionRoot: number;
  /** The clipping coefficient the gradient is multiplied by (1: no clipping). */
  scale: number;
}

interface SliceArrays {
  weights: Float32Array;
  first: Float32Array;
  second: Float32Array;
  /** 1 − lr·λ for this weight (1 without weight decay). */
  keep: number;
}

/** A weight with a dense gradient. */
export interface DenseSlice extends SliceArrays {
  kind: "dense";
  gradient: Float32Array;
}

/** A table with a row-sparse gradient (engines/row-gradient.ts); touched: 1 for each row whose moments may not be +0. */
export interface RowSlice extends SliceArrays {
  kind: "rows";
  rows: Int32Array;
  values: Float32Array;
  width: number;
  touched: Uint8Array;
}

export type Slice = DenseSlice | RowSlice;

/** Updates one slice in place; false when a weight it wrote is NaN or infinite. */
export function updateSlice(slice: Slice, constants: StepConstants): boolean {
  return slice.kind === "dense" ? updateDense(slice, constants) : updateRows(slice, constants);
}

function updateDense(slice: DenseSlice, constants: StepConstants): boolean {
  return updateRange(slice, slice.gradient, 0, 0, slice.weights.length, constants);
}

/** Elements [from, to) of the weight, element i taking gradient[gradientStart + i − from]. */
function updateRange(arrays: SliceArrays, gradient: Float32Array, gradientStart: number, from: number, to: number, constants: StepConstants): boolean {
  const { weights, first, second, keep } = arrays;
  const { beta1, beta2, epsilon, stepSize, inverseSecondCorrectionRoot, scale } = constants;
  const shift = gradientStart - from;
  let finite = true;
  for (let i = from; i < to; i++) {
    const g = Math.fround(gradient[i + shift] * scale);
    const m = (first[i] = beta1 * first[i] + (1 - beta1) * g);
    const v = (second[i] = beta2 * second[i] + (1 - beta2) * g * g);
    const w = Math.fround(weights[i] * keep - (stepSize * m) / (Math.sqrt(v) * inverseSecondCorrectionRoot + epsilon));
    weights[i] = w;
    if (w - w !== 0) finite = false;
  }
  return finite;
}

/** A row of zeros, for touched rows without a gradient row (grown to the widest table seen). */
let zeroRow = new Float32Array(0);

function updateRows(slice: RowSlice, constants: StepConstants): boolean {
  const { rows, values, width, touched, weights, keep } = slice;
  let finite = true;
  if (zeroRow.length < width) zeroRow = new Float32Array(width);
  let slot = 0;
  for (let row = 0; row < touched.length; row++) {
    const start = row * width;
    if (slot < rows.length && rows[slot] === row) {
      finite = updateRange(slice, values, slot++ * width, start, start + width, constants) && finite;
    } else if (touched[row]) {
      finite = updateRange(slice, zeroRow, 0, start, start + width, constants) && finite;
    } else if (keep !== 1) {
      for (let i = start; i < start + width; i++) {
        const w = Math.fround(weights[i] * keep);
        weights[i] = w;
        if (w - w !== 0) finite = false;
      }
    }
  }
  return finite;
}
