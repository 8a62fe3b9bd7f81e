// Errors that end a training run, each one line saying what happened and what to do:
//   NonFiniteLossError: a step's loss or gradient norm (or, after the update, a weight) is NaN or
//   infinite; training stops before anything non-finite is applied or saved.
//   OutputFolderInUseError: another live run holds the output folder's lock.
//   TrainingInterruptedError: a notebook kernel's interrupt stopped the run after a step, with a checkpoint.

import { ArgumentError, EmbedtuneError } from "../errors.ts";
import { OperationInterruptedError, type InterruptSignal } from "../util/interruption.ts";

export class NonFiniteLossError extends EmbedtuneError {
  constructor(
    /** The optimizer step (1-based, as logged) whose loss or gradients were not finite. */
    readonly step: number,
    readonly loss: number,
    readonly gradNorm: number,
    context: { learningRate: number; maxGradNorm: number; warmupSteps: number; weight?: string },
  ) {
    const figures = `loss ${figure(loss)}, gradient norm ${figure(gradNorm)}, learning rate ${figure(context.learningRate)}`;
    const what = context.weight
      ? `the update made weight ${context.weight} non-finite (${figures}); nothing of this step was saved`
      : `the ${Number.isFinite(loss) ? "gradient norm" : "loss"} is not finite (${figures}); training stopped before applying it, the weights are unchanged and nothing of this step was saved`;
    const warmup = context.warmupSteps > 0 ? `more warmup (now ${context.warmupSteps} steps)` : "warmup (warmupRatio / --warmup-ratio)";
    super(`step ${step}: ${what}; try a lower learning rate, ${warmup} or stronger gradient clipping (maxGradNorm, now ${context.maxGradNorm})`);
  }
}

/** Four significant digits (NaN and Infinity as they are). */
function figure(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

export class OutputFolderInUseError extends ArgumentError {
  constructor(
    argument: string,
    readonly directory: string,
    /** The process holding the lock, when known. */
    readonly pid: number | undefined,
    detail: string,
  ) {
    super(argument, `${directory} is in use by another training run (${detail}); wait for it to end or choose another folder`);
  }
}

export class TrainingInterruptedError extends OperationInterruptedError {
  constructor(
    readonly signal: InterruptSignal,
    /** The step training stopped after (its checkpoint holds it). */
    readonly step: number,
    readonly maxSteps: number,
    readonly checkpoint: string,
    resumeCommand: string,
  ) {
    const by = signal === "SIGINT" ? "the interrupt" : signal;
    super(`training stopped by ${by} at step ${step} of ${maxSteps}, saved ${checkpoint}; resume with ${resumeCommand}`);
  }
}
