// The text of train.py: a self-contained sentence-transformers script that runs an embedtune run again
// with sentence-transformers' own classes — the model (Hub id and commit, or local path), the run's data
// (data/train.parquet, data/eval.parquet next to the script, read with datasets.load_dataset), the loss
// with its parameters, every training argument under its Python name, the evaluators (their inputs in
// data/evaluator-<i>.json), the seed, trainer.train(), and the final model saved by the main process to
// <output_dir>/final in the sentence-transformers layout embedtune loads back. Imports use
// sentence-transformers' module paths of 5.4 and later (sentence_transformers.sentence_transformer.*: the
// older ones warn in 6 and are to be removed).

import type { Dataset } from "../data/dataset.ts";
import type { SentenceTransformerTrainingArguments } from "../training/arguments.ts";
import { EMBEDTUNE_VERSION } from "../version.ts";
import { pythonTrainingArguments } from "./argument-names.ts";
import { pythonEvaluatorValue, type EvaluatorDescription } from "./evaluators.ts";
import { pythonLoss, type LossDescription } from "./losses.ts";
import type { ModelReference } from "./model-reference.ts";
import { code, pythonCall, pythonLiteral } from "./python.ts";

/** Everything a script needs to run an embedtune run again. */
export interface RunDescription {
  model: ModelReference;
  /** Set on the Python model when known (the run's model may have changed its folder's value). */
  maxSeqLength?: number;
  arguments: SentenceTransformerTrainingArguments;
  loss: LossDescription;
  trainDataset: Dataset;
  evalDataset?: Dataset;
  evaluators: EvaluatorDescription[];
}

export const TRAIN_DATA_FILE = "data/train.parquet";
export const EVAL_DATA_FILE = "data/eval.parquet";

/** data/evaluator-<i>.json: the inputs of the i-th evaluator. */
export function evaluatorInputsFile(index: number): string {
  return `data/evaluator-${index}.json`;
}

/** SentenceTransformer("org/name", revision="…") or SentenceTransformer("/path"). */
export function pythonModel(reference: ModelReference): string {
  if ("path" in reference) return `SentenceTransformer(${pythonLiteral(reference.path)})`;
  return `SentenceTransformer(${pythonLiteral(reference.repoId)}${reference.revision ? `, revision=${pythonLiteral(reference.revision)}` : ""})`;
}

function pythonDataPath(file: string): string {
  return `str(HERE / ${file.split("/").map((part) => pythonLiteral(part)).join(" / ")})`;
}

/** The Python of the i-th evaluator, reading its inputs from its JSON file. */
function pythonEvaluator(description: EvaluatorDescription, index: number): string {
  const variable = `evaluator_${index}`;
  const inputs = Object.keys(description.inputs);
  const keywords = Object.fromEntries(Object.entries(description.config).map(([key, value]) => [key, pythonEvaluatorValue(key, value)]));
  const lines = [`inputs = read_inputs(${pythonLiteral(evaluatorInputsFile(index))})`];
  if (description.name === "InformationRetrievalEvaluator") {
    const retrieval = {
      queries: code(`inputs["queries"]`),
      corpus: code(`inputs["corpus"]`),
      relevant_docs: code(`{query: set(documents) for query, documents in inputs["relevant_docs"].items()}`),
      ...keywords,
    };
    lines.push(`${variable} = ${pythonCall(description.name, [], retrieval)}`);
  } else {
    lines.push(`${variable} = ${pythonCall(description.name, inputs.map((name) => `inputs[${pythonLiteral(name)}]`), keywords)}`);
  }
  return lines.join("\n");
}

/** The script's text. `notes` are printed as comments at its top (what it cannot carry exactly). */
export function trainingScript(run: RunDescription, notes: readonly string[] = []): string {
  const { keywords: argumentKeywords, environment, notes: argumentNotes } = pythonTrainingArguments(run.arguments);
  const loss = pythonLoss(run.loss, pythonModel);
  const allNotes = [...notes, ...argumentNotes, ...loss.notes];
  const evaluatorClasses = [...new Set(run.evaluators.map(({ name }) => name)), ...(run.evaluators.length > 1 ? ["SequentialEvaluator"] : [])].sort();
  const usesBatchSamplers = Object.values(argumentKeywords).some((value) => pythonLiteral(value).startsWith("BatchSamplers."));

  const lines: string[] = [
    `# Written by embedtune ${EMBEDTUNE_VERSION} (embedtune export-script): the embedtune run into ${JSON.stringify(run.arguments.outputDir)},`,
    "# with sentence-transformers' own classes. One GPU: `python train.py`; several GPUs or machines: README.md.",
    ...allNotes.map((note) => `# Note: ${note}`),
    ...(run.evaluators.length > 0 ? ["import json"] : []),
    ...(Object.keys(environment).length > 0 ? ["import os"] : []),
    "from pathlib import Path",
    "",
    ...(loss.usesTorch ? ["import torch"] : []),
    "from datasets import load_dataset",
    "from transformers import set_seed",
    "",
    "from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments, util",
    "from sentence_transformers.sentence_transformer import losses",
    ...(evaluatorClasses.length > 0 ? [`from sentence_transformers.sentence_transformer.evaluation import ${evaluatorClasses.join(", ")}`] : []),
    ...(usesBatchSamplers ? ["from sentence_transformers.sentence_transformer.training_args import BatchSamplers"] : []),
    "",
    "HERE = Path(__file__).resolve().parent",
    "",
    ...Object.entries(environment).map(([name, value]) => `os.environ[${pythonLiteral(name)}] = ${pythonLiteral(value)}`),
    ...(Object.keys(environment).length > 0 ? [""] : []),
    "# The seed also fixes what is drawn before the Trainer starts (a loss's own weights).",
    `set_seed(${pythonLiteral(run.arguments.seed)})`,
    "",
    `model = ${pythonModel(run.model)}`,
    ...(run.maxSeqLength !== undefined ? [`model.max_seq_length = ${pythonLiteral(run.maxSeqLength)}`] : []),
    "",
    "# The run's own rows, in its order (written by embedtune next to this script).",
    `data_files = ${pythonCall("dict", [], { train: code(pythonDataPath(TRAIN_DATA_FILE)), ...(run.evalDataset ? { eval: code(pythonDataPath(EVAL_DATA_FILE)) } : {}) })}`,
    `data = load_dataset("parquet", data_files=data_files)`,
    `train_dataset = data["train"]`,
    `eval_dataset = ${run.evalDataset ? `data["eval"]` : "None"}`,
    "",
    `loss = ${loss.expression}`,
    "",
  ];
  if (run.evaluators.length > 0) {
    lines.push(
      "",
      "def read_inputs(name):",
      `    with open(HERE / name, encoding="utf-8") as file:`,
      "        return json.load(file)",
      "",
      "",
      ...run.evaluators.map((description, index) => pythonEvaluator(description, index)),
      run.evaluators.length === 1 ? "evaluator = evaluator_0" : `evaluator = SequentialEvaluator([${run.evaluators.map((_, index) => `evaluator_${index}`).join(", ")}])`,
      "",
    );
  } else {
    lines.push("evaluator = None", "");
  }
  lines.push(
    `args = ${pythonCall("SentenceTransformerTrainingArguments", [], argumentKeywords)}`,
    "",
    "trainer = SentenceTransformerTrainer(",
    "    model=model,",
    "    args=args,",
    "    train_dataset=train_dataset,",
    "    eval_dataset=eval_dataset,",
    "    loss=loss,",
    "    evaluator=evaluator,",
    ")",
    "trainer.train()",
    "",
    "# Every process trains; one writes the final model (the layout embedtune loads back).",
    "if trainer.is_world_process_zero():",
    `    model.save_pretrained(str(Path(args.output_dir) / "final"))`,
    "",
  );
  return lines.join("\n");
}
