// Row-wise scores between two lists of embeddings, in float64, as sentence-transformers' evaluators take them
// (v3.0–3.2: sklearn.metrics.pairwise paired_* distances):
//   cosine:    1 − paired_cosine_distance = 1 − ½‖â − b̂‖²  (rows L2-normalised first; a zero row stays zero)
//   dot:       a·b
//   euclidean: ‖a − b‖₂        manhattan: ‖a − b‖₁          (distances: smaller = more similar)
// `pairedSimilarity` gives "higher = more similar" scores for all four: the distances negated (−L2, −L1).

import { ArgumentError } from "../errors.ts";
import { checkSimilarityFunction, type SimilarityFunctionName } from "../similarity.ts";

function checkPairs(a: number[][], b: number[][]): void {
  if (a.length !== b.length) throw new Error(`paired scores of ${a.length} and ${b.length} embeddings`);
  a.forEach((row, i) => {
    if (row.length !== b[i].length) throw new Error(`embedding ${i} has dimension ${row.length} on one side and ${b[i].length} on the other`);
  });
}

/** sklearn.preprocessing.normalize (L2): each row divided by its norm; rows of norm 0 are left as they are. */
function normalizeRow(row: number[]): number[] {
  let squares = 0;
  for (const value of row) squares += value * value;
  const norm = Math.sqrt(squares) || 1;
  return row.map((value) => value / norm);
}

export function pairedCosineSimilarity(a: number[][], b: number[][]): number[] {
  checkPairs(a, b);
  return a.map((row, i) => {
    const x = normalizeRow(row);
    const y = normalizeRow(b[i]);
    let squares = 0;
    for (let k = 0; k < x.length; k++) squares += (x[k] - y[k]) ** 2;
    return 1 - 0.5 * squares;
  });
}

export function pairedDot(a: number[][], b: number[][]): number[] {
  checkPairs(a, b);
  return a.map((row, i) => {
    let sum = 0;
    for (let k = 0; k < row.length; k++) sum += row[k] * b[i][k];
    return sum;
  });
}

export function pairedEuclideanDistance(a: number[][], b: number[][]): number[] {
  checkPairs(a, b);
  return a.map((row, i) => {
    let squares = 0;
    for (let k = 0; k < row.length; k++) squares += (row[k] - b[i][k]) ** 2;
    return Math.sqrt(squares);
  });
}

export function pairedManhattanDistance(a: number[][], b: number[][]): number[] {
  checkPairs(a, b);
  return a.map((row, i) => {
    let sum = 0;
    for (let k = 0; k < row.length; k++) sum += Math.abs(row[k] - b[i][k]);
    return sum;
  });
}

/** Higher-is-more-similar scores: cosine, dot, −euclidean distance, −manhattan distance. */
export function pairedSimilarity(name: SimilarityFunctionName, a: number[][], b: number[][]): number[] {
  switch (name) {
    case "cosine":
      return pairedCosineSimilarity(a, b);
    case "dot":
      return pairedDot(a, b);
    case "euclidean":
      return pairedEuclideanDistance(a, b).map((distance) => -distance);
    case "manhattan":
      return pairedManhattanDistance(a, b).map((distance) => -distance);
  }
}

/**
 * An evaluator's `similarityFnNames`: the defaults when undefined, otherwise a non-empty list of distinct
 * names (`dot_product` accepted for `dot`).
 */
export function resolveSimilarityFnNames(
  names: readonly string[] | undefined,
  defaults: readonly SimilarityFunctionName[],
): SimilarityFunctionName[] {
  if (names === undefined) return [...defaults];
  if (!Array.isArray(names) || names.length === 0) throw new ArgumentError("similarityFnNames", "must be a non-empty array of similarity function names");
  const resolved = names.map((name, index) => checkSimilarityFunction(name, `similarityFnNames[${index}]`));
  const duplicate = resolved.findIndex((name, index) => resolved.indexOf(name) !== index);
  if (duplicate >= 0) throw new ArgumentError(`similarityFnNames[${duplicate}]`, `${JSON.stringify(resolved[duplicate])} is listed twice`);
  return resolved;
}

/** An evaluator's main similarity function: undefined when unset, otherwise one of its similarityFnNames. */
export function resolveMainSimilarity(
  given: string | undefined,
  argument: string,
  similarityFnNames: readonly SimilarityFunctionName[],
): SimilarityFunctionName | undefined {
  if (given === undefined) return undefined;
  const main = checkSimilarityFunction(given, argument);
  if (!similarityFnNames.includes(main)) throw new ArgumentError(argument, `${JSON.stringify(main)} is not in similarityFnNames (${similarityFnNames.join(", ")})`);
  return main;
}

/** The primary metric (unprefixed): the main function's, else the max over several functions, else the only function's. */
export function primaryMetricKey(
  main: SimilarityFunctionName | undefined,
  similarityFnNames: readonly SimilarityFunctionName[],
  key: (fn: SimilarityFunctionName | "max") => string,
): string {
  return key(main ?? (similarityFnNames.length > 1 ? "max" : similarityFnNames[0]));
}
