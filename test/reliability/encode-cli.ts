// Helpers for the encode-*.test.ts files: the one-line-error and success checks of an `embedtune encode`
// run (./cli.ts: stdout to a pipe, a file or /dev/full), tiny generated models, and sentences to encode.

import assert from "node:assert/strict";
import { join } from "node:path";
import { initModel } from "../../src/generator/init-model.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { show, type Run } from "./cli.ts";

/** Lines a model load may print on stderr before anything else (informational). */
const INFO_LINE = /^embedtune: (tfjs backend \S|onnxruntime engine unavailable)/;

/** A user error: exit 1, no stack frames, stderr one `embedtune: error: …` line (after info lines); returns it. */
export function assertOneLineError(run: Run): string {
  assert.equal(run.status, 1, show(run));
  assert.doesNotMatch(run.stderr, /^\s+at /m, `stack trace on stderr:\n${show(run)}`);
  assert.ok(run.stderr.endsWith("\n"), show(run));
  const lines = run.stderr.slice(0, -1).split("\n");
  for (const line of lines.slice(0, -1)) assert.match(line, INFO_LINE, `stderr is not one error line:\n${show(run)}`);
  const last = lines.at(-1)!;
  assert.match(last, /^embedtune: error: \S/, show(run));
  return last;
}

/** A success: exit 0 and nothing on stderr but informational lines. */
export function assertSuccess(run: Run): void {
  assert.equal(run.status, 0, show(run));
  for (const line of run.stderr.split("\n").filter(Boolean)) assert.match(line, INFO_LINE, show(run));
}

/** A random tiny BERT (1 layer, mean pooling + Normalize) in a new temporary folder. */
export async function tinyModel(hidden = 32): Promise<string> {
  const out = join(temporaryDirectory("embedtune-encode-model-"), "model");
  await initModel({ out, preset: "tiny", hidden, layers: 1, heads: 2, intermediate: hidden * 2, vocabSize: 600, seed: 11 });
  return out;
}

const WORDS = "the a man woman dog cat plays runs on in guitar river park quickly slowly red blue small big house car".split(" ");

/** `count` short sentences of 2–8 words, deterministic, each ending with its index (all distinct). */
export function sentences(count: number, seed = 1): string[] {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, (_, index) => {
    const length = 2 + Math.floor(next() * 7);
    return [...Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]), String(index)].join(" ");
  });
}

/** Every row of `actual` within `tolerance` of `expected` (element-wise), with the first offender in the message. */
export function assertClose(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[], tolerance: number): void {
  assert.equal(actual.length, expected.length, "row count");
  for (let row = 0; row < expected.length; row++) {
    assert.equal(actual[row].length, expected[row].length, `row ${row} length`);
    for (let column = 0; column < expected[row].length; column++) {
      const difference = Math.abs(actual[row][column] - expected[row][column]);
      if (!(difference <= tolerance)) assert.fail(`row ${row} column ${column}: ${actual[row][column]} vs ${expected[row][column]} (|Δ| ${difference} > ${tolerance})`);
    }
  }
}
