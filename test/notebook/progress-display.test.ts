// Live progress lines for notebooks, on a fake clock: durations, the ETA from this run's own rate (a
// resumed run's earlier steps left out), at most four redraws a second, the final line (done or stopped),
// unrequested progress appearing only after its delay and cleared when complete; showTrainingProgress's
// handle reads as one line and stop() unsubscribes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { formatDuration, notebookProgress, ProgressLine, REDRAW_INTERVAL_MS } from "../../src/notebook/progress-display.ts";
import { showTrainingProgress } from "../../src/notebook/training-progress.ts";
import type { SentenceTransformerTrainer } from "../../src/training/trainer.ts";

function fakeClock() {
  let time = 0;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

function recordingDisplay() {
  const shown: { "text/plain": string; "text/html"?: unknown }[] = [];
  return { shown, display: { show: (bundle: { "text/plain": string }) => void shown.push(bundle) } };
}

test("formatDuration: tenths of seconds below a minute, then m:ss and h:mm:ss", () => {
  assert.equal(formatDuration(0), "0.0 s");
  assert.equal(formatDuration(12.34), "12.3 s");
  assert.equal(formatDuration(76.3), "1:16");
  assert.equal(formatDuration(3723), "1:02:03");
});

test("the live line: counts, elapsed, ETA at this run's rate, figures; no ETA before the first unit", () => {
  const clock = fakeClock();
  const line = new ProgressLine("Training", 10, clock.now);
  assert.equal(line.live(), "Training 0/10 · 0.0 s");
  clock.advance(2000);
  line.advance(4, { loss: 0.123449 });
  // 4 steps in 2 s: 0.5 s a step, 6 left.
  assert.equal(line.live(), "Training 4/10 · 2.0 s · ETA 3.0 s · loss 0.1234");
  clock.advance(1000);
  line.advance(1, { loss: 0.5 });
  assert.equal(line.etaSeconds(), (3 / 5) * 5);
  assert.equal(line.live(), "Training 5/10 · 3.0 s · ETA 3.0 s · loss 0.5000");
});

test("a resumed run's earlier steps count in step/total but not in the rate behind the ETA", () => {
  const clock = fakeClock();
  const line = new ProgressLine("Training", 100, clock.now, 50);
  clock.advance(5000);
  line.advance(10);
  // 10 steps in 5 s: 0.5 s a step, 40 left → 20 s (counting the 50 resumed steps would say 3.3 s).
  assert.equal(line.etaSeconds(), 20);
  assert.match(line.live(), /^Training 60\/100 · 5\.0 s · ETA 20\.0 s$/);
});

test("at most one redraw per REDRAW_INTERVAL_MS however fast the work goes; the final line always; stop() twice draws once", () => {
  const clock = fakeClock();
  const { shown, display } = recordingDisplay();
  const progress = notebookProgress("Training", 100, { now: clock.now, display });
  assert.equal(shown.length, 1, "the line appears at once");
  assert.equal(shown[0]["text/plain"], "Training 0/100 · 0.0 s");
  for (let step = 0; step < 100; step++) {
    clock.advance(10);
    progress.increment(1, { loss: 1 / (step + 1) });
  }
  // 1 s of work at 10 ms a step: redraws at 250, 500, 750 and 1000 ms only.
  assert.equal(shown.length, 1 + 1000 / REDRAW_INTERVAL_MS);
  assert.equal(shown[1]["text/plain"], "Training 25/100 · 0.3 s · ETA 0.8 s · loss 0.0400");
  progress.stop();
  progress.stop();
  assert.equal(shown.length, 2 + 1000 / REDRAW_INTERVAL_MS);
  assert.equal(shown.at(-1)!["text/plain"], "Training done: 100/100 in 1.0 s · loss 0.0100");
  assert.match(String(shown.at(-1)!["text/html"]), /^<div[^>]*><progress value="1" max="1"[^>]*><\/progress>Training done: 100\/100 in 1\.0 s · loss 0\.0100<\/div>$/);
});

test("work stopped before its end leaves 'stopped at' with the count reached", () => {
  const clock = fakeClock();
  const { shown, display } = recordingDisplay();
  const progress = notebookProgress("Training", 10, { now: clock.now, display });
  clock.advance(3000);
  progress.increment(3);
  progress.stop();
  assert.equal(shown.at(-1)!["text/plain"], "Training stopped at 3/10 after 3.0 s");
});

test("unrequested progress (delayMs): nothing for short work; after the delay a live line, cleared when the work completes", () => {
  const clock = fakeClock();
  const short = recordingDisplay();
  const quick = notebookProgress("Batches", 10, { now: clock.now, display: short.display, delayMs: 2000 });
  for (let batch = 0; batch < 10; batch++) {
    clock.advance(100);
    quick.increment();
  }
  quick.stop();
  assert.deepEqual(short.shown, [], "1 s of work shows nothing");

  const long = recordingDisplay();
  const slow = notebookProgress("Batches", 30, { now: clock.now, display: long.display, delayMs: 2000 });
  for (let batch = 0; batch < 30; batch++) {
    clock.advance(100);
    slow.increment();
  }
  assert.equal(long.shown[0]["text/plain"], "Batches 20/30 · 2.0 s · ETA 1.0 s", "the first line once 2 s have passed");
  slow.stop();
  assert.deepEqual(long.shown.at(-1), { "text/plain": "", "text/html": "" }, "cleared when complete");
});

test("unrequested progress interrupted after it appeared keeps its 'stopped at' line", () => {
  const clock = fakeClock();
  const { shown, display } = recordingDisplay();
  const progress = notebookProgress("Batches", 30, { now: clock.now, display, delayMs: 2000 });
  clock.advance(2500);
  progress.increment(5);
  progress.stop();
  assert.equal(shown.at(-1)!["text/plain"], "Batches stopped at 5/30 after 2.5 s");
});

test("showTrainingProgress returns a handle that reads as one line in a cell and whose stop() unsubscribes", () => {
  const listeners = new Map<string, unknown>();
  const trainer = {
    state: { log_history: [] },
    on(event: string, listener: unknown) {
      listeners.set(event, listener);
      return this;
    },
    off(event: string, listener: unknown) {
      if (listeners.get(event) === listener) listeners.delete(event);
      return this;
    },
  } as unknown as SentenceTransformerTrainer;
  const handle = showTrainingProgress(trainer, { metric: "sts-dev_spearman_cosine", chart: false });
  assert.deepEqual([...listeners.keys()].sort(), ["evaluate", "log", "train_begin", "train_end"]);
  assert.equal(inspect(handle), "TrainingProgress: a line per log and evaluation (sts-dev_spearman_cosine at each evaluation); .stop() detaches it");
  handle.stop();
  assert.equal(listeners.size, 0);
  assert.equal(inspect(handle), "TrainingProgress (stopped)");
});
