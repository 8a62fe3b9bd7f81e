// Live training progress for a notebook cell: a compact stdout line at every log and evaluation
// ("step 40/312  epoch 1.28  loss 0.1234  lr 4.1e-04", "step 50  sts-dev_spearman_cosine 0.4521") and one
// chart of the training loss and the dev metric that each log or evaluation redraws in place. Outside a
// notebook only the lines are printed. In a notebook these lines are the logs' only text (the trainer's
// own output there is its live progress line, without JSON lines), so each log shows once. Returns a
// handle whose stop() unsubscribes and which reads as one line when it is a cell's last expression.

import { inspect } from "node:util";
import { trainingCurves } from "../charts/lines.ts";
import type { SentenceTransformerTrainer } from "../training/trainer.ts";
import { DisplayHandle, inNotebook } from "./display.ts";
import { showPlotly } from "./plotly.ts";

export interface TrainingProgressOptions {
  /** The evaluator metric to print and chart, e.g. "sts-dev_spearman_cosine" (without "eval_"). */
  metric?: string;
  /** Redraw the chart (default true in a notebook). */
  chart?: boolean;
}

/** What showTrainingProgress returns: stop() ends the lines and chart for this trainer. */
export class TrainingProgress {
  private stopped = false;

  constructor(
    private readonly detach: () => void,
    private readonly description: string,
  ) {}

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.detach();
  }

  [inspect.custom](): string {
    return this.stopped ? "TrainingProgress (stopped)" : `TrainingProgress: ${this.description}; .stop() detaches it`;
  }
}

export function showTrainingProgress(trainer: SentenceTransformerTrainer, options: TrainingProgressOptions = {}): TrainingProgress {
  const chart = options.chart ?? inNotebook();
  const handle = new DisplayHandle();
  let maxSteps = 0;
  let started = 0;
  const redraw = () => {
    if (chart) showPlotly(trainingCurves(trainer.state.log_history, options.metric), handle);
  };
  const onBegin = (info: { maxSteps: number; numTrainEpochs: number }) => {
    maxSteps = info.maxSteps;
    started = performance.now();
    console.log(`training: ${info.maxSteps} steps, ${info.numTrainEpochs} epoch${info.numTrainEpochs === 1 ? "" : "s"}`);
    redraw();
  };
  const onLog = (entry: Record<string, number>) => {
    if (typeof entry.loss !== "number") return;
    const parts = [`step ${entry.step}/${maxSteps}`, `epoch ${entry.epoch.toFixed(2)}`, `loss ${entry.loss.toFixed(4)}`];
    if (typeof entry.learning_rate === "number") parts.push(`lr ${entry.learning_rate.toExponential(1)}`);
    console.log(parts.join("  "));
    redraw();
  };
  const onEvaluate = (metrics: Record<string, number>) => {
    const key = options.metric ? `eval_${options.metric}` : undefined;
    const shown = key && typeof metrics[key] === "number" ? `${options.metric} ${metrics[key].toFixed(4)}` : `eval_loss ${metrics.eval_loss?.toFixed(4)}`;
    console.log(`step ${trainer.state.global_step}  ${shown}`);
    redraw();
  };
  const onEnd = (output: { globalStep: number; trainingLoss: number; interrupted: boolean }) => {
    const seconds = (performance.now() - started) / 1000;
    const ended = output.interrupted ? `stopped at step ${output.globalStep} of ${maxSteps}` : `done: ${output.globalStep} steps`;
    console.log(`${ended} in ${seconds.toFixed(1)} s, mean training loss ${output.trainingLoss.toFixed(4)}`);
    redraw();
  };
  trainer.on("train_begin", onBegin).on("log", onLog).on("evaluate", onEvaluate).on("train_end", onEnd);
  const shown = `${options.metric ?? "eval_loss"} at each evaluation`;
  return new TrainingProgress(
    () => trainer.off("train_begin", onBegin).off("log", onLog).off("evaluate", onEvaluate).off("train_end", onEnd),
    `a line per log and evaluation (${shown})${chart ? ", chart redrawn in place" : ""}`,
  );
}
