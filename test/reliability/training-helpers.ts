// Shared by the training reliability tests: a tiny model (hidden 32, 1 layer, vocab 1500) and pair
// data generated once per test file, `embedtune train` as a child process whose output is collected
// while it runs (every child still running is killed by killRunning(), for an `after` hook, so a
// failed assertion never leaves a long run behind), and polling until something shows up.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeParquet } from "../../src/data/parquet.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { corpusPairScores } from "../support/pair-scores.ts";
import { projectRoot } from "../support/shared.ts";

export interface TrainingFixture {
  workspace: string;
  model: string;
  train: string;
  test: string;
}

export async function prepareFixture(workspace: string): Promise<TrainingFixture> {
  const fixture = { workspace, model: join(workspace, "model"), train: join(workspace, "train.parquet"), test: join(workspace, "test.parquet") };
  if (!existsSync(fixture.test)) {
    await initModel({ out: fixture.model, hidden: 32, layers: 1, heads: 2, intermediate: 64, vocabSize: 1500, seed: 9 });
    writeParquet(fixture.train, corpusPairScores(0, 400));
    writeParquet(fixture.test, corpusPairScores(500, 40));
  }
  return fixture;
}

/** `embedtune train` arguments (after bin/embedtune.js) for a run into `output`. */
export function trainArguments(fixture: TrainingFixture, output: string, extra: string[] = []): string[] {
  return ["train", "--model", fixture.model, "--train", fixture.train, "--output", output, "--batch-size", "8", "--learning-rate", "1e-3", "--seed", "42", ...extra];
}

export interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The exit code, or the signal's name when the process died of one. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

const running = new Set<ChildProcess>();

/** Kills (SIGKILL) every child started here that has not exited. */
export function killRunning(): void {
  for (const child of running) child.kill("SIGKILL");
}

export function startEmbedtune(args: string[], workspace: string): Run {
  const child = spawn(process.execPath, ["bin/embedtune.js", ...args], {
    cwd: projectRoot,
    env: { ...process.env, EMBEDTUNE_CACHE: join(workspace, "cache") },
  });
  running.add(child);
  child.on("exit", () => running.delete(child));
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Polls `condition` every 10 ms; fails after `timeoutMs` with `what`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lines of stderr that are embedtune's own error lines. */
export function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("embedtune: error:"));
}
