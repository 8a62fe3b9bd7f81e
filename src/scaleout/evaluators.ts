// embedtune evaluators as sentence-transformers builds them. describeEvaluators(evaluator) gives, per
// evaluator (a SequentialEvaluator's in order), its class, its inputs (texts, scores, ids: written
// next to the script as JSON, so the Python evaluator sees exactly the same) and its other parameters
// under their Python names. An evaluator of another class is one ArgumentError line.

import { ArgumentError } from "../errors.ts";
import type { SentenceEvaluator } from "../evaluation/evaluator.ts";
import { InformationRetrievalEvaluator } from "../evaluation/information-retrieval.ts";
import { SequentialEvaluator } from "../evaluation/sequential.ts";
import { matrixSimilarityName } from "../losses/functional.ts";
import { code } from "./python.ts";

export interface EvaluatorDescription {
  /** sentence-transformers' class name. */
  name: string;
  /** The positional inputs, in the constructor's order, under their Python names. */
  inputs: Record<string, unknown>;
  /** Keyword parameters under their Python names (undefined ones left out: the Python default applies). */
  config: Record<string, unknown>;
}

/** Per class: the inputs (Python name ← embedtune field) and keywords (Python name ← embedtune field). */
const EVALUATORS: Record<string, { inputs: Record<string, string>; config: Record<string, string> }> = {
  EmbeddingSimilarityEvaluator: {
    inputs: { sentences1: "sentences1", sentences2: "sentences2", scores: "scores" },
    config: {
      batch_size: "batchSize",
      main_similarity: "mainSimilarity",
      similarity_fn_names: "similarityFnNames",
      name: "name",
      show_progress_bar: "showProgressBar",
      write_csv: "writeCsv",
      precision: "precision",
      truncate_dim: "truncateDim",
    },
  },
  BinaryClassificationEvaluator: {
    inputs: { sentences1: "sentences1", sentences2: "sentences2", labels: "labels" },
    config: {
      name: "name",
      batch_size: "batchSize",
      show_progress_bar: "showProgressBar",
      write_csv: "writeCsv",
      truncate_dim: "truncateDim",
      similarity_fn_names: "similarityFnNames",
    },
  },
  TripletEvaluator: {
    inputs: { anchors: "anchors", positives: "positives", negatives: "negatives" },
    config: {
      main_similarity_function: "mainSimilarityFunction",
      margin: "margin",
      name: "name",
      batch_size: "batchSize",
      show_progress_bar: "showProgressBar",
      write_csv: "writeCsv",
      truncate_dim: "truncateDim",
      similarity_fn_names: "similarityFnNames",
    },
  },
  InformationRetrievalEvaluator: {
    inputs: {},
    config: {
      corpus_chunk_size: "corpusChunkSize",
      mrr_at_k: "mrrAtK",
      ndcg_at_k: "ndcgAtK",
      accuracy_at_k: "accuracyAtK",
      precision_recall_at_k: "precisionRecallAtK",
      map_at_k: "mapAtK",
      show_progress_bar: "showProgressBar",
      batch_size: "batchSize",
      name: "name",
      write_csv: "writeCsv",
      truncate_dim: "truncateDim",
      score_functions: "scoreFunctions",
      main_score_function: "mainScoreFunction",
      query_prompt: "queryPrompt",
      query_prompt_name: "queryPromptName",
      corpus_prompt: "corpusPrompt",
      corpus_prompt_name: "corpusPromptName",
    },
  },
};

/** The camelCase options each evaluator class takes (what an --args file may give). */
export const EVALUATOR_OPTIONS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(EVALUATORS).map(([name, { config }]) => [name, Object.values(config)]),
);

/** The evaluators of `evaluator` (a SequentialEvaluator's members in order), described. */
export function describeEvaluators(evaluator: SentenceEvaluator | undefined): EvaluatorDescription[] {
  if (evaluator === undefined) return [];
  if (evaluator instanceof SequentialEvaluator) return evaluator.evaluators.flatMap((member) => describeEvaluators(member));
  const name = evaluator.constructor.name;
  const table = EVALUATORS[name];
  if (!table) {
    throw new ArgumentError("evaluator", `${name} has no sentence-transformers equivalent the script can use (it knows ${Object.keys(EVALUATORS).join(", ")}, SequentialEvaluator)`);
  }
  const fields = evaluator as unknown as Record<string, unknown>;
  const inputs: Record<string, unknown> =
    evaluator instanceof InformationRetrievalEvaluator ? retrievalInputs(evaluator) : Object.fromEntries(Object.entries(table.inputs).map(([python, field]) => [python, fields[field]]));
  const config: Record<string, unknown> = {};
  for (const [python, field] of Object.entries(table.config)) {
    if (fields[field] !== undefined) config[python] = fields[field];
  }
  return [{ name, inputs, config }];
}

/** queries (the evaluated ones: those with a relevant document), corpus and relevant_docs (lists; sets in Python). */
function retrievalInputs(evaluator: InformationRetrievalEvaluator): Record<string, unknown> {
  return {
    queries: Object.fromEntries(evaluator.queriesIds.map((id, index) => [id, evaluator.queryTexts[index]])),
    corpus: Object.fromEntries(evaluator.corpusIds.map((id, index) => [id, evaluator.corpusTexts[index]])),
    relevant_docs: Object.fromEntries(evaluator.queriesIds.map((id) => [id, [...evaluator.relevantDocs.get(id)!]])),
  };
}

/** A config value as Python: IR score functions become {"cosine": util.cos_sim, …}. */
export function pythonEvaluatorValue(key: string, value: unknown): unknown {
  if (key === "score_functions") {
    return Object.fromEntries((value as string[]).map((name) => [name, code(`util.${matrixSimilarityName(name as Parameters<typeof matrixSimilarityName>[0])}`)]));
  }
  return value;
}
