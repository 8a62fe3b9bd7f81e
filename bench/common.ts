// Shared pieces of the benchmarks: result rows, statistics, the scratch folder, and running one
// measurement in a fresh child process (node or python) so that timings, heaps and peak RSS of one
// engine never leak into another's. Children run one at a time; nothing here runs in parallel.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

export const PROJECT_ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
export const BENCH_DIR = join(PROJECT_ROOT, "bench");
/** The shared folder beside the project (STS-B, the bert-base vocab, the PyTorch reference). */
export const SHARED_DIR = process.env.EMBEDTUNE_SHARED ?? join(PROJECT_ROOT, "..", "shared");
export const STSB_DIR = join(SHARED_DIR, "data", "stsb");
export const BERT_VOCAB = join(SHARED_DIR, "models", "bert-base-uncased-tokenizer", "vocab.txt");
export const TORCH_REFERENCE_DIR = join(SHARED_DIR, "reference", "torch");

/** Generated models, the 1M-row parquet and the PyTorch reference copy live here between runs (never in the project). */
export const SCRATCH_DIR = process.env.EMBEDTUNE_BENCH_DIR ?? join(tmpdir(), "embedtune-bench");

/** A folder in the scratch area (created). */
export function scratchDir(...parts: string[]): string {
  const path = join(SCRATCH_DIR, ...parts);
  mkdirSync(path, { recursive: true });
  return path;
}

/** A file path in the scratch area (its folder created). */
export function scratchFile(...parts: string[]): string {
  return join(scratchDir(...parts.slice(0, -1)), parts.at(-1)!);
}

export interface BenchOptions {
  quick: boolean;
  /** Rounds of the interleaved comparisons (encode, train-step); each subject's best round is reported. */
  rounds: number;
}

/** One line of the results table: a measured figure next to its reference, measured in the same run. */
export interface Row {
  benchmark: string;
  /** What was measured, e.g. "embedtune onnxruntime". */
  subject: string;
  metric: string;
  unit: string;
  value: number | null;
  /** Why there is no value ("engine unavailable", "PyTorch not installed", an error). */
  missing?: string;
  reference?: string;
  referenceValue?: number | null;
  /** value / referenceValue (null when either is missing). */
  ratio?: number | null;
  /** "lower" when a smaller value is better (times, memory), "higher" for rates. */
  better: "lower" | "higher" | "equal";
  note?: string;
}

export interface BenchmarkResult {
  name: string;
  title: string;
  rows: Row[];
  /** Everything the children reported, for results.json. */
  details: Record<string, unknown>;
  seconds: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

export interface Benchmark {
  name: string;
  title: string;
  run(options: BenchOptions): Promise<Omit<BenchmarkResult, "name" | "title" | "seconds" | "loadAverageBefore" | "loadAverageAfter">>;
}

/** Outcome of one measurement: a value, or why there is none. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

export async function attempt<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, reason: describeError(error) };
  }
}

/**
 * Runs each measurement once per round, in turn (A B C, A B C, …), so load that comes and goes on a
 * shared machine falls on every subject alike; returns every subject's outcomes, round by round.
 */
export async function interleaved<M extends Record<string, (round: number) => Promise<unknown>>>(
  rounds: number,
  measurements: M,
): Promise<{ [K in keyof M]: Outcome<Awaited<ReturnType<M[K]>>>[] }> {
  const outcomes: Record<string, Outcome<unknown>[]> = Object.fromEntries(Object.keys(measurements).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, measure] of Object.entries(measurements)) {
      // A subject that cannot run here (Unavailable, an error) is not tried again.
      const previous = outcomes[name].at(-1);
      outcomes[name].push(previous && !previous.ok ? previous : await attempt(() => measure(round)));
    }
  }
  return outcomes as { [K in keyof M]: Outcome<Awaited<ReturnType<M[K]>>>[] };
}

/** The round with the best score (the least disturbed by other load), with every round's score; or the failure. */
export function bestRound<T>(outcomes: Outcome<T>[], score: (value: T) => number, better: "lower" | "higher"): Outcome<T & { roundScores: number[] }> {
  const values = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.value] : []));
  if (values.length === 0) return outcomes[0] as { ok: false; reason: string };
  const pick = (a: T, b: T) => ((better === "lower" ? score(b) < score(a) : score(b) > score(a)) ? b : a);
  return { ok: true, value: { ...values.reduce(pick), roundScores: values.map(score) } };
}

/** "best of 3 rounds: 1.21 / 1.30 / 1.25 s" */
export function describeRounds(scores: number[], unit: string, digits = 2): string {
  return scores.length > 1 ? `best of ${scores.length} rounds (${scores.map((score) => score.toFixed(digits)).join(" / ")} ${unit})` : "";
}

export function describeError(error: unknown): string {
  if (error instanceof Unavailable) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `error: ${message.split("\n").find((line) => line.trim() !== "")?.trim().slice(0, 160) ?? "unknown"}`;
}

/** A measurement that cannot run here (engine or PyTorch missing); the message is shown as it is. */
export class Unavailable extends Error {}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function ratio(value: number | null | undefined, reference: number | null | undefined): number | null {
  if (value === null || value === undefined || reference === null || reference === undefined || !(reference > 0)) return null;
  return value / reference;
}

/**
 * A row for one measurement: the figure `measure` takes from it and its note, or why there is none; given
 * a reference, that reference's figure beside it and the ratio of the two.
 */
export function measuredRow<T>(
  fields: Pick<Row, "benchmark" | "subject" | "metric" | "unit" | "better">,
  outcome: Outcome<T>,
  measure: (measured: T) => { value: number; note?: string },
  reference?: { subject: string; value: number | null },
): Row {
  const measured = outcome.ok ? measure(outcome.value) : undefined;
  const value = measured?.value ?? null;
  const row: Row = { ...fields, value, missing: outcome.ok ? undefined : outcome.reason, note: measured?.note };
  return reference ? { ...row, reference: reference.subject, referenceValue: reference.value, ratio: ratio(value, reference.value) } : row;
}

export function loadAverage(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A seeded shuffle (mulberry32), so every engine and PyTorch get the same rows. */
export function seededShuffle<T>(values: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export interface ChildOptions {
  /** Shown in the progress lines on stderr. */
  label: string;
  timeoutSeconds: number;
  env?: Record<string, string>;
}

let childCounter = 0;

/**
 * Runs `command args…` with a JSON input file and reads its JSON result file. The child's own output
 * goes to our stderr (stdout stays the Markdown report). Throws with the tail of the child's stderr.
 */
export async function runJsonChild(command: string, args: string[], input: unknown, options: ChildOptions): Promise<unknown> {
  const id = `${process.pid}-${++childCounter}`;
  const inputFile = scratchFile("ipc", `${id}-in.json`);
  const outputFile = scratchFile("ipc", `${id}-out.json`);
  writeFileSync(inputFile, JSON.stringify(input));
  rmSync(outputFile, { force: true });
  log(`${options.label} …`);
  const started = performance.now();
  const child = spawn(command, [...args, inputFile, outputFile], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const forward = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    for (const line of text.split("\n")) if (line.trim() !== "") process.stderr.write(`    | ${line}\n`);
  };
  child.stdout.on("data", forward);
  child.stderr.on("data", forward);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutSeconds * 1000);
  const code = await new Promise<number | null>((resolve) => child.on("close", (exitCode, signal) => resolve(signal ? -1 : exitCode)));
  clearTimeout(timer);
  rmSync(inputFile, { force: true });
  const seconds = (performance.now() - started) / 1000;
  if (timedOut) throw new Error(`${options.label}: timed out after ${options.timeoutSeconds} s`);
  if (code !== 0 || !existsSync(outputFile)) {
    const lastLine = tail.trim().split("\n").filter((line) => line.trim() !== "").at(-1) ?? "";
    throw new Error(`${options.label} exited with ${code}: ${lastLine.slice(0, 200)}`);
  }
  const result = JSON.parse(readFileSync(outputFile, "utf8")) as { ok: boolean; value?: unknown; unavailable?: string; error?: string };
  rmSync(outputFile, { force: true });
  log(`${options.label} done in ${seconds.toFixed(1)} s`);
  if (result.unavailable) throw new Unavailable(result.unavailable);
  if (!result.ok) throw new Error(result.error ?? "child failed");
  return result.value;
}

/** A node child running bench/child.ts task `task` (with --expose-gc, so memory samples can collect first). */
export function runNodeTask<T>(task: string, input: unknown, options: ChildOptions): Promise<T> {
  return runJsonChild(process.execPath, ["--expose-gc", "--import", "tsx", join(BENCH_DIR, "child.ts"), task], input, options) as Promise<T>;
}

export function fmt(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toPrecision(digits);
}
