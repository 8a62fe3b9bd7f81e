// The run's output folder (issue 13, defects 2, 5, 6): two runs into one folder — the second refuses
// with one line naming the folder and the pid holding it; a stale lock of a dead process is taken
// over; staging folders of dead processes are removed (an `.old-` whose folder is missing is renamed
// back) before --resume looks for checkpoints; an unwritable --output (under a regular file, a
// read-only mount) is refused before any data or model is read; a full disk during a checkpoint is
// one line naming the checkpoint, exit 1, the earlier checkpoint intact and loadable, nothing staged.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import { FileSystemError } from "../../src/io/file-system-errors.ts";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments } from "../../src/training/arguments.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { diskUsage } from "../support/files.ts";
import { mountTmpfs, NO_TMPFS } from "../support/mounts.ts";
import { corpusPairScores } from "../support/pair-scores.ts";
import { temporaryDirectory } from "../support/temp.ts";
import * as cli from "./cli.ts";
import { errorLines, killRunning, prepareFixture, startEmbedtune, trainArguments, waitFor, type TrainingFixture } from "./training-helpers.ts";

await initializeBackend({ quiet: true });
const workspace = temporaryDirectory("embedtune-training-output-");
after(killRunning);

// ---- mounts -------------------------------------------------------------------------------------

const MOUNT_SKIP = mountTmpfs(join(workspace, "probe"), 65536) === undefined ? NO_TMPFS : false;

// ---- helpers ------------------------------------------------------------------------------------

function embedtune(args: string[]): cli.Run {
  return cli.embedtune(args, { cache: join(workspace, "cache"), timeout: 100_000 });
}

/** Exit 1 and exactly one `embedtune: error:` line (no stack); returns that line. */
function oneErrorLine(result: { status: number | null; stderr: string }): string {
  assert.equal(result.status, 1, result.stderr);
  const lines = errorLines(result.stderr);
  assert.equal(lines.length, 1, result.stderr);
  assert.ok(!/\n\s+at /.test(result.stderr), `no stack trace: ${result.stderr}`);
  return lines[0];
}

/** A process id that is certainly not running: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(child.stdout.trim());
}

async function trainInProcess(fixture: TrainingFixture, outputDir: string, maxSteps: number): Promise<void> {
  const model = await SentenceTransformer.load(fixture.model, { quiet: true });
  const args = new SentenceTransformerTrainingArguments({ outputDir, maxSteps, saveSteps: maxSteps, perDeviceTrainBatchSize: 8, learningRate: 1e-3, disableTqdm: true });
  await new SentenceTransformerTrainer({ model, args, trainDataset: corpusPairScores(0, 80), loss: new CoSENTLoss(model) }).train();
  model.dispose();
}

// ---- the lock -----------------------------------------------------------------------------------

test("a second run into the folder of a running one refuses with one line naming the folder and its pid", { timeout: 180_000 }, async () => {
  const fixture = await prepareFixture(workspace);
  const output = join(workspace, "busy");
  const first = startEmbedtune(trainArguments(fixture, output, ["--max-steps", "100000", "--save-steps", "1000", "--logging-steps", "1"]), workspace);
  await waitFor(() => first.stdout().includes('"loss"'), "the first run's first step");
  const lock = JSON.parse(readFileSync(join(output, ".embedtune.lock"), "utf8"));
  assert.equal(lock.pid, first.child.pid);
  assert.equal(lock.host, hostname());
  assert.ok(!Number.isNaN(Date.parse(lock.startedAt)));

  const second = embedtune(trainArguments(fixture, output, ["--max-steps", "5"]));
  const line = oneErrorLine(second);
  assert.equal(line, `embedtune: error: --output: ${output} is in use by another training run (pid ${first.child.pid}, since ${lock.startedAt}); wait for it to end or choose another folder`);
  assert.ok(!second.stderr.includes("tfjs backend"), "refused before loading the model");
  assert.equal(first.child.exitCode, null, "the first run goes on");

  first.child.kill("SIGTERM");
  assert.equal((await first.exited).code, 143);
  assert.ok(!existsSync(join(output, ".embedtune.lock")), "released when the run stops");
});

test("--resume after a crash: the dead run's lock is taken over, its staging removed, an .old- checkpoint restored and resumed from", { timeout: 180_000 }, async () => {
  const fixture = await prepareFixture(workspace);
  const output = join(workspace, "crashed");
  // The run killed: these options (its run configuration, which --resume matches) up to checkpoint-2.
  const options = ["--max-steps", "4", "--save-steps", "2"];
  assert.equal(embedtune(trainArguments(fixture, output, options)).status, 0);
  for (const name of ["checkpoint-4", "final"]) rmSync(join(output, name), { recursive: true });
  const dead = deadPid();
  // What kill -9 leaves: the lock, a half-written checkpoint-4 and, killed between writeFolderAtomically's
  // two renames, checkpoint-2 moved aside with no new one in its place.
  writeFileSync(join(output, ".embedtune.lock"), JSON.stringify({ pid: dead, host: hostname(), startedAt: "2020-01-01T00:00:00.000Z" }));
  mkdirSync(join(output, `.checkpoint-4.tmp-${dead}-abc123`));
  writeFileSync(join(output, `.checkpoint-4.tmp-${dead}-abc123`, "model.safetensors"), "half");
  renameSync(join(output, "checkpoint-2"), join(output, `.checkpoint-2.old-${dead}-def456`));
  // A live process's staging is left alone.
  mkdirSync(join(output, `.checkpoint-9.tmp-${process.pid}-live`));

  const resumed = embedtune(trainArguments(fixture, output, [...options, "--resume"]));
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`taking over the lock of ${output} from a run that stopped without releasing it \\(pid ${dead},`));
  const tidied = resumed.stderr.split("\n").filter((line) => line.startsWith("embedtune: tidied"));
  assert.deepEqual(tidied, [`embedtune: tidied ${output} after an interrupted run: restored checkpoint-2 from .checkpoint-2.old-${dead}-def456; removed .checkpoint-4.tmp-${dead}-abc123`]);
  assert.match(resumed.stderr, /resuming from \S*checkpoint-2 at step 2/);
  assert.match(resumed.stdout, /trained 4 steps/);
  assert.deepEqual(readdirSync(output).sort(), [`.checkpoint-9.tmp-${process.pid}-live`, "checkpoint-2", "checkpoint-4", "final"]);
});

// ---- an unwritable output -----------------------------------------------------------------------

test("--output under a regular file: refused before any data or model is read; the library names outputDir before the first step", async () => {
  const fixture = await prepareFixture(workspace);
  const file = join(workspace, "a-file");
  writeFileSync(file, "x");
  const line = oneErrorLine(embedtune(trainArguments(fixture, join(file, "out"), ["--max-steps", "5"])));
  assert.equal(line, `embedtune: error: ${join(file, "out")}: ${file} is a file, not a folder (ENOTDIR) while checking that --output can be written`);

  const model = await SentenceTransformer.load(fixture.model, { quiet: true });
  const args = new SentenceTransformerTrainingArguments({ outputDir: join(file, "out"), maxSteps: 3, perDeviceTrainBatchSize: 8, disableTqdm: true });
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: corpusPairScores(0, 40), loss: new CoSENTLoss(model) });
  let steps = 0;
  trainer.on("step", () => (steps += 1));
  await assert.rejects(trainer.train(), (error: unknown) => {
    assert.ok(error instanceof FileSystemError);
    assert.equal(error.code, "ENOTDIR");
    assert.match(error.message, /while checking that outputDir can be written$/);
    return true;
  });
  assert.equal(steps, 0);
  model.dispose();
});

test("--output on a read-only mount: refused before training with one line (EROFS)", { skip: MOUNT_SKIP }, async () => {
  const fixture = await prepareFixture(workspace);
  const disk = mountTmpfs(join(workspace, "read-only"), 1 << 20, { readOnly: true })!;
  const line = oneErrorLine(embedtune(trainArguments(fixture, join(disk, "out"), ["--max-steps", "5"])));
  assert.equal(line, `embedtune: error: ${join(disk, "out")}: read-only file system (EROFS) while checking that --output can be written`);
});

// ---- a full disk --------------------------------------------------------------------------------

test("disk full at the second checkpoint: one line naming it, exit 1, checkpoint-2 intact and loadable, nothing staged", { skip: MOUNT_SKIP, timeout: 120_000 }, async () => {
  const fixture = await prepareFixture(workspace);
  const measured = join(workspace, "measured");
  await trainInProcess(fixture, measured, 1);
  // Room for one checkpoint and a half: checkpoint-2 fits, checkpoint-4 does not.
  const size = Math.ceil((diskUsage(join(measured, "checkpoint-1")) * 1.5) / 4096) * 4096;
  const disk = mountTmpfs(join(workspace, "full"), size)!;
  const output = join(disk, "out");
  const result = embedtune(trainArguments(fixture, output, ["--max-steps", "10", "--save-steps", "2"]));
  const line = oneErrorLine(result);
  const checkpoint4 = join(output, "checkpoint-4");
  assert.match(
    line,
    new RegExp(
      `^embedtune: error: no space left on the device holding ${checkpoint4} \\(ENOSPC\\) while writing checkpoint-4 \\(needs ~\\d+ kB\\): ` +
        "earlier checkpoints are intact \\(the latest is checkpoint-2\\); free some space, then resume with the same command with --resume$",
    ),
  );
  assert.ok(!result.stderr.includes("Training: 10/10"), "stopped at the failure");
  assert.deepEqual(readdirSync(output).sort(), ["checkpoint-2"], "no staging, no lock, no final model");
  const state = JSON.parse(readFileSync(join(output, "checkpoint-2", "trainer_state.json"), "utf8"));
  assert.equal(state.global_step, 2);
  const model = await SentenceTransformer.load(join(output, "checkpoint-2"), { quiet: true });
  assert.equal((await model.encode(["still loads"]))[0].length, 32);
  model.dispose();
});
