// Every embedtune training argument, classified for a sentence-transformers script: mapped to its
// Python name in SentenceTransformerTrainingArguments (Hugging Face TrainingArguments of transformers 5,
// plus sentence-transformers 6's prompts and batch_sampler), to an environment variable the script sets
// (transformers 5 reads TensorBoard's folder from TENSORBOARD_LOGGING_DIR, logging_dir is gone), or left out
// with the reason. The table is typed over keyof TrainingArgumentsInit, so a new argument does not compile
// until it is classified here. pythonTrainingArguments(args) gives the keywords for the arguments that
// differ from Hugging Face's defaults (output_dir, seed and report_to always), in the table's order, the
// environment variables, and one comment line per argument left out or changed.

import type { SentenceTransformerTrainingArguments, TrainingArgumentsInit } from "../training/arguments.ts";
import { TRAINING_ARGUMENT_DEFAULTS } from "../training/arguments.ts";
import { BatchSamplers } from "../training/samplers.ts";
import { code, type PythonCode } from "./python.ts";

/** Hugging Face's report_to integrations embedtune also has (its "csv" log is its own). */
const HUGGING_FACE_INTEGRATIONS = new Set(["tensorboard", "wandb", "all", "none"]);

export type ArgumentMapping =
  | { python: string; value?: (value: never) => unknown }
  | { environment: string }
  | { omit: string };

export const PYTHON_TRAINING_ARGUMENTS: Readonly<Record<keyof TrainingArgumentsInit, ArgumentMapping>> = {
  outputDir: { python: "output_dir" },
  overwriteOutputDir: {
    omit:
      "Hugging Face's Trainer never refuses or deletes checkpoints of another run in output_dir (overwrite_output_dir only served the example scripts; removed in transformers 5): use a new output_dir",
  },
  numTrainEpochs: { python: "num_train_epochs" },
  maxSteps: { python: "max_steps" },
  perDeviceTrainBatchSize: { python: "per_device_train_batch_size" },
  perDeviceEvalBatchSize: { python: "per_device_eval_batch_size" },
  learningRate: { python: "learning_rate" },
  weightDecay: { python: "weight_decay" },
  adamBeta1: { python: "adam_beta1" },
  adamBeta2: { python: "adam_beta2" },
  adamEpsilon: { python: "adam_epsilon" },
  maxGradNorm: { python: "max_grad_norm" },
  lrSchedulerType: { python: "lr_scheduler_type" },
  // transformers 5 removed warmup_ratio: warmup_steps below 1 is the ratio (TrainingArguments.get_warmup_steps).
  warmupRatio: { python: "warmup_steps" },
  warmupSteps: { python: "warmup_steps" },
  gradientAccumulationSteps: { python: "gradient_accumulation_steps" },
  evalStrategy: { python: "eval_strategy" },
  evalSteps: { python: "eval_steps" },
  saveStrategy: { python: "save_strategy" },
  saveSteps: { python: "save_steps" },
  saveTotalLimit: { python: "save_total_limit" },
  loggingStrategy: { python: "logging_strategy" },
  loggingSteps: { python: "logging_steps" },
  loggingFirstStep: { python: "logging_first_step" },
  loadBestModelAtEnd: { python: "load_best_model_at_end" },
  metricForBestModel: { python: "metric_for_best_model" },
  greaterIsBetter: { python: "greater_is_better" },
  seed: { python: "seed" },
  dataSeed: { python: "data_seed" },
  fp16: { python: "fp16" },
  bf16: { python: "bf16" },
  prompts: { python: "prompts" },
  batchSampler: { python: "batch_sampler", value: (sampler: string) => batchSamplerMember(sampler) },
  dataloaderDropLast: { python: "dataloader_drop_last" },
  runName: { python: "run_name" },
  reportTo: { python: "report_to", value: (reportTo: string | readonly string[]) => huggingFaceReportTo(reportTo) },
  loggingDir: { environment: "TENSORBOARD_LOGGING_DIR" },
  device: {
    python: "use_cpu",
    // sentence-transformers takes the device from the Trainer (args.device: CUDA when there is one, or
    // use_cpu); a GPU's index is chosen by the launcher (CUDA_VISIBLE_DEVICES, accelerate, torchrun).
    value: (device: string) => (device === "cpu" ? true : undefined),
  },
  disableTqdm: { python: "disable_tqdm" },
  engine: { omit: "embedtune's encoder engine (onnxruntime or tfjs); sentence-transformers trains in PyTorch" },
};

/** `BatchSamplers.NO_DUPLICATES` for "no_duplicates". */
function batchSamplerMember(sampler: string): PythonCode {
  const member = Object.entries(BatchSamplers).find(([, value]) => value === sampler);
  if (!member) throw new Error(`unknown batch sampler ${JSON.stringify(sampler)}`);
  return code(`BatchSamplers.${member[0]}`);
}

/** report_to without embedtune's own "csv" log (not a Hugging Face integration); undefined when nothing is left. */
function huggingFaceReportTo(reportTo: string | readonly string[]): unknown {
  const list = (typeof reportTo === "string" ? [reportTo] : [...reportTo]).filter((name) => HUGGING_FACE_INTEGRATIONS.has(name));
  if (list.length === 0) return "none";
  return typeof reportTo === "string" ? list[0] : list;
}

export interface PythonArguments {
  /** Python keyword → value (PythonCode for enum members), in the table's order. */
  keywords: Record<string, unknown>;
  /** Environment variables the script sets before the Trainer starts (name → value). */
  environment: Record<string, string>;
  /** One line per argument the run set that the script leaves out or changes, saying why. */
  notes: string[];
}

/** The keywords of SentenceTransformerTrainingArguments(...) for `args`. */
export function pythonTrainingArguments(args: SentenceTransformerTrainingArguments): PythonArguments {
  const defaults = TRAINING_ARGUMENT_DEFAULTS as Record<string, unknown>;
  const keywords: Record<string, unknown> = {};
  const environment: Record<string, string> = {};
  const notes: string[] = [];
  for (const [name, mapping] of Object.entries(PYTHON_TRAINING_ARGUMENTS) as [keyof TrainingArgumentsInit, ArgumentMapping][]) {
    // Hugging Face 4.x reports to every installed integration by default; embedtune (as transformers v5) to none.
    const value = name === "reportTo" ? (args.reportTo ?? "none") : args[name];
    const alwaysWritten = name === "outputDir" || name === "seed" || name === "reportTo";
    if (value === undefined || (!alwaysWritten && JSON.stringify(defaults[name]) === JSON.stringify(value))) continue;
    if ("omit" in mapping) {
      notes.push(`${name} (${JSON.stringify(value)}) is left out: ${mapping.omit}`);
      continue;
    }
    if ("environment" in mapping) {
      environment[mapping.environment] = String(value);
      continue;
    }
    if (name === "warmupRatio" && args.warmupSteps > 0) {
      notes.push(`warmupRatio (${JSON.stringify(value)}) is left out: warmupSteps (${args.warmupSteps}) wins, as in Hugging Face`);
      continue;
    }
    if (name === "warmupRatio" && value === 1) {
      notes.push("warmupRatio 1: transformers 5 reads warmup_steps=1 as one step, so the script warms up over the first step only; set warmup_steps to the run's step count");
    }
    const converted = mapping.value ? mapping.value(value as never) : value;
    if (name === "reportTo" && JSON.stringify(converted) !== JSON.stringify(value)) {
      notes.push(`reportTo ${JSON.stringify(value)}: embedtune's "csv" log is not a Hugging Face integration, so report_to is ${JSON.stringify(converted)}`);
    }
    if ((name === "fp16" || name === "bf16") && value === true) {
      notes.push(`${name}: embedtune accepted it and computed in float32; on a GPU this script trains in mixed precision, as the argument asks`);
    }
    if (name === "device" && value !== "cpu") notes.push(`device ${JSON.stringify(value)}: the Trainer uses CUDA when there is one; choose GPUs with the launch line (README.md)`);
    if (converted !== undefined) keywords[mapping.python] = converted;
  }
  return { keywords, environment, notes };
}
