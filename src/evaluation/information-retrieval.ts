// InformationRetrievalEvaluator (sentence-transformers v3.3+ / v5 semantics): embeds the queries (only those
// with at least one relevant document, in `queries` order — the others are skipped with one note line, as ST
// skips them) and the corpus chunk by chunk (corpusChunkSize), scores every query against every chunk and
// keeps each query's top max(k) hits in a bounded heap (top-k.ts: higher score first, then lower corpus
// position), so memory is O(queries × max k + chunk), never queries × corpus. Scores in float64:
//   cosine = â·b̂ (rows divided by max(‖x‖, 1e-12), as torch's normalize), dot = a·b,
//   euclidean = −‖a − b‖₂, manhattan = −‖a − b‖₁.
// For query q with relevant set R (|R| ≥ 1) and ranked hits h_1, h_2, … (fewer than k when the corpus is
// smaller than k), per score function fn, in float64:
//   accuracy@k  = mean_q [∃ i ≤ k: h_i ∈ R]          precision@k = mean_q |{i ≤ k: h_i ∈ R}| / k
//   recall@k    = mean_q |{i ≤ k: h_i ∈ R}| / |R|    mrr@k = mean_q 1/(first relevant rank ≤ k), else 0
//   ndcg@k      = mean_q DCG/IDCG, DCG = Σ_{i ≤ k, h_i ∈ R} 1/log2(i + 1), IDCG = Σ_{i ≤ min(|R|, k)} 1/log2(i + 1)
//   map@k       = mean_q (Σ_{i ≤ k, h_i ∈ R} |{j ≤ i: h_j ∈ R}| / i) / min(k, |R|)
// Keys, in this order per function: {fn}_accuracy@k…, {fn}_precision@k…, {fn}_recall@k…, {fn}_ndcg@k…,
// {fn}_mrr@k…, {fn}_map@k…, prefixed `{name}_` when named. Primary metric (fixed at the first evaluate, as
// ST): {mainScoreFunction}_ndcg@{max ndcgAtK}, else the function with the best ndcg@{max k} (first in
// sorted name order on ties). scoreFunctions default to [mainScoreFunction] when that is set, else to the
// model's similarity function. CSV `Information-Retrieval_evaluation[_{name}]_results.csv`: epoch, steps,
// then per function (sorted by name) {fn}-Accuracy@k…, {fn}-Precision@k, {fn}-Recall@k (interleaved per
// k), {fn}-MRR@k…, {fn}-NDCG@k…, {fn}-MAP@k….
// Prompts as ST v5's encode_query / encode_document: queryPrompt(Name) / corpusPrompt(Name); when neither
// is given and the model has a "query" prompt (corpus: "document", "passage" or "corpus"), that one.
// truncateDim keeps the first truncateDim embedding components before scoring.
// Bad input fails in the constructor with one line: empty corpus, no query with a relevant document, a
// relevant id that is not in the corpus, an explicitly given k larger than the corpus. (ST's default ks
// larger than a small corpus rank the whole corpus; precision@k still divides by k, as ST.)
// In a notebook kernel an interrupt stops the retrieval (evaluate, rankings) at its next encode batch, corpus
// chunk or block of SCORES_PER_STOP scores with one EvaluationInterruptedError line (util/interruption.ts);
// inside a training run the trainer owns the interrupt and the evaluation finishes.

import { inspect } from "node:util";
import { ArgumentError } from "../errors.ts";
import { checkSimilarityFunction, type SimilarityFunctionName } from "../similarity.ts";
import { EvaluationInterruptedError, runInterruptible } from "../util/interruption.ts";
import {
  evaluatorSummary,
  appendCsvRow,
  checkBatchSize,
  checkTruncateDim,
  prefixMetricName,
  reportMetrics,
  resolveEvaluateOptions,
  type EvaluateOptions,
  type EvaluationModel,
  type SentenceEvaluator,
} from "./evaluator.ts";
import { TopK } from "./top-k.ts";

export interface InformationRetrievalEvaluatorOptions {
  /** Prefix of every key (`${name}_…`) and part of the CSV file name; default "". */
  name?: string;
  /** Default [10]. */
  mrrAtK?: readonly number[];
  /** Default [10]; the primary metric is ndcg at the largest. */
  ndcgAtK?: readonly number[];
  /** Default [1, 3, 5, 10]. */
  accuracyAtK?: readonly number[];
  /** Default [1, 3, 5, 10]. */
  precisionRecallAtK?: readonly number[];
  /** Default [100]. */
  mapAtK?: readonly number[];
  /** Corpus documents encoded and scored at a time; default 50000. */
  corpusChunkSize?: number;
  /** Default 32. */
  batchSize?: number;
  /** Default: [mainScoreFunction] when set, else the model's similarity function. */
  scoreFunctions?: readonly (SimilarityFunctionName | "dot_product")[];
  /** The function whose ndcg@{max k} is the primary metric (must be among scoreFunctions when both are given). */
  mainScoreFunction?: SimilarityFunctionName | "dot_product";
  queryPrompt?: string;
  queryPromptName?: string;
  corpusPrompt?: string;
  corpusPromptName?: string;
  /** Use only the first truncateDim embedding components. */
  truncateDim?: number;
  /** Default true: with an outputPath, append a CSV row. */
  writeCsv?: boolean;
  /** Progress of the encoding (see encode); default: in a notebook only, when encoding lasts 2 s. */
  showProgressBar?: boolean;
}

/** One ranked hit of a query. */
export interface RetrievalHit {
  corpusId: string;
  score: number;
}

/** Per query id: its ranked top hits, best first. */
export type Rankings = Record<string, RetrievalHit[]>;

type MetricName = "accuracy" | "precision" | "recall" | "ndcg" | "mrr" | "map";

const DEFAULT_KS = {
  mrrAtK: [10],
  ndcgAtK: [10],
  accuracyAtK: [1, 3, 5, 10],
  precisionRecallAtK: [1, 3, 5, 10],
  mapAtK: [100],
} as const;

type KOption = keyof typeof DEFAULT_KS;

export class InformationRetrievalEvaluator implements SentenceEvaluator {
  readonly name: string;
  /** Set from the options; on the first evaluate() from the results when no mainScoreFunction is given (as ST). */
  primaryMetric: string;
  readonly greaterIsBetter = true;
  /** The ids of the evaluated queries (those with a relevant document), in `queries` order. */
  readonly queriesIds: string[];
  readonly queryTexts: string[];
  readonly corpusIds: string[];
  readonly corpusTexts: string[];
  readonly relevantDocs: ReadonlyMap<string, ReadonlySet<string>>;
  /** How many of `queries` have no relevant document and are left out. */
  readonly skippedQueries: number;
  readonly mrrAtK: number[];
  readonly ndcgAtK: number[];
  readonly accuracyAtK: number[];
  readonly precisionRecallAtK: number[];
  readonly mapAtK: number[];
  readonly corpusChunkSize: number;
  readonly batchSize: number;
  readonly scoreFunctions: SimilarityFunctionName[] | undefined;
  readonly mainScoreFunction: SimilarityFunctionName | undefined;
  readonly queryPrompt: string | undefined;
  readonly queryPromptName: string | undefined;
  readonly corpusPrompt: string | undefined;
  readonly corpusPromptName: string | undefined;
  readonly truncateDim: number | undefined;
  readonly writeCsv: boolean;
  readonly showProgressBar: boolean | undefined;
  /** Information-Retrieval_evaluation[_{name}]_results.csv */
  readonly csvFile: string;
  /** After evaluate(): each query's ranked hits for the primary metric's score function. */
  lastRankings: Rankings | undefined;
  /** The function of the primary metric, once fixed. */
  #primaryFunction: SimilarityFunctionName | undefined;

  constructor(
    queries: Readonly<Record<string, string>>,
    corpus: Readonly<Record<string, string>>,
    relevantDocs: Readonly<Record<string, ReadonlySet<string> | readonly string[]>>,
    options: InformationRetrievalEvaluatorOptions = {},
  ) {
    checkRecord(queries, "queries");
    checkRecord(corpus, "corpus");
    checkRecord(relevantDocs, "relevantDocs");
    this.name = options.name ?? "";
    if (typeof this.name !== "string") throw new ArgumentError("name", `must be a string, got ${typeof this.name}`);

    this.corpusIds = Object.keys(corpus);
    if (this.corpusIds.length === 0) throw new ArgumentError("corpus", "is empty; the evaluator needs at least one document");
    this.corpusTexts = this.corpusIds.map((id) => checkText(corpus[id], `corpus[${JSON.stringify(id)}]`));

    const corpusIdSet = new Set(this.corpusIds);
    const relevant = new Map<string, ReadonlySet<string>>();
    this.queriesIds = [];
    for (const id of Object.keys(queries)) {
      checkText(queries[id], `queries[${JSON.stringify(id)}]`);
      if (!Object.hasOwn(relevantDocs, id)) continue;
      const ids = relevantIds(relevantDocs[id], `relevantDocs[${JSON.stringify(id)}]`);
      if (ids.size === 0) continue;
      for (const corpusId of ids) {
        if (!corpusIdSet.has(corpusId)) {
          throw new ArgumentError(`relevantDocs[${JSON.stringify(id)}]`, `names corpus id ${JSON.stringify(corpusId)}, which is not in corpus`);
        }
      }
      relevant.set(id, ids);
      this.queriesIds.push(id);
    }
    const queryCount = Object.keys(queries).length;
    if (this.queriesIds.length === 0) {
      throw new ArgumentError("relevantDocs", queryCount === 0 ? "queries is empty" : `none of the ${queryCount} queries has a relevant document`);
    }
    this.queryTexts = this.queriesIds.map((id) => queries[id]);
    this.relevantDocs = relevant;
    this.skippedQueries = queryCount - this.queriesIds.length;

    this.mrrAtK = checkKs(options, "mrrAtK", this.corpusIds.length);
    this.ndcgAtK = checkKs(options, "ndcgAtK", this.corpusIds.length);
    this.accuracyAtK = checkKs(options, "accuracyAtK", this.corpusIds.length);
    this.precisionRecallAtK = checkKs(options, "precisionRecallAtK", this.corpusIds.length);
    this.mapAtK = checkKs(options, "mapAtK", this.corpusIds.length);
    const chunk = options.corpusChunkSize ?? 50000;
    if (!Number.isInteger(chunk) || chunk < 1) throw new ArgumentError("corpusChunkSize", `must be a positive integer, got ${chunk}`);
    this.corpusChunkSize = chunk;
    this.batchSize = checkBatchSize(options.batchSize ?? 32);
    this.scoreFunctions = checkScoreFunctions(options.scoreFunctions);
    this.mainScoreFunction = options.mainScoreFunction === undefined ? undefined : checkSimilarityFunction(options.mainScoreFunction, "mainScoreFunction");
    if (this.mainScoreFunction && this.scoreFunctions && !this.scoreFunctions.includes(this.mainScoreFunction)) {
      throw new ArgumentError("mainScoreFunction", `${JSON.stringify(this.mainScoreFunction)} is not in scoreFunctions (${this.scoreFunctions.join(", ")})`);
    }
    this.queryPrompt = optionalString(options.queryPrompt, "queryPrompt");
    this.queryPromptName = optionalString(options.queryPromptName, "queryPromptName");
    this.corpusPrompt = optionalString(options.corpusPrompt, "corpusPrompt");
    this.corpusPromptName = optionalString(options.corpusPromptName, "corpusPromptName");
    this.truncateDim = checkTruncateDim(options.truncateDim);
    this.writeCsv = options.writeCsv ?? true;
    this.showProgressBar = options.showProgressBar;
    this.csvFile = `Information-Retrieval_evaluation${this.name ? `_${this.name}` : ""}_results.csv`;

    // Until the first evaluate() decides it: the main (or first given, else cosine) function's ndcg@{max k}.
    const guess = this.mainScoreFunction ?? this.scoreFunctions?.[0] ?? "cosine";
    this.primaryMetric = prefixMetricName(`${guess}_ndcg@${Math.max(...this.ndcgAtK)}`, this.name);
    this.#primaryFunction = this.mainScoreFunction;

    if (this.skippedQueries > 0) {
      process.stderr.write(
        `embedtune: note: InformationRetrievalEvaluator${this.name ? ` "${this.name}"` : ""}: ${this.skippedQueries} of ${queryCount} ` +
          `queries have no relevant document in relevantDocs and are skipped (as sentence-transformers does)\n`,
      );
    }
  }

  /** The largest k of every metric, capped at the corpus size: how many hits each query keeps. */
  get maxK(): number {
    const all = [...this.mrrAtK, ...this.ndcgAtK, ...this.accuracyAtK, ...this.precisionRecallAtK, ...this.mapAtK];
    return Math.min(Math.max(...all), this.corpusIds.length);
  }

  /** The score functions an evaluation of `model` uses. */
  scoreFunctionsFor(model: EvaluationModel): SimilarityFunctionName[] {
    return this.scoreFunctions ?? [this.mainScoreFunction ?? model.similarityFnName ?? "cosine"];
  }

  /** epoch, steps, then per function (sorted by name) the metric columns, as ST's _append_csv_headers. */
  csvHeaders(functions: readonly SimilarityFunctionName[]): string[] {
    const headers = ["epoch", "steps"];
    for (const fn of [...functions].sort()) {
      for (const k of this.accuracyAtK) headers.push(`${fn}-Accuracy@${k}`);
      for (const k of this.precisionRecallAtK) headers.push(`${fn}-Precision@${k}`, `${fn}-Recall@${k}`);
      for (const k of this.mrrAtK) headers.push(`${fn}-MRR@${k}`);
      for (const k of this.ndcgAtK) headers.push(`${fn}-NDCG@${k}`);
      for (const k of this.mapAtK) headers.push(`${fn}-MAP@${k}`);
    }
    return headers;
  }

  /** Printed as one line (evaluatorSummary), not its sentences. */
  [inspect.custom](): string {
    return evaluatorSummary(this, `${this.queryTexts.length} queries, ${this.corpusTexts.length} documents`);
  }

  async evaluate(model: EvaluationModel, options: EvaluateOptions = {}): Promise<Record<string, number>> {
    const { outputPath, epoch, steps } = resolveEvaluateOptions(options);
    const functions = this.scoreFunctionsFor(model);
    const rankings = await this.interruptible((stopPoint, reach) => this.retrieve(model, functions, stopPoint, reach));

    const perFunction = new Map(functions.map((fn, index) => [fn, this.computeMetrics(rankings[index])]));
    const metrics: Record<string, number> = {};
    for (const [fn, values] of perFunction) {
      for (const [metric, byK] of Object.entries(values)) {
        for (const [k, value] of byK) metrics[`${fn}_${metric}@${k}`] = value;
      }
    }

    if (outputPath !== undefined && this.writeCsv) {
      const row: number[] = [];
      for (const fn of [...functions].sort()) {
        const values = perFunction.get(fn)!;
        for (const k of this.accuracyAtK) row.push(values.accuracy.get(k)!);
        for (const k of this.precisionRecallAtK) row.push(values.precision.get(k)!, values.recall.get(k)!);
        for (const k of this.mrrAtK) row.push(values.mrr.get(k)!);
        for (const k of this.ndcgAtK) row.push(values.ndcg.get(k)!);
        for (const k of this.mapAtK) row.push(values.map.get(k)!);
      }
      appendCsvRow(outputPath, this.csvFile, this.csvHeaders(functions), epoch, steps, row);
    }

    const maxNdcg = Math.max(...this.ndcgAtK);
    if (this.#primaryFunction === undefined || !functions.includes(this.#primaryFunction)) {
      // Python max() over the sorted names with key ndcg@{max k}: the first best wins.
      let best: SimilarityFunctionName | undefined;
      for (const fn of [...functions].sort()) {
        if (best === undefined || perFunction.get(fn)!.ndcg.get(maxNdcg)! > perFunction.get(best)!.ndcg.get(maxNdcg)!) best = fn;
      }
      this.#primaryFunction = best!;
      this.primaryMetric = prefixMetricName(`${best}_ndcg@${maxNdcg}`, this.name);
    }
    this.lastRankings = this.toRankings(rankings[functions.indexOf(this.#primaryFunction)]);
    return reportMetrics(model, this, metrics);
  }

  /**
   * Each evaluated query's ranked top hits (max k of them) with one score function (default: the main one,
   * else the model's); also stored as lastRankings.
   */
  async rankings(model: EvaluationModel, scoreFunction?: SimilarityFunctionName | "dot_product"): Promise<Rankings> {
    const fn = scoreFunction === undefined ? this.scoreFunctionsFor(model)[0] : checkSimilarityFunction(scoreFunction, "scoreFunction");
    const [ranked] = await this.interruptible((stopPoint, reach) => this.retrieve(model, [fn], stopPoint, reach));
    this.lastRankings = this.toRankings(ranked);
    return this.lastRankings;
  }

  private toRankings(ranked: { score: number; index: number }[][]): Rankings {
    const result: Rankings = {};
    this.queriesIds.forEach((id, q) => {
      result[id] = ranked[q].map((hit) => ({ corpusId: this.corpusIds[hit.index], score: hit.score }));
    });
    return result;
  }

  /**
   * Runs a retrieval as a kernel-interruptible operation (util/interruption.ts): an interrupt stops it at
   * its next stop point (or inside an encode) with an EvaluationInterruptedError naming the place `reach` set.
   */
  private interruptible<T>(run: (stopPoint: () => Promise<void>, reach: (where: string) => void) => Promise<T>): Promise<T> {
    let where = "before encoding";
    const evaluator = this.name ? `InformationRetrievalEvaluator "${this.name}"` : "InformationRetrievalEvaluator";
    return runInterruptible(
      () => new EvaluationInterruptedError(evaluator, where),
      (stopPoint) => run(stopPoint, (place) => (where = place)),
    );
  }

  /**
   * Per function, per query: the top max-k hits (corpus positions), best first. Calls `stopPoint` before
   * every encode and every block of about SCORES_PER_STOP scores, after telling `reach` where it is.
   */
  private async retrieve(
    model: EvaluationModel,
    functions: readonly SimilarityFunctionName[],
    stopPoint: () => Promise<void>,
    reach: (where: string) => void,
  ): Promise<{ score: number; index: number }[][][]> {
    const prompts = modelPrompts(model);
    const queryPrompt = this.promptOptions(this.queryPrompt, this.queryPromptName, prompts, ["query"], "queryPromptName");
    const corpusPrompt = this.promptOptions(this.corpusPrompt, this.corpusPromptName, prompts, ["document", "passage", "corpus"], "corpusPromptName");
    const encode = async (texts: string[], prompt: { prompt?: string; promptName?: string }) => {
      const embeddings = await model.encode(texts, { batchSize: this.batchSize, showProgressBar: this.showProgressBar, normalizeEmbeddings: false, ...prompt });
      return toMatrix(embeddings, this.truncateDim);
    };

    reach(`while encoding the ${this.queryTexts.length} queries`);
    await stopPoint();
    const queries = await encode(this.queryTexts, queryPrompt);
    const queryMatrices = functions.map((fn) => (fn === "cosine" ? normalizeRows(queries) : queries));
    const maxK = this.maxK;
    const heaps = functions.map(() => this.queryTexts.map(() => new TopK(maxK)));

    const chunks = Math.ceil(this.corpusTexts.length / this.corpusChunkSize);
    for (let start = 0; start < this.corpusTexts.length; start += this.corpusChunkSize) {
      reach(`at corpus chunk ${start / this.corpusChunkSize + 1} of ${chunks}`);
      await stopPoint();
      const chunk = await encode(this.corpusTexts.slice(start, start + this.corpusChunkSize), corpusPrompt);
      if (chunk.dim !== queries.dim) throw new Error(`query embeddings have dimension ${queries.dim} but corpus embeddings ${chunk.dim}`);
      const scored = functions.map((fn) => (fn === "cosine" ? normalizeRows(chunk) : chunk));
      const queriesPerStop = Math.max(1, Math.floor(SCORES_PER_STOP / Math.max(chunk.rows, 1)));
      for (let first = 0; first < queries.rows; first += queriesPerStop) {
        await stopPoint();
        const end = Math.min(first + queriesPerStop, queries.rows);
        functions.forEach((fn, f) => scoreChunk(fn, queryMatrices[f], scored[f], start, heaps[f], first, end));
      }
    }
    return heaps.map((perQuery) => perQuery.map((heap) => heap.sorted()));
  }

  /** ST v5's encode_query / encode_document prompt choice; a named prompt the model lacks fails before encoding. */
  private promptOptions(
    prompt: string | undefined,
    promptName: string | undefined,
    modelPrompts: Record<string, string> | undefined,
    defaults: readonly string[],
    argument: string,
  ): { prompt?: string; promptName?: string } {
    if (prompt !== undefined) return { prompt };
    if (promptName !== undefined) {
      if (modelPrompts && !Object.hasOwn(modelPrompts, promptName)) {
        throw new ArgumentError(argument, `${JSON.stringify(promptName)} is not one of the model's prompts (${Object.keys(modelPrompts).join(", ") || "none"})`);
      }
      return { promptName };
    }
    const found = modelPrompts ? defaults.find((name) => Object.hasOwn(modelPrompts, name)) : undefined;
    return found === undefined ? {} : { promptName: found };
  }

  /** ST's compute_metrics over one function's ranked hits. */
  private computeMetrics(ranked: { score: number; index: number }[][]): Record<MetricName, Map<number, number>> {
    const sums = {
      accuracy: new Map(this.accuracyAtK.map((k) => [k, 0])),
      precision: new Map(this.precisionRecallAtK.map((k) => [k, 0])),
      recall: new Map(this.precisionRecallAtK.map((k) => [k, 0])),
      ndcg: new Map(this.ndcgAtK.map((k) => [k, 0])),
      mrr: new Map(this.mrrAtK.map((k) => [k, 0])),
      map: new Map(this.mapAtK.map((k) => [k, 0])),
    } satisfies Record<MetricName, Map<number, number>>;
    const add = (map: Map<number, number>, k: number, value: number) => map.set(k, map.get(k)! + value);

    this.queriesIds.forEach((queryId, q) => {
      const relevant = this.relevantDocs.get(queryId)!;
      const isRelevant = ranked[q].map((hit) => relevant.has(this.corpusIds[hit.index]));
      const hitsWithin = (k: number) => {
        let count = 0;
        for (let i = 0; i < Math.min(k, isRelevant.length); i++) if (isRelevant[i]) count++;
        return count;
      };
      const firstRelevant = isRelevant.indexOf(true); // −1 when none
      for (const k of this.accuracyAtK) if (firstRelevant >= 0 && firstRelevant < k) add(sums.accuracy, k, 1);
      for (const k of this.precisionRecallAtK) {
        const correct = hitsWithin(k);
        add(sums.precision, k, correct / k);
        add(sums.recall, k, correct / relevant.size);
      }
      for (const k of this.mrrAtK) if (firstRelevant >= 0 && firstRelevant < k) add(sums.mrr, k, 1 / (firstRelevant + 1));
      for (const k of this.ndcgAtK) {
        let dcg = 0;
        for (let i = 0; i < Math.min(k, isRelevant.length); i++) if (isRelevant[i]) dcg += 1 / Math.log2(i + 2);
        let idcg = 0;
        for (let i = 0; i < Math.min(k, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
        add(sums.ndcg, k, dcg / idcg);
      }
      for (const k of this.mapAtK) {
        let correct = 0;
        let sumPrecisions = 0;
        for (let i = 0; i < Math.min(k, isRelevant.length); i++) {
          if (isRelevant[i]) sumPrecisions += ++correct / (i + 1);
        }
        add(sums.map, k, sumPrecisions / Math.min(k, relevant.size));
      }
    });
    const count = this.queriesIds.length;
    for (const byK of Object.values(sums)) for (const [k, sum] of byK) byK.set(k, sum / count);
    return sums;
  }
}

/** Embeddings as one flat float64 row-major matrix. */
interface Matrix {
  rows: number;
  dim: number;
  data: Float64Array;
}

function toMatrix(embeddings: readonly (readonly number[])[], truncateDim: number | undefined): Matrix {
  const rows = embeddings.length;
  const full = rows === 0 ? 0 : embeddings[0].length;
  const dim = truncateDim === undefined ? full : Math.min(truncateDim, full);
  const data = new Float64Array(rows * dim);
  embeddings.forEach((row, r) => {
    if (row.length !== full) throw new Error(`embedding ${r} has dimension ${row.length}, the first has ${full}`);
    for (let c = 0; c < dim; c++) data[r * dim + c] = row[c];
  });
  return { rows, dim, data };
}

/** Rows divided by max(‖row‖₂, 1e-12), as torch.nn.functional.normalize (a zero row stays zero). */
function normalizeRows(matrix: Matrix): Matrix {
  const { rows, dim } = matrix;
  const data = new Float64Array(matrix.data);
  for (let r = 0; r < rows; r++) {
    let squares = 0;
    for (let c = 0; c < dim; c++) squares += data[r * dim + c] ** 2;
    const norm = Math.max(Math.sqrt(squares), 1e-12);
    for (let c = 0; c < dim; c++) data[r * dim + c] /= norm;
  }
  return { rows, dim, data };
}

/** Query–document scores computed between two stop points of a retrieval (an interrupt waits at most one such block). */
const SCORES_PER_STOP = 1 << 18;

/** Scores queries [from, to) against every document of a chunk and offers each score to that query's heap. */
function scoreChunk(fn: SimilarityFunctionName, queries: Matrix, chunk: Matrix, offset: number, heaps: TopK[], from: number, to: number): void {
  const { dim } = queries;
  const q = queries.data;
  const d = chunk.data;
  for (let i = from; i < to; i++) {
    const heap = heaps[i];
    const qi = i * dim;
    for (let j = 0; j < chunk.rows; j++) {
      const dj = j * dim;
      let score = 0;
      if (fn === "cosine" || fn === "dot") {
        for (let c = 0; c < dim; c++) score += q[qi + c] * d[dj + c];
      } else if (fn === "euclidean") {
        for (let c = 0; c < dim; c++) score += (q[qi + c] - d[dj + c]) ** 2;
        score = -Math.sqrt(score);
      } else {
        for (let c = 0; c < dim; c++) score += Math.abs(q[qi + c] - d[dj + c]);
        score = -score;
      }
      if (!(score < heap.threshold)) heap.push(score, offset + j);
    }
  }
}

function modelPrompts(model: EvaluationModel): Record<string, string> | undefined {
  const prompts = (model as { prompts?: unknown }).prompts;
  return typeof prompts === "object" && prompts !== null ? (prompts as Record<string, string>) : undefined;
}

function checkRecord(value: unknown, argument: string): void {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Map) {
    throw new ArgumentError(argument, `must be an object of { id: ${argument === "relevantDocs" ? "Set or array of corpus ids" : "text"} }, got ${value instanceof Map ? "a Map" : Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`);
  }
}

function checkText(value: unknown, argument: string): string {
  if (typeof value !== "string") throw new ArgumentError(argument, `must be a string, got ${value === null ? "null" : typeof value}`);
  return value;
}

function relevantIds(value: unknown, argument: string): Set<string> {
  if (!(value instanceof Set) && !Array.isArray(value)) throw new ArgumentError(argument, `must be a Set or an array of corpus ids, got ${value === null ? "null" : typeof value}`);
  const ids = new Set<string>();
  for (const id of value) {
    if (typeof id !== "string") throw new ArgumentError(argument, `holds ${typeof id} ${String(id)}; corpus ids are strings`);
    ids.add(id);
  }
  return ids;
}

function checkKs(options: InformationRetrievalEvaluatorOptions, argument: KOption, corpusSize: number): number[] {
  const given = options[argument];
  if (given === undefined) return [...DEFAULT_KS[argument]];
  if (!Array.isArray(given) || given.length === 0) throw new ArgumentError(argument, "must be a non-empty array of positive integers");
  given.forEach((k, index) => {
    if (!Number.isInteger(k) || k < 1) throw new ArgumentError(argument, `must hold positive integers, got ${String(k)}`);
    if (given.indexOf(k) !== index) throw new ArgumentError(argument, `lists k = ${k} twice`);
    if (k > corpusSize) throw new ArgumentError(argument, `k = ${k} is larger than the corpus (${corpusSize} document${corpusSize === 1 ? "" : "s"})`);
  });
  return [...given];
}

function checkScoreFunctions(names: readonly string[] | undefined): SimilarityFunctionName[] | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || names.length === 0) throw new ArgumentError("scoreFunctions", "must be a non-empty array of similarity function names");
  const resolved = names.map((name, index) => checkSimilarityFunction(name, `scoreFunctions[${index}]`));
  const duplicate = resolved.findIndex((name, index) => resolved.indexOf(name) !== index);
  if (duplicate >= 0) throw new ArgumentError(`scoreFunctions[${duplicate}]`, `${JSON.stringify(resolved[duplicate])} is listed twice`);
  return resolved;
}

function optionalString(value: unknown, argument: string): string | undefined {
  if (value !== undefined && typeof value !== "string") throw new ArgumentError(argument, `must be a string, got ${typeof value}`);
  return value;
}
