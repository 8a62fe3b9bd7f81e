// TripletEvaluator (sentence-transformers v3.3+ formulation): embeds anchors, positives and negatives (each
// list encoded on its own) and counts, per similarity function, the triplets whose positive is more similar
// to the anchor than the negative by more than a margin:
//   {fn}_accuracy = (1/n) Σ_i [ s_fn(a_i, p_i) > s_fn(a_i, n_i) + margin_fn ]      (strict >, margin default 0)
// with s_cosine = cosine similarity, s_dot = a·b and the distances NEGATED, s_euclidean = −‖a−b‖₂,
// s_manhattan = −‖a−b‖₁, so for distances the test reads d(a,p) < d(a,n) − margin written as
// −d(a,p) > −d(a,n) + margin (computed in that form). Default functions cosine, dot, manhattan, euclidean;
// max_accuracy (Python max over the functions) is added with more than one function.
// Primary metric: {mainSimilarityFunction}_accuracy when given, else max_accuracy (>1 function) or {fn}_accuracy.
// Accuracies are exact count/n in float64 (ST ≥ v3.3 takes a float32 mean, e.g. 2/3 → 0.6666666865348816).

import { inspect } from "node:util";
import { ArgumentError } from "../errors.ts";
import { checkSimilarityFunction, type SimilarityFunctionName } from "../similarity.ts";
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
import { pairedSimilarity, primaryMetricKey, resolveMainSimilarity, resolveSimilarityFnNames } from "./paired-scores.ts";

export const TRIPLET_DEFAULT_FUNCTIONS: readonly SimilarityFunctionName[] = ["cosine", "dot", "manhattan", "euclidean"];

export interface TripletEvaluatorOptions {
  /** The function whose accuracy is the primary metric (must be among similarityFnNames). */
  mainSimilarityFunction?: SimilarityFunctionName | "dot_product";
  /** One margin for every function, or per function (missing ones are 0). Default 0. */
  margin?: number | Partial<Record<SimilarityFunctionName | "dot_product", number>>;
  name?: string;
  batchSize?: number;
  /** Progress of the encoding (see encode); default: in a notebook only, when encoding lasts 2 s. */
  showProgressBar?: boolean;
  writeCsv?: boolean;
  truncateDim?: number;
  /** Default: cosine, dot, manhattan, euclidean. */
  similarityFnNames?: readonly (SimilarityFunctionName | "dot_product")[];
}

function checkMargin(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ArgumentError(where, `must be a finite number, got ${String(value)}`);
  return value;
}

function resolveMargins(margin: TripletEvaluatorOptions["margin"]): Record<SimilarityFunctionName, number> {
  const margins: Record<SimilarityFunctionName, number> = { cosine: 0, dot: 0, manhattan: 0, euclidean: 0 };
  if (margin === undefined) return margins;
  if (typeof margin === "number") {
    checkMargin(margin, "margin");
    return { cosine: margin, dot: margin, manhattan: margin, euclidean: margin };
  }
  if (typeof margin !== "object" || margin === null || Array.isArray(margin)) {
    throw new ArgumentError("margin", "must be a number or an object with keys cosine, dot, manhattan, euclidean");
  }
  for (const [key, value] of Object.entries(margin)) {
    margins[checkSimilarityFunction(key, `margin.${key}`)] = checkMargin(value, `margin.${key}`);
  }
  return margins;
}

export class TripletEvaluator implements SentenceEvaluator {
  readonly name: string;
  readonly primaryMetric: string;
  readonly greaterIsBetter = true;
  readonly anchors: string[];
  readonly positives: string[];
  readonly negatives: string[];
  readonly similarityFnNames: SimilarityFunctionName[];
  readonly mainSimilarityFunction: SimilarityFunctionName | undefined;
  readonly margin: Record<SimilarityFunctionName, number>;
  readonly batchSize: number;
  readonly showProgressBar: boolean | undefined;
  readonly writeCsv: boolean;
  readonly truncateDim: number | undefined;
  /** triplet_evaluation[_{name}]_results.csv */
  readonly csvFile: string;
  /** epoch, steps, then accuracy_{fn} per function. */
  readonly csvHeaders: string[];

  constructor(anchors: string[], positives: string[], negatives: string[], options: TripletEvaluatorOptions = {}) {
    this.anchors = checkTexts(anchors, "anchors");
    this.positives = checkTexts(positives, "positives");
    this.negatives = checkTexts(negatives, "negatives");
    checkSameLength(this.positives, "positives", this.anchors, "anchors");
    checkSameLength(this.negatives, "negatives", this.anchors, "anchors");
    if (this.anchors.length === 0) throw new ArgumentError("anchors", "needs at least one triplet");
    this.similarityFnNames = resolveSimilarityFnNames(options.similarityFnNames, TRIPLET_DEFAULT_FUNCTIONS);
    this.mainSimilarityFunction = resolveMainSimilarity(options.mainSimilarityFunction, "mainSimilarityFunction", this.similarityFnNames);
    this.margin = resolveMargins(options.margin);
    this.truncateDim = checkTruncateDim(options.truncateDim);
    this.batchSize = checkBatchSize(options.batchSize ?? 16);
    this.name = options.name ?? "";
    this.showProgressBar = options.showProgressBar;
    this.writeCsv = options.writeCsv ?? true;
    this.primaryMetric = prefixMetricName(primaryMetricKey(this.mainSimilarityFunction, this.similarityFnNames, (fn) => `${fn}_accuracy`), this.name);
    this.csvFile = `triplet_evaluation${this.name ? `_${this.name}` : ""}_results.csv`;
    this.csvHeaders = ["epoch", "steps", ...this.similarityFnNames.map((fn) => `accuracy_${fn}`)];
  }

  /** Printed as one line (evaluatorSummary), not its sentences. */
  [inspect.custom](): string {
    return evaluatorSummary(this, `${this.anchors.length} triplets`);
  }

  async evaluate(model: EvaluationModel, options: EvaluateOptions = {}): Promise<Record<string, number>> {
    const { outputPath, epoch, steps } = resolveEvaluateOptions(options);
    const encodeOptions = { batchSize: this.batchSize, showProgressBar: this.showProgressBar };
    const embed = async (texts: string[]) => truncateEmbeddings(await model.encode(texts, encodeOptions), this.truncateDim);
    const anchors = await embed(this.anchors);
    const positives = await embed(this.positives);
    const negatives = await embed(this.negatives);

    const metrics: Record<string, number> = {};
    for (const fn of this.similarityFnNames) {
      const positiveScores = pairedSimilarity(fn, anchors, positives);
      const negativeScores = pairedSimilarity(fn, anchors, negatives);
      const margin = this.margin[fn];
      const correct = positiveScores.filter((score, i) => score > negativeScores[i] + margin).length;
      metrics[`${fn}_accuracy`] = correct / positiveScores.length;
    }
    if (outputPath !== undefined && this.writeCsv) {
      appendCsvRow(outputPath, this.csvFile, this.csvHeaders, epoch, steps, this.similarityFnNames.map((fn) => metrics[`${fn}_accuracy`]));
    }
    if (this.similarityFnNames.length > 1) metrics.max_accuracy = pythonMax(Object.values(metrics));
    return reportMetrics(model, this, metrics);
  }
}
