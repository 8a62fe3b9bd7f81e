// 6. How fast the REPL starts. In a terminal (tmux on its own server socket, 120×40): seconds from
// launching `embedtune repl` (bin/embedtune.js, as a user types it) until its prompt is on screen,
// polled every 10 ms; the reference is node's own REPL (`node`) until its "> " prompt. Piped: seconds
// for `printf 'typeof loadModel\n' | embedtune repl` to print 'function' and exit, so the kit's import
// is included; the reference is `printf '1+1\n' | node -i`. Median of 5 launches each (3 with --quick),
// launches alternating between subject and reference. The goal: the prompt in under 3 s.

import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { attempt, median, PROJECT_ROOT, ratio, Unavailable, type Benchmark, type Outcome, type Row } from "./common.ts";

const SOCKET = `embedtune-bench-${process.pid}`;
const POLL_MS = 10;
const TIMEOUT_MS = 30_000;
const REPL_COMMAND = `${process.execPath} ${join(PROJECT_ROOT, "bin", "embedtune.js")} repl`;
const ENVIRONMENT = { ...process.env, EMBEDTUNE_REPL_HISTORY: "" };

function tmux(...args: string[]): string {
  const result = spawnSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8", env: ENVIRONMENT });
  if (result.error || result.status !== 0) throw new Error(`tmux ${args[0]}: ${result.error?.message ?? result.stderr.trim()}`);
  return result.stdout;
}

/** Seconds from launching `command` in a fresh tmux window until `prompt` matches its screen. */
async function secondsToPrompt(command: string, prompt: RegExp, name: string): Promise<number> {
  const started = performance.now();
  tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40", command);
  try {
    while (!prompt.test(tmux("capture-pane", "-p", "-t", name))) {
      if (performance.now() - started > TIMEOUT_MS) throw new Error(`no prompt from ${command} after ${TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return (performance.now() - started) / 1000;
  } finally {
    spawnSync("tmux", ["-L", SOCKET, "kill-session", "-t", name]);
  }
}

/** Seconds for `command` with `input` on stdin to exit, checking its output. */
function secondsPiped(command: string[], input: string, expected: RegExp): number {
  const started = performance.now();
  const result = spawnSync(command[0], command.slice(1), { input, encoding: "utf8", cwd: PROJECT_ROOT, env: ENVIRONMENT, timeout: TIMEOUT_MS });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0 || !expected.test(result.stdout)) {
    throw new Error(`${command.join(" ")} exited with ${result.status}: ${(result.stderr || result.stdout).trim().split("\n").at(-1)}`);
  }
  return seconds;
}

interface Samples {
  embedtune: number[];
  node: number[];
}

async function alternate(launches: number, subject: () => Promise<number> | number, reference: () => Promise<number> | number): Promise<Samples> {
  const samples: Samples = { embedtune: [], node: [] };
  for (let i = 0; i < launches; i++) {
    samples.embedtune.push(await subject());
    samples.node.push(await reference());
  }
  return samples;
}

function rows(benchmark: string, metric: string, outcome: Outcome<Samples>, subject: string, reference: string, note: string): Row[] {
  const base = { benchmark, metric, unit: "s", better: "lower" as const };
  const value = outcome.ok ? median(outcome.value.embedtune) : null;
  const referenceValue = outcome.ok ? median(outcome.value.node) : null;
  const samples = outcome.ok ? `; launches ${outcome.value.embedtune.map((s) => s.toFixed(2)).join(", ")} vs ${outcome.value.node.map((s) => s.toFixed(2)).join(", ")}` : "";
  return [
    { ...base, subject: reference, value: referenceValue, missing: outcome.ok ? undefined : outcome.reason },
    { ...base, subject, value, missing: outcome.ok ? undefined : outcome.reason, reference, referenceValue, ratio: ratio(value, referenceValue), note: `${note}${samples}` },
  ];
}

export const replStart: Benchmark = {
  name: "repl-start",
  title: "REPL start: prompt in a terminal, first kit result when piped",
  async run({ quick }) {
    const launches = quick ? 3 : 5;
    let counter = 0;
    const terminal = await attempt(async () => {
      if (spawnSync("tmux", ["-V"]).status !== 0) throw new Unavailable("tmux not installed (apt-get install tmux)");
      // A session that outlives the measured ones, so the server does not shut down between launches.
      tmux("new-session", "-d", "-s", "keep-alive", "sleep 3600");
      const socketPath = tmux("display-message", "-p", "#{socket_path}").trim();
      try {
        return await alternate(
          launches,
          () => secondsToPrompt(`cd ${PROJECT_ROOT} && ${REPL_COMMAND}`, /embedtune>/, `repl-${++counter}`),
          () => secondsToPrompt(process.execPath, /^> ?$/m, `node-${++counter}`),
        );
      } finally {
        spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
        rmSync(socketPath, { force: true });
      }
    });
    const piped = await attempt(() =>
      alternate(
        launches,
        () => secondsPiped([process.execPath, join(PROJECT_ROOT, "bin", "embedtune.js"), "repl"], "typeof loadModel\n", /'function'/),
        () => secondsPiped([process.execPath, "-i"], "1+1\n", /2/),
      ),
    );
    return {
      rows: [
        ...rows("6 repl-start", "s to the prompt", terminal, "embedtune repl (terminal)", "node REPL (terminal)", "goal < 3 s; the kit loads in the background after the prompt"),
        ...rows("6 repl-start", "s to a kit result, piped", piped, "printf 'typeof loadModel' | embedtune repl", "printf '1+1' | node -i", "includes importing the kit (tfjs, onnxruntime, transformers.js)"),
      ],
      details: { terminal: terminal.ok ? terminal.value : terminal.reason, piped: piped.ok ? piped.value : piped.reason, launches },
    };
  },
};
