// What every run tracker (tensorboard.ts, csv-log.ts) is given and must do, as Hugging Face's
// TrainerCallback hooks: onTrainBegin when training starts (or resumes), onLog for every entry the
// trainer appends to state.log_history — training logs, evaluations (HF's Trainer.evaluate logs its
// metrics through on_log too) and the closing train_runtime entry — and close at the end, also
// when training stops early or fails.

import type { SentenceTransformerTrainingArguments } from "../arguments.ts";

/** A log_history entry: the logged values and `step`, the global step they belong to. */
export type LogEntry = Readonly<Record<string, number>>;

export interface RunStart {
  args: SentenceTransformerTrainingArguments;
  /** The run's logging folder (it exists and is writable). */
  loggingDir: string;
  runName: string;
  /** The encoder's configuration, written as TensorBoard's "model_config" text as HF does. */
  modelConfig: unknown;
  /** 0 for a new run; the checkpoint's global step for a resumed one. */
  startStep: number;
  /** log_history as training starts: empty, or the resumed checkpoint's. */
  history: readonly LogEntry[];
}

export interface RunTracker {
  onTrainBegin(start: RunStart): void;
  onLog(entry: LogEntry): void;
  close(): void;
}
