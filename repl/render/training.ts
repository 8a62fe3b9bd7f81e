// A training run as lines: while it runs, a progress bar (step/total, percent, ETA, current loss),
// the loss chart and the latest evaluation's metrics under it; when it ends, a summary line (finished,
// or stopped at a step with the checkpoint to resume from), the same chart and metrics.

import type { TrainingSnapshot } from "../training-monitor.ts";
import { formatNumber } from "./cell.ts";
import { renderLineChart } from "./chart.ts";

const CHART_HEIGHT = 8;
/** Evaluation figures about the run rather than the model. */
const BOOKKEEPING = /^(eval_runtime|eval_samples_per_second|eval_steps_per_second|epoch)$/;

export function renderTrainingProgress(run: TrainingSnapshot, width: number): string[] {
  const done = run.step - run.firstStep;
  const fraction = run.maxSteps > 0 ? run.step / run.maxSteps : 0;
  const barWidth = Math.max(10, Math.min(30, width - 60));
  const filled = Math.round(fraction * barWidth);
  const loss = run.losses.at(-1);
  const parts = [
    `Training ${"█".repeat(filled)}${"░".repeat(barWidth - filled)} ${run.step}/${run.maxSteps}`,
    `${Math.floor(fraction * 100)}%`,
    `ETA ${done > 0 ? formatDuration(((run.updatedAt - run.startedAt) / done / 1000) * (run.maxSteps - run.step)) : "…"}`,
    ...(loss === undefined ? [] : [`loss ${formatNumber(loss)}`]),
  ];
  const status = run.stopRequested ? "stopping after this step (a checkpoint is saved)…" : "Ctrl-C stops training at the next step and saves a checkpoint";
  return [parts.join(" · "), ...chartAndEvaluation(run, width), status];
}

export function renderTrainingSummary(run: TrainingSnapshot, width: number): string[] {
  const seconds = (run.updatedAt - run.startedAt) / 1000;
  const loss = run.losses.at(-1);
  const lastLoss = loss === undefined ? "" : ` · last loss ${formatNumber(loss)}`;
  const headline = run.interrupted
    ? `Training stopped at step ${run.step} of ${run.maxSteps}${lastLoss} · checkpoint ${run.latestCheckpoint ?? "(none saved)"}` +
      " · trainer.train({ resumeFromCheckpoint: true }) continues"
    : `Training finished: ${run.step - run.firstStep} steps (${run.step}/${run.maxSteps}) in ${formatDuration(seconds)}${lastLoss}`;
  return [headline, ...chartAndEvaluation(run, width)];
}

function chartAndEvaluation(run: TrainingSnapshot, width: number): string[] {
  const lines = renderLineChart(run.losses, { width, height: CHART_HEIGHT, title: "training loss per step" });
  const evaluation = run.latestEvaluation;
  if (evaluation) lines.push(`evaluation at step ${evaluation.step}:`, ...metricsGrid(evaluation.metrics, width));
  return lines;
}

/** Metrics side by side, as many pairs to a line as fit. */
function metricsGrid(metrics: Readonly<Record<string, number>>, width: number): string[] {
  const entries = Object.entries(metrics).filter(([key]) => !BOOKKEEPING.test(key));
  if (entries.length === 0) return [];
  const keyWidth = Math.max(...entries.map(([key]) => key.length));
  const cellWidth = keyWidth + 2 + 10;
  const perLine = Math.max(1, Math.floor((width - 2) / (cellWidth + 3)));
  const lines: string[] = [];
  for (let start = 0; start < entries.length; start += perLine) {
    const cells = entries.slice(start, start + perLine).map(([key, value]) => `${key.padEnd(keyWidth)}  ${formatNumber(value).padStart(10)}`);
    lines.push(`  ${cells.join("   ")}`);
  }
  return lines;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "…";
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}
