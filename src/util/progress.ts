// Progress of long work (encoding, mining, training). `show` as sentence-transformers' show_progress_bar:
//   true — in a notebook cell a live line updated in place (notebook/progress-display.ts), on a terminal's
//     stderr a live bar with ETA, elsewhere (pipes, CI logs) one summary line on stderr at the end;
//   false — nothing;
//   undefined ("auto", the default of encode and the evaluators) — only in a notebook, and only once the work
//     has lasted AUTO_PROGRESS_DELAY_MS; cleared when it completes (ST shows no bar by default either).

import cliProgress from "cli-progress";
import { inNotebook } from "../notebook/display.ts";
import { notebookProgress } from "../notebook/progress-display.ts";

export interface Progress {
  /** `amount` more units done; `figures` (e.g. { loss }) are shown beside the counts where the display has room. */
  increment(amount?: number, figures?: Record<string, number>): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Units already done before this run (a resumed training): counted, but left out of the ETA's rate. */
  initial?: number;
}

/** Unrequested progress appears in a notebook only when the work lasts longer than this. */
export const AUTO_PROGRESS_DELAY_MS = 2000;

const SILENT: Progress = { increment() {}, stop() {} };

export function startProgress(label: string, total: number, show: boolean | undefined, options: ProgressOptions = {}): Progress {
  const initial = options.initial ?? 0;
  if (show === false || total <= 0) return SILENT;
  if (inNotebook()) return notebookProgress(label, total, { initial, delayMs: show === undefined ? AUTO_PROGRESS_DELAY_MS : 0 });
  if (show === undefined) return SILENT;
  const stream = process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} |{bar}| {value}/{total} | {percentage}% | ETA {eta_formatted}`,
        stream,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, initial);
    return { increment: (amount = 1, figures) => bar.increment(amount, figures), stop: () => bar.stop() };
  }
  const started = performance.now();
  let done = initial;
  return {
    increment: (amount = 1) => {
      done += amount;
    },
    stop: () => {
      const seconds = (performance.now() - started) / 1000;
      stream.write(`${label}: ${done}/${total} in ${seconds.toFixed(1)} s\n`);
    },
  };
}
