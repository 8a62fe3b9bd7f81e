// Run tracking as Hugging Face's report_to / logging_dir / run_name (transformers v5):
//   reportTo   undefined or "none" → nothing; "all" → every integration available here (HF: the installed
//              ones), which is "tensorboard" and "csv" (both built in); "wandb" → one line saying why not
//              (wandb.ts); a list → those integrations.
//   loggingDir the run's folder for event files and the CSV/JSONL log: loggingDir, else $TENSORBOARD_LOGGING_DIR
//              (v5 reads it instead of the deprecated logging_dir), else — when resuming — the folder the
//              checkpoint's run used (its training_args.json), else `<outputDir>/runs/<%b%d_%H-%M-%S>_<host>`
//              (HF's default_logdir, as PyTorch's SummaryWriter). The resolved folder is stored in
//              args.loggingDir (HF resolves logging_dir in the arguments too) so checkpoints record it.
//   runName    HF v5 has no default; here it defaults to the logging folder's name (TensorBoard's run name)
//              and names the CSV/JSONL files.
// RunTracking feeds the trainer's log_history entries to the trackers and closes them, also on failure.

import { existsSync, readFileSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { basename, join, resolve } from "node:path";
import { ArgumentError } from "../../errors.ts";
import { assertWritableFolder } from "../../io/file-system-errors.ts";
import { REPORT_TO_INTEGRATIONS, type ReportTo, type SentenceTransformerTrainingArguments } from "../arguments.ts";
import { CsvLogTracker } from "./csv-log.ts";
import { TensorBoardTracker } from "./tensorboard.ts";
import type { LogEntry, RunStart, RunTracker } from "./tracker.ts";
import { wandbUnsupported } from "./wandb.ts";

export type Integration = (typeof REPORT_TO_INTEGRATIONS)[number];

/** What reportTo "all" means here: the integrations that work in this process. */
export const AVAILABLE_INTEGRATIONS: readonly Integration[] = ["tensorboard", "csv"];

const TRACKERS: Partial<Record<Integration, () => RunTracker>> = {
  tensorboard: () => new TensorBoardTracker(),
  csv: () => new CsvLogTracker(),
};

/** The integrations reportTo names (HF's report_to resolution); `argument` names it in errors. */
export function resolveReportTo(reportTo: ReportTo | readonly ReportTo[] | undefined, argument = "reportTo"): Integration[] {
  const names: readonly ReportTo[] = reportTo === undefined ? ["none"] : typeof reportTo === "string" ? [reportTo] : reportTo;
  if (names.length > 1 && (names.includes("none") || names.includes("all"))) {
    throw new ArgumentError(argument, `"none" and "all" stand alone, got ${JSON.stringify(reportTo)}`);
  }
  if (names[0] === "none" || names.length === 0) return [];
  if (names[0] === "all") return [...AVAILABLE_INTEGRATIONS];
  if (names.includes("wandb")) throw wandbUnsupported(argument);
  return [...new Set(names as Integration[])];
}

/** HF's default_logdir under outputDir: runs/<month-day_hour-minute-second>_<host>, local time. */
export function defaultLoggingDir(outputDir: string, now = new Date()): string {
  const month = now.toLocaleString("en-US", { month: "short" });
  const two = (value: number) => String(value).padStart(2, "0");
  const stamp = `${month}${two(now.getDate())}_${two(now.getHours())}-${two(now.getMinutes())}-${two(now.getSeconds())}`;
  return join(outputDir, "runs", `${stamp}_${hostname()}`);
}

/** The run's logging folder (see the module comment for the order). */
export function resolveLoggingDir(args: SentenceTransformerTrainingArguments, resumedFrom: string | undefined, environment = process.env): string {
  if (args.loggingDir !== undefined) return args.loggingDir;
  if (environment.TENSORBOARD_LOGGING_DIR) return environment.TENSORBOARD_LOGGING_DIR.replace(/^~(?=$|\/)/, homedir());
  const recorded = resumedFrom === undefined ? undefined : recordedLoggingDir(resumedFrom);
  return recorded ?? defaultLoggingDir(args.outputDir);
}

function recordedLoggingDir(checkpoint: string): string | undefined {
  const path = join(checkpoint, "training_args.json");
  if (!existsSync(path)) return undefined;
  try {
    const value = (JSON.parse(readFileSync(path, "utf8")) as { loggingDir?: unknown }).loggingDir;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined; // an unreadable record: the run gets a new folder, as in Hugging Face
  }
}

export class RunTracking {
  private constructor(private readonly trackers: RunTracker[]) {}

  /**
   * Starts the trackers reportTo names (none: an inert RunTracking that writes nothing). The logging
   * folder is created and checked first: an unwritable one is one FileSystemError line naming loggingDir.
   */
  static start(options: { args: SentenceTransformerTrainingArguments; resumedFrom?: string; modelConfig?: unknown; startStep: number; history: readonly LogEntry[] }): RunTracking {
    const { args } = options;
    const integrations = resolveReportTo(args.reportTo);
    if (integrations.length === 0) return new RunTracking([]);
    const loggingDir = resolveLoggingDir(args, options.resumedFrom);
    assertWritableFolder(loggingDir, "loggingDir");
    args.loggingDir = loggingDir;
    const start: RunStart = {
      args,
      loggingDir,
      runName: args.runName ?? basename(resolve(loggingDir)),
      modelConfig: options.modelConfig,
      startStep: options.startStep,
      history: options.history,
    };
    const trackers: RunTracker[] = [];
    const tracking = new RunTracking(trackers);
    try {
      for (const integration of integrations) {
        const tracker = TRACKERS[integration]!();
        trackers.push(tracker);
        tracker.onTrainBegin(start);
      }
    } catch (error) {
      tracking.close();
      throw error;
    }
    return tracking;
  }

  onLog(entry: LogEntry): void {
    for (const tracker of this.trackers) tracker.onLog(entry);
  }

  /** Closes every tracker (idempotent); the first failure is thrown after all were tried. */
  close(): void {
    let failure: unknown;
    for (const tracker of this.trackers.splice(0)) {
      try {
        tracker.close();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
