// Line mode: `embedtune repl` with a script on stdin (as in CI) runs a multi-line TypeScript script
// against the kit and prints plain text: the dev metrics as a two-column table, a training summary.
// A failing input prints one error line on stderr and makes the command exit 1.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { temporaryDirectory } from "../support/temp.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const cache = temporaryDirectory();

function runScript(script: string) {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "embedtune.js"), "repl"], {
    cwd: ROOT,
    input: script,
    encoding: "utf8",
    env: { ...process.env, EMBEDTUNE_CACHE: cache, EMBEDTUNE_REPL_HISTORY: "", FORCE_COLOR: "0" },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("a multi-line script through stdin loads the model and data, evaluates and trains, printing plain metrics", { timeout: 150_000 }, () => {
  const outputDir = join(temporaryDirectory(), "run");
  const script = [
    ".load",
    "const data = await loadPairScore()",
    "const devEvaluator = similarityEvaluator(",
    "  devSplit(data),",
    '  "sts-dev",',
    ")",
    "await evaluate(model, devEvaluator)",
    "const { output } = await train({",
    "  model, trainDataset: data.train, loss: pickLoss(model), evaluator: devEvaluator,",
    `  args: tutorialArguments({ outputDir: ${JSON.stringify(outputDir)}, maxSteps: 10, evalSteps: 10, learningRate: 5e-4 }),`,
    "})",
    "output.globalStep",
    "",
  ].join("\n");
  const { code, stdout, stderr } = runScript(script);
  assert.equal(code, 0, `exit code ${code}; stderr:\n${stderr}`);
  assert.ok(!/\u001b\[/.test(stdout), "plain text: no escape sequences");
  assert.match(stdout, /^model = SentenceTransformer · bert: 2 layers, hidden 64, 4 heads · dim 64 · pooling mean \+ normalize/m);
  const metrics = new Map([...stdout.matchAll(/^(sts-dev_\w+) +(-?\d\.\d{4})$/gm)].map((match) => [match[1], Number(match[2])]));
  for (const kind of ["cosine", "manhattan", "euclidean", "dot", "max"]) {
    for (const statistic of ["pearson", "spearman"]) {
      const value = metrics.get(`sts-dev_${statistic}_${kind}`);
      assert.ok(value !== undefined && value > -1 && value < 1, `sts-dev_${statistic}_${kind} = ${value}\n${stdout}`);
    }
  }
  assert.ok(metrics.get("sts-dev_spearman_cosine")! > 0.1, "the random default model already correlates a little (0.35 on dev)");
  assert.match(stdout, /^metric +value$/m);
  assert.match(stdout, /^Training finished: 10 steps \(10\/10\) in [\d.]+s · last loss \d/m);
  assert.match(stdout, /^evaluation at step 10:\n +eval_sts-dev_pearson_cosine +-?\d\.\d{4}/m);
  assert.match(stdout, /^10$/m, "output.globalStep");
});

test("a failing input is one line on stderr, later inputs still run, and the command exits 1", { timeout: 60_000 }, () => {
  const { code, stdout, stderr } = runScript(["const a = 1", "a.b.c", "a + 1", ".nonsense", ""].join("\n"));
  assert.equal(code, 1);
  assert.equal(stdout.trim(), "2");
  assert.deepEqual(stderr.trim().split("\n"), [
    "TypeError: Cannot read properties of undefined (reading 'c')",
    "CommandError: .nonsense is not a command (.help lists them)",
    "embedtune: error: repl: 2 inputs failed (shown above)",
  ]);
});
