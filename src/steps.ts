// The tutorial's step functions: thin wrappers that read like the sentence-transformers tutorial
// when used cell by cell from a notebook or the REPL. Each step does one thing and returns what the
// next one needs:
//   loadModel → loadPairScore (or loadDataset/loadParquet) → pickLoss → tutorialArguments →
//   similarityEvaluator + evaluate → train → evaluate on test → save
// and for retrieval: loadRetrievalData (a BEIR-layout folder) → retrievalEvaluator (IR metrics such as
// cosine_ndcg@10) and mineHardNegatives ((anchor, positive) pairs → triplets or n-tuples).

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { inputColumnNames, labelColumnName } from "./data/columns.ts";
import type { Dataset } from "./data/dataset.ts";
import type { DatasetDict } from "./data/dataset-dict.ts";
import { loadDataset } from "./data/load-dataset.ts";
import type { RetrievalData } from "./data/retrieval-data.ts";
import { ArgumentError } from "./errors.ts";
import { EmbeddingSimilarityEvaluator, type EmbeddingSimilarityEvaluatorOptions } from "./evaluation/embedding-similarity.ts";
import type { SentenceEvaluator } from "./evaluation/evaluator.ts";
import { InformationRetrievalEvaluator, type InformationRetrievalEvaluatorOptions } from "./evaluation/information-retrieval.ts";
import { ensureDefaultModel } from "./generator/default-model.ts";
import { type OutputFolderOptions } from "./io/output-folder.ts";
import * as losses from "./losses/index.ts";
import type { Loss } from "./losses/loss.ts";
import { SentenceTransformer, type SentenceTransformerOptions } from "./models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments, type TrainingArgumentsInit } from "./training/arguments.ts";
import type { TrainOutput } from "./training/events.ts";
import { BatchSamplers } from "./training/samplers.ts";
import { SentenceTransformerTrainer, type TrainerInit, type TrainOptions } from "./training/trainer.ts";
import { EvaluationInterruptedError, runInterruptible } from "./util/interruption.ts";

export { loadDataset, loadParquet, readParquet } from "./data/load-dataset.ts";
export { loadRetrievalData, type RetrievalData } from "./data/retrieval-data.ts";
export { mineHardNegatives, type MineHardNegativesOptions } from "./mining/hard-negatives.ts";
export { showTrace } from "./errors.ts";
export { show } from "./notebook/show.ts";

/** The pair-score data the project ships (sentence1, sentence2, score in 0..1; train/dev/test). */
export const DEFAULT_DATA_DIRECTORY = new URL("../data/pair-score", import.meta.url).pathname;

/** Step 1: load a model folder (Hugging Face / sentence-transformers layout); none → the embedded default. */
export async function loadModel(directory?: string, options: SentenceTransformerOptions = {}): Promise<SentenceTransformer> {
  return SentenceTransformer.load(directory ?? (await ensureDefaultModel(options)), options);
}

/**
 * Step 2: a folder of pair-score parquet files as a DatasetDict. Splits train, dev or validation, test,
 * each one `<split>.parquet` or the Hub's shards `<split>-*.parquet` (as in all-nli's pair-score folder);
 * the project's own data when no folder is given.
 */
export async function loadPairScore(directory = DEFAULT_DATA_DIRECTORY): Promise<DatasetDict> {
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw new ArgumentError("data", `${directory} is not a folder`);
  const fileNames = readdirSync(directory);
  const dataFiles: Record<string, string> = {};
  for (const split of ["train", "dev", "validation", "test"]) {
    if (fileNames.includes(`${split}.parquet`)) dataFiles[split] = join(directory, `${split}.parquet`);
    else if (fileNames.some((name) => name.startsWith(`${split}-`) && name.endsWith(".parquet"))) dataFiles[split] = join(directory, `${split}-*.parquet`);
  }
  if (!dataFiles.train) throw new ArgumentError("data", `${directory} has no train.parquet (or train-*.parquet shards)`);
  return loadDataset("parquet", { dataFiles });
}

/** The dev split of a DatasetDict: "dev", else "validation". */
export function devSplit(dataset: DatasetDict): Dataset {
  return dataset.has("dev") ? dataset.get("dev") : dataset.get("validation");
}

export type LossName = Exclude<keyof typeof losses, "TripletDistanceMetric" | "SiameseDistanceMetric" | `check${string}` | "pairwiseAngleSimilarity">;

/** Step 3: a loss by its sentence-transformers class name (CoSENTLoss by default). */
export function pickLoss(model: SentenceTransformer, name: LossName = "CoSENTLoss", options: Record<string, unknown> = {}): Loss {
  const LossClass = losses[name] as unknown as (new (model: SentenceTransformer, options: Record<string, unknown>) => Loss) | undefined;
  if (typeof LossClass !== "function") throw new ArgumentError("loss", `${JSON.stringify(name)} is not a loss embedtune has`);
  return new LossClass(model, options);
}

/**
 * The tutorial's learning rate (2e-5) and single epoch suit a pretrained model; the embedded default
 * is random, so it trains longer, faster and on larger batches (measured on the project's data:
 * test spearman_cosine 0.42 → 0.50).
 */
export const DEFAULT_MODEL_TRAINING = { learningRate: 5e-4, numTrainEpochs: 10, perDeviceTrainBatchSize: 32 } as const;

/** Step 4: the tutorial's training arguments, with any of them overridden. */
export function tutorialArguments(overrides: Partial<TrainingArgumentsInit> = {}): SentenceTransformerTrainingArguments {
  return new SentenceTransformerTrainingArguments({
    outputDir: "models/embedtune-finetuned",
    numTrainEpochs: 1,
    perDeviceTrainBatchSize: 16,
    perDeviceEvalBatchSize: 16,
    learningRate: 2e-5,
    warmupRatio: 0.1,
    fp16: true,
    bf16: false,
    batchSampler: BatchSamplers.NO_DUPLICATES,
    evalStrategy: "steps",
    evalSteps: 100,
    saveStrategy: "steps",
    saveSteps: 100,
    saveTotalLimit: 2,
    loggingSteps: 100,
    runName: "embedtune-finetuned",
    ...overrides,
  });
}

/** Step 5: an EmbeddingSimilarityEvaluator over a pair-score split (its two text columns and score). */
export function similarityEvaluator(dataset: Dataset, name: string, options: Partial<EmbeddingSimilarityEvaluatorOptions> = {}): EmbeddingSimilarityEvaluator {
  const [first, second] = inputColumnNames(dataset);
  const label = labelColumnName(dataset);
  if (second === undefined || label === undefined) {
    throw new ArgumentError(name, `needs two text columns and a score column, the dataset has ${dataset.columnNames.join(", ")}`);
  }
  return new EmbeddingSimilarityEvaluator(
    dataset.column(first) as string[],
    dataset.column(second) as string[],
    dataset.column(label) as number[],
    { name, ...options },
  );
}

/**
 * Retrieval evaluation: an InformationRetrievalEvaluator over loadRetrievalData's queries, corpus and
 * relevant documents (keys `{name}_{fn}_{metric}@{k}`, e.g. `squad_cosine_ndcg@10`; no prefix without a name).
 */
export function retrievalEvaluator(data: RetrievalData, name = "", options: Partial<InformationRetrievalEvaluatorOptions> = {}): InformationRetrievalEvaluator {
  return new InformationRetrievalEvaluator(data.queries, data.corpus, data.relevantDocs, { ...options, name });
}

/**
 * Step 5 and 7: run an evaluator (sentence-transformers: `evaluator(model)`). In a notebook kernel an
 * interrupt stops it at its next encode batch (or the evaluator's own stop point) with one
 * EvaluationInterruptedError line (util/interruption.ts).
 */
export function evaluate(model: SentenceTransformer, evaluator: SentenceEvaluator): Promise<Record<string, number>> {
  const described = evaluator.name ? `${evaluator.constructor.name} "${evaluator.name}"` : evaluator.constructor.name;
  return runInterruptible(
    () => new EvaluationInterruptedError(described, "while encoding"),
    () => evaluator.evaluate(model),
  );
}

/**
 * Step 6: train; returns the trainer (its state, log history and events) and the output. A notebook
 * interrupt rejects it (TrainingInterruptedError) before the trainer is returned, so the advice to
 * resume is this call again with `{ resumeFromCheckpoint: true }`.
 */
export async function train(init: TrainerInit, options: TrainOptions = {}): Promise<{ trainer: SentenceTransformerTrainer; output: TrainOutput }> {
  const trainer = new SentenceTransformerTrainer(init);
  const output = await trainer.train({ resumeCommand: "train(the same arguments, { resumeFromCheckpoint: true })", ...options });
  return { trainer, output };
}

/**
 * Step 8: save the final model (sentence-transformers layout with its model card). Other files in the
 * folder stay; a non-empty folder that holds no model needs `{ overwrite: true }`.
 */
export function save(model: SentenceTransformer, directory: string, options: OutputFolderOptions = {}): Promise<void> {
  return model.savePretrained(directory, options);
}
