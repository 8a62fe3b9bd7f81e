// Statistics the evaluators report, computed in float64 exactly as the Python functions sentence-transformers
// calls (scipy.stats / sklearn.metrics), including their edge cases:
//   pearson(x, y)   = Σ (x−x̄)(y−ȳ) / (‖x−x̄‖ ‖y−ȳ‖), as scipy.stats.pearsonr: the norms are scaled by max|·|
//                     before squaring, r is clipped to [−1, 1], NaN when either input is constant, rounded to
//                     ±1 when n = 2, an error when n < 2.
//   spearman(x, y)  = Pearson correlation of the average ranks (scipy.stats.spearmanr → np.corrcoef of
//                     rankdata(·, "average")): cov·1/(n−1) divided by both standard deviations, clipped;
//                     NaN when n ≤ 1, an input is constant or contains NaN.
//   rankAverage(a)  = scipy.stats.rankdata(a, method="average"): 1-based ranks, ties get the mean of the
//                     ordinal ranks they span, 0.5·(end + start + 1).
//   averagePrecision(labels, scores) = sklearn average_precision_score for binary labels:
//                     AP = Σ_k (R_k − R_{k−1})·P_k over the DISTINCT score thresholds taken from high to low
//                     (tied scores form one threshold), clipped at 0; 0 when there is no positive label.
//   matthewsCorrelation(labels, predicted) = sklearn matthews_corrcoef on 0/1 labels via its confusion-matrix
//                     formula (n·correct − t·p) / √((n² − p·p)(n² − t·t)); 0 when the denominator is 0.
// Sums use numpy's pairwise summation (pairwiseSum) where numpy would, so means and AP match numpy to the
// bit; dot products and norms (BLAS in numpy) agree to rounding.

import { ArgumentError } from "../errors.ts";

/** numpy's pairwise summation of a float64 array (np.sum / np.add.reduce on a contiguous 1-D array). */
export function pairwiseSum(values: ArrayLike<number>, start = 0, length = values.length - start): number {
  if (length < 8) {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += values[start + i];
    return sum;
  }
  if (length <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = values[start + j];
    let i = 8;
    for (; i < length - (length % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += values[start + i + j];
    }
    let sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < length; i++) sum += values[start + i];
    return sum;
  }
  let half = Math.floor(length / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, length - half);
}

function mean(values: ArrayLike<number>): number {
  return pairwiseSum(values) / values.length;
}

function checkPaired(x: ArrayLike<number>, y: ArrayLike<number>, xName: string, yName: string): void {
  if (x.length !== y.length) throw new ArgumentError(yName, `has ${y.length} values but ${xName} has ${x.length}`);
}

function isConstant(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

/** numpy's np.round: round half to even. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference < 0.5) return floor;
  if (difference > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

function clip(value: number): number {
  return value > 1 ? 1 : value < -1 ? -1 : value; // NaN passes through, as with np.clip
}

/** ‖v‖₂ as scipy.stats.pearsonr takes it: max|v| · ‖v / max|v|‖₂ (no premature overflow). */
function scaledNorm(values: number[]): number {
  let max = 0;
  for (const value of values) max = Math.max(max, Math.abs(value));
  const squares = values.map((value) => (value / max) ** 2);
  return max * Math.sqrt(pairwiseSum(squares));
}

/** scipy.stats.pearsonr(x, y).statistic. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPaired(x, y, "x", "y");
  const n = x.length;
  if (n < 2) throw new ArgumentError("x", `needs at least 2 values for a correlation, got ${n}`);
  if (isConstant(x) || isConstant(y)) return Number.NaN; // scipy warns ConstantInputWarning
  const xMean = mean(x);
  const yMean = mean(y);
  const xm = Array.from(x, (value) => value - xMean);
  const ym = Array.from(y, (value) => value - yMean);
  const xNorm = scaledNorm(xm);
  const yNorm = scaledNorm(ym);
  const products = xm.map((value, i) => (value / xNorm) * (ym[i] / yNorm));
  const r = clip(pairwiseSum(products));
  return n === 2 ? roundHalfEven(r) : r;
}

/** scipy.stats.rankdata(values, method="average"): 1-based ranks, ties averaged; all NaN if any value is NaN. */
export function rankAverage(values: ArrayLike<number>): number[] {
  const n = values.length;
  if (Array.prototype.some.call(values, (value: number) => Number.isNaN(value))) return new Array<number>(n).fill(Number.NaN);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  const ranks = new Array<number>(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const rank = 0.5 * (end + start + 1);
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/** scipy.stats.spearmanr(x, y).statistic: np.corrcoef of the average ranks. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPaired(x, y, "x", "y");
  const n = x.length;
  if (n <= 1) return Number.NaN;
  if (isConstant(x) || isConstant(y)) return Number.NaN; // scipy warns ConstantInputWarning
  const xr = rankAverage(x);
  const yr = rankAverage(y);
  if (Number.isNaN(xr[0]) || Number.isNaN(yr[0])) return Number.NaN; // nan_policy="propagate"
  // np.cov: centre each variable, dot products, times 1/(n−1); np.corrcoef: c[i][j] / s_i / s_j, clipped.
  const xMean = mean(xr);
  const yMean = mean(yr);
  const xm = xr.map((value) => value - xMean);
  const ym = yr.map((value) => value - yMean);
  const factor = 1 / (n - 1);
  const cxx = pairwiseSum(xm.map((value) => value * value)) * factor;
  const cyy = pairwiseSum(ym.map((value) => value * value)) * factor;
  const cxy = pairwiseSum(xm.map((value, i) => value * ym[i])) * factor;
  return clip(cxy / Math.sqrt(cyy) / Math.sqrt(cxx));
}

function checkBinaryLabels(labels: ArrayLike<number>, name: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new ArgumentError(`${name}[${i}]`, `must be 0 or 1, got ${labels[i]}`);
  }
}

/** sklearn.metrics.average_precision_score(labels, scores) for 0/1 labels (pos_label 1, no sample weights). */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkPaired(labels, scores, "labels", "scores");
  checkBinaryLabels(labels, "labels");
  const n = scores.length;
  if (n === 0) throw new ArgumentError("scores", "is empty");
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new ArgumentError(`scores[${i}]`, `must be a finite number, got ${scores[i]}`);
  }
  // _binary_clf_curve: sort by score descending; one threshold per distinct score (the last row of each run).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  let positives = 0;
  for (let i = 0; i < n; i++) {
    positives += labels[order[i]];
    if (i === n - 1 || scores[order[i + 1]] !== scores[order[i]]) {
      tps.push(positives);
      fps.push(i + 1 - positives);
    }
  }
  // precision_recall_curve, reversed so recall decreases, with the final (precision 1, recall 0) point.
  const total = tps[tps.length - 1];
  const precision = tps.map((tp, k) => (tp + fps[k] !== 0 ? tp / (tp + fps[k]) : 0)).reverse();
  const recall = (total === 0 ? tps.map(() => 1) : tps.map((tp) => tp / total)).reverse();
  precision.push(1);
  recall.push(0);
  const terms = new Array<number>(recall.length - 1);
  for (let k = 0; k < terms.length; k++) terms[k] = (recall[k + 1] - recall[k]) * precision[k];
  return Math.max(0, -pairwiseSum(terms));
}

/** sklearn.metrics.matthews_corrcoef(labels, predicted) for 0/1 labels and predictions. */
export function matthewsCorrelation(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPaired(labels, predicted, "labels", "predicted");
  checkBinaryLabels(labels, "labels");
  checkBinaryLabels(predicted, "predicted");
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) predicted[i] === 1 ? tp++ : fn++;
    else predicted[i] === 1 ? fp++ : tn++;
  }
  // Confusion matrix C (rows = true, columns = predicted); t = row sums, p = column sums.
  const t = [tn + fp, fn + tp];
  const p = [tn + fn, fp + tp];
  const correct = tn + tp;
  const n = p[0] + p[1];
  const covTruePredicted = correct * n - (t[0] * p[0] + t[1] * p[1]);
  const covPredicted = n * n - (p[0] * p[0] + p[1] * p[1]);
  const covTrue = n * n - (t[0] * t[0] + t[1] * t[1]);
  const denominator = covPredicted * covTrue;
  return denominator === 0 ? 0 : covTruePredicted / Math.sqrt(denominator);
}
