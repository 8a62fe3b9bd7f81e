// Follows the trainers created in the REPL through their events (train_begin, step, evaluate, save,
// train_end). The run in progress (step of max, per-step losses, latest evaluation, checkpoints) is a
// fresh snapshot object on every change, for the live view (its loss series is shared and only grows);
// the last finished run stays for `.plot`; stop() is Ctrl-C: it asks the running trainer to end after
// its current step, and the trainer saves a checkpoint then. Watched trainers leave signals to the REPL.

import type { SentenceTransformerTrainer } from "../src/index.ts";

export interface TrainingSnapshot {
  outputDir: string;
  /** The step training started from (above 0 when resumed from a checkpoint). */
  firstStep: number;
  step: number;
  maxSteps: number;
  /** This run's loss at every step (shared between a run's snapshots; it only grows). */
  losses: readonly number[];
  startedAt: number;
  /** When the latest step ended (performance.now()). */
  updatedAt: number;
  latestEvaluation?: { step: number; metrics: Readonly<Record<string, number>> };
  latestCheckpoint?: string;
  stopRequested: boolean;
  finished: boolean;
  /** True when stop() ended the run early. */
  interrupted: boolean;
}

type Listener = (snapshot: TrainingSnapshot) => void;

export class TrainingMonitor {
  private running: { trainer: SentenceTransformerTrainer; snapshot: TrainingSnapshot } | undefined;
  private finished: { trainer: SentenceTransformerTrainer; snapshot: TrainingSnapshot } | undefined;
  private readonly changeListeners = new Set<Listener>();
  private readonly endListeners = new Set<Listener>();

  /** The run in progress, if any. */
  get current(): TrainingSnapshot | undefined {
    return this.running?.snapshot;
  }

  /** The run in progress, else the last one that finished. */
  get latest(): { trainer: SentenceTransformerTrainer; snapshot: TrainingSnapshot } | undefined {
    return this.running ?? this.finished;
  }

  watch(trainer: SentenceTransformerTrainer): void {
    // Ctrl-C reaches the trainer through stop() (the REPL's own handling), not the trainer's signal listeners.
    trainer.handleSignals = false;
    trainer.on("train_begin", ({ maxSteps }) => {
      const now = performance.now();
      const firstStep = trainer.state.global_step;
      this.running = {
        trainer,
        snapshot: { outputDir: trainer.args.outputDir, firstStep, step: firstStep, maxSteps, losses: [], startedAt: now, updatedAt: now, stopRequested: false, finished: false, interrupted: false },
      };
      this.changed();
    });
    trainer.on("step", ({ step, loss }) =>
      this.update(trainer, (run) => {
        (run.losses as number[]).push(loss);
        return { step, updatedAt: performance.now() };
      }),
    );
    trainer.on("evaluate", (metrics) => this.update(trainer, (run) => ({ latestEvaluation: { step: run.step, metrics: { ...metrics } } })));
    trainer.on("save", ({ checkpoint }) => this.update(trainer, () => ({ latestCheckpoint: checkpoint })));
    trainer.on("train_end", ({ interrupted, globalStep }) => {
      this.update(trainer, () => ({ finished: true, interrupted, step: globalStep }));
      if (this.running?.trainer !== trainer) return;
      this.finished = this.running;
      this.running = undefined;
      for (const listener of this.endListeners) listener(this.finished.snapshot);
    });
  }

  /** Asks the running trainer to stop after its current step; false when nothing is training. */
  stop(): boolean {
    if (!this.running || this.running.snapshot.finished) return false;
    this.running.trainer.stop();
    this.update(this.running.trainer, () => ({ stopRequested: true }));
    return true;
  }

  /** Called on every change of the run in progress. */
  onChange(listener: Listener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Called once when a run ends (finished or stopped). */
  onRunEnd(listener: Listener): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private update(trainer: SentenceTransformerTrainer, change: (run: TrainingSnapshot) => Partial<TrainingSnapshot>): void {
    if (this.running?.trainer !== trainer) return;
    this.running.snapshot = { ...this.running.snapshot, ...change(this.running.snapshot) };
    this.changed();
  }

  private changed(): void {
    const snapshot = this.running?.snapshot;
    if (snapshot) for (const listener of this.changeListeners) listener(snapshot);
  }
}
