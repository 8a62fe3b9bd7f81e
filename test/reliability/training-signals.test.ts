// Ctrl-C and SIGTERM never lose a run (issue 13, defect 4): `embedtune train` finishes the current
// step, writes a checkpoint of that step (not only at save-steps multiples), prints one line with the
// command that resumes (this command line plus --resume; running it completes the run) and exits
// 130 / 143; a second signal exits at once. A plain script's trainer.train() does the same: it returns
// { interrupted: true }, sets process.exitCode and leaves no signal listener behind.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { initModel } from "../../src/generator/init-model.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { killRunning, prepareFixture, startEmbedtune, trainArguments, waitFor } from "./training-helpers.ts";

after(killRunning);

const workspace = temporaryDirectory("embedtune-training-signals-");
const STOPPED = /^embedtune: training stopped by (SIGINT|SIGTERM) at step (\d+), saved (\S+); resume with: (.+)$/;

/** Only the step's own checkpoint, no lock, no staging, no final model. */
function assertOnlyCheckpoint(output: string, step: number): void {
  assert.deepEqual(readdirSync(output).sort(), [`checkpoint-${step}`]);
  const state = JSON.parse(readFileSync(join(output, `checkpoint-${step}`, "trainer_state.json"), "utf8"));
  assert.equal(state.global_step, step);
}

test("SIGINT during `embedtune train`: a checkpoint at that step, one line with the resume command, exit 130; the command completes the run", { timeout: 180_000 }, async () => {
  const fixture = await prepareFixture(workspace);
  const output = join(workspace, "sigint");
  // save-steps 1000: no periodic checkpoint, so the one found is the interruption's.
  const run = startEmbedtune(trainArguments(fixture, output, ["--max-steps", "60", "--save-steps", "1000", "--logging-steps", "1"]), workspace);
  await waitFor(() => run.stdout().includes('"loss"'), "the first step's log line");
  run.child.kill("SIGINT");
  const { code, stderr } = await run.exited;
  assert.equal(code, 130, stderr);
  const lines = stderr.split("\n").filter((line) => line.includes("--resume"));
  assert.equal(lines.length, 1, stderr);
  const [, signal, step, checkpoint, command] = STOPPED.exec(lines[0]) ?? assert.fail(`not the stop line: ${lines[0]}`);
  assert.equal(signal, "SIGINT");
  assert.equal(checkpoint, join(output, `checkpoint-${step}`));
  assert.ok(Number(step) >= 1 && Number(step) < 60, step);
  assertOnlyCheckpoint(output, Number(step));
  assert.ok(!/\n\s+at /.test(stderr), `no stack trace: ${stderr}`);
  assert.match(command, / train .*--output \S*sigint .*--resume$/);

  const resumed = spawnSync("sh", ["-c", command], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, EMBEDTUNE_CACHE: join(workspace, "cache") } });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`resuming from \\S*checkpoint-${step} at step ${step}`));
  assert.match(resumed.stdout, /trained 60 steps/);
  assert.ok(existsSync(join(output, "final", "model.safetensors")));
});

test("SIGTERM: the same, exit 143; a second signal exits at once", { timeout: 180_000 }, async () => {
  const fixture = await prepareFixture(workspace);
  const output = join(workspace, "sigterm");
  const twice = join(workspace, "twice");
  const sigterm = startEmbedtune(trainArguments(fixture, output, ["--max-steps", "100000", "--save-steps", "1000", "--logging-steps", "1"]), workspace);
  // A larger model and batch make each step take seconds, so the second signal surely lands while the
  // first one waits for the step (with the tiny model a step could end before it, under load).
  const slowModel = join(workspace, "slow-model");
  if (!existsSync(slowModel)) await initModel({ out: slowModel, hidden: 256, layers: 4, heads: 4, intermediate: 1024, vocabSize: 1500, seed: 9 });
  const sigint = startEmbedtune(
    trainArguments({ ...fixture, model: slowModel }, twice, ["--max-steps", "100000", "--save-steps", "1000", "--logging-steps", "1", "--batch-size", "128"]),
    workspace,
  );

  await waitFor(() => sigterm.stdout().includes('"loss"'), "the first step's log line");
  sigterm.child.kill("SIGTERM");
  const terminated = await sigterm.exited;
  assert.equal(terminated.code, 143, terminated.stderr);
  const line = terminated.stderr.split("\n").find((text) => STOPPED.test(text)) ?? assert.fail(terminated.stderr);
  const [, signal, step] = STOPPED.exec(line)!;
  assert.equal(signal, "SIGTERM");
  assertOnlyCheckpoint(output, Number(step));

  await waitFor(() => sigint.stdout().includes('"loss"'), "the first step's log line");
  sigint.child.kill("SIGINT");
  await waitFor(() => sigint.stderr().includes("SIGINT: stopping after the current step"), "the first signal's note");
  sigint.child.kill("SIGINT");
  const interrupted = await sigint.exited;
  assert.equal(interrupted.code, 130, interrupted.stderr);
  assert.match(interrupted.stderr, /SIGINT again: exiting now/);
  assert.ok(!existsSync(join(twice, ".embedtune.lock")), "the lock goes with the process");
});

test("trainer.train() in a plain script: SIGINT stops at the next step with a checkpoint, train returns interrupted, exit code 130", { timeout: 120_000 }, async () => {
  const fixture = await prepareFixture(workspace);
  const output = join(workspace, "library");
  const script = join(workspace, "train-script.mts");
  const source = (path: string) => JSON.stringify(pathToFileURL(join(projectRoot, path)).href);
  writeFileSync(
    script,
    `
import { loadDataFile } from ${source("src/data/load-dataset.ts")};
import { CoSENTLoss } from ${source("src/losses/cosent.ts")};
import { SentenceTransformer } from ${source("src/models/sentence-transformer.ts")};
import { SentenceTransformerTrainingArguments } from ${source("src/training/arguments.ts")};
import { SentenceTransformerTrainer } from ${source("src/training/trainer.ts")};
const model = await SentenceTransformer.load(${JSON.stringify(fixture.model)}, { quiet: true });
const args = new SentenceTransformerTrainingArguments({ outputDir: ${JSON.stringify(output)}, maxSteps: 100000, saveSteps: 1000, perDeviceTrainBatchSize: 8, learningRate: 1e-3, disableTqdm: true });
const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: await loadDataFile("parquet", ${JSON.stringify(fixture.train)}), loss: new CoSENTLoss(model) });
const before = { SIGINT: process.listenerCount("SIGINT"), SIGTERM: process.listenerCount("SIGTERM") };
trainer.on("step", ({ step }) => { if (step === 3) process.kill(process.pid, "SIGINT"); });
const output = await trainer.train();
const after = { SIGINT: process.listenerCount("SIGINT"), SIGTERM: process.listenerCount("SIGTERM") };
console.log(JSON.stringify({ interrupted: output.interrupted, signal: output.signal, globalStep: output.globalStep, exitCode: process.exitCode, before, after }));
`,
  );
  const result = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: projectRoot, encoding: "utf8", timeout: 100_000 });
  assert.equal(result.status, 130, result.stderr);
  const reported = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
  assert.equal(reported.interrupted, true);
  assert.equal(reported.signal, "SIGINT");
  assert.equal(reported.exitCode, 130);
  assert.ok(reported.globalStep >= 3 && reported.globalStep < 100, String(reported.globalStep));
  assert.deepEqual(reported.after, reported.before, "the trainer's signal listeners are gone after train()");
  assertOnlyCheckpoint(output, reported.globalStep);
  const checkpoint = join(output, `checkpoint-${reported.globalStep}`);
  assert.ok(
    result.stderr.split("\n").some((line) => line.includes("trainer.train({ resumeFromCheckpoint: true })") && line.includes(checkpoint)),
    result.stderr,
  );
});
