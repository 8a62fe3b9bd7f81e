// `embedtune evaluate`: a model's metrics on a data file and/or a retrieval folder, printed as aligned
// lines for a person and, on the last line of stdout, as one JSON object (every key, for scripts).
//   --data FILE: the evaluator that fits the file's columns (sentence-transformers' column roles: a
//     "label" or "score" column is the label, the others are inputs by position):
//       two text columns + a label of only 0 and 1   → BinaryClassificationEvaluator (labeled pairs)
//       two text columns + any other numeric score   → EmbeddingSimilarityEvaluator (pair score)
//       three text columns, no label                 → TripletEvaluator (anchor, positive, negative)
//     Key prefix: --name, else the file's name without its extension.
//   --ir DIR: InformationRetrievalEvaluator over a BEIR-layout folder (corpus, queries, qrels; --split,
//     default test). Key prefix: --name, else the folder's name.
// The data is read and checked before the model loads: a file that fits no evaluator is one line naming
// the file and its columns.

import { basename, extname, resolve } from "node:path";
import { checkLabels, checkTextColumns, inputColumnNames, labelColumnName } from "../data/columns.ts";
import type { Dataset } from "../data/dataset.ts";
import { DataLoadError } from "../data/errors.ts";
import { ArgumentError } from "../errors.ts";
import type { SentenceEvaluator } from "../evaluation/evaluator.ts";
import { formatMetrics } from "../util/format.ts";
import { readDataOption } from "./data-options.ts";
import type { Command } from "./main.ts";
import { integerOption, loadModelOption, type OptionValues, MODEL_OPTIONS, MODEL_USAGE } from "./options.ts";

export const evaluateCommand: Command = {
  summary: "print a model's metrics on a data file (pair score, labeled pairs, triplets) or a retrieval folder; the last line is JSON",
  usage: `embedtune evaluate ${MODEL_USAGE} (--data FILE | --ir DIR [--split test]) [--name NAME] [--batch-size N]`,
  options: {
    ...MODEL_OPTIONS,
    data: { type: "string" },
    ir: { type: "string" },
    split: { type: "string" },
    name: { type: "string" },
    "batch-size": { type: "string" },
  },
  async run(values) {
    const evaluators = await evaluatorsOf(values);
    const model = await loadModelOption(values);
    try {
      const metrics: Record<string, number> = {};
      for (const { evaluator, source } of evaluators) {
        const result = await evaluator.evaluate(model);
        console.log(formatMetrics(result, `${evaluator.constructor.name} on ${source}:`));
        Object.assign(metrics, result);
      }
      console.log(JSON.stringify(metrics));
    } finally {
      model.dispose();
    }
  },
};

/** The evaluators the options ask for, data read and checked (nothing is loaded but the data). */
async function evaluatorsOf(values: OptionValues): Promise<{ evaluator: SentenceEvaluator; source: string }[]> {
  const data = typeof values.data === "string" ? values.data : undefined;
  const ir = typeof values.ir === "string" ? values.ir : undefined;
  if (data === undefined && ir === undefined) throw new ArgumentError("--data", "give --data FILE (pair score, labeled pairs or triplets) or --ir DIR (a retrieval folder)");
  if (data !== undefined && ir !== undefined && typeof values.name === "string") {
    throw new ArgumentError("--name", "names one evaluation; with both --data and --ir each takes its file's or folder's name");
  }
  if (values.split !== undefined && ir === undefined) throw new ArgumentError("--split", "applies to --ir only");
  const batchSize = integerOption(values, "batch-size");
  const options = batchSize === undefined ? {} : { batchSize };
  const name = typeof values.name === "string" ? values.name : undefined;
  const evaluators: { evaluator: SentenceEvaluator; source: string }[] = [];
  if (data !== undefined) {
    const dataset = await readDataOption(data, "--data");
    evaluators.push({ evaluator: await evaluatorForColumns(dataset, name ?? basename(data, extname(data)), data, options), source: data });
  }
  if (ir !== undefined) {
    const { loadRetrievalData, retrievalEvaluator } = await import("../steps.ts");
    const retrieval = await loadRetrievalData(ir, { split: typeof values.split === "string" ? values.split : "test" });
    evaluators.push({ evaluator: retrievalEvaluator(retrieval, name ?? basename(resolve(ir)), options), source: ir });
  }
  return evaluators;
}

/**
 * The evaluator that fits a dataset's columns (see the header): labeled pairs, pair score or triplets.
 * `where` (the file) starts the one-line error of a dataset that fits none, or holds a non-text input
 * or a non-numeric label. The evaluators (and tfjs with them) are imported only here, so --help stays light.
 */
export async function evaluatorForColumns(dataset: Dataset, name: string, where: string, options: { batchSize?: number } = {}): Promise<SentenceEvaluator> {
  const inputs = inputColumnNames(dataset);
  const label = labelColumnName(dataset);
  const texts = (column: string) => dataset.column(column) as string[];
  if (label !== undefined && inputs.length === 2) {
    checkTextColumns(dataset, { where });
    checkLabels(dataset, { where });
    const labels = dataset.column(label) as number[];
    if (labels.every((value) => value === 0 || value === 1)) {
      const { BinaryClassificationEvaluator } = await import("../evaluation/binary-classification.ts");
      return new BinaryClassificationEvaluator(texts(inputs[0]), texts(inputs[1]), labels, { name, ...options });
    }
    const { EmbeddingSimilarityEvaluator } = await import("../evaluation/embedding-similarity.ts");
    return new EmbeddingSimilarityEvaluator(texts(inputs[0]), texts(inputs[1]), labels, { name, ...options });
  }
  if (label === undefined && inputs.length === 3) {
    checkTextColumns(dataset, { where });
    const { TripletEvaluator } = await import("../evaluation/triplet.ts");
    return new TripletEvaluator(texts(inputs[0]), texts(inputs[1]), texts(inputs[2]), { name, ...options });
  }
  throw new DataLoadError(
    where,
    `has columns [${dataset.columnNames.join(", ")}]; evaluate needs two text columns and a "score" or 0/1 "label" column ` +
      `(pair score, labeled pairs) or three text columns (anchor, positive, negative)`,
  );
}
