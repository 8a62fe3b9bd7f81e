// BinaryClassificationEvaluator (sentence-transformers, with the v5.7 fix of PR #3886 for distances):
// embeds every distinct sentence once, scores each pair with each function and treats the score as a
// classifier of "similar" (label 1) vs "dissimilar" (label 0):
//   cosine / dot: similarities, higher = more similar;  euclidean / manhattan: POSITIVE distances ‖u−v‖,
//   lower = more similar (v3.3–v5.6 negated them while still sorting ascending, inverting those metrics).
// Per function, with the rows sorted from most to least similar (stable sort) and a cut after row i:
//   accuracy           = max_i (positives in rows ≤ i + negatives in rows > i) / n   (strict improvement only)
//   accuracy_threshold = midpoint of the scores of rows i and i+1 at that best cut (−1 if none)
//   f1                 = max_i 2PR/(P+R), P = positives ≤ i / (i+1), R = positives ≤ i / all positives
//   f1_threshold, precision, recall at that best F1 cut (0 when no cut has a positive)
//   ap                 = sklearn average_precision_score(labels, score) — on −distance for distances
//   mcc                = sklearn matthews_corrcoef(labels, score ≥ f1_threshold) (≤ for distances)
// Keys: {fn}_accuracy, {fn}_accuracy_threshold, {fn}_f1, {fn}_f1_threshold, {fn}_precision, {fn}_recall,
// {fn}_ap, {fn}_mcc for fn in cosine, dot, manhattan, euclidean (default, ST's order), then with >1 function
// max_{metric} for each of the eight (Python max over the functions, thresholds included, as ST does).
// Primary metric: max_ap, or {fn}_ap with a single function.

import { inspect } from "node:util";
import { ArgumentError } from "../errors.ts";
import type { SimilarityFunctionName } from "../similarity.ts";
import {
  evaluatorSummary,
  appendCsvRow,
  checkBatchSize,
  checkSameLength,
  checkTexts,
  checkTruncateDim,
  prefixMetricName,
  reportMetrics,
  pythonMax,
  resolveEvaluateOptions,
  truncateEmbeddings,
  type EvaluateOptions,
  type EvaluationModel,
  type SentenceEvaluator,
} from "./evaluator.ts";
import { pairedCosineSimilarity, pairedDot, pairedEuclideanDistance, pairedManhattanDistance, primaryMetricKey, resolveSimilarityFnNames } from "./paired-scores.ts";
import { averagePrecision, matthewsCorrelation } from "./statistics.ts";

export const BINARY_CLASSIFICATION_DEFAULT_FUNCTIONS: readonly SimilarityFunctionName[] = ["cosine", "dot", "manhattan", "euclidean"];

/** Metric order of the returned keys (per function and for max_). */
export const BINARY_CLASSIFICATION_METRICS = ["accuracy", "accuracy_threshold", "f1", "f1_threshold", "precision", "recall", "ap", "mcc"] as const;
export type BinaryClassificationMetric = (typeof BINARY_CLASSIFICATION_METRICS)[number];

/** Column order of ST's CSV file (differs from the key order). */
const CSV_METRICS: readonly BinaryClassificationMetric[] = ["accuracy", "accuracy_threshold", "f1", "precision", "recall", "f1_threshold", "ap", "mcc"];

export interface BinaryClassificationEvaluatorOptions {
  name?: string;
  batchSize?: number;
  /** Progress of the encoding (see encode); default: in a notebook only, when encoding lasts 2 s. */
  showProgressBar?: boolean;
  writeCsv?: boolean;
  truncateDim?: number;
  /** Default: cosine, dot, manhattan, euclidean. */
  similarityFnNames?: readonly (SimilarityFunctionName | "dot_product")[];
}

/** Row indices ordered from most to least similar; ties keep their input order (Python's stable sorted). */
function sortedRows(scores: number[], highScoreMoreSimilar: boolean): number[] {
  const order = scores.map((_, i) => i);
  return order.sort(highScoreMoreSimilar ? (a, b) => scores[b] - scores[a] : (a, b) => scores[a] - scores[b]);
}

/** ST's find_best_acc_and_threshold. */
export function findBestAccuracyAndThreshold(scores: number[], labels: number[], highScoreMoreSimilar: boolean): { accuracy: number; threshold: number } {
  if (scores.length !== labels.length) throw new Error(`${scores.length} scores for ${labels.length} labels`);
  const rows = sortedRows(scores, highScoreMoreSimilar);
  let maxAccuracy = 0;
  let bestThreshold = -1;
  let positiveSoFar = 0;
  let remainingNegatives = labels.filter((label) => label === 0).length;
  for (let i = 0; i < rows.length - 1; i++) {
    if (labels[rows[i]] === 1) positiveSoFar++;
    else remainingNegatives--;
    const accuracy = (positiveSoFar + remainingNegatives) / labels.length;
    if (accuracy > maxAccuracy) {
      maxAccuracy = accuracy;
      bestThreshold = (scores[rows[i]] + scores[rows[i + 1]]) / 2;
    }
  }
  return { accuracy: maxAccuracy, threshold: bestThreshold };
}

/** ST's find_best_f1_and_threshold. */
export function findBestF1AndThreshold(
  scores: number[],
  labels: number[],
  highScoreMoreSimilar: boolean,
): { f1: number; precision: number; recall: number; threshold: number } {
  if (scores.length !== labels.length) throw new Error(`${scores.length} scores for ${labels.length} labels`);
  const rows = sortedRows(scores, highScoreMoreSimilar);
  let best = { f1: 0, precision: 0, recall: 0, threshold: 0 };
  let extracted = 0;
  let correct = 0;
  const totalPositives = labels.reduce((sum, label) => sum + label, 0);
  for (let i = 0; i < rows.length - 1; i++) {
    extracted++;
    if (labels[rows[i]] === 1) correct++;
    if (correct > 0) {
      const precision = correct / extracted;
      const recall = correct / totalPositives;
      const f1 = (2 * precision * recall) / (precision + recall);
      if (f1 > best.f1) best = { f1, precision, recall, threshold: (scores[rows[i]] + scores[rows[i + 1]]) / 2 };
    }
  }
  return best;
}

/** All eight metrics for one score list; `highScoreMoreSimilar` false for distances. */
export function binaryClassificationMetrics(scores: number[], labels: number[], highScoreMoreSimilar: boolean): Record<BinaryClassificationMetric, number> {
  const { accuracy, threshold: accuracyThreshold } = findBestAccuracyAndThreshold(scores, labels, highScoreMoreSimilar);
  const { f1, precision, recall, threshold: f1Threshold } = findBestF1AndThreshold(scores, labels, highScoreMoreSimilar);
  const ap = averagePrecision(labels, highScoreMoreSimilar ? scores : scores.map((score) => -score));
  const predicted = scores.map((score) => ((highScoreMoreSimilar ? score >= f1Threshold : score <= f1Threshold) ? 1 : 0));
  const mcc = matthewsCorrelation(labels, predicted);
  return { accuracy, accuracy_threshold: accuracyThreshold, f1, f1_threshold: f1Threshold, precision, recall, ap, mcc };
}

export class BinaryClassificationEvaluator implements SentenceEvaluator {
  readonly name: string;
  readonly primaryMetric: string;
  readonly greaterIsBetter = true;
  readonly sentences1: string[];
  readonly sentences2: string[];
  readonly labels: number[];
  readonly similarityFnNames: SimilarityFunctionName[];
  readonly batchSize: number;
  readonly showProgressBar: boolean | undefined;
  readonly writeCsv: boolean;
  readonly truncateDim: number | undefined;
  /** binary_classification_evaluation[_{name}]_results.csv */
  readonly csvFile: string;
  /** epoch, steps, then per function {fn}_accuracy, _accuracy_threshold, _f1, _precision, _recall, _f1_threshold, _ap, _mcc. */
  readonly csvHeaders: string[];

  constructor(sentences1: string[], sentences2: string[], labels: number[], options: BinaryClassificationEvaluatorOptions = {}) {
    this.sentences1 = checkTexts(sentences1, "sentences1");
    this.sentences2 = checkTexts(sentences2, "sentences2");
    checkSameLength(this.sentences2, "sentences2", this.sentences1, "sentences1");
    if (!Array.isArray(labels)) throw new ArgumentError("labels", `must be an array of 0/1 labels, got ${typeof labels}`);
    checkSameLength(labels, "labels", this.sentences1, "sentences1");
    const bad = labels.findIndex((label) => label !== 0 && label !== 1);
    if (bad >= 0) throw new ArgumentError(`labels[${bad}]`, `must be 0 or 1, got ${String(labels[bad])}`);
    if (labels.length === 0) throw new ArgumentError("labels", "needs at least one pair");
    this.labels = [...labels];
    this.similarityFnNames = resolveSimilarityFnNames(options.similarityFnNames, BINARY_CLASSIFICATION_DEFAULT_FUNCTIONS);
    this.truncateDim = checkTruncateDim(options.truncateDim);
    this.batchSize = checkBatchSize(options.batchSize ?? 32);
    this.name = options.name ?? "";
    this.showProgressBar = options.showProgressBar;
    this.writeCsv = options.writeCsv ?? true;
    this.primaryMetric = prefixMetricName(primaryMetricKey(undefined, this.similarityFnNames, (fn) => `${fn}_ap`), this.name);
    this.csvFile = `binary_classification_evaluation${this.name ? `_${this.name}` : ""}_results.csv`;
    this.csvHeaders = ["epoch", "steps", ...this.similarityFnNames.flatMap((fn) => CSV_METRICS.map((metric) => `${fn}_${metric}`))];
  }

  /** The per-function metrics (unprefixed), embedding each distinct sentence once as ST does. */
  async computeMetrics(model: EvaluationModel): Promise<Map<SimilarityFunctionName, Record<BinaryClassificationMetric, number>>> {
    const unique = [...new Set([...this.sentences1, ...this.sentences2])];
    const encoded = truncateEmbeddings(await model.encode(unique, { batchSize: this.batchSize, showProgressBar: this.showProgressBar }), this.truncateDim);
    const bySentence = new Map(unique.map((sentence, i) => [sentence, encoded[i]]));
    const embeddings1 = this.sentences1.map((sentence) => bySentence.get(sentence)!);
    const embeddings2 = this.sentences2.map((sentence) => bySentence.get(sentence)!);
    const results = new Map<SimilarityFunctionName, Record<BinaryClassificationMetric, number>>();
    for (const fn of this.similarityFnNames) {
      const scores = {
        cosine: pairedCosineSimilarity,
        dot: pairedDot,
        manhattan: pairedManhattanDistance,
        euclidean: pairedEuclideanDistance,
      }[fn](embeddings1, embeddings2);
      results.set(fn, binaryClassificationMetrics(scores, this.labels, fn === "cosine" || fn === "dot"));
    }
    return results;
  }

  /** Printed as one line (evaluatorSummary), not its sentences. */
  [inspect.custom](): string {
    return evaluatorSummary(this, `${this.sentences1.length} labeled pairs`);
  }

  async evaluate(model: EvaluationModel, options: EvaluateOptions = {}): Promise<Record<string, number>> {
    const { outputPath, epoch, steps } = resolveEvaluateOptions(options);
    const scores = await this.computeMetrics(model);
    if (outputPath !== undefined && this.writeCsv) {
      // ST v3.3+ drops the two threshold columns from the data row (it keeps headers with exactly one "_"),
      // which shifts every later column; the row here matches the header, as in ST v3.0–3.2.
      const values = this.similarityFnNames.flatMap((fn) => CSV_METRICS.map((metric) => scores.get(fn)![metric]));
      appendCsvRow(outputPath, this.csvFile, this.csvHeaders, epoch, steps, values);
    }
    const metrics: Record<string, number> = {};
    for (const fn of this.similarityFnNames) {
      for (const metric of BINARY_CLASSIFICATION_METRICS) metrics[`${fn}_${metric}`] = scores.get(fn)![metric];
    }
    if (this.similarityFnNames.length > 1) {
      for (const metric of BINARY_CLASSIFICATION_METRICS) {
        metrics[`max_${metric}`] = pythonMax(this.similarityFnNames.map((fn) => scores.get(fn)![metric]));
      }
    }
    return reportMetrics(model, this, metrics);
  }
}
