// SentenceTransformerTrainer: Hugging Face Trainer semantics for sentence embeddings.
// Per optimizer step: gradientAccumulationSteps batches from the batch sampler → loss and gradients
// (averaged) → global-norm clipping → AdamW at lr·factor(step) (schedules.ts; the first warmup step
// runs at factor 0) → maybe log (mean loss since the last log, grad_norm, learning_rate, epoch), maybe
// evaluate (eval_loss + evaluator metrics, prefixed eval_), maybe save a checkpoint (checkpoint.ts).
// Batches, dropout masks and everything random derive from (seed, epoch, step), so a run resumed from
// a checkpoint continues exactly as the uninterrupted run would have.
// A run is never lost or corrupted: train() first checks outputDir can be written and takes its lock
// (output-directory.ts); a non-finite loss or gradient norm stops it before the update
// (NonFiniteLossError); SIGINT/SIGTERM, and a notebook kernel's interrupt, stop it after the current step
// with a checkpoint (util/interruption.ts; in a kernel train() then rejects with TrainingInterruptedError);
// a full disk or another file-system failure is one line naming the path, saying what is intact.
// args.prompts are prepended to the input columns (train, eval loss, the data check) as ST's collator
// does; with Pooling include_prompt false each column's prompt length goes through to pooling (prompts.ts).
// args.reportTo sends every log_history entry to TensorBoard event files and/or a CSV/JSONL log in the
// run's logging folder, closed when train() ends, however it ends (tracking/).

import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { inspect } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { checkLabels, checkTextColumns, inputColumnNames, labelColumnName } from "../data/columns.ts";
import type { Dataset } from "../data/dataset.ts";
import { ArgumentError, EmbedtuneError } from "../errors.ts";
import { addGradients, storedValues, type Gradient } from "../engines/row-gradient.ts";
import { FileSystemError, fileSystemError, isErrnoError } from "../io/file-system-errors.ts";
import type { SentenceEvaluator } from "../evaluation/evaluator.ts";
import { SequentialEvaluator } from "../evaluation/sequential.ts";
import { CoSENTLoss } from "../losses/cosent.ts";
import type { Loss } from "../losses/loss.ts";
import type { SentenceTransformer } from "../models/sentence-transformer.ts";
import { inNotebook } from "../notebook/display.ts";
import { startProgress } from "../util/progress.ts";
import { beginInterruptible, SIGNAL_EXIT_CODES } from "../util/interruption.ts";
import { deriveSeed } from "../util/random.ts";
import { AdamW } from "./adamw.ts";
import { SentenceTransformerTrainingArguments } from "./arguments.ts";
import {
  checkpointDirectory,
  estimateCheckpointBytes,
  listCheckpoints,
  loadCheckpoint,
  readTrainerState,
  rotateCheckpoints,
  saveCheckpoint,
  type TrainerState,
} from "./checkpoint.ts";
import { NonFiniteLossError, TrainingInterruptedError } from "./errors.ts";
import { TrainerEventEmitter, type TrainOutput } from "./events.ts";
import { clippingCoefficient, globalGradientNorm } from "./gradient-clipping.ts";
import { openOutputFolder } from "./output-directory.ts";
import { noteReducedPrecision } from "./precision.ts";
import { epochBatches, nominalBatchCount } from "./samplers.ts";
import { checkPromptNames, promptedInputColumns } from "./prompts.ts";
import { chooseResumeCheckpoint, clearOutputDir, CLI_OPTION_NAMES, isOfConfiguration, LIBRARY_OPTION_NAMES, type ResumePoint } from "./run-checkpoints.ts";
import { describeRun, type RunConfiguration } from "./run-configuration.ts";
import { learningRateFactor, warmupStepCount } from "./schedules.ts";
import { phase } from "../util/phases.ts";
import { resolveReportTo, RunTracking } from "./tracking/index.ts";
import { formatBytes } from "../util/format.ts";
import { exportTrainingScript, type ExportOptions, type ExportResult } from "../scaleout/export.ts";
import { batchLoss, engineLossAndGradients, trainableParameters } from "./train-step.ts";

export interface TrainerInit {
  model: SentenceTransformer;
  args?: SentenceTransformerTrainingArguments;
  trainDataset: Dataset;
  evalDataset?: Dataset;
  /** Default: CoSENTLoss(model), as sentence-transformers. */
  loss?: Loss;
  /** One evaluator, or several (run as a SequentialEvaluator). */
  evaluator?: SentenceEvaluator | SentenceEvaluator[];
}

export interface TrainOptions {
  /** true: the latest checkpoint in outputDir; a folder: that checkpoint. */
  resumeFromCheckpoint?: string | boolean;
  /** Listen to SIGINT/SIGTERM while training (default: the trainer's `handleSignals`). */
  handleSignals?: boolean;
  /** How to resume, shown when a signal or a file-system failure ends the run (default: the library call). */
  resumeCommand?: string;
}

const LIBRARY_RESUME = "trainer.train({ resumeFromCheckpoint: true })";

/** Above this many weights, layers are recomputed in the backward pass to bound memory. */
const CHECKPOINT_LAYERS_ABOVE_PARAMETERS = 10_000_000;

interface Plan {
  stepsPerEpoch: number;
  maxSteps: number;
  numEpochs: number;
  warmupSteps: number;
  loggingSteps: number;
  evalSteps: number;
  saveSteps: number;
}

export class SentenceTransformerTrainer extends TrainerEventEmitter {
  readonly model: SentenceTransformer;
  readonly args: SentenceTransformerTrainingArguments;
  readonly trainDataset: Dataset;
  readonly evalDataset: Dataset | undefined;
  readonly loss: Loss;
  readonly evaluator: SentenceEvaluator | undefined;
  readonly optimizer: AdamW;
  state: TrainerState;
  /**
   * Whether train() turns SIGINT/SIGTERM into stop() (a second signal exits at once). Hosts that
   * turn Ctrl-C into stop() themselves (the REPL) set it to false.
   */
  handleSignals = true;
  private stopRequested = false;
  private readonly checkpointLayers: boolean;
  /** Per train input column, the prompt length pooling skips (include_prompt false), set when training starts. */
  private trainPromptLengths: (number | undefined)[] = [];
  /** The configuration of the run under way (its checkpoints carry it), set when training starts. */
  private runConfiguration: RunConfiguration | undefined;
  /** The run's trackers (args.reportTo: TensorBoard, CSV/JSONL) while train() runs. */
  private tracking: RunTracking | undefined;

  constructor(init: TrainerInit) {
    super();
    this.model = init.model;
    this.args = init.args ?? new SentenceTransformerTrainingArguments({ outputDir: "trainer_output" });
    this.trainDataset = init.trainDataset;
    this.evalDataset = init.evalDataset;
    if (!init.loss) console.error("No `loss` passed, using `losses.CoSENTLoss` as a default option.");
    this.loss = init.loss ?? new CoSENTLoss(this.model);
    this.evaluator = Array.isArray(init.evaluator) ? new SequentialEvaluator(init.evaluator) : init.evaluator;
    checkOutputDirectory(this.args.outputDir);
    resolveReportTo(this.args.reportTo); // an integration that cannot run here fails now, not at train()
    checkDataset(this.trainDataset, "trainDataset");
    if (this.evalDataset) checkDataset(this.evalDataset, "evalDataset");
    checkPromptNames(this.args.prompts, [
      { name: "trainDataset", dataset: this.trainDataset },
      ...(this.evalDataset ? [{ name: "evalDataset", dataset: this.evalDataset }] : []),
    ]);
    if (this.args.perDeviceTrainBatchSize > this.trainDataset.numRows) {
      throw new ArgumentError(
        "perDeviceTrainBatchSize",
        `${this.args.perDeviceTrainBatchSize} is larger than the ${this.trainDataset.numRows} rows of trainDataset`,
      );
    }
    this.checkLossFitsData();
    if (this.args.evalStrategy !== "no" && !this.evalDataset && !this.evaluator) {
      throw new ArgumentError("evalStrategy", `is "${this.args.evalStrategy}" but there is neither an evalDataset nor an evaluator`);
    }
    const parameters = trainableParameters(this.model, this.loss);
    this.optimizer = new AdamW(parameters, {
      learningRate: this.args.learningRate,
      weightDecay: this.args.weightDecay,
      beta1: this.args.adamBeta1,
      beta2: this.args.adamBeta2,
      epsilon: this.args.adamEpsilon,
    });
    const parameterCount = parameters.reduce((sum, { tensor }) => sum + tensor.size, 0);
    this.checkpointLayers = parameterCount > CHECKPOINT_LAYERS_ABOVE_PARAMETERS;
    this.state = this.initialState(this.plan());
  }

  /**
   * Runs the loss on the first rows' shape (zero embeddings of the model's dimension, no encoder pass: a
   * long-context model's forward would cost a training step here), so a dataset that does not fit the
   * loss fails before training.
   */
  private checkLossFitsData(): void {
    const rows = Math.min(2, this.trainDataset.numRows);
    const labelName = labelColumnName(this.trainDataset);
    const prompted = promptedInputColumns(this.model, this.trainDataset.select(Array.from({ length: rows }, (_, i) => i)), this.args.prompts);
    const labels = labelName === undefined ? undefined : (this.trainDataset.column(labelName) as number[]).slice(0, rows);
    try {
      tf.tidy(() =>
        this.loss.computeLoss(
          prompted.texts.map((texts) => tf.zeros([texts.length, this.model.getSentenceEmbeddingDimension()]) as tf.Tensor2D),
          labels && tf.tensor1d(labels, "float32"),
          { texts: prompted.texts },
        ),
      );
    } catch (error) {
      if (error instanceof EmbedtuneError) {
        throw new ArgumentError("trainDataset", `columns ${this.trainDataset.columnNames.join(", ")} do not fit ${this.loss.name}: ${error.message}`);
      }
      throw error;
    }
  }

  /** Printed (console.log, a notebook cell's last expression) as one line, not the model's and data's internals. */
  [inspect.custom](): string {
    const parts = [
      `loss ${this.loss.name}`,
      `train ${this.trainDataset.numRows} rows`,
      ...(this.evalDataset ? [`eval ${this.evalDataset.numRows} rows`] : []),
      ...(this.evaluator ? [`evaluator ${this.evaluator.constructor.name}${this.evaluator.name ? ` "${this.evaluator.name}"` : ""}`] : []),
      `step ${this.state.global_step}/${this.state.max_steps}`,
      `outputDir ${this.args.outputDir}`,
    ];
    return `SentenceTransformerTrainer(${parts.join(", ")})`;
  }

  /** This run as a sentence-transformers script folder (train.py, requirements.txt, README.md, data/) for one or many GPUs. */
  exportScript(directory: string, options: ExportOptions = {}): Promise<ExportResult> {
    return exportTrainingScript(this, directory, options);
  }

  /**
   * Ends training after the current step; a checkpoint is saved so train({ resumeFromCheckpoint }) continues.
   * The one way to interrupt a run: signals, the REPL's Ctrl-C and notebook interrupts all call it.
   */
  stop(): void {
    this.stopRequested = true;
  }

  async train(options: TrainOptions = {}): Promise<TrainOutput> {
    const plan = this.plan();
    const resumeCommand = options.resumeCommand ?? LIBRARY_RESUME;
    const folder = openOutputFolder(this.args.outputDir, "outputDir");
    this.stopRequested = false;
    const interruption = beginInterruptible({
      listen: (options.handleSignals ?? this.handleSignals) ? "always" : "never",
      onInterrupt: (signal) => {
        // In a notebook a note on stdout, not a red stderr box: the cell's one line comes when the step ends.
        if (interruption.inKernel) console.log("embedtune: interrupted: stopping after the current step and saving a checkpoint (interrupt again to end the cell at once)");
        else console.error(`embedtune: ${signal}: stopping after the current step and saving a checkpoint (${signal} again exits at once)`);
        this.stop();
      },
    });
    try {
      const output = await this.run(plan, options.resumeFromCheckpoint, resumeCommand);
      const signal = interruption.received;
      if (output.interrupted && signal) {
        output.signal = signal;
        const checkpoint = checkpointDirectory(this.args.outputDir, output.globalStep);
        if (interruption.inKernel) {
          // As Python's KeyboardInterrupt: the cell stops here, with one line saying where and how to resume.
          this.emit("train_end", output);
          throw new TrainingInterruptedError(signal, output.globalStep, plan.maxSteps, checkpoint, resumeCommand);
        }
        process.exitCode = SIGNAL_EXIT_CODES[signal];
        const how = resumeCommand === LIBRARY_RESUME ? `${LIBRARY_RESUME} (it continues from ${checkpoint})` : resumeCommand;
        console.error(`embedtune: training stopped by ${signal} at step ${output.globalStep}, saved ${checkpoint}; resume with: ${how}`);
      }
      this.emit("train_end", output);
      return output;
    } catch (error) {
      if (isErrnoError(error) && !(error instanceof EmbedtuneError)) {
        throw fileSystemError(error, this.args.outputDir, `training (step ${this.state.global_step})`, this.resumeAdvice(resumeCommand, error.code));
      }
      throw error;
    } finally {
      interruption.end();
      const tracking = this.tracking;
      this.tracking = undefined;
      try {
        tracking?.close();
      } finally {
        folder.release();
      }
    }
  }

  private async run(plan: Plan, resume: string | boolean | undefined, resumeCommand: string): Promise<TrainOutput> {
    if (this.args.engine) await this.model.setEngine(this.args.engine);
    if (this.args.device !== undefined) await this.model.to(this.args.device);
    noteReducedPrecision(this.args, this.model.engine);
    this.state = this.initialState(plan);
    const resumePoint = this.resolveCheckpoints(resume, plan, resumeCommand);
    const resumeFrom = resumePoint?.checkpoint;
    if (resumeFrom) {
      this.state = loadCheckpoint(resumeFrom, { model: this.model, loss: this.loss, optimizer: this.optimizer });
      console.error(`embedtune: resuming from ${resumeFrom} at step ${this.state.global_step}${resumePoint?.note ? `: ${resumePoint.note}` : ""}`);
    }
    this.recordModelCardSetup();
    this.tracking = RunTracking.start({
      args: this.args,
      resumedFrom: resumeFrom,
      modelConfig: this.model.transformer.family.configJson(this.model.transformer.config),
      startStep: this.state.global_step,
      history: this.state.log_history,
    });
    this.emit("train_begin", { maxSteps: plan.maxSteps, numTrainEpochs: plan.numEpochs });
    const started = performance.now();
    const progress = startProgress("Training", plan.maxSteps, !this.args.disableTqdm, { initial: this.state.global_step });
    const labelName = labelColumnName(this.trainDataset);
    const prompted = promptedInputColumns(this.model, this.trainDataset, this.args.prompts);
    const inputs = prompted.texts;
    this.trainPromptLengths = prompted.promptLengths;
    const labels = labelName === undefined ? undefined : (this.trainDataset.column(labelName) as number[]);
    let lossSinceLog = 0;
    let stepsSinceLog = 0;
    let lossTotal = 0;
    let lastGradNorm = 0;
    let interrupted = false;
    let savedStep = -1;
    const firstEpoch = Math.floor(this.state.global_step / plan.stepsPerEpoch);
    try {
      training: for (let epoch = firstEpoch; epoch < plan.numEpochs; epoch++) {
        const steps = this.stepBatches(epoch);
        const done = this.state.global_step - epoch * plan.stepsPerEpoch;
        for (let stepInEpoch = Math.max(0, done); stepInEpoch < steps.length; stepInEpoch++) {
          const { loss, gradNorm } = await phase("step", () => this.optimizerStep(steps[stepInEpoch], inputs, labels, plan));
          lastGradNorm = gradNorm;
          lossSinceLog += loss;
          lossTotal += loss;
          stepsSinceLog += 1;
          const step = (this.state.global_step += 1);
          this.state.epoch = epoch + (stepInEpoch + 1) / steps.length;
          // The rate this step applied (transformers 5 logs it "before update"; 4.x logged the next step's).
          const learningRate = this.args.learningRate * learningRateFactor(this.args.lrSchedulerType, step - 1, plan.warmupSteps, plan.maxSteps);
          phase("events and progress", () => {
            this.emit("step", { step, maxSteps: plan.maxSteps, epoch: this.state.epoch, loss, gradNorm, learningRate });
            progress.increment(1, { loss: round4(lossSinceLog / stepsSinceLog) });
          });
          const endOfEpoch = stepInEpoch === steps.length - 1;
          const due = (strategy: string, interval: number) =>
            (strategy === "steps" && step % interval === 0) || (strategy === "epoch" && endOfEpoch);
          if (due(this.args.loggingStrategy, plan.loggingSteps) || (this.args.loggingFirstStep && step === 1)) {
            this.log({ loss: round4(lossSinceLog / stepsSinceLog), grad_norm: lastGradNorm, learning_rate: learningRate, epoch: this.state.epoch });
            lossSinceLog = 0;
            stepsSinceLog = 0;
          }
          if (due(this.args.evalStrategy, plan.evalSteps)) await this.evaluate();
          if (due(this.args.saveStrategy, plan.saveSteps)) {
            await this.saveCheckpoint(resumeCommand);
            savedStep = step;
          }
          if (this.stopRequested) {
            if (savedStep !== step) await this.saveCheckpoint(resumeCommand);
            interrupted = true;
            break training;
          }
          if (step >= plan.maxSteps) break training;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      progress.stop();
    }
    const runtime = (performance.now() - started) / 1000;
    const stepsRun = this.state.global_step - (resumeFrom ? Number(/checkpoint-(\d+)/.exec(resumeFrom)?.[1] ?? 0) : 0);
    const metrics = {
      train_runtime: round4(runtime),
      train_samples_per_second: round4((stepsRun * this.args.perDeviceTrainBatchSize * this.args.gradientAccumulationSteps) / runtime),
      train_steps_per_second: round4(stepsRun / runtime),
      total_flos: 0,
      train_loss: stepsRun > 0 ? lossTotal / stepsRun : 0,
      epoch: this.state.epoch,
    };
    if (!interrupted && this.args.loadBestModelAtEnd && this.state.best_model_checkpoint && existsSync(this.state.best_model_checkpoint)) {
      console.error(`embedtune: loading the best model from ${this.state.best_model_checkpoint} (${this.args.metricForBestModel} = ${this.state.best_metric})`);
      this.model.loadWeightsFrom(this.state.best_model_checkpoint);
      this.model.modelCardData.bestModelStep = Number(/checkpoint-(\d+)/.exec(this.state.best_model_checkpoint)?.[1]);
    }
    this.appendLog({ ...metrics, step: this.state.global_step });
    return { globalStep: this.state.global_step, trainingLoss: metrics.train_loss, metrics, interrupted };
  }

  /**
   * Evaluation as Hugging Face's trainer.evaluate(): eval_loss on the eval dataset (when given) and
   * the evaluator's metrics, all prefixed "eval_", plus runtime figures and the epoch.
   */
  async evaluate(): Promise<Record<string, number>> {
    const started = performance.now();
    const metrics: Record<string, number> = {};
    let batches = 0;
    if (this.evalDataset) {
      const labelName = labelColumnName(this.evalDataset);
      const { texts: inputs, promptLengths } = promptedInputColumns(this.model, this.evalDataset, this.args.prompts);
      const labels = labelName === undefined ? undefined : (this.evalDataset.column(labelName) as number[]);
      const size = this.args.perDeviceEvalBatchSize;
      let weightedLoss = 0;
      for (let start = 0; start < this.evalDataset.numRows; start += size) {
        const end = Math.min(start + size, this.evalDataset.numRows);
        const columns = inputs.map((column) => column.slice(start, end));
        weightedLoss += (await batchLoss(this.model, this.loss, columns, labels?.slice(start, end), promptLengths)) * (end - start);
        batches += 1;
      }
      metrics.eval_loss = weightedLoss / this.evalDataset.numRows;
    }
    if (this.evaluator) {
      const results = await this.evaluator.evaluate(this.model, {
        outputPath: join(this.args.outputDir, "eval"),
        epoch: this.state.epoch,
        steps: this.state.global_step,
      });
      for (const [key, value] of Object.entries(results)) metrics[`eval_${key}`] = value;
    }
    const runtime = (performance.now() - started) / 1000;
    metrics.eval_runtime = round4(runtime);
    if (this.evalDataset) {
      metrics.eval_samples_per_second = round4(this.evalDataset.numRows / runtime);
      metrics.eval_steps_per_second = round4(batches / runtime);
    }
    metrics.epoch = this.state.epoch;
    this.trackBestMetric(metrics);
    this.appendLog({ ...metrics, step: this.state.global_step });
    this.recordModelCardLog(metrics);
    this.emit("evaluate", metrics);
    return metrics;
  }

  /**
   * Saves the final model (sentence-transformers layout, model card included) into outputDir or `directory`.
   * The run's own outputDir holds its checkpoints, so the model's files are added beside them (nothing is removed).
   */
  async saveModel(directory = this.args.outputDir): Promise<void> {
    await this.model.savePretrained(directory, { overwrite: resolve(directory) === resolve(this.args.outputDir) });
  }

  private plan(): Plan {
    const args = this.args;
    const batches = nominalBatchCount(this.trainDataset.numRows, { batchSize: args.perDeviceTrainBatchSize, dropLast: args.dataloaderDropLast });
    if (batches === 0) throw new ArgumentError("trainDataset", `has ${this.trainDataset.numRows} rows, fewer than one batch of ${args.perDeviceTrainBatchSize}`);
    const stepsPerEpoch = Math.max(1, Math.ceil(batches / args.gradientAccumulationSteps));
    const maxSteps = args.maxSteps > 0 ? args.maxSteps : Math.ceil(args.numTrainEpochs * stepsPerEpoch);
    const interval = (value: number | undefined) => (value === undefined ? Infinity : value < 1 ? Math.ceil(maxSteps * value) : value);
    return {
      stepsPerEpoch,
      maxSteps,
      numEpochs: Math.ceil(maxSteps / stepsPerEpoch),
      warmupSteps: warmupStepCount(maxSteps, args.warmupSteps, args.warmupRatio),
      loggingSteps: interval(args.loggingSteps),
      evalSteps: interval(args.evalSteps),
      saveSteps: interval(args.saveSteps),
    };
  }

  private initialState(plan: Plan): TrainerState {
    return {
      global_step: 0,
      epoch: 0,
      max_steps: plan.maxSteps,
      num_train_epochs: plan.numEpochs,
      logging_steps: plan.loggingSteps,
      eval_steps: Number.isFinite(plan.evalSteps) ? plan.evalSteps : null,
      save_steps: plan.saveSteps,
      train_batch_size: this.args.perDeviceTrainBatchSize,
      log_history: [],
      best_metric: null,
      best_model_checkpoint: null,
      total_flos: 0,
      is_world_process_zero: true,
    };
  }

  /** This epoch's batches grouped into optimizer steps of gradientAccumulationSteps batches. */
  private stepBatches(epoch: number): number[][][] {
    const labelName = labelColumnName(this.trainDataset);
    const batches = epochBatches(this.args.batchSampler, this.trainDataset, {
      batchSize: this.args.perDeviceTrainBatchSize,
      dropLast: this.args.dataloaderDropLast,
      seed: this.args.dataSeed ?? this.args.seed,
      labelColumns: labelName === undefined ? [] : [labelName],
    }, epoch);
    const steps: number[][][] = [];
    for (let start = 0; start < batches.length; start += this.args.gradientAccumulationSteps) {
      steps.push(batches.slice(start, start + this.args.gradientAccumulationSteps));
    }
    return steps;
  }

  private async optimizerStep(batches: number[][], inputs: string[][], labels: number[] | undefined, plan: Plan): Promise<{ loss: number; gradNorm: number }> {
    const step = this.state.global_step;
    let summed: Map<string, Gradient> | undefined;
    let lossSum = 0;
    for (const [micro, rows] of batches.entries()) {
      const result = await phase("loss and gradients", () => engineLossAndGradients(
        this.model,
        this.loss,
        inputs.map((column) => rows.map((row) => column[row])),
        labels && rows.map((row) => labels[row]),
        { training: true, dropoutSeed: deriveSeed(this.args.seed, step, micro), checkpointLayers: this.checkpointLayers, promptLengths: this.trainPromptLengths },
      ));
      lossSum += result.loss;
      if (!summed) summed = result.gradients;
      else for (const [name, gradient] of result.gradients) summed.set(name, addGradients(summed.get(name)!, gradient));
    }
    const gradients = summed!;
    if (batches.length > 1) {
      for (const gradient of gradients.values()) {
        const values = storedValues(gradient);
        for (let i = 0; i < values.length; i++) values[i] /= batches.length;
      }
    }
    const loss = lossSum / batches.length;
    const norm = phase("gradient norm", () => globalGradientNorm(gradients));
    const learningRate = this.args.learningRate * learningRateFactor(this.args.lrSchedulerType, step, plan.warmupSteps, plan.maxSteps);
    // A NaN anywhere in the gradients makes the norm NaN, an overflow makes it infinite: stop before
    // the update, so the weights (and every checkpoint) stay finite.
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) this.failNonFinite(step + 1, loss, norm, learningRate, plan);
    this.optimizer.learningRate = learningRate;
    // Clipping and the check that the new weights are finite are folded into the AdamW pass.
    phase("optimizer update", () => this.optimizer.applyGradients(gradients, clippingCoefficient(norm, this.args.maxGradNorm)));
    phase("engine adopts weights", () => this.model.encoder.adoptWeights(this.optimizer.updatedWeights()));
    const weight = this.optimizer.firstNonFiniteWeight();
    if (weight !== undefined) this.failNonFinite(step + 1, loss, norm, learningRate, plan, weight);
    return { loss, gradNorm: norm };
  }

  /** Logs the step's figures (log_history and the "log" event) and throws NonFiniteLossError. */
  private failNonFinite(step: number, loss: number, gradNorm: number, learningRate: number, plan: Plan, weight?: string): never {
    const entry = { loss, grad_norm: gradNorm, learning_rate: learningRate, epoch: this.state.epoch, step };
    this.appendLog(entry);
    this.emit("log", entry);
    throw new NonFiniteLossError(step, loss, gradNorm, { learningRate, maxGradNorm: this.args.maxGradNorm, warmupSteps: plan.warmupSteps, weight });
  }

  private log(values: Record<string, number>): void {
    const entry = { ...values, step: this.state.global_step };
    this.appendLog(entry);
    this.recordModelCardLog(entry);
    // A JSON line per log beside the CLI's bar; in a notebook the live line and showTrainingProgress show the logs.
    if (!this.args.disableTqdm && !inNotebook()) console.log(JSON.stringify(values));
    this.emit("log", entry);
  }

  /** Appends to log_history and hands the entry to the run's trackers (HF's Trainer.log → on_log). */
  private appendLog(entry: Record<string, number>): void {
    this.state.log_history.push(entry);
    this.tracking?.onLog(entry);
  }

  private trackBestMetric(metrics: Record<string, number>): void {
    const name = this.args.metricForBestModel;
    if (name === undefined) return;
    const key = name.startsWith("eval_") ? name : `eval_${name}`;
    const value = metrics[key];
    if (value === undefined) {
      throw new ArgumentError("metricForBestModel", `${JSON.stringify(name)} is not among the evaluation metrics (${Object.keys(metrics).join(", ")})`);
    }
    const best = this.state.best_metric;
    if (best === null || (this.args.greaterIsBetter ? value > best : value < best)) {
      this.state.best_metric = value;
      this.state.best_model_checkpoint = checkpointDirectory(this.args.outputDir, this.state.global_step);
    }
  }

  /**
   * Writes checkpoint-{step} (atomically: a failure leaves no folder of that name and removes the
   * staging folder); a file-system failure becomes one line naming the checkpoint, its size and what
   * is still intact.
   */
  private async saveCheckpoint(resumeCommand: string): Promise<void> {
    const directory = checkpointDirectory(this.args.outputDir, this.state.global_step);
    try {
      await saveCheckpoint(directory, { model: this.model, loss: this.loss, optimizer: this.optimizer, state: this.state, args: this.args, run: this.runConfiguration! });
    } catch (error) {
      const code = error instanceof FileSystemError ? error.code : isErrnoError(error) ? error.code : undefined;
      if (code === undefined) throw error;
      removeOwnStaging(directory);
      const full = code === "ENOSPC" || code === "EDQUOT";
      const bytes = full ? estimateCheckpointBytes(this.args.outputDir, this.optimizer.parameters) : 0;
      const action = `writing ${basename(directory)}${full ? ` (needs ~${formatBytes(bytes)})` : ""}`;
      const cause = Object.assign(new Error((error as Error).message), { code });
      throw fileSystemError(cause, directory, action, this.resumeAdvice(resumeCommand, code));
    }
    const run = this.runConfiguration!;
    rotateCheckpoints(this.args.outputDir, this.args.saveTotalLimit, [this.state.best_model_checkpoint, directory], (checkpoint) => isOfConfiguration(checkpoint, run));
    this.emit("save", { checkpoint: directory, step: this.state.global_step });
  }

  /** What is intact after a file-system failure and how to go on. */
  private resumeAdvice(resumeCommand: string, code: string | undefined): string {
    const latest = listCheckpoints(this.args.outputDir).at(-1);
    const fix = code === "ENOSPC" || code === "EDQUOT" ? "free some space" : "fix that";
    const resume = resumeCommand === LIBRARY_RESUME ? LIBRARY_RESUME : "the same command with --resume";
    return latest
      ? `earlier checkpoints are intact (the latest is ${basename(latest)}); ${fix}, then resume with ${resume}`
      : `no checkpoint had been saved yet; ${fix}, then start again`;
  }

  /**
   * Describes this run's configuration (before a checkpoint replaces the starting weights), picks the
   * checkpoint to resume and clears outputDir of other runs' checkpoints in its way (refused, or deleted
   * with overwriteOutputDir) before anything is loaded (run-checkpoints.ts).
   */
  private resolveCheckpoints(resume: string | boolean | undefined, plan: Plan, resumeCommand: string): ResumePoint | undefined {
    const names = resumeCommand === LIBRARY_RESUME ? LIBRARY_OPTION_NAMES : CLI_OPTION_NAMES;
    const described = describeRun({ args: this.args, trainDataset: this.trainDataset, loss: this.loss, model: this.model, weights: this.optimizer.parameters });
    const point = resume === undefined || resume === false ? undefined : chooseResumeCheckpoint(this.args.outputDir, resume, described, names);
    this.runConfiguration = point?.configuration ?? described;
    const startStep = point ? readTrainerState(point.checkpoint, names.resume).global_step : 0;
    clearOutputDir(this.args.outputDir, this.runConfiguration, { startStep, maxSteps: plan.maxSteps, overwrite: this.args.overwriteOutputDir, names });
    return point;
  }

  private recordModelCardSetup(): void {
    const card = this.model.modelCardData;
    card.baseModel ??= this.model.sourceDirectory;
    card.trainDataset = datasetCardInfo(this.trainDataset);
    if (this.evalDataset) card.evalDataset = datasetCardInfo(this.evalDataset);
    card.loss = { name: this.loss.name, config: this.loss.getConfigDict() };
    card.hyperparameters = { nonDefault: this.args.nonDefault(), all: this.args.toJSON() };
    card.trainingLogs = [];
  }

  /** sentence-transformers' ModelCardCallback: one row per step, training and validation columns merged. */
  private recordModelCardLog(entry: Record<string, number>): void {
    const logs = (this.model.modelCardData.trainingLogs ??= []);
    let row = logs.find((existing) => existing.Step === this.state.global_step);
    if (!row) {
      row = { Epoch: this.state.epoch, Step: this.state.global_step, "Training Loss": "-" };
      logs.push(row);
    }
    if (entry.loss !== undefined && entry.eval_loss === undefined) row["Training Loss"] = entry.loss;
    if (entry.eval_loss !== undefined) row["Validation Loss"] = entry.eval_loss;
    for (const [key, value] of Object.entries(entry)) {
      if (key.startsWith("eval_") && !/^eval_(loss|runtime|samples_per_second|steps_per_second)$/.test(key)) row[key.slice(5)] = value;
    }
  }
}

/** Removes this process's staging folders of `target` (writeFolderAtomically's, after a failure). */
function removeOwnStaging(target: string): void {
  const prefix = `.${basename(target)}.tmp-${process.pid}-`;
  try {
    for (const name of readdirSync(dirname(target))) if (name.startsWith(prefix)) rmSync(join(dirname(target), name), { recursive: true, force: true });
  } catch {
    // Nothing to tidy, or the folder cannot be read: the cleanup at the next start takes care of it.
  }
}

function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** Input columns hold text and labels are finite numbers; an empty dataset is refused. */
function checkDataset(dataset: Dataset, argument: string): void {
  if (dataset.numRows === 0) throw new ArgumentError(argument, "has no rows");
  if (inputColumnNames(dataset).length === 0) throw new ArgumentError(argument, `has no input columns (columns: ${dataset.columnNames.join(", ")})`);
  checkTextColumns(dataset, { where: argument });
  checkLabels(dataset, { where: argument });
}

function checkOutputDirectory(outputDir: string): void {
  if (existsSync(outputDir) && !statSync(outputDir).isDirectory()) {
    throw new ArgumentError("outputDir", `${outputDir} exists and is not a folder`);
  }
}

function datasetCardInfo(dataset: Dataset) {
  return {
    size: dataset.numRows,
    columns: dataset.columnNames,
    samples: Array.from({ length: Math.min(3, dataset.numRows) }, (_, i) => dataset.row(i)),
  };
}
