// SentenceTransformerTrainingArguments: Hugging Face TrainingArguments (the subset that matters for
// embedding fine-tuning) plus sentence-transformers' prompts and batchSampler, in camelCase, with Hugging Face's
// defaults where the tutorial is silent. Impossible values fail at construction with a one-line error.
//   evalSteps/loggingSteps/saveSteps < 1 are ratios of the total steps; evalSteps defaults to loggingSteps;
//   loadBestModelAtEnd defaults metricForBestModel to "loss" and greaterIsBetter to !metric.endsWith("loss").

import { inspect } from "node:util";
import { ArgumentError } from "../errors.ts";
import { checkDevice, type Device } from "../engines/device-name.ts";
import type { EngineName } from "../models/sentence-transformer.ts";
import { checkPrompts, type TrainingPrompts } from "./prompts.ts";
import { BatchSamplers, type BatchSampler } from "./samplers.ts";
import { LR_SCHEDULER_TYPES, type LrSchedulerType } from "./schedules.ts";

export type IntervalStrategy = "no" | "steps" | "epoch";
export const REPORT_TO_INTEGRATIONS = ["tensorboard", "csv", "wandb"] as const;
export type ReportTo = "none" | "all" | (typeof REPORT_TO_INTEGRATIONS)[number];
const STRATEGIES: IntervalStrategy[] = ["no", "steps", "epoch"];

export interface TrainingArgumentsInit {
  outputDir: string;
  /**
   * A new run into an outputDir holding checkpoints of another run configuration deletes them
   * (run-checkpoints.ts); without it, the run refuses to start and says how to go on.
   */
  overwriteOutputDir?: boolean;
  numTrainEpochs?: number;
  maxSteps?: number;
  perDeviceTrainBatchSize?: number;
  perDeviceEvalBatchSize?: number;
  learningRate?: number;
  weightDecay?: number;
  adamBeta1?: number;
  adamBeta2?: number;
  adamEpsilon?: number;
  maxGradNorm?: number;
  lrSchedulerType?: LrSchedulerType;
  warmupRatio?: number;
  warmupSteps?: number;
  gradientAccumulationSteps?: number;
  evalStrategy?: IntervalStrategy;
  evalSteps?: number;
  saveStrategy?: IntervalStrategy;
  saveSteps?: number;
  saveTotalLimit?: number;
  loggingStrategy?: IntervalStrategy;
  loggingSteps?: number;
  loggingFirstStep?: boolean;
  loadBestModelAtEnd?: boolean;
  metricForBestModel?: string;
  greaterIsBetter?: boolean;
  seed?: number;
  dataSeed?: number;
  fp16?: boolean;
  bf16?: boolean;
  /**
   * Prompts prepended to the input columns' texts (ST's `prompts`): one string for every column,
   * { column: prompt }, or per dataset { dataset: prompt | { column: prompt } } (see prompts.ts).
   */
  prompts?: TrainingPrompts;
  batchSampler?: BatchSampler;
  dataloaderDropLast?: boolean;
  runName?: string;
  /**
   * Where the run is reported, as Hugging Face's report_to: "none", "all", one integration or a list of
   * them ("tensorboard", "csv", "wandb"); see src/training/tracking/.
   */
  reportTo?: ReportTo | readonly ReportTo[];
  /** TensorBoard's log folder (Hugging Face's logging_dir); default chosen by the tracking module. */
  loggingDir?: string;
  /** Where the encoder computes, as sentence-transformers' device: "cpu", "cuda" or "cuda:N"; default: CUDA where it runs, else CPU. */
  device?: Device;
  /** Show a progress bar in a terminal (default: when stderr is a terminal). */
  disableTqdm?: boolean;
  /** The encoder's engine for training; default: the model's own (onnxruntime where it loads). */
  engine?: EngineName;
}

/** Hugging Face's defaults (training_args.py) for every argument above. */
export const TRAINING_ARGUMENT_DEFAULTS = {
  overwriteOutputDir: false,
  numTrainEpochs: 3,
  maxSteps: -1,
  perDeviceTrainBatchSize: 8,
  perDeviceEvalBatchSize: 8,
  learningRate: 5e-5,
  weightDecay: 0,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEpsilon: 1e-8,
  maxGradNorm: 1,
  lrSchedulerType: "linear" as LrSchedulerType,
  warmupRatio: 0,
  warmupSteps: 0,
  gradientAccumulationSteps: 1,
  evalStrategy: "no" as IntervalStrategy,
  saveStrategy: "steps" as IntervalStrategy,
  saveSteps: 500,
  loggingStrategy: "steps" as IntervalStrategy,
  loggingSteps: 500,
  loggingFirstStep: false,
  loadBestModelAtEnd: false,
  seed: 42,
  fp16: false,
  bf16: false,
  batchSampler: BatchSamplers.BATCH_SAMPLER as BatchSampler,
  dataloaderDropLast: false,
  disableTqdm: false,
};

type Resolved = Required<Omit<TrainingArgumentsInit, "evalSteps" | "saveTotalLimit" | "metricForBestModel" | "greaterIsBetter" | "dataSeed" | "runName" | "engine" | "prompts" | "reportTo" | "loggingDir" | "device">>;

export class SentenceTransformerTrainingArguments implements Resolved {
  outputDir!: string;
  overwriteOutputDir!: boolean;
  numTrainEpochs!: number;
  maxSteps!: number;
  perDeviceTrainBatchSize!: number;
  perDeviceEvalBatchSize!: number;
  learningRate!: number;
  weightDecay!: number;
  adamBeta1!: number;
  adamBeta2!: number;
  adamEpsilon!: number;
  maxGradNorm!: number;
  lrSchedulerType!: LrSchedulerType;
  warmupRatio!: number;
  warmupSteps!: number;
  gradientAccumulationSteps!: number;
  evalStrategy!: IntervalStrategy;
  evalSteps: number | undefined;
  saveStrategy!: IntervalStrategy;
  saveSteps!: number;
  saveTotalLimit: number | undefined;
  loggingStrategy!: IntervalStrategy;
  loggingSteps!: number;
  loggingFirstStep!: boolean;
  loadBestModelAtEnd!: boolean;
  metricForBestModel: string | undefined;
  greaterIsBetter: boolean | undefined;
  seed!: number;
  dataSeed: number | undefined;
  fp16!: boolean;
  bf16!: boolean;
  prompts: TrainingPrompts | undefined;
  batchSampler!: BatchSampler;
  dataloaderDropLast!: boolean;
  runName: string | undefined;
  reportTo: ReportTo | readonly ReportTo[] | undefined;
  loggingDir: string | undefined;
  device: Device | undefined;
  disableTqdm!: boolean;
  engine: EngineName | undefined;

  constructor(init: TrainingArgumentsInit) {
    if (typeof init?.outputDir !== "string" || init.outputDir === "") {
      throw new ArgumentError("outputDir", "is required: the folder for checkpoints and the final model");
    }
    Object.assign(this, TRAINING_ARGUMENT_DEFAULTS, withoutUndefined(init));
    this.evalSteps = init.evalSteps ?? (this.evalStrategy === "steps" ? this.loggingSteps : undefined);
    if (this.loadBestModelAtEnd && this.metricForBestModel === undefined) this.metricForBestModel = "loss";
    if (this.metricForBestModel !== undefined && this.greaterIsBetter === undefined) {
      this.greaterIsBetter = !this.metricForBestModel.endsWith("loss");
    }
    this.validate();
  }

  /** The arguments that differ from Hugging Face's defaults (for the model card). */
  nonDefault(): Record<string, unknown> {
    const defaults = TRAINING_ARGUMENT_DEFAULTS as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(this).filter(([key, value]) => value !== undefined && key !== "outputDir" && defaults[key] !== value),
    );
  }

  toJSON(): Record<string, unknown> {
    return { ...this } as unknown as Record<string, unknown>;
  }

  /** Printed (console.log, a notebook cell's last expression) as outputDir and what differs from the defaults, not all ~60 fields. */
  [inspect.custom](depth: number, options: object): string {
    return `SentenceTransformerTrainingArguments ${inspect({ outputDir: this.outputDir, ...this.nonDefault() }, { ...options, depth })}`;
  }

  private validate(): void {
    const positiveInteger = (name: keyof this) => {
      const value = this[name] as unknown as number;
      if (!Number.isInteger(value) || value < 1) throw new ArgumentError(String(name), `must be a positive integer, got ${value}`);
    };
    const nonNegative = (name: keyof this) => {
      const value = this[name] as unknown as number;
      if (typeof value !== "number" || !(value >= 0)) throw new ArgumentError(String(name), `must be a number ≥ 0, got ${value}`);
    };
    positiveInteger("perDeviceTrainBatchSize");
    positiveInteger("perDeviceEvalBatchSize");
    positiveInteger("gradientAccumulationSteps");
    for (const name of ["learningRate", "weightDecay", "adamEpsilon", "maxGradNorm", "warmupSteps", "numTrainEpochs"] as const) nonNegative(name);
    if (!(this.learningRate > 0)) throw new ArgumentError("learningRate", `must be > 0, got ${this.learningRate}`);
    for (const name of ["adamBeta1", "adamBeta2"] as const) {
      if (!(this[name] >= 0 && this[name] < 1)) throw new ArgumentError(name, `must be in [0, 1), got ${this[name]}`);
    }
    if (!(this.warmupRatio >= 0 && this.warmupRatio <= 1)) throw new ArgumentError("warmupRatio", `must be in [0, 1], got ${this.warmupRatio}`);
    if (!Number.isInteger(this.maxSteps) || (this.maxSteps < 1 && this.maxSteps !== -1)) {
      throw new ArgumentError("maxSteps", `must be a positive integer or -1 (train numTrainEpochs), got ${this.maxSteps}`);
    }
    if (this.maxSteps === -1 && !(this.numTrainEpochs > 0)) throw new ArgumentError("numTrainEpochs", "must be > 0 when maxSteps is -1");
    for (const name of ["evalStrategy", "saveStrategy", "loggingStrategy"] as const) {
      if (!STRATEGIES.includes(this[name])) throw new ArgumentError(name, `must be one of ${STRATEGIES.join(", ")}, got ${JSON.stringify(this[name])}`);
    }
    const interval = (name: "evalSteps" | "saveSteps" | "loggingSteps", strategy: IntervalStrategy) => {
      const value = this[name];
      if (strategy !== "steps") return;
      if (value === undefined || !(value > 0) || (value > 1 && !Number.isInteger(value))) {
        throw new ArgumentError(name, `must be a positive integer (or a fraction < 1 of the total steps) when the strategy is "steps", got ${value}`);
      }
    };
    interval("evalSteps", this.evalStrategy);
    interval("saveSteps", this.saveStrategy);
    interval("loggingSteps", this.loggingStrategy);
    if (this.saveTotalLimit !== undefined && (!Number.isInteger(this.saveTotalLimit) || this.saveTotalLimit < 1)) {
      throw new ArgumentError("saveTotalLimit", `must be a positive integer, got ${this.saveTotalLimit}`);
    }
    if (!LR_SCHEDULER_TYPES.includes(this.lrSchedulerType)) {
      throw new ArgumentError("lrSchedulerType", `must be one of ${LR_SCHEDULER_TYPES.join(", ")}, got ${JSON.stringify(this.lrSchedulerType)}`);
    }
    if (!Object.values(BatchSamplers).includes(this.batchSampler)) {
      throw new ArgumentError("batchSampler", `must be one of ${Object.values(BatchSamplers).join(", ")}, got ${JSON.stringify(this.batchSampler)}`);
    }
    if (this.fp16 && this.bf16) throw new ArgumentError("fp16", "fp16 and bf16 cannot both be set");
    if (this.loadBestModelAtEnd) {
      if (this.evalStrategy === "no") throw new ArgumentError("loadBestModelAtEnd", "needs evalStrategy \"steps\" or \"epoch\"");
      if (this.saveStrategy !== this.evalStrategy) {
        throw new ArgumentError("loadBestModelAtEnd", `needs saveStrategy (${this.saveStrategy}) to match evalStrategy (${this.evalStrategy})`);
      }
      if (this.evalStrategy === "steps" && this.evalSteps! >= 1 && this.saveSteps % this.evalSteps! !== 0) {
        throw new ArgumentError("saveSteps", `must be a multiple of evalSteps (${this.evalSteps}) with loadBestModelAtEnd, got ${this.saveSteps}`);
      }
    }
    this.prompts = checkPrompts(this.prompts);
    if (!Number.isInteger(this.seed)) throw new ArgumentError("seed", `must be an integer, got ${this.seed}`);
    checkReportTo(this.reportTo);
    if (this.device !== undefined) checkDevice(this.device, "device");
    if (this.engine !== undefined && this.engine !== "onnxruntime" && this.engine !== "tfjs") {
      throw new ArgumentError("engine", `must be "onnxruntime" or "tfjs", got ${JSON.stringify(this.engine)}`);
    }
  }
}

function checkReportTo(value: unknown): void {
  if (value === undefined) return;
  const allowed = ["none", "all", ...REPORT_TO_INTEGRATIONS];
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === "string" && allowed.includes(item))) {
    throw new ArgumentError("reportTo", `must be one of ${allowed.map((name) => `"${name}"`).join(", ")} or a list of them, got ${JSON.stringify(value)}`);
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
