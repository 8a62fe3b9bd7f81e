// Events a trainer emits, for notebooks, the REPL and progress displays to subscribe to:
//   train_begin {maxSteps, numTrainEpochs}  step {step, epoch, loss, gradNorm, learningRate}
//   log {loss, grad_norm, learning_rate, epoch, step}  evaluate {eval_* metrics, epoch, step}
//   save {checkpoint, step}  train_end {TrainOutput}

import { EventEmitter } from "node:events";

export interface StepEvent {
  step: number;
  maxSteps: number;
  epoch: number;
  loss: number;
  gradNorm: number;
  learningRate: number;
}

export interface TrainOutput {
  globalStep: number;
  trainingLoss: number;
  metrics: Record<string, number>;
  /** True when stop() (or SIGINT/SIGTERM) ended training early (a checkpoint was saved). */
  interrupted: boolean;
  /** The signal that stopped training, when one did. */
  signal?: "SIGINT" | "SIGTERM";
}

export interface TrainerEvents {
  train_begin: [{ maxSteps: number; numTrainEpochs: number }];
  step: [StepEvent];
  log: [Record<string, number>];
  evaluate: [Record<string, number>];
  save: [{ checkpoint: string; step: number }];
  train_end: [TrainOutput];
}

export class TrainerEventEmitter {
  private readonly emitter = new EventEmitter();

  on<E extends keyof TrainerEvents>(event: E, listener: (...args: TrainerEvents[E]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof TrainerEvents>(event: E, listener: (...args: TrainerEvents[E]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  protected emit<E extends keyof TrainerEvents>(event: E, ...args: TrainerEvents[E]): void {
    this.emitter.emit(event, ...args);
  }
}
