// Progress of one file's download, shown where src/util/progress.ts shows progress, in bytes:
//   terminal stderr  a cli-progress bar "model.safetensors |████░░| 42% | 38.1/90.9 MB | 12.4 MB/s | ETA 4s";
//   notebook         notebookProgress's live line, counted in kB ("Downloading model.safetensors (kB) 3900/9090 · …");
//   elsewhere        one summary line at the end ("Downloaded model.safetensors: 90.9 MB in 7.3 s (12.4 MB/s)");
//   nothing          for files below PROGRESS_MIN_BYTES, or when show is false (HF_HUB_DISABLE_PROGRESS_BARS=1).
// `start` is the byte count already on disk (a resumed download).

import cliProgress from "cli-progress";
import { inNotebook } from "../notebook/display.ts";
import { notebookProgress } from "../notebook/progress-display.ts";
import { formatBytes } from "../util/format.ts";

export const PROGRESS_MIN_BYTES = 1_000_000;

export interface ByteProgress {
  /** the total bytes on disk now */
  update(bytesOnDisk: number): void;
  stop(): void;
}

const SILENT: ByteProgress = { update() {}, stop() {} };

export function startByteProgress(file: string, totalBytes: number, show: boolean, start = 0): ByteProgress {
  if (!show || totalBytes < PROGRESS_MIN_BYTES) return SILENT;
  const startedAt = performance.now();
  let bytes = start;
  const rate = () => (bytes - start) / Math.max(1e-3, (performance.now() - startedAt) / 1000);
  if (inNotebook()) {
    const line = notebookProgress(`Downloading ${file} (kB)`, Math.ceil(totalBytes / 1000), { initial: Math.floor(start / 1000) });
    let shownKb = Math.floor(start / 1000);
    return {
      update(now) {
        bytes = now;
        const kb = now >= totalBytes ? Math.ceil(totalBytes / 1000) : Math.floor(now / 1000); // whole file: the line's total
        if (kb > shownKb) line.increment(kb - shownKb);
        shownKb = Math.max(shownKb, kb);
      },
      stop: () => line.stop(),
    };
  }
  const stream = process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${file} |{bar}| {percentage}% | {done}/{size} | {rate}/s | ETA {eta_formatted}`,
        stream,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const payload = () => ({ done: formatBytes(bytes), size: formatBytes(totalBytes), rate: formatBytes(rate()) });
    bar.start(totalBytes, start, payload());
    return { update: (now) => ((bytes = now), bar.update(now, payload())), stop: () => bar.stop() };
  }
  return {
    update(now) {
      bytes = now;
    },
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      stream.write(`Downloaded ${file}: ${formatBytes(bytes)} in ${seconds.toFixed(1)} s (${formatBytes(rate())}/s)\n`);
    },
  };
}
