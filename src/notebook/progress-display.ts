// Live progress in a notebook cell: one line — a bar, "Training 40/161 · 12.3 s · ETA 37.2 s · loss 0.1234" —
// in an HTML display that replaces itself through its display id (update_display_data), never on stderr.
// Redrawn at most every REDRAW_INTERVAL_MS so a fast loop does not flood the notebook with messages. When
// the work ends the display stays as one line ("Training done: 161/161 in 1:16 · loss 0.1234", or "stopped
// at 80/161 after …"); progress nobody asked for (`delayMs`: shown only once the work has lasted that long)
// is cleared when it completes, leaving no trace of a step that went well. ProgressLine is the clock-driven
// arithmetic.

import type { Progress } from "../util/progress.ts";
import { DisplayHandle, escapeHtml } from "./display.ts";

/** At most four redraws a second. */
export const REDRAW_INTERVAL_MS = 250;

/** "12.3 s" below a minute, then "1:16" and "1:02:03". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const [hours, minutes, rest] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const pad = (value: number) => String(value).padStart(2, "0");
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
}

function formatFigure(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/** The state of one piece of work on a clock in milliseconds: counts, elapsed time, ETA, figures and when to redraw. */
export class ProgressLine {
  private done: number;
  private readonly figures: Record<string, number> = {};
  private readonly startedAt: number;
  private drawnAt = -Infinity;

  /** `initial`: units already done before this run (a resumed training), left out of the rate. */
  constructor(
    readonly label: string,
    readonly total: number,
    private readonly now: () => number,
    private readonly initial = 0,
  ) {
    this.done = initial;
    this.startedAt = now();
  }

  advance(amount = 1, figures: Record<string, number> = {}): void {
    this.done = Math.min(this.total, this.done + amount);
    Object.assign(this.figures, figures);
  }

  get finished(): boolean {
    return this.done >= this.total;
  }

  get fraction(): number {
    return this.done / this.total;
  }

  get elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** Seconds left at the rate of this run so far; undefined before the first unit or after the last. */
  etaSeconds(): number | undefined {
    const ran = this.done - this.initial;
    if (ran <= 0 || this.finished) return undefined;
    return (this.elapsedMs / 1000 / ran) * (this.total - this.done);
  }

  /** True when a redraw is allowed now (never drawn, or REDRAW_INTERVAL_MS since the last one). */
  due(): boolean {
    return this.now() - this.drawnAt >= REDRAW_INTERVAL_MS;
  }

  markDrawn(): void {
    this.drawnAt = this.now();
  }

  /** "Training 40/161 · 12.3 s · ETA 37.2 s · loss 0.1234" */
  live(): string {
    const eta = this.etaSeconds();
    return [`${this.label} ${this.done}/${this.total}`, formatDuration(this.elapsedMs / 1000), ...(eta === undefined ? [] : [`ETA ${formatDuration(eta)}`]), ...this.figureParts()].join(" · ");
  }

  /** "Training done: 161/161 in 1:16 · loss 0.1234", or "Training stopped at 80/161 after 30.1 s · …". */
  final(): string {
    const elapsed = formatDuration(this.elapsedMs / 1000);
    const head = this.finished ? `${this.label} done: ${this.done}/${this.total} in ${elapsed}` : `${this.label} stopped at ${this.done}/${this.total} after ${elapsed}`;
    return [head, ...this.figureParts()].join(" · ");
  }

  private figureParts(): string[] {
    return Object.entries(this.figures).map(([name, value]) => `${name} ${formatFigure(value)}`);
  }
}


/** The display's bundle: the line after an HTML progress bar, and as plain text. */
export function progressBundle(line: ProgressLine, text: string): { "text/plain": string; "text/html": string } {
  const bar = `<progress value="${line.fraction}" max="1" style="width: 12em; vertical-align: middle; margin-right: 0.6em"></progress>`;
  return { "text/plain": text, "text/html": `<div style="font-family: monospace; white-space: pre">${bar}${escapeHtml(text)}</div>` };
}

export interface NotebookProgressOptions {
  /** Units done before this run (a resumed training). */
  initial?: number;
  /** Show nothing until the work has lasted this long, and clear the display when it ends (unrequested progress). */
  delayMs?: number;
  /** Milliseconds (default performance.now); tests pass a fake clock. */
  now?: () => number;
  /** Where the line is drawn (default a new display in the running cell). */
  display?: Pick<DisplayHandle, "show">;
}

/** A live progress display in the running notebook cell. */
export function notebookProgress(label: string, total: number, options: NotebookProgressOptions = {}): Progress {
  const line = new ProgressLine(label, total, options.now ?? (() => performance.now()), options.initial);
  const display = options.display ?? new DisplayHandle();
  const delayMs = options.delayMs ?? 0;
  let shown = false;
  let stopped = false;
  const draw = (text: string) => {
    display.show(progressBundle(line, text));
    line.markDrawn();
    shown = true;
  };
  if (delayMs === 0) draw(line.live());
  return {
    increment(amount = 1, figures) {
      line.advance(amount, figures);
      if (!stopped && line.elapsedMs >= delayMs && line.due()) draw(line.live());
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (delayMs > 0 && line.finished) {
        if (shown) display.show({ "text/plain": "", "text/html": "" });
      } else if (delayMs === 0 || shown) draw(line.final());
    },
  };
}
