// `embedtune train` end to end in child processes: a run killed with SIGKILL after a checkpoint and
// resumed from it ends where an uninterrupted run with the same seed ends; rotation keeps the right
// folders. Bad input stops the command before any training, with one line naming what is wrong.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { writeParquet } from "../../src/data/parquet.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { similarityEvaluator } from "../../src/steps.ts";
import { Dataset } from "../../src/data/dataset.ts";
import { projectRoot } from "../support/shared.ts";
import { corpusPairScores } from "../support/pair-scores.ts";
import { temporaryDirectory } from "../support/temp.ts";

const workspace = temporaryDirectory();
const environment = { ...process.env, EMBEDTUNE_CACHE: join(workspace, "cache") };

const modelDirectory = join(workspace, "model");
const trainFile = join(workspace, "train.parquet");
const testFile = join(workspace, "test.parquet");

async function prepare() {
  if (existsSync(testFile)) return;
  await initModel({ out: modelDirectory, hidden: 32, layers: 1, heads: 2, intermediate: 64, vocabSize: 1500, seed: 9 });
  writeParquet(trainFile, corpusPairScores(0, 400));
  writeParquet(testFile, corpusPairScores(500, 60));
}

function trainArguments(output: string, extra: string[] = []): string[] {
  return [
    "bin/embedtune.js", "train", "--model", modelDirectory, "--train", trainFile, "--test", testFile, "--output", output,
    "--max-steps", "150", "--batch-size", "8", "--learning-rate", "1e-3", "--save-steps", "10", "--save-total-limit", "2", "--seed", "42",
    ...extra,
  ];
}

async function testSpearman(directory: string): Promise<number> {
  const model = await SentenceTransformer.load(directory, { quiet: true });
  const metrics = await similarityEvaluator(corpusPairScores(500, 60), "test").evaluate(model);
  model.dispose();
  return metrics.test_spearman_cosine;
}

test("SIGKILL after a checkpoint, then --resume: the same final metrics as an uninterrupted run", { timeout: 300_000 }, async () => {
  await prepare();
  const straightOutput = join(workspace, "straight");
  const straight = spawnSync(process.execPath, trainArguments(straightOutput), { cwd: projectRoot, env: environment, encoding: "utf8" });
  assert.equal(straight.status, 0, straight.stderr);

  const killedOutput = join(workspace, "killed");
  const child = spawn(process.execPath, trainArguments(killedOutput), { cwd: projectRoot, env: environment, stdio: "ignore" });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_, signal) => resolve(signal)));
  while (!existsSync(join(killedOutput, "checkpoint-20", "trainer_state.json"))) await new Promise((r) => setTimeout(r, 10));
  child.kill("SIGKILL");
  assert.equal(await exited, "SIGKILL", "the run was killed before it finished");
  assert.ok(!existsSync(join(killedOutput, "final")));

  const resumed = spawnSync(process.execPath, trainArguments(killedOutput, ["--resume"]), { cwd: projectRoot, env: environment, encoding: "utf8" });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming from .*checkpoint-\d+ at step \d+/);
  assert.match(resumed.stdout, /trained 150 steps/);

  const expected = await testSpearman(join(straightOutput, "final"));
  const actual = await testSpearman(join(killedOutput, "final"));
  assert.ok(Math.abs(actual - expected) < 1e-3, `resumed ${actual} vs uninterrupted ${expected}`);
  // saveTotalLimit 2 keeps the two newest checkpoints, and no temporary folder survives a finished run.
  assert.deepEqual(readdirSync(straightOutput).filter((name) => name.startsWith("checkpoint-")).sort(), ["checkpoint-140", "checkpoint-150"]);
  assert.deepEqual(readdirSync(straightOutput).filter((name) => name.startsWith(".")), []);
});

test("bad input stops `embedtune train` before training with one line naming the culprit", { timeout: 120_000 }, async () => {
  await prepare();
  const bad = (name: string, columns: Record<string, unknown[]>) => {
    const path = join(workspace, `${name}.parquet`);
    writeParquet(path, Dataset.fromColumns(columns));
    return path;
  };
  const notParquet = join(workspace, "not.parquet");
  writeFileSync(notParquet, "sentence1,sentence2,score\na,b,1\n");
  const empty = join(workspace, "empty.parquet");
  writeFileSync(empty, "");
  const fileAsOutput = join(workspace, "a-file");
  writeFileSync(fileAsOutput, "x");
  const cases: [string[], RegExp][] = [
    [["--train", bad("missing-column", { sentence1: ["a", "b"], score: [0.5, 1] })], /trainDataset: .*CoSENTLoss/],
    [["--train", bad("text-score", { sentence1: ["a", "b"], sentence2: ["c", "d"], score: ["high", "low"] })], /column "score", row 0/],
    [["--train", bad("nan-score", { sentence1: ["a", "b"], sentence2: ["c", "d"], score: [0.5, Number.NaN] })], /column "score", row 1: number NaN is not a finite number/],
    [["--train", bad("infinite-score", { sentence1: ["a", "b"], sentence2: ["c", "d"], score: [Infinity, 0.5] })], /column "score", row 0: number Infinity is not a finite number/],
    [["--train", empty], /empty\.parquet/],
    [["--train", notParquet], /not\.parquet: .*not a parquet file/],
    [["--train", trainFile, "--batch-size", "1000"], /perDeviceTrainBatchSize: 1000 is larger than the 400 rows/],
    [["--train", trainFile, "--learning-rate=-1"], /learningRate: must be/],
    [["--train", trainFile, "--eval", testFile, "--eval-steps", "0"], /--eval-steps: must be an integer ≥ 1/],
    [["--train", trainFile, "--output", fileAsOutput], /a-file is a file, not a folder \(ENOTDIR\) while checking that --output can be written/],
  ];
  const results = await Promise.all(
    cases.map(
      ([args], index) =>
        new Promise<{ status: number | null; stderr: string }>((resolve) => {
          // One folder each: the runs are concurrent, and a second run into a folder in use is refused.
          const common = ["bin/embedtune.js", "train", "--model", modelDirectory, "--output", join(workspace, `out-bad-${index}`), "--batch-size", "2"];
          const child = spawn(process.execPath, [...common, ...args], {
            cwd: projectRoot,
            env: environment,
          });
          let stderr = "";
          child.stderr.on("data", (chunk) => (stderr += chunk));
          child.on("exit", (status) => resolve({ status, stderr }));
        }),
    ),
  );
  results.forEach(({ status, stderr }, index) => {
    const [args, pattern] = cases[index];
    const errorLines = stderr.split("\n").filter((line) => line.startsWith("embedtune: error:"));
    assert.notEqual(status, 0, `${args.join(" ")} should fail`);
    assert.equal(errorLines.length, 1, `${args.join(" ")}: ${stderr}`);
    assert.match(errorLines[0], pattern);
    assert.ok(!/\n\s+at /.test(stderr), `no stack trace: ${stderr}`);
    assert.ok(!/Training/.test(stderr), `stopped before training: ${stderr}`);
  });
  cases.forEach((_, index) => assert.ok(!existsSync(join(workspace, `out-bad-${index}`, "checkpoint-1"))));
});
