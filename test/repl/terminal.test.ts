// End to end in a real pseudo-terminal: `embedtune repl` runs in tmux (its own server socket, a fixed
// 120×50 window) and is driven by keys as a person would: load the default model and data, evaluate,
// train 20 steps (the loss chart and metrics on screen), start a long run and stop it with Ctrl-C
// (a checkpoint is saved, the prompt comes back and works), then Ctrl-C twice to leave. CI=true is set
// as CI services do: Ink would then draw only its last frame, so the REPL hides it while Ink loads.
// Skipped, saying so, where tmux is not installed (Debian: apt-get install tmux).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { temporaryDirectory } from "../support/temp.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const SOCKET = `embedtune-test-${process.pid}`;
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

function tmux(...args: string[]): string {
  const result = spawnSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/** The whole pane, scrollback included, without trailing blank lines. */
function screen(): string {
  return tmux("capture-pane", "-p", "-J", "-t", "repl", "-S", "-2000").replace(/\s+$/, "");
}

function typeLine(text: string): void {
  tmux("send-keys", "-t", "repl", "-l", text);
  tmux("send-keys", "-t", "repl", "Enter");
}

async function waitFor(pattern: RegExp, what: string, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = screen().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; the pane shows:\n${screen().split("\n").slice(-40).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const PROMPT_AT_END = /embedtune> $/;
const endsAtPrompt = () => PROMPT_AT_END.test(`${screen()} `);

async function waitForPrompt(what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!endsAtPrompt()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for the prompt after ${what}; the pane shows:\n${screen().split("\n").slice(-30).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("in a real terminal: load, .data, evaluate, train 20 steps with the chart, stop a long run with Ctrl-C, exit", { skip: hasTmux ? false : "tmux is not installed (apt-get install tmux)", timeout: 150_000 }, async () => {
  const work = temporaryDirectory();
  const env = `CI=true EMBEDTUNE_CACHE=${join(work, "cache")} EMBEDTUNE_REPL_HISTORY=${join(work, "history")}`;
  const exitFile = join(work, "exit-status");
  tmux("new-session", "-d", "-s", "repl", "-x", "120", "-y", "50", `cd ${ROOT} && env ${env} ${process.execPath} bin/embedtune.js repl; echo $? > ${exitFile}`);
  const socketPath = tmux("display-message", "-p", "#{socket_path}").trim();
  try {
    tmux("set-option", "-t", "repl", "remain-on-exit", "on");
    await waitFor(/embedtune>/, "the prompt");

    typeLine(".load");
    await waitFor(/model = SentenceTransformer · bert: 2 layers, hidden 64, 4 heads · dim 64 · pooling mean \+ normalize/, "the model line");
    typeLine(".data data/pair-score/dev.parquet");
    await waitFor(/125 rows × 3 columns, first 10 shown/, "the data table");
    typeLine('const ev = similarityEvaluator(ds, "sts-dev")');
    typeLine("await evaluate(model, ev)");
    const [, spearman] = await waitFor(/\nsts-dev_spearman_cosine +(-?\d\.\d{4})\n/, "the dev metrics");
    assert.ok(Math.abs(Number(spearman)) < 1);

    const shortRun = join(work, "short");
    typeLine("const data = await loadPairScore()");
    typeLine(
      `await train({ model, trainDataset: data.train, loss: pickLoss(model), evaluator: ev, args: tutorialArguments({ outputDir: "${shortRun}", maxSteps: 20, evalSteps: 10, learningRate: 5e-4 }) })`,
    );
    await waitFor(/Training finished: 20 steps \(20\/20\)/, "the end of the 20-step run", 60_000);
    await waitForPrompt("the 20-step run");
    const afterShortRun = screen();
    const chart = afterShortRun.slice(afterShortRun.indexOf("Training finished: 20 steps"));
    assert.match(chart, /\ntraining loss per step · 20 points · last \d/);
    assert.ok(chart.split("\n").filter((line) => /^ +-?\d+\.\d+ [┤┼]/.test(line)).length >= 8, `the loss chart:\n${chart}`);
    assert.match(chart, /evaluation at step 20:\n +eval_sts-dev_pearson_cosine +-?\d\.\d{4}/);
    assert.match(chart, /trainer: SentenceTransformerTrainer\(step 20\/20/);

    const longRun = join(work, "long");
    typeLine(
      `const long = await train({ model, trainDataset: data.train, loss: pickLoss(model), evaluator: ev, args: tutorialArguments({ outputDir: "${longRun}", maxSteps: 100000, evalSteps: 25, saveStrategy: "no", learningRate: 5e-4 }) })`,
    );
    await waitFor(/Training █*░+ \d+\/100000 · \d+% · ETA [^·]+ · loss \d[^\n]*\ntraining loss per step · \d+ points/, "the live progress bar and chart", 60_000);
    await waitFor(/evaluation at step 25:\n +eval_sts-dev_pearson_cosine/, "the latest metrics under the live chart", 60_000);
    tmux("send-keys", "-t", "repl", "C-c");
    const [, stoppedAt] = await waitFor(/Training stopped at step (\d+) of 100000/, "the stopped run");
    await waitForPrompt("Ctrl-C");
    assert.ok(existsSync(join(longRun, `checkpoint-${stoppedAt}`, "trainer_state.json")), `checkpoint-${stoppedAt} in ${readdirSync(longRun)}`);

    typeLine("long.output.interrupted && 1 + 1");
    await waitFor(/embedtune> long\.output\.interrupted && 1 \+ 1\n2\n/, "a working prompt after Ctrl-C");
    typeLine("process.env.CI");
    await waitFor(/embedtune> process\.env\.CI\n'true'\n/, "CI still set for the code typed in");

    tmux("send-keys", "-t", "repl", "C-c");
    await waitFor(/To exit, press Ctrl-C again/, "the exit hint");
    tmux("send-keys", "-t", "repl", "C-c");
    const deadline = Date.now() + 15_000;
    while (!existsSync(exitFile) || readFileSync(exitFile, "utf8").trim() === "") {
      if (Date.now() > deadline) assert.fail(`the REPL did not exit after Ctrl-C twice; the pane shows:\n${screen().split("\n").slice(-5).join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(readFileSync(exitFile, "utf8").trim(), "0", "exit status");
  } finally {
    spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
    rmSync(socketPath, { force: true });
  }
});
