// reportTo "tensorboard": Hugging Face's TensorBoardCallback. At the start of a run the training
// arguments and the encoder's configuration as texts ("args", "model_config"); every log_history entry
// as scalars named by rewrite_logs (eval_* → eval/*, test_* → test/*, anything else → train/*) at the
// entry's global step. One new event file per train() call in the run's logging folder; a resumed run
// first purges the folder's events after its checkpoint's step, so TensorBoard shows one continuous run.

import { withFileSystemErrorsSync } from "../../io/file-system-errors.ts";
import { EventFileWriter } from "./event-file.ts";
import type { LogEntry, RunStart, RunTracker } from "./tracker.ts";

/** integration_utils.rewrite_logs: the tag each logged key gets in TensorBoard (and W&B). */
export function rewriteLogs(logs: Readonly<Record<string, number>>): Record<string, number> {
  const rewritten: Record<string, number> = {};
  for (const [key, value] of Object.entries(logs)) {
    if (key.startsWith("eval_")) rewritten[`eval/${key.slice(5)}`] = value;
    else if (key.startsWith("test_")) rewritten[`test/${key.slice(5)}`] = value;
    else rewritten[`train/${key}`] = value;
  }
  return rewritten;
}

export class TensorBoardTracker implements RunTracker {
  private writer: EventFileWriter | undefined;

  onTrainBegin(start: RunStart): void {
    this.writer = withFileSystemErrorsSync(start.loggingDir, "creating the TensorBoard event file", () => new EventFileWriter(start.loggingDir));
    this.guard(() => {
      // SummaryWriter(purge_step): a resumed run drops what the interrupted one logged after its checkpoint.
      this.writer!.purgeFrom(start.startStep === 0 ? 0 : start.startStep + 1);
      if (start.startStep === 0) {
        this.writer!.addText("args", JSON.stringify(start.args, null, 2));
        if (start.modelConfig !== undefined) this.writer!.addText("model_config", JSON.stringify(start.modelConfig, null, 2));
      }
    });
  }

  onLog(entry: LogEntry): void {
    const { step, ...values } = entry;
    this.guard(() => {
      for (const [tag, value] of Object.entries(rewriteLogs(values))) this.writer!.addScalar(tag, value, step);
    });
  }

  close(): void {
    this.writer?.close();
    this.writer = undefined;
  }

  private guard(write: () => void): void {
    if (!this.writer) return;
    withFileSystemErrorsSync(this.writer.path, "writing the TensorBoard log", write);
  }
}
