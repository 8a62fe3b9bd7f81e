// Progress of long work (encoding, loading, training): a live bar with ETA on a terminal's stderr,
// one summary line elsewhere (pipes, CI logs, notebooks).

import cliProgress from "cli-progress";

export interface Progress {
  increment(amount?: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

const SILENT: Progress = { increment() {}, stop() {} };

export function startProgress(label: string, total: number, enabled: boolean): Progress {
  if (!enabled || total <= 0) return SILENT;
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
    bar.start(total, 0);
    return { increment: (amount = 1, payload) => bar.increment(amount, payload), stop: () => bar.stop() };
  }
  const started = performance.now();
  let done = 0;
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
