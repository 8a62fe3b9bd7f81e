// `embedtune export-script --args FILE`: a run described in JSON instead of a trainer —
//   { "model": "org/name" | "path/to/folder", "revision"?: "…", "maxSeqLength"?: N,
//     "trainData": "train.parquet", "evalData"?: "eval.parquet",
//     "loss": "MultipleNegativesRankingLoss", "lossParameters"?: { "scale": 20, … },
//     "arguments": { "outputDir": "…", "learningRate": 2e-5, … },
//     "evaluator"?: { "type": "EmbeddingSimilarityEvaluator", "data": "dev.parquet", "name": "dev", … } | [ … ] }
// Paths are relative to the file. Names are embedtune's (camelCase); MatryoshkaLoss takes its inner loss as
// lossParameters.loss (a name) and lossParameters.lossParameters. Data files are read (their rows go next to
// the script); the model is not loaded. Every mistake is one ArgumentError line naming the file and field.

import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { inputColumnNames, labelColumnName } from "../data/columns.ts";
import type { Dataset } from "../data/dataset.ts";
import { loadRetrievalData } from "../data/retrieval-data.ts";
import { ArgumentError, EmbedtuneError } from "../errors.ts";
import { BinaryClassificationEvaluator } from "../evaluation/binary-classification.ts";
import { EmbeddingSimilarityEvaluator } from "../evaluation/embedding-similarity.ts";
import type { SentenceEvaluator } from "../evaluation/evaluator.ts";
import { InformationRetrievalEvaluator } from "../evaluation/information-retrieval.ts";
import { TripletEvaluator } from "../evaluation/triplet.ts";
import { readJsonFile } from "../io/model-folder.ts";
import * as losses from "../losses/index.ts";
import type { Loss } from "../losses/loss.ts";
import { SentenceTransformerTrainingArguments, type TrainingArgumentsInit } from "../training/arguments.ts";
import { readDataOption } from "../cli/data-options.ts";
import { PYTHON_TRAINING_ARGUMENTS } from "./argument-names.ts";
import { describeEvaluators, EVALUATOR_OPTIONS } from "./evaluators.ts";
import { describeLoss } from "./losses.ts";
import { folderReference, type ModelReference } from "./model-reference.ts";
import type { RunDescription } from "./script.ts";

const FIELDS = ["model", "revision", "maxSeqLength", "trainData", "evalData", "loss", "lossParameters", "arguments", "evaluator"];

/** The option names each loss takes (its options interface), so a misspelt one is refused instead of ignored. */
const LOSS_OPTIONS: Record<string, readonly string[]> = {
  CoSENTLoss: ["scale", "similarityFct"],
  AnglELoss: ["scale"],
  CosineSimilarityLoss: ["lossFct"],
  MultipleNegativesRankingLoss: ["scale", "similarityFct"],
  MultipleNegativesSymmetricRankingLoss: ["scale", "similarityFct"],
  CachedMultipleNegativesRankingLoss: ["scale", "similarityFct", "miniBatchSize"],
  CachedMultipleNegativesSymmetricRankingLoss: ["scale", "similarityFct", "miniBatchSize"],
  ContrastiveLoss: ["distanceMetric", "margin", "sizeAverage"],
  OnlineContrastiveLoss: ["distanceMetric", "margin"],
  TripletLoss: ["distanceMetric", "tripletMargin"],
  SoftmaxLoss: ["sentenceEmbeddingDimension", "numLabels", "concatenationSentRep", "concatenationSentDifference", "concatenationSentMultiplication"],
  MatryoshkaLoss: ["loss", "lossParameters", "matryoshkaDims", "matryoshkaWeights", "nDimsPerStep"],
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKeys(file: string, field: string, value: Json, allowed: readonly string[]): void {
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw new ArgumentError(`${file}: ${field}${field ? "." : ""}${unknown}`, `is not a field here (use ${allowed.join(", ")})`);
}

function requireString(file: string, field: string, value: unknown): string {
  if (typeof value !== "string" || value === "") throw new ArgumentError(`${file}: ${field}`, `must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** Runs `build`, naming `field` of `file` in any embedtune error it throws. */
async function within<T>(file: string, field: string, build: () => T | Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    if (error instanceof EmbedtuneError && !error.message.startsWith(file)) throw new ArgumentError(`${file}: ${field}`, error.message);
    throw error;
  }
}

/** "org/name" (or "name"): what the Hub takes as a model id. */
const HUB_ID = /^(?:[A-Za-z0-9][\w.-]*\/)?[A-Za-z0-9][\w.-]*$/;

function modelReference(file: string, base: string, model: string, revision: unknown): ModelReference {
  const local = isAbsolute(model) ? model : resolve(base, model);
  if (existsSync(local) && statSync(local).isDirectory()) return folderReference(local);
  if (!HUB_ID.test(model) || model.includes("..") || model.startsWith(".")) {
    throw new ArgumentError(`${file}: model`, `${JSON.stringify(model)} is neither a folder (looked at ${local}) nor a Hub id like "org/name"`);
  }
  if (revision !== undefined) requireString(file, "revision", revision);
  return { repoId: model, ...(revision === undefined ? {} : { revision: revision as string }) };
}

async function buildLoss(file: string, field: string, name: unknown, parameters: unknown): Promise<Loss> {
  const lossName = requireString(file, field, name);
  if (lossName === "GISTEmbedLoss" || lossName === "CachedGISTEmbedLoss") {
    throw new ArgumentError(`${file}: ${field}`, `${lossName} needs its guide model loaded: export from the trainer instead (trainer.exportScript(dir))`);
  }
  const options = LOSS_OPTIONS[lossName];
  if (!options) throw new ArgumentError(`${file}: ${field}`, `${JSON.stringify(lossName)} is not a loss the export knows (${Object.keys(LOSS_OPTIONS).join(", ")})`);
  const parametersField = field === "loss" ? "lossParameters" : `${field.replace(/\.loss$/, "")}.lossParameters`;
  const given = parameters ?? {};
  if (!isObject(given)) throw new ArgumentError(`${file}: ${parametersField}`, "must be an object of the loss's options");
  checkKeys(file, parametersField, given, options);
  if (lossName === "MatryoshkaLoss") {
    const { loss, lossParameters, ...rest } = given;
    const inner = await buildLoss(file, `${parametersField}.loss`, loss, lossParameters);
    return within(file, parametersField, () => new losses.MatryoshkaLoss(undefined, inner, rest as unknown as losses.MatryoshkaLossOptions));
  }
  return within(file, parametersField, () => {
    const LossClass = (losses as unknown as Record<string, new (model: unknown, options: Json) => Loss>)[lossName];
    return new LossClass(undefined, given);
  });
}

async function buildEvaluator(file: string, field: string, base: string, spec: unknown): Promise<SentenceEvaluator> {
  if (!isObject(spec)) throw new ArgumentError(`${file}: ${field}`, 'must be an object like { "type": "EmbeddingSimilarityEvaluator", "data": "dev.parquet" }');
  const type = requireString(file, `${field}.type`, spec.type);
  const allowed = EVALUATOR_OPTIONS[type];
  if (!allowed) throw new ArgumentError(`${file}: ${field}.type`, `${JSON.stringify(type)} is not an evaluator the export knows (${Object.keys(EVALUATOR_OPTIONS).join(", ")})`);
  const { type: _type, data, ...options } = spec;
  checkKeys(file, field, options, allowed);
  const path = resolve(base, requireString(file, `${field}.data`, data));
  if (type === "InformationRetrievalEvaluator") {
    const retrieval = await within(file, `${field}.data`, () => loadRetrievalData(path));
    return within(file, field, () => new InformationRetrievalEvaluator(retrieval.queries, retrieval.corpus, retrieval.relevantDocs, options));
  }
  const dataset = await within(file, `${field}.data`, () => readDataOption(path, `${field}.data`));
  const columns = inputColumnNames(dataset).map((name) => dataset.column(name) as string[]);
  const label = labelColumnName(dataset);
  return within(file, field, () => {
    if (type === "TripletEvaluator") return new TripletEvaluator(columns[0], columns[1], columns[2], options);
    const labels = (label === undefined ? undefined : dataset.column(label)) as number[];
    if (type === "BinaryClassificationEvaluator") return new BinaryClassificationEvaluator(columns[0], columns[1], labels, options);
    return new EmbeddingSimilarityEvaluator(columns[0], columns[1], labels, options);
  });
}

/** The run an --args file describes. */
export async function readArgsFile(file: string): Promise<RunDescription> {
  const spec = readJsonFile(file);
  if (!isObject(spec)) throw new ArgumentError(file, "must hold a JSON object { model, trainData, loss, arguments, … }");
  checkKeys(file, "", spec, FIELDS);
  const base = dirname(resolve(file));
  const model = modelReference(file, base, requireString(file, "model", spec.model), spec.revision);
  if (spec.maxSeqLength !== undefined && !(Number.isInteger(spec.maxSeqLength) && (spec.maxSeqLength as number) > 1)) {
    throw new ArgumentError(`${file}: maxSeqLength`, `must be an integer > 1, got ${JSON.stringify(spec.maxSeqLength)}`);
  }
  if (!isObject(spec.arguments)) throw new ArgumentError(`${file}: arguments`, 'must be an object of training arguments, at least { "outputDir": "…" }');
  checkKeys(file, "arguments", spec.arguments, Object.keys(PYTHON_TRAINING_ARGUMENTS));
  const args = await within(file, "arguments", () => new SentenceTransformerTrainingArguments(spec.arguments as unknown as TrainingArgumentsInit));
  const loss = describeLoss(await buildLoss(file, "loss", spec.loss, spec.lossParameters));
  const readData = (field: string, value: unknown): Promise<Dataset> =>
    within(file, field, () => readDataOption(resolve(base, requireString(file, field, value)), field));
  const trainDataset = await readData("trainData", spec.trainData);
  const evalDataset = spec.evalData === undefined ? undefined : await readData("evalData", spec.evalData);
  const evaluatorSpecs = spec.evaluator === undefined ? [] : Array.isArray(spec.evaluator) ? spec.evaluator : [spec.evaluator];
  const evaluators: SentenceEvaluator[] = [];
  for (const [index, evaluator] of evaluatorSpecs.entries()) {
    evaluators.push(await buildEvaluator(file, Array.isArray(spec.evaluator) ? `evaluator[${index}]` : "evaluator", base, evaluator));
  }
  return {
    model,
    ...(spec.maxSeqLength === undefined ? {} : { maxSeqLength: spec.maxSeqLength as number }),
    arguments: args,
    loss,
    trainDataset,
    evalDataset,
    evaluators: evaluators.flatMap((evaluator) => describeEvaluators(evaluator)),
  };
}
