// The AdamW update of one weight (adamw.ts' formulas), with the gradient clipping folded in
// and the finite check of the new weights, in one pass over memory. Per element, in JS doubles:
//   g = fround(gradient · scale)              the clipped gradient as clip_grad_norm_ stores it (scale 1: g itself)
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g·g          (m, v stored as float32, used unrounded below)
//   θ = θ·keep − (stepSize·m) / (√v · inverseSecondCorrectionRoot + ε)
// A row-sparse update walks the table: rows with a gradient row as above, rows touched
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

interface WeightArrays {
  weights: Float32Array;
  first: Float32Array;
  second: Float32Array;
  /** 1 − lr·λ for this weight (1 without weight decay). */
  keep: number;
}

/** A weight with a dense gradient. */
export interface DenseUpdate extends WeightArrays {
  kind: "dense";
  gradient: Float32Array;
}

/** A table with a row-sparse gradient (engines/row-gradient.ts); touched: 1 for each row whose moments may not be +0. */
export interface RowUpdate extends WeightArrays {
  kind: "rows";
  rows: Int32Array;
  values: Float32Array;
  width: number;
  touched: Uint8Array;
}

export type WeightUpdate = DenseUpdate | RowUpdate;

/** Applies one update in place; false when a weight it wrote is NaN or infinite. */
export function updateWeight(update: WeightUpdate, constants: StepConstants): boolean {
  return update.kind === "dense" ? updateDense(update, constants) : updateRows(update, constants);
}

function updateDense(update: DenseUpdate, constants: StepConstants): boolean {
  return updateRange(update, update.gradient, 0, 0, update.weights.length, constants);
}

/** Elements [from, to) of the weight, element i taking gradient[gradientStart + i − from]. */
function updateRange(arrays: WeightArrays, gradient: Float32Array, gradientStart: number, from: number, to: number, constants: StepConstants): boolean {
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

function updateRows(update: RowUpdate, constants: StepConstants): boolean {
  const { rows, values, width, touched, weights, keep } = update;
  let finite = true;
  if (zeroRow.length < width) zeroRow = new Float32Array(width);
  let slot = 0;
  for (let row = 0; row < touched.length; row++) {
    const start = row * width;
    if (slot < rows.length && rows[slot] === row) {
      finite = updateRange(update, values, slot++ * width, start, start + width, constants) && finite;
    } else if (touched[row]) {
      finite = updateRange(update, zeroRow, 0, start, start + width, constants) && finite;
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
