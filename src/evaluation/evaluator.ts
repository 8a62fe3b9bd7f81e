// The evaluator contract, as sentence-transformers' SentenceEvaluator (v3):
//   evaluate(model, { outputPath, epoch = −1, steps = −1 }) → { metric: value }, every key already prefixed
//   with `${name}_` when the evaluator has a non-empty name (prefix_name_to_metrics). `primaryMetric` is the
//   (prefixed) key used for model selection; `greaterIsBetter` is true for every built-in evaluator.
// With outputPath set (and writeCsv), a row `epoch, steps, metrics…` is appended to
// `{outputPath}/{csvFile}`; the folder is created and the header row written when the file is new. Files
// are written as Python's csv.writer does: CRLF line ends, minimal quoting, floats in Python repr form
// (0.1, 1.0, 1e-05, nan), integers as integers.

import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ArgumentError } from "../errors.ts";
import { shortMetricsInNotebook } from "../notebook/inspect.ts";
import type { ModelCardData } from "../models/model-card.ts";
import type { EncodeOptions } from "../models/sentence-transformer.ts";
import type { SimilarityFunctionName } from "../similarity.ts";

/** What an evaluator needs from a model: SentenceTransformer satisfies it; tests may pass a stand-in. */
export interface EvaluationModel {
  encode(sentences: string[], options?: EncodeOptions): Promise<number[][]>;
  similarityFnName?: SimilarityFunctionName;
  /** Where sentence-transformers evaluators store their latest results (the model card's Evaluation section). */
  modelCardData?: ModelCardData;
}

/**
 * An evaluator as printed (console.log, a notebook cell's last expression): its class, name, what it holds
 * and its primary metric on one line, not its sentences (thousands of them).
 */
export function evaluatorSummary(evaluator: SentenceEvaluator, holds: string): string {
  return `${evaluator.constructor.name}(${evaluator.name ? `"${evaluator.name}", ` : ""}${holds}; primary metric ${evaluator.primaryMetric})`;
}

/**
 * The evaluator's final step, as sentence-transformers does it: prefix the metrics with the
 * evaluator's name and store them in the model card data (replacing that evaluator's earlier results).
 * In a notebook the returned dictionary prints with 4 decimals (a non-enumerable inspect hook).
 */
export function reportMetrics(
  model: EvaluationModel,
  evaluator: { name: string; primaryMetric: string },
  metrics: Record<string, number>,
): Record<string, number> {
  const prefixed = prefixNameToMetrics(metrics, evaluator.name);
  if (model.modelCardData) {
    const className = evaluator.constructor.name;
    const evaluatorName = evaluator.name || className;
    const others = (model.modelCardData.evaluation ?? []).filter((entry) => entry.evaluatorName !== evaluatorName);
    model.modelCardData.evaluation = [...others, { evaluatorName, className, metrics: prefixed, primaryMetric: evaluator.primaryMetric }];
  }
  return shortMetricsInNotebook(prefixed);
}

export interface EvaluateOptions {
  /** Folder for the evaluator's CSV file (created if needed); no file is written when unset. */
  outputPath?: string;
  /** Written to the CSV; −1 (the default) means "not during training". */
  epoch?: number;
  /** Written to the CSV; −1 (the default) means "end of epoch / not during training". */
  steps?: number;
}

export interface SentenceEvaluator {
  /** Prefix of every returned key (`${name}_…`); "" for none. */
  name: string;
  /** The returned key (name prefix included) that model selection looks at. */
  primaryMetric: string;
  greaterIsBetter: boolean;
  evaluate(model: EvaluationModel, options?: EvaluateOptions): Promise<Record<string, number>>;
}

/** sentence-transformers' prefix_name_to_metrics: `${name}_${key}` for every key when name is non-empty. */
export function prefixNameToMetrics(metrics: Record<string, number>, name: string): Record<string, number> {
  if (!name) return { ...metrics };
  const prefixed: Record<string, number> = {};
  for (const [key, value] of Object.entries(metrics)) prefixed[`${name}_${key}`] = value;
  return prefixed;
}

/** One metric key with the evaluator's name prefix. */
export function prefixMetricName(metric: string, name: string): string {
  return name ? `${name}_${metric}` : metric;
}

/** Python's max() over a sequence: keeps the first value unless a later one is strictly greater (NaN-sticky order). */
export function pythonMax(values: number[]): number {
  let best = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] > best) best = values[i];
  return best;
}

/** Python's repr(float): shortest round-trip digits, exponent form below 1e-4 and from 1e16 on. */
export function formatPythonFloat(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const sign = value < 0 ? "-" : "";
  const [mantissa, exponentText] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  const decimalPoint = exponent + 1; // value = 0.digits × 10^decimalPoint
  if (decimalPoint > -4 && decimalPoint <= 16) {
    if (decimalPoint <= 0) return `${sign}0.${"0".repeat(-decimalPoint)}${digits}`;
    if (decimalPoint >= digits.length) return `${sign}${digits}${"0".repeat(decimalPoint - digits.length)}.0`;
    return `${sign}${digits.slice(0, decimalPoint)}.${digits.slice(decimalPoint)}`;
  }
  const exponentPart = `${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}e${exponentPart}`;
}

/** A CSV field as Python's csv.writer (QUOTE_MINIMAL) writes it. */
function csvField(value: string | number, integer: boolean): string {
  const text = typeof value === "number" ? (integer && Number.isInteger(value) ? String(value) : formatPythonFloat(value)) : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Appends `epoch, steps, ...values` to `{outputPath}/{fileName}`, creating the folder, and the file with
 * `headers` as its first row, when they do not exist.
 */
export function appendCsvRow(outputPath: string, fileName: string, headers: string[], epoch: number, steps: number, values: number[]): string {
  if (headers.length !== values.length + 2) throw new Error(`CSV row of ${values.length + 2} fields for ${headers.length} headers`);
  mkdirSync(outputPath, { recursive: true });
  const path = join(outputPath, fileName);
  const row = (fields: string[]) => `${fields.join(",")}\r\n`;
  const lines = existsSync(path) ? "" : row(headers.map((header) => csvField(header, false)));
  appendFileSync(path, lines + row([csvField(epoch, true), csvField(steps, true), ...values.map((value) => csvField(value, false))]), "utf8");
  return path;
}

/** Resolves evaluate()'s options with sentence-transformers' defaults (epoch = steps = −1). */
export function resolveEvaluateOptions(options: EvaluateOptions = {}): Required<Pick<EvaluateOptions, "epoch" | "steps">> & EvaluateOptions {
  const epoch = options.epoch ?? -1;
  const steps = options.steps ?? -1;
  if (!Number.isFinite(epoch)) throw new ArgumentError("epoch", `must be a finite number, got ${epoch}`);
  if (!Number.isFinite(steps)) throw new ArgumentError("steps", `must be a finite number, got ${steps}`);
  return { ...options, epoch, steps };
}

/** Checks an evaluator's list of texts: an array of strings. */
export function checkTexts(texts: unknown, argument: string): string[] {
  if (!Array.isArray(texts)) throw new ArgumentError(argument, `must be an array of strings, got ${typeof texts}`);
  const bad = texts.findIndex((text) => typeof text !== "string");
  if (bad >= 0) throw new ArgumentError(`${argument}[${bad}]`, `must be a string, got ${typeof texts[bad]}`);
  return texts as string[];
}

/** Checks that `values` has the same length as the reference list. */
export function checkSameLength(values: { length: number }, argument: string, reference: { length: number }, referenceArgument: string): void {
  if (values.length !== reference.length) {
    throw new ArgumentError(argument, `has ${values.length} entries but ${referenceArgument} has ${reference.length}`);
  }
}

export function checkBatchSize(batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError("batchSize", `must be a positive integer, got ${batchSize}`);
  return batchSize;
}

/** Embeddings cut to their first `dimension` components (sentence-transformers' truncate_dim); unchanged when undefined. */
export function truncateEmbeddings(embeddings: number[][], dimension: number | undefined): number[][] {
  return dimension === undefined ? embeddings : embeddings.map((row) => row.slice(0, dimension));
}

export function checkTruncateDim(truncateDim: number | undefined): number | undefined {
  if (truncateDim !== undefined && (!Number.isInteger(truncateDim) || truncateDim < 1)) {
    throw new ArgumentError("truncateDim", `must be a positive integer, got ${truncateDim}`);
  }
  return truncateDim;
}
