// mineHardNegatives: sentence-transformers' util.mine_hard_negatives (v5/HEAD semantics, options camelCased),
// turning (anchor, positive) pairs into triplets, n-tuples or labeled data with mined hard negatives.
// Selection rules, in ST's order:
//  1. Anchor/positive columns: the named ones, else the dataset's first and second columns. Other columns
//     are dropped. Corpus = the `corpus` texts (default: the positives) followed by every positive,
//     deduplicated by exact text (first occurrence wins), so a text equal to a positive IS that positive.
//  2. Anchors are deduplicated; an anchor's positives are its distinct positive texts in row order. Output
//     rows are grouped by anchor (first appearance), and a duplicated (anchor, positive) row gives one row.
//  3. maxPositives = the most rows any anchor has. Default rangeMax = rangeMin + numNegatives + maxPositives,
//     or rangeMin + 10·numNegatives + maxPositives when absoluteMargin, relativeMargin or maxScore is set.
//  4. Corpus and anchors are encoded with normalizeEmbeddings: true (as ST); prompts: queryPrompt, else
//     queryPromptName, else the model's "query" prompt if it has one; corpusPrompt, else corpusPromptName,
//     else the first of the model's "document", "passage", "corpus" prompts (ST's encode_query/encode_document).
//  5. Candidates per anchor: the rangeMax + maxPositives corpus texts of highest model.similarity (ties: the
//     earlier corpus text first; padded with "missing" when the corpus is smaller). Unless includePositives,
//     every positive of that anchor is removed (so it never becomes its negative, duplicates included).
//  6. With p = the anchor's LOWEST positive score: absoluteMargin removes scores s with s + absoluteMargin > p;
//     relativeMargin removes s > p − |p|·relativeMargin; then maxScore removes s > maxScore, minScore s < minScore.
//  7. The survivors keep their order; the first rangeMax of them are the ranked list and its first rangeMin
//     are skipped. "top" takes the next numNegatives; "random" draws numNegatives distinct ranks among the
//     surviving ones of the window (from the whole window when fewer survive; those slots stay missing) and
//     re-sorts them by score. Random draws use createRandom(seed), default seed 42 — reproducible, but not
//     torch/Python's stream, so the picks differ from ST's.
//  8. Every positive row of an anchor gets that anchor's negatives. Formats (outputScores in brackets):
//     "triplet": (anchor, positive, negative[, scores = [pos, neg]]), one row per found negative;
//     "n-tuple": (anchor, positive, negative_1 … negative_n[, scores = [pos, neg_1 … neg_n]]), rows with fewer
//       than numNegatives negatives dropped ("n-tuple-scores" = n-tuple with outputScores, ST's old name);
//     "labeled-pair": per anchor its positives then its found negatives as (anchor, positive-column, label 1/0)
//       — with outputScores the label column is replaced by "score", the model's score;
//     "labeled-list": (anchor, [positive, negatives…], labels [1, 0…] or scores [pos, neg…]), rows without any
//       negative dropped. includePositives forces "n-tuple" (ST: keeps the ranking order), with a warning.
//  9. verbose (default true) prints ST's lines: "Setting range_max …", "Found N unique queries …", the
//     table Metric/Positive/Negative/Difference (score-statistics.ts) over the pairs behind the output,
//     "Skipped N potential negatives (X%) due to the <option> of <value>." and "Could not find enough
//     negatives for N samples (X%). …" — option names as this API spells them (relativeMargin, …).
//     The same figures are in the MiningSummary passed to onSummary and kept in `lastMiningSummary`.
// 10. In a notebook kernel an interrupt stops the encoding (between batches) or the scoring (between query
//     chunks) with one MiningInterruptedError line (util/interruption.ts); no dataset is returned.
// Deviations from ST, all where ST has a bug or crashes: a named column that does not exist is an error
// (ST silently falls back to the first/second column); rangeMin ≥ the corpus size is an error; minScore counts
// only candidates it removes (ST also counts the positives and earlier removals); labeled-pair's possible-
// sample count uses distinct pairs (ST: dataset rows); "Found an average of … positives" only when verbose.

import { Dataset, describeValue, listNames } from "../data/dataset.ts";
import { ArgumentError } from "../errors.ts";
import type { EncodeOptions } from "../models/sentence-transformer.ts";
import { checkSimilarityFunction, type SimilarityFunctionName } from "../similarity.ts";
import { startProgress } from "../util/progress.ts";
import { createRandom } from "../util/random.ts";
import { MiningInterruptedError, runInterruptible } from "../util/interruption.ts";
import { pairScores, searchNeighbours } from "./nearest.ts";
import { formatCount, formatPercent, scoreStatistics, statisticsTable, type ScoreStatistics } from "./score-statistics.ts";

export type MiningOutputFormat = "triplet" | "n-tuple" | "labeled-pair" | "labeled-list";
export type MiningSamplingStrategy = "top" | "random";

const OUTPUT_FORMATS = ["triplet", "n-tuple", "labeled-pair", "labeled-list"] as const;
const SAMPLING_STRATEGIES = ["top", "random"] as const;

/** What mining needs from a model: SentenceTransformer satisfies it; tests may pass a stand-in. */
export interface MiningModel {
  encode(sentences: string[], options?: EncodeOptions): Promise<number[][]>;
  /** Default "cosine". */
  similarityFnName?: SimilarityFunctionName;
  /** The model's named prompts (config_sentence_transformers.json). */
  prompts?: Record<string, string>;
}

export interface MineHardNegativesOptions {
  /** Default: the dataset's first column. */
  anchorColumnName?: string;
  /** Default: the dataset's second column. */
  positiveColumnName?: string;
  /** Candidate negatives in addition to the positives (default: the positives only). */
  corpus?: readonly string[];
  /** Ranks skipped at the top of each anchor's candidate list (after removing its positives). Default 0. */
  rangeMin?: number;
  /** Ranks considered (see rule 3 for the default). */
  rangeMax?: number;
  /** Candidates scoring above this are not negatives. */
  maxScore?: number;
  /** Candidates scoring below this are not negatives. */
  minScore?: number;
  /** Keep a candidate only if score + absoluteMargin ≤ the positive score. */
  absoluteMargin?: number;
  /** Keep a candidate only if score ≤ positive − |positive|·relativeMargin (0.05 in the NV-Retriever recipe). */
  relativeMargin?: number;
  /** Negatives per anchor. Default 3. */
  numNegatives?: number;
  /** Default "top". */
  samplingStrategy?: MiningSamplingStrategy;
  /** Seed of the "random" sampling (createRandom). Default 42. */
  seed?: number;
  queryPrompt?: string;
  queryPromptName?: string;
  corpusPrompt?: string;
  corpusPromptName?: string;
  /** Do not remove an anchor's positives from its candidates (forces outputFormat "n-tuple"). Default false. */
  includePositives?: boolean;
  /** Default "triplet"; "n-tuple-scores" is ST's deprecated name for "n-tuple" with outputScores. */
  outputFormat?: MiningOutputFormat | "n-tuple-scores";
  /** Add the model's scores (a "scores" column; "score" replacing "label" / "scores" replacing "labels"). Default false. */
  outputScores?: boolean;
  /** Encoding batch size. Default 32. */
  batchSize?: number;
  /** Anchors scored against the corpus per chunk (ST's faiss_batch_size for the exact search). Default 256. */
  queryChunkSize?: number;
  /** Print ST's messages and summary table. Default true. */
  verbose?: boolean;
  /** Progress of encoding and scoring (a live line in a notebook, a bar on a terminal's stderr). Default: verbose. */
  showProgressBar?: boolean;
  /** Where verbose lines go. Default console.log. */
  log?: (line: string) => void;
  /** Receives the summary (also when verbose is false). */
  onSummary?: (summary: MiningSummary) => void;
}

export type MiningFilterName = "absoluteMargin" | "relativeMargin" | "maxScore" | "minScore";

export interface MiningSummary {
  /** Scores of every distinct (anchor, positive) pair. */
  positive: ScoreStatistics;
  /** Scores of the negatives behind the output, once per (anchor, positive) pair they were paired with. */
  negative: ScoreStatistics;
  /** positive − negative over the same pairs. */
  difference: ScoreStatistics;
  /** Candidates removed per filter, with their share of the candidates that reached that filter (ST's ratio). */
  skipped: Partial<Record<MiningFilterName, { skipped: number; ratio: number }>>;
  /** Rows the output would have if every anchor had found numNegatives negatives. */
  maximumPossibleSamples: number;
  /** maximumPossibleSamples minus the output's rows. */
  missingSamples: number;
  /** The rangeMax used (given or derived). */
  rangeMax: number;
  /** The output format used (after includePositives / "n-tuple-scores"). */
  outputFormat: MiningOutputFormat;
  uniqueQueries: number;
  totalQueries: number;
  /** Distinct corpus texts (candidates and positives). */
  corpusSize: number;
  /** Every line printed when verbose (messages, table, skipped and missing lines). */
  lines: string[];
  /** Warnings about conflicting options (also written to stderr). */
  warnings: string[];
}

/** The summary of the latest mineHardNegatives call in this process (undefined before the first). */
export let lastMiningSummary: MiningSummary | undefined;

const DEFAULT_SEED = 42;

export async function mineHardNegatives(dataset: Dataset, model: MiningModel, options: MineHardNegativesOptions = {}): Promise<Dataset> {
  const verbose = options.verbose ?? true;
  const lines: string[] = [];
  const warnings: string[] = [];
  const print = (line: string): void => {
    lines.push(line);
    if (verbose) (options.log ?? console.log)(line);
  };
  const warn = (message: string): void => {
    warnings.push(message);
    console.warn(`warning: ${message}`);
  };

  // --- Arguments (all checked before any encoding) ---
  if (!(dataset instanceof Dataset)) throw new ArgumentError("dataset", `must be a Dataset, got ${describeValue(dataset)}`);
  if (dataset.numRows === 0) throw new ArgumentError("dataset", "is empty; mining needs (anchor, positive) rows");
  const columns = dataset.columnNames;
  const anchorColumn = columnOption("anchorColumnName", options.anchorColumnName, columns, 0);
  const positiveColumn = columnOption("positiveColumnName", options.positiveColumnName, columns, 1);
  if (anchorColumn === positiveColumn) {
    throw new ArgumentError("positiveColumnName", `"${positiveColumn}" is also the anchor column; mining needs two different text columns`);
  }
  const anchors = textColumn(dataset, anchorColumn);
  const positives = textColumn(dataset, positiveColumn);
  const corpusOption = options.corpus;
  if (corpusOption !== undefined) {
    if (!Array.isArray(corpusOption)) throw new ArgumentError("corpus", `must be an array of texts, got ${describeValue(corpusOption)}`);
    const bad = corpusOption.findIndex((text) => typeof text !== "string");
    if (bad >= 0) throw new ArgumentError("corpus", `item ${bad} is ${describeValue(corpusOption[bad])}, not text`);
  }

  const numNegatives = integerOption("numNegatives", options.numNegatives, 3, 1);
  const rangeMin = integerOption("rangeMin", options.rangeMin, 0, 0);
  const absoluteMargin = numberOption("absoluteMargin", options.absoluteMargin);
  const relativeMargin = numberOption("relativeMargin", options.relativeMargin);
  const maxScore = numberOption("maxScore", options.maxScore);
  const minScore = numberOption("minScore", options.minScore);
  const batchSize = integerOption("batchSize", options.batchSize, 32, 1);
  const queryChunkSize = integerOption("queryChunkSize", options.queryChunkSize, 256, 1);
  const seed = integerOption("seed", options.seed, DEFAULT_SEED, Number.MIN_SAFE_INTEGER);
  const samplingStrategy = choiceOption("samplingStrategy", options.samplingStrategy, SAMPLING_STRATEGIES, "top");
  const includePositives = booleanOption("includePositives", options.includePositives, false);
  let outputScores = booleanOption("outputScores", options.outputScores, false);
  let outputFormat: MiningOutputFormat;
  if (options.outputFormat === "n-tuple-scores") {
    outputFormat = "n-tuple";
    outputScores = true;
  } else {
    outputFormat = choiceOption("outputFormat", options.outputFormat, OUTPUT_FORMATS, "triplet");
  }
  const similarityFnName = checkSimilarityFunction(model.similarityFnName ?? "cosine", "model.similarityFnName");
  for (const name of ["queryPrompt", "corpusPrompt"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "string") throw new ArgumentError(name, `must be a string, got ${describeValue(options[name])}`);
  }
  for (const name of ["queryPromptName", "corpusPromptName"] as const) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== "string") throw new ArgumentError(name, `must be a string, got ${describeValue(value)}`);
    if (model.prompts && model.prompts[value] === undefined) {
      throw new ArgumentError(name, `${JSON.stringify(value)} is not one of the model's prompts (${listNames(Object.keys(model.prompts))})`);
    }
  }

  if (includePositives) {
    if (rangeMin !== 0 || options.rangeMax !== undefined || maxScore !== undefined || samplingStrategy !== "top") {
      warn("with includePositives, setting rangeMin, rangeMax, maxScore or samplingStrategy away from their defaults may still discard the positives");
    }
    if (outputFormat !== "n-tuple") {
      warn(`with includePositives, outputFormat "${outputFormat}" is replaced by "n-tuple" to keep the ranking order`);
      outputFormat = "n-tuple";
    }
  }

  // The output's columns after the anchor and positive columns; neither may share a name with them.
  const extraColumns: string[] =
    outputFormat === "triplet"
      ? ["negative", ...(outputScores ? ["scores"] : [])]
      : outputFormat === "n-tuple"
        ? [...Array.from({ length: numNegatives }, (_, i) => `negative_${i + 1}`), ...(outputScores ? ["scores"] : [])]
        : outputFormat === "labeled-pair"
          ? [outputScores ? "score" : "label"]
          : [outputScores ? "scores" : "labels"];
  for (const [name, option] of [
    [anchorColumn, "anchorColumnName"],
    [positiveColumn, "positiveColumnName"],
  ] as const) {
    if (extraColumns.includes(name)) {
      throw new ArgumentError(option, `column "${name}" would clash with the "${name}" column of the ${outputFormat} output; rename it first`);
    }
  }

  // Distinct anchors (first appearance) and rows per anchor, as ST's groupby(anchor).count().
  const queries: string[] = [];
  const queryIndex = new Map<string, number>();
  const rowsPerQuery: number[] = [];
  for (const anchor of anchors) {
    let index = queryIndex.get(anchor);
    if (index === undefined) {
      index = queries.length;
      queryIndex.set(anchor, index);
      queries.push(anchor);
      rowsPerQuery.push(0);
    }
    rowsPerQuery[index]++;
  }
  const maxPositives = rowsPerQuery.reduce((most, rows) => Math.max(most, rows), 0);

  let rangeMax: number;
  if (options.rangeMax === undefined) {
    const perNegative = absoluteMargin !== undefined || relativeMargin !== undefined || maxScore !== undefined ? 10 : 1;
    rangeMax = rangeMin + numNegatives * perNegative + maxPositives;
  } else {
    rangeMax = integerOption("rangeMax", options.rangeMax, 0, 1);
  }
  if (rangeMin >= rangeMax) throw new ArgumentError("rangeMin", `must be smaller than rangeMax, got rangeMin ${rangeMin} and rangeMax ${rangeMax}`);
  if (numNegatives > rangeMax - rangeMin) {
    throw new ArgumentError(
      "numNegatives",
      `cannot mine ${numNegatives} negatives per anchor: only ${rangeMax - rangeMin} candidates remain after skipping the first rangeMin ${rangeMin} of rangeMax ${rangeMax}`,
    );
  }

  // Corpus: candidates then positives, deduplicated by text.
  const corpus: string[] = [];
  const corpusIndex = new Map<string, number>();
  for (const text of [...(corpusOption ?? positives), ...positives]) {
    if (!corpusIndex.has(text)) {
      corpusIndex.set(text, corpus.length);
      corpus.push(text);
    }
  }
  if (rangeMin >= corpus.length) {
    throw new ArgumentError("rangeMin", `is ${rangeMin} but the corpus has only ${corpus.length} distinct texts, so every candidate would be skipped`);
  }

  // Each anchor's distinct positives (corpus indices, row order); the output's (anchor, positive) rows.
  const positiveIndices: number[][] = queries.map(() => []);
  anchors.forEach((anchor, row) => {
    const list = positiveIndices[queryIndex.get(anchor)!];
    const index = corpusIndex.get(positives[row])!;
    if (!list.includes(index)) list.push(index);
  });
  const pairQuery: number[] = [];
  const pairPositive: number[] = [];
  positiveIndices.forEach((list, query) => {
    for (const index of list) {
      pairQuery.push(query);
      pairPositive.push(index);
    }
  });

  if (options.rangeMax === undefined) print(`Setting range_max to ${rangeMax} based on the provided parameters.`);
  if (queries.length !== anchors.length) print(`Found ${queries.length} unique queries out of ${anchors.length} total queries.`);
  if (maxPositives > 1) print(`Found an average of ${(anchors.length / queries.length).toFixed(3)} positives per query.`);

  // --- Embeddings and candidates ---
  const showProgressBar = options.showProgressBar ?? verbose;
  const encodeOptions = (prompt: string | undefined, promptName: string | undefined, automatic: readonly string[]): EncodeOptions => {
    const chosen = prompt === undefined && promptName === undefined ? automatic.find((name) => model.prompts?.[name] !== undefined) : promptName;
    return {
      batchSize,
      normalizeEmbeddings: true,
      showProgressBar,
      ...(prompt !== undefined ? { prompt } : {}),
      ...(prompt === undefined && chosen !== undefined ? { promptName: chosen } : {}),
    };
  };
  const width = rangeMax + maxPositives;
  let scored = 0;
  const { corpusEmbeddings, queryEmbeddings, neighbours } = await runInterruptible(
    () => new MiningInterruptedError(scored, queries.length),
    async (stopPoint) => {
      const corpusEmbeddings = await model.encode(corpus, encodeOptions(options.corpusPrompt, options.corpusPromptName, ["document", "passage", "corpus"]));
      await stopPoint();
      const queryEmbeddings = await model.encode(queries, encodeOptions(options.queryPrompt, options.queryPromptName, ["query"]));
      const progress = startProgress("Computing similarity scores", Math.ceil(queries.length / queryChunkSize), showProgressBar);
      try {
        const search = searchNeighbours(queryEmbeddings, corpusEmbeddings, Math.min(width, corpus.length), similarityFnName, { chunkSize: queryChunkSize });
        for (;;) {
          await stopPoint();
          const step = search.next();
          if (step.done) return { corpusEmbeddings, queryEmbeddings, neighbours: step.value };
          scored = step.value;
          progress.increment();
        }
      } finally {
        progress.stop();
      }
    },
  );
  const positiveScores = pairScores(
    pairQuery.map((query) => queryEmbeddings[query]),
    pairPositive.map((index) => corpusEmbeddings[index]),
    similarityFnName,
  );
  // The lowest positive score per anchor (its hardest positive), for the margins.
  const lowestPositive = queries.map(() => Infinity);
  pairQuery.forEach((query, pair) => (lowestPositive[query] = Math.min(lowestPositive[query], positiveScores[pair])));

  // --- Filters (ST's order and counting) ---
  const skipped: MiningSummary["skipped"] = {};
  let remaining = queries.length * width;
  const count = { absoluteMargin: 0, relativeMargin: 0, maxScore: 0, minScore: 0 };
  const windows: { index: number; score: number }[][] = [];
  for (let query = 0; query < queries.length; query++) {
    const own = new Set(positiveIndices[query]);
    const p = lowestPositive[query];
    const survivors: { index: number; score: number }[] = [];
    for (let slot = 0; slot < neighbours.k; slot++) {
      const index = neighbours.indices[query * neighbours.k + slot];
      const score = neighbours.scores[query * neighbours.k + slot];
      if (index < 0 || score === -Infinity) continue;
      if (!includePositives && own.has(index)) continue;
      if (absoluteMargin !== undefined && score + absoluteMargin > p) {
        count.absoluteMargin++;
        continue;
      }
      if (relativeMargin !== undefined && score > p - Math.abs(p) * relativeMargin) {
        count.relativeMargin++;
        continue;
      }
      if (maxScore !== undefined && score > maxScore) {
        count.maxScore++;
        continue;
      }
      if (minScore !== undefined && score < minScore) {
        count.minScore++;
        continue;
      }
      survivors.push({ index, score });
    }
    // The ranked list is the first rangeMax survivors (missing slots past the end); skip the first rangeMin.
    windows.push(survivors.slice(rangeMin, rangeMax));
  }
  if (absoluteMargin !== undefined && count.absoluteMargin > 0) {
    skipped.absoluteMargin = { skipped: count.absoluteMargin, ratio: count.absoluteMargin / remaining };
    remaining -= count.absoluteMargin;
  }
  if (relativeMargin !== undefined && count.relativeMargin > 0) {
    skipped.relativeMargin = { skipped: count.relativeMargin, ratio: count.relativeMargin / remaining };
    remaining -= count.relativeMargin;
  }
  // As in ST, the maxScore removals are not subtracted before minScore's ratio.
  if (maxScore !== undefined && count.maxScore > 0) skipped.maxScore = { skipped: count.maxScore, ratio: count.maxScore / remaining };
  if (minScore !== undefined && count.minScore > 0) skipped.minScore = { skipped: count.minScore, ratio: count.minScore / remaining };

  // --- Sampling: each anchor's negatives, best first (fewer than numNegatives when candidates ran out) ---
  const windowSize = rangeMax - rangeMin;
  const random = createRandom(seed);
  const negatives = windows.map((window) => {
    if (samplingStrategy === "top") return window.slice(0, numNegatives);
    // ST: random.sample(range(max(found, numNegatives)), numNegatives) over the window's ranks; ranks past
    // the survivors are missing slots.
    const choices = Math.min(Math.max(window.length, numNegatives), windowSize);
    const ranks = Array.from({ length: choices }, (_, rank) => rank);
    for (let i = 0; i < numNegatives; i++) {
      const j = i + Math.floor(random.next() * (choices - i));
      [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
    }
    return ranks
      .slice(0, numNegatives)
      .sort((a, b) => a - b)
      .filter((rank) => rank < window.length)
      .map((rank) => window[rank]);
  });
  print("Negative candidates mined, preparing dataset...");

  // --- Output ---
  const out = new Map<string, unknown[]>([
    [anchorColumn, []],
    [positiveColumn, []],
    ...extraColumns.map((name) => [name, []] as [string, unknown[]]),
  ]);
  const push = (name: string, value: unknown): void => void out.get(name)!.push(value);
  const negativeScores: number[] = [];
  const differences: number[] = [];
  const record = (pair: number, score: number): void => {
    negativeScores.push(score);
    differences.push(positiveScores[pair] - score);
  };
  let maximumPossibleSamples: number;
  const pairs = pairQuery.length;

  if (outputFormat === "triplet") {
    for (let pair = 0; pair < pairs; pair++) {
      for (const negative of negatives[pairQuery[pair]]) {
        push(anchorColumn, queries[pairQuery[pair]]);
        push(positiveColumn, corpus[pairPositive[pair]]);
        push("negative", corpus[negative.index]);
        if (outputScores) push("scores", [positiveScores[pair], negative.score]);
        record(pair, negative.score);
      }
    }
    maximumPossibleSamples = pairs * numNegatives;
  } else if (outputFormat === "n-tuple") {
    for (let pair = 0; pair < pairs; pair++) {
      const found = negatives[pairQuery[pair]];
      if (found.length < numNegatives) continue;
      push(anchorColumn, queries[pairQuery[pair]]);
      push(positiveColumn, corpus[pairPositive[pair]]);
      found.forEach((negative, i) => {
        push(`negative_${i + 1}`, corpus[negative.index]);
        record(pair, negative.score);
      });
      if (outputScores) push("scores", [positiveScores[pair], ...found.map((negative) => negative.score)]);
    }
    maximumPossibleSamples = pairs;
  } else if (outputFormat === "labeled-pair") {
    const labelColumn = outputScores ? "score" : "label";
    let pair = 0;
    for (let query = 0; query < queries.length; query++) {
      for (const index of positiveIndices[query]) {
        push(anchorColumn, queries[query]);
        push(positiveColumn, corpus[index]);
        push(labelColumn, outputScores ? positiveScores[pair] : 1);
        for (const negative of negatives[query]) record(pair, negative.score);
        pair++;
      }
      for (const negative of negatives[query]) {
        push(anchorColumn, queries[query]);
        push(positiveColumn, corpus[negative.index]);
        push(labelColumn, outputScores ? negative.score : 0);
      }
    }
    maximumPossibleSamples = queries.length * numNegatives + pairs;
  } else {
    const listColumn = outputScores ? "scores" : "labels";
    for (let pair = 0; pair < pairs; pair++) {
      const found = negatives[pairQuery[pair]];
      if (found.length === 0) continue;
      push(anchorColumn, queries[pairQuery[pair]]);
      push(positiveColumn, [corpus[pairPositive[pair]], ...found.map((negative) => corpus[negative.index])]);
      push(listColumn, outputScores ? [positiveScores[pair], ...found.map((negative) => negative.score)] : [1, ...found.map(() => 0)]);
      for (const negative of found) record(pair, negative.score);
    }
    maximumPossibleSamples = pairs;
  }
  const output = Dataset.fromColumns(out);

  // --- Summary ---
  const positive = scoreStatistics(positiveScores);
  const negative = scoreStatistics(negativeScores);
  const difference = scoreStatistics(differences);
  for (const line of statisticsTable(positive, negative, difference)) print(line);
  const values: Record<MiningFilterName, number | undefined> = { absoluteMargin, relativeMargin, maxScore, minScore };
  for (const name of ["absoluteMargin", "relativeMargin", "maxScore", "minScore"] as const) {
    const entry = skipped[name];
    if (entry) print(`Skipped ${formatCount(entry.skipped)} potential negatives (${formatPercent(entry.ratio)}) due to the ${name} of ${values[name]}.`);
  }
  const missingSamples = maximumPossibleSamples - output.numRows;
  if (missingSamples > 0) {
    const solutions = ["rangeMax"];
    if (rangeMin > 0) solutions.push("rangeMin");
    if (absoluteMargin !== undefined) solutions.push("absoluteMargin");
    if (relativeMargin !== undefined) solutions.push("relativeMargin");
    if (maxScore !== undefined) solutions.push("maxScore");
    if (minScore !== undefined) solutions.push("minScore");
    const considerations = solutions.length > 1 ? `${solutions.slice(0, -1).join(", ")} and ${solutions[solutions.length - 1]}` : solutions[0];
    print(
      `Could not find enough negatives for ${missingSamples} samples (${formatPercent(missingSamples / maximumPossibleSamples)}).` +
        ` Consider adjusting the ${considerations} parameter${solutions.length > 1 ? "s" : ""} if you'd like to find more valid negatives.`,
    );
  }

  const summary: MiningSummary = {
    positive,
    negative,
    difference,
    skipped,
    maximumPossibleSamples,
    missingSamples,
    rangeMax,
    outputFormat,
    uniqueQueries: queries.length,
    totalQueries: anchors.length,
    corpusSize: corpus.length,
    lines,
    warnings,
  };
  lastMiningSummary = summary;
  options.onSummary?.(summary);
  return output;
}

function columnOption(argument: string, value: string | undefined, columns: readonly string[], position: number): string {
  if (value !== undefined) {
    if (typeof value !== "string" || !columns.includes(value)) {
      throw new ArgumentError(argument, `${JSON.stringify(value)} is not a column of the dataset (columns: ${listNames(columns)})`);
    }
    return value;
  }
  if (columns.length <= position) {
    throw new ArgumentError("dataset", `has columns [${listNames(columns)}]; mining needs two text columns (anchor, positive)`);
  }
  return columns[position];
}

function textColumn(dataset: Dataset, name: string): string[] {
  const values = dataset.column(name);
  const row = values.findIndex((value) => typeof value !== "string");
  if (row >= 0) throw new ArgumentError(`column "${name}"`, `row ${row} is ${describeValue(values[row])}, not text (mining needs text anchors and positives)`);
  return values as string[];
}

function integerOption(argument: string, value: number | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
    throw new ArgumentError(argument, `must be an integer ≥ ${minimum}, got ${describeValue(value)}`);
  }
  return value;
}

function numberOption(argument: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ArgumentError(argument, `must be a finite number, got ${describeValue(value)}`);
  return value;
}

function booleanOption(argument: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ArgumentError(argument, `must be true or false, got ${describeValue(value)}`);
  return value;
}

function choiceOption<T extends string>(argument: string, value: T | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value)) throw new ArgumentError(argument, `must be one of ${choices.join(", ")}, got ${describeValue(value)}`);
  return value;
}
