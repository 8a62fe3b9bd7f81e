// EmbeddingSimilarityEvaluator (sentence-transformers v3.0–3.2 behaviour, the tutorial's 10-key table):
// embeds sentences1 and sentences2 (each list encoded on its own), scores every pair i with each similarity
// function and correlates the scores with the gold scores:
//   pearson_{fn}  = scipy.stats.pearsonr(gold, s_fn)     spearman_{fn} = scipy.stats.spearmanr(gold, s_fn)
//   s_cosine = 1 − paired cosine distance, s_manhattan = −‖u−v‖₁, s_euclidean = −‖u−v‖₂, s_dot = u·v
// (distances negated so that every correlation is "higher is better").
// Default functions, in this key order: cosine, manhattan, euclidean, dot → keys pearson_cosine,
// spearman_cosine, pearson_manhattan, spearman_manhattan, pearson_euclidean, spearman_euclidean, pearson_dot,
// spearman_dot, then pearson_max, spearman_max (Python max over the functions) when more than one function.
// Primary metric: spearman_{mainSimilarity} when given, else spearman_max (>1 function) or spearman_{fn}.
// (v3.3+ would default to only model.similarity_fn_name → 2 keys; pass similarityFnNames: ["cosine"] for that.)
// precision "float32" encodes with normalised embeddings and names the CSV …_float32_results.csv, as ST;
// quantised precisions (int8, uint8, binary, ubinary) are not supported.

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
import { pairedSimilarity, primaryMetricKey, resolveMainSimilarity, resolveSimilarityFnNames } from "./paired-scores.ts";
import { pearson, spearman } from "./statistics.ts";

export const EMBEDDING_SIMILARITY_DEFAULT_FUNCTIONS: readonly SimilarityFunctionName[] = ["cosine", "manhattan", "euclidean", "dot"];

const QUANTIZED_PRECISIONS = ["int8", "uint8", "binary", "ubinary"];

export interface EmbeddingSimilarityEvaluatorOptions {
  batchSize?: number;
  /** The function whose Spearman correlation is the primary metric (must be among similarityFnNames). */
  mainSimilarity?: SimilarityFunctionName | "dot_product";
  /** Default: cosine, manhattan, euclidean, dot (sentence-transformers v3.0–3.2). */
  similarityFnNames?: readonly (SimilarityFunctionName | "dot_product")[];
  name?: string;
  /** Progress of the encoding (see encode); default: in a notebook only, when encoding lasts 2 s. */
  showProgressBar?: boolean;
  writeCsv?: boolean;
  /** Only "float32" (normalised embeddings) is supported. */
  precision?: "float32";
  /** Use only the first truncateDim embedding components. */
  truncateDim?: number;
}

function l2NormalizeRows(rows: number[][]): number[][] {
  return rows.map((row) => {
    const norm = Math.sqrt(row.reduce((sum, value) => sum + value * value, 0));
    return norm === 0 ? row : row.map((value) => value / norm);
  });
}

export class EmbeddingSimilarityEvaluator implements SentenceEvaluator {
  readonly name: string;
  readonly primaryMetric: string;
  readonly greaterIsBetter = true;
  readonly sentences1: string[];
  readonly sentences2: string[];
  readonly scores: number[];
  readonly similarityFnNames: SimilarityFunctionName[];
  readonly mainSimilarity: SimilarityFunctionName | undefined;
  readonly batchSize: number;
  readonly showProgressBar: boolean | undefined;
  readonly writeCsv: boolean;
  readonly precision: "float32" | undefined;
  readonly truncateDim: number | undefined;
  /** similarity_evaluation[_{name}][_{precision}]_results.csv */
  readonly csvFile: string;
  /** epoch, steps, then {fn}_pearson, {fn}_spearman per function. */
  readonly csvHeaders: string[];

  constructor(sentences1: string[], sentences2: string[], scores: number[], options: EmbeddingSimilarityEvaluatorOptions = {}) {
    this.sentences1 = checkTexts(sentences1, "sentences1");
    this.sentences2 = checkTexts(sentences2, "sentences2");
    checkSameLength(this.sentences2, "sentences2", this.sentences1, "sentences1");
    if (!Array.isArray(scores)) throw new ArgumentError("scores", `must be an array of numbers, got ${typeof scores}`);
    checkSameLength(scores, "scores", this.sentences1, "sentences1");
    const bad = scores.findIndex((score) => typeof score !== "number" || !Number.isFinite(score));
    if (bad >= 0) throw new ArgumentError(`scores[${bad}]`, `must be a finite number, got ${String(scores[bad])}`);
    if (scores.length < 2) throw new ArgumentError("scores", `needs at least 2 pairs for a correlation, got ${scores.length}`);
    this.scores = [...scores];

    this.similarityFnNames = resolveSimilarityFnNames(options.similarityFnNames, EMBEDDING_SIMILARITY_DEFAULT_FUNCTIONS);
    this.mainSimilarity = resolveMainSimilarity(options.mainSimilarity, "mainSimilarity", this.similarityFnNames);
    const precision: unknown = options.precision;
    if (precision !== undefined && precision !== "float32") {
      throw new ArgumentError(
        "precision",
        QUANTIZED_PRECISIONS.includes(precision as string)
          ? `${JSON.stringify(precision)} (quantised embeddings) is not supported; use "float32" or leave it unset`
          : `${JSON.stringify(precision)} is not a precision (use "float32" or leave it unset)`,
      );
    }
    this.precision = precision;
    this.truncateDim = checkTruncateDim(options.truncateDim);
    this.batchSize = checkBatchSize(options.batchSize ?? 16);
    this.name = options.name ?? "";
    this.showProgressBar = options.showProgressBar;
    this.writeCsv = options.writeCsv ?? true;

    this.primaryMetric = prefixMetricName(primaryMetricKey(this.mainSimilarity, this.similarityFnNames, (fn) => `spearman_${fn}`), this.name);
    this.csvFile = `similarity_evaluation${this.name ? `_${this.name}` : ""}${this.precision ? `_${this.precision}` : ""}_results.csv`;
    this.csvHeaders = ["epoch", "steps", ...this.similarityFnNames.flatMap((fn) => [`${fn}_pearson`, `${fn}_spearman`])];
  }

  /** Printed as one line (evaluatorSummary), not its sentences. */
  [inspect.custom](): string {
    return evaluatorSummary(this, `${this.sentences1.length} scored pairs`);
  }

  async evaluate(model: EvaluationModel, options: EvaluateOptions = {}): Promise<Record<string, number>> {
    const { outputPath, epoch, steps } = resolveEvaluateOptions(options);
    const normalize = this.precision !== undefined;
    const encodeOptions = {
      batchSize: this.batchSize,
      showProgressBar: this.showProgressBar,
      // ST normalises after truncating; with truncation the normalisation is done here instead.
      normalizeEmbeddings: normalize && this.truncateDim === undefined,
    };
    const embed = async (sentences: string[]) => {
      const embeddings = truncateEmbeddings(await model.encode(sentences, encodeOptions), this.truncateDim);
      return normalize && this.truncateDim !== undefined ? l2NormalizeRows(embeddings) : embeddings;
    };
    const embeddings1 = await embed(this.sentences1);
    const embeddings2 = await embed(this.sentences2);

    const metrics: Record<string, number> = {};
    for (const fn of this.similarityFnNames) {
      const predicted = pairedSimilarity(fn, embeddings1, embeddings2);
      metrics[`pearson_${fn}`] = pearson(this.scores, predicted);
      metrics[`spearman_${fn}`] = spearman(this.scores, predicted);
    }
    if (outputPath !== undefined && this.writeCsv) {
      const values = this.similarityFnNames.flatMap((fn) => [metrics[`pearson_${fn}`], metrics[`spearman_${fn}`]]);
      appendCsvRow(outputPath, this.csvFile, this.csvHeaders, epoch, steps, values);
    }
    if (this.similarityFnNames.length > 1) {
      metrics.pearson_max = pythonMax(this.similarityFnNames.map((fn) => metrics[`pearson_${fn}`]));
      metrics.spearman_max = pythonMax(this.similarityFnNames.map((fn) => metrics[`spearman_${fn}`]));
    }
    return reportMetrics(model, this, metrics);
  }
}
