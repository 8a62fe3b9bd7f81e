// The real `embedtune` command (bin/embedtune.js) in a child process, for CLI tests: its exit code and
// output, the JSON object on the last line of stdout, and the one error line of a user mistake.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { projectRoot } from "../support/shared.ts";

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runEmbedtune(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/embedtune.js", ...args], { cwd: projectRoot, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

export function show(run: Run): string {
  return `exit ${run.status}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
}

/** The last line of stdout parsed as a JSON object (the run must have succeeded). */
export function lastJsonLine(run: Run): Record<string, unknown> {
  assert.equal(run.status, 0, show(run));
  const lines = run.stdout.trimEnd().split("\n");
  const value = JSON.parse(lines.at(-1)!) as unknown;
  assert.ok(typeof value === "object" && value !== null && !Array.isArray(value), show(run));
  return value as Record<string, unknown>;
}

/**
 * A user error: exit 1, no stack trace, exactly one `embedtune: error:` line (returned). With
 * `beforeModel`, stderr holds nothing else: the model never started loading (no backend line).
 */
export function errorLine(run: Run, options: { beforeModel?: boolean } = {}): string {
  assert.equal(run.status, 1, show(run));
  assert.doesNotMatch(run.stderr, /^\s+at /m, show(run));
  const lines = run.stderr.trimEnd().split("\n");
  const errors = lines.filter((line) => line.startsWith("embedtune: error: "));
  assert.equal(errors.length, 1, show(run));
  if (options.beforeModel) assert.deepEqual(lines, errors, `work started before the error:\n${show(run)}`);
  return errors[0];
}
