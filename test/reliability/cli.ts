// `embedtune` (node bin/embedtune.js) as a child process run to its end, for the reliability tests:
// the exit status, stdout and stderr as text, and `show` to put a run in an assertion's message.

import { spawnSync, type StdioOptions } from "node:child_process";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** EMBEDTUNE_CACHE (default: a temporary folder shared by this process's runs). */
  cache?: string;
  /** Milliseconds before the child is killed (default 120 s). */
  timeout?: number;
  /** A file descriptor for stdout (the output then is not captured). */
  stdout?: number;
  /** What the child reads on stdin (default: nothing). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Node's own options, before bin/embedtune.js. */
  nodeOptions?: string[];
}

let sharedCache: string | undefined;

/** `embedtune ...args`, run to its end. */
export function embedtune(args: string[], options: RunOptions = {}): Run {
  const stdio: StdioOptions = ["pipe", options.stdout ?? "pipe", "pipe"];
  const cache = options.cache ?? (sharedCache ??= temporaryDirectory("embedtune-cli-cache-"));
  const result = spawnSync(process.execPath, [...(options.nodeOptions ?? []), "bin/embedtune.js", ...args], {
    cwd: projectRoot,
    env: { ...process.env, EMBEDTUNE_CACHE: cache, ...options.env },
    input: options.input ?? "",
    stdio,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeout ?? 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

export function show(run: Run): string {
  return `exit ${run.status}\n--- stdout (${run.stdout.length} characters)\n${run.stdout.slice(0, 2000)}--- stderr\n${run.stderr.slice(0, 4000)}`;
}
