// The hostile-input cases of issue 13, one small function each: set up a fresh folder, run the real
// CLI, check the exit status, stderr (one `embedtune: error:` line under 400 characters, no stack
// trace) and what is left on disk. A case returns the command results it wants shown (the table shows
// their exits joined by →) and records problems in `checks`; none means PASS. `Skip` means it cannot
// run here (no tmpfs mount, …). Verdicts encode the required behaviour, not today's.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { BIG_FLAGS, SENTENCES, TINY_DIMENSION, TINY_FLAGS, type Fixtures } from "./fixtures.ts";
import {
  Checks,
  Skip,
  diskUsage,
  maxAbsoluteDifference,
  parseEmbeddings,
  readNpyHeader,
  readRawTensors,
  run,
  safetensorsProblem,
  sleep,
  start,
  waitFor,
  withTmpfs,
  writeSafetensors,
  toFloat16,
  cliPath,
  type RunResult,
} from "./harness.ts";

export interface CaseContext {
  /** A fresh empty folder for this case. */
  dir: string;
  fixtures: Fixtures;
  checks: Checks;
  env: NodeJS.ProcessEnv;
}

export interface Case {
  name: string;
  /** Timing-sensitive: run alone, after the others. */
  exclusive?: boolean;
  run(context: CaseContext): Promise<RunResult | RunResult[]>;
}

const THESIS = "\\documentclass{article}\n\\begin{document}\nThree years of work.\n\\end{document}\n";
/** A pid that cannot be alive: above /proc/sys/kernel/pid_max on most systems (checked where used). */
const DEAD_PID = 999999;

function escape(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

function write(path: string, content: string | Buffer): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  return path;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function checkpointSteps(output: string): number[] {
  if (!existsSync(output)) return [];
  return readdirSync(output)
    .map((name) => /^checkpoint-(\d+)$/.exec(name)?.[1])
    .filter((step): step is string => step !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

function loggedStepsIn(stdout: string): number {
  return stdout.split("\n").filter((line) => /"loss"/.test(line)).length;
}

function loggedSteps(result: RunResult): number {
  return loggedStepsIn(result.stdout);
}

/** A folder with config.json or modules.json must also hold a complete model.safetensors. */
function noPartialModel(checks: Checks, folder: string): void {
  if (!existsSync(folder)) return;
  const looksLikeModel = existsSync(join(folder, "config.json")) || existsSync(join(folder, "modules.json"));
  if (!looksLikeModel) return;
  const problem = safetensorsProblem(join(folder, "model.safetensors"));
  checks.check(problem === undefined, `partial model folder left in ${folder} (config.json/modules.json but ${problem})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * `embedtune encode` of SENTENCES with a copy of the tiny model (at dir/`folder`) that `change` has
 * broken or altered first.
 */
async function encodeAltered(
  { dir, env, fixtures }: CaseContext,
  change: (model: string) => void | Promise<void>,
  options: { folder?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const model = await fixtures.copyTinyModel(join(dir, options.folder ?? "model"));
  await change(model);
  return run(["encode", "--model", model, ...SENTENCES], { env, timeoutMs: options.timeoutMs });
}

/** The largest difference between the embeddings `result` printed and the unaltered tiny model's. */
async function differenceFromReference({ fixtures }: CaseContext, result: RunResult): Promise<number> {
  return maxAbsoluteDifference(parseEmbeddings(result.stdout), await fixtures.referenceEmbeddings());
}

// ---------------------------------------------------------------------------------------------
// 1. User files in an output folder are never deleted.

/**
 * The command `args` builds writes into dir/`folder`, which holds the user's `files` (relative path →
 * content): it either succeeds (`written` is then there) or is refused in one line; the files are kept.
 */
function userFilesKept(
  name: string,
  options: {
    folder: string;
    files: Record<string, string>;
    args: (out: string, fixtures: Fixtures) => Promise<string[]>;
    /** What exit 0 means, for the message ("exit (trained, or refused)"). */
    success: string;
    written: string;
    timeoutMs?: number;
  },
): Case {
  return {
    name,
    async run({ dir, checks, env, fixtures }) {
      const out = join(dir, options.folder);
      const files = Object.entries(options.files).map(([path, content]) => ({ path, content, file: write(join(out, path), content) }));
      const result = await run(await options.args(out, fixtures), { env, timeoutMs: options.timeoutMs });
      checks.exit(result, [0, 1], `exit (${options.success}, or refused)`);
      if (result.code === 0) checks.check(existsSync(join(out, options.written)), `exit 0 but ${options.written} is missing`);
      else checks.oneLineError(result);
      for (const { path, content, file } of files) checks.intact(file, content, path);
      return result;
    },
  };
}

const userFiles: Case[] = [
  {
    name: "1 init-model --out a folder holding thesis.tex: refused",
    async run({ dir, checks, env }) {
      const out = join(dir, "thesis");
      const thesis = write(join(out, "thesis.tex"), THESIS);
      const result = await run(["init-model", "--out", out, ...TINY_FLAGS], { env });
      checks.exit(result, 1);
      checks.oneLineError(result, /--overwrite/);
      checks.intact(thesis, THESIS, "thesis.tex");
      checks.check(!existsSync(join(out, "model.safetensors")) && !existsSync(join(out, "config.json")), "model files were written into the refused folder");
      return result;
    },
  },
  {
    name: "1 init-model --overwrite beside thesis.tex: model written, thesis kept",
    async run({ dir, checks, env }) {
      const out = join(dir, "thesis");
      const thesis = write(join(out, "thesis.tex"), THESIS);
      const result = await run(["init-model", "--out", out, "--overwrite", ...TINY_FLAGS], { env });
      checks.exit(result, 0);
      checks.intact(thesis, THESIS, "thesis.tex");
      const problem = safetensorsProblem(join(out, "model.safetensors"));
      checks.check(problem === undefined && existsSync(join(out, "config.json")), `no complete model written (${problem ?? "config.json missing"})`);
      return result;
    },
  },
  userFilesKept("1 export-onnx --out a folder holding notes.txt, src/train.py: files kept", {
    folder: "project",
    files: { "notes.txt": "my notes\n", "src/train.py": "print('hello')\n" },
    args: async (out, fixtures) => ["export-onnx", "--model", await fixtures.tinyModel(), "--out", out],
    success: "added beside",
    written: "onnx/model.onnx",
  }),
  {
    name: "1 export-onnx --out the model's own folder: eval/ and pytorch_model.bin kept",
    async run({ dir, checks, env, fixtures }) {
      const model = await fixtures.copyTinyModel(join(dir, "model"));
      const results = write(join(model, "eval", "similarity_evaluation_results.csv"), "epoch,steps,cosine_pearson\n1,100,0.8\n");
      const pickle = write(join(model, "pytorch_model.bin"), Buffer.from("PK\x03\x04 not really a pickle"));
      const result = await run(["export-onnx", "--model", model, "--out", model], { env });
      checks.exit(result, 0);
      checks.noStackTrace(result);
      checks.intact(results, "epoch,steps,cosine_pearson\n1,100,0.8\n", "eval/similarity_evaluation_results.csv");
      checks.intact(pickle, Buffer.from("PK\x03\x04 not really a pickle"), "pytorch_model.bin");
      checks.check(existsSync(join(model, "onnx", "model.onnx")), "onnx/model.onnx missing");
      return result;
    },
  },
  userFilesKept("1 train --output a folder holding user files: files kept", {
    folder: "run",
    files: { "notes.md": "# experiment log\n", "checkpoint-notes.txt": "not a checkpoint\n" },
    args: (out, fixtures) => fixtures.trainArgs(out, { maxSteps: 4, saveSteps: 1, extra: ["--save-total-limit", "1"] }),
    success: "trained",
    written: "final/model.safetensors",
    timeoutMs: 90_000,
  }),
];

// ---------------------------------------------------------------------------------------------
// 2. File-system errors: one line naming the path, nothing half-written.

/** The command `args` builds writes under a regular file (ENOTDIR): exit 1, one line naming the file. */
function underRegularFile(name: string, args: (file: string, fixtures: Fixtures) => Promise<string[]>, training = false): Case {
  return {
    name,
    async run({ dir, checks, env, fixtures }) {
      const file = write(join(dir, "plain-file"), "x");
      const result = await run(await args(file, fixtures), { env, timeoutMs: training ? 90_000 : undefined });
      checks.exit(result, 1);
      checks.oneLineError(result, escape(file), "error line (naming the path)");
      if (training) checks.noTrainingStep(result);
      return result;
    },
  };
}

/** The command `args` builds writes a model (> 1 MiB) to a 1 MB tmpfs (ENOSPC): one line, nothing half-written. */
function modelOnFullDisk(name: string, args: (mount: string, fixtures: Fixtures) => Promise<string[]>): Case {
  return {
    name,
    async run({ dir, checks, env, fixtures }) {
      const mount = join(dir, "small-disk");
      const command = await args(mount, fixtures);
      return withTmpfs(mount, "1m", [], async () => {
        const result = await run(command, { env });
        checks.exit(result, 1);
        checks.oneLineError(result, /ENOSPC|no space/i);
        checks.noStaging(mount, dir);
        noPartialModel(checks, mount);
        return result;
      });
    },
  };
}

const fileSystem: Case[] = [
  underRegularFile(
    "2 train --output under a regular file (ENOTDIR): refused before training",
    (file, fixtures) => fixtures.trainArgs(join(file, "run"), { maxSteps: 50, saveSteps: 5 }),
    true,
  ),
  underRegularFile("2 init-model --out under a regular file (ENOTDIR)", async (file) => ["init-model", "--out", join(file, "model"), ...TINY_FLAGS]),
  underRegularFile("2 export-onnx --out under a regular file (ENOTDIR)", async (file, fixtures) => [
    "export-onnx",
    "--model",
    await fixtures.tinyModel(),
    "--out",
    join(file, "export"),
  ]),
  {
    name: "2 train --output on a read-only tmpfs: refused before training",
    async run({ dir, checks, env, fixtures }) {
      const mount = join(dir, "mnt"); // (not "read-only": the cause must be in the message, not the path)
      const args = await fixtures.trainArgs(join(mount, "run"), { maxSteps: 50, saveSteps: 5 });
      return withTmpfs(mount, "1m", ["ro"], async () => {
        const result = await run(args, { env, timeoutMs: 90_000 });
        checks.exit(result, 1);
        const line = checks.oneLineError(result, escape(mount), "error line (naming the path)");
        if (line) checks.check(/read-only|EROFS/i.test(line), "error line does not say the file system is read-only");
        checks.noTrainingStep(result);
        return result;
      });
    },
  },
  modelOnFullDisk("2 init-model --out a 1 MB tmpfs (ENOSPC): nothing half-written", async (mount, fixtures) => {
    await fixtures.bigModel(); // the same flags give > 1 MiB of weights
    return ["init-model", "--out", mount, ...BIG_FLAGS];
  }),
  modelOnFullDisk("2 export-onnx --out a 1 MB tmpfs (ENOSPC): nothing half-written", async (mount, fixtures) => [
    "export-onnx",
    "--model",
    await fixtures.bigModel(),
    "--out",
    mount,
  ]),
  {
    name: "2 train: disk fills at the 2nd checkpoint: 1st intact, no staging",
    async run({ dir, checks, env, fixtures }) {
      const checkpoint = diskUsage(join(await fixtures.trainedOutput(), "checkpoint-5"));
      // Room for one checkpoint and a half: checkpoint-5 fits, checkpoint-10 cannot.
      const size = `${Math.ceil((checkpoint * 1.5) / 4096) * 4}k`;
      const mount = join(dir, "disk");
      const args = await fixtures.trainArgs(mount, { maxSteps: 10, saveSteps: 5 });
      return withTmpfs(mount, size, [], async () => {
        const result = await run(args, { env, timeoutMs: 90_000 });
        checks.exit(result, 1);
        checks.oneLineError(result, /ENOSPC|no space/i);
        const first = join(mount, "checkpoint-5", "model.safetensors");
        const problem = safetensorsProblem(first);
        checks.check(problem === undefined, `earlier checkpoint not intact: ${problem}`);
        checks.noStaging(mount);
        checks.note(`tmpfs size ${size} (a checkpoint takes ${Math.round(checkpoint / 1024)} KiB)`);
        return result;
      });
    },
  },
  {
    name: "2 encode > /dev/full",
    async run({ checks, env, fixtures }) {
      if (!existsSync("/dev/full")) throw new Skip("/dev/full does not exist");
      const model = await fixtures.tinyModel();
      const script = `exec ${shellQuote(process.execPath)} ${shellQuote(cliPath)} encode --model ${shellQuote(model)} ${SENTENCES.map(shellQuote).join(" ")} > /dev/full`;
      const result = await run([], { env, shell: script });
      checks.exit(result, 1);
      checks.oneLineError(result, /ENOSPC|no space|stdout|output/i);
      return result;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// 3. NaN: never saved, never printed.

const notANumber: Case[] = [
  {
    name: "3 train --learning-rate 1e6: stops at the NaN step, nothing saved after it",
    async run({ dir, checks, env, fixtures }) {
      const out = join(dir, "run");
      const result = await run(await fixtures.trainArgs(out, { maxSteps: 12, saveSteps: 1, learningRate: "1e6" }), { env, timeoutMs: 90_000 });
      checks.exit(result, 1);
      const line = checks.oneLineError(result, /step \d+/i, "error line (naming the step)");
      if (line) checks.check(/loss|grad/i.test(line), "error line does not name the loss or gradient");
      checks.check(!existsSync(join(out, "final")), "final/ was written");
      const step = Number(/step (\d+)/i.exec(line ?? "")?.[1] ?? NaN);
      const steps = checkpointSteps(out);
      if (Number.isFinite(step)) {
        const after = steps.filter((saved) => saved > step);
        checks.check(after.length === 0, `checkpoints saved after step ${step}: ${after.map((s) => `checkpoint-${s}`).join(", ")}`);
      }
      for (const saved of steps) {
        const problem = safetensorsProblem(join(out, `checkpoint-${saved}`, "model.safetensors"));
        if (problem) checks.check(false, `checkpoint-${saved} kept: ${problem.replace(`${out}/`, "")}`);
      }
      return result;
    },
  },
  {
    name: "3 encode with NaN in one weight tensor: refused naming the tensor",
    async run(context) {
      const { checks } = context;
      let target = "";
      const result = await encodeAltered(context, (model) => {
        const path = join(model, "model.safetensors");
        const { tensors, metadata } = readRawTensors(path);
        const tensor = tensors.find((candidate) => candidate.name.endsWith("attention.self.query.weight") && candidate.dtype === "F32");
        if (!tensor) throw new Error("no F32 attention.self.query.weight tensor in the tiny model");
        const view = new DataView(tensor.bytes.buffer, tensor.bytes.byteOffset, tensor.bytes.byteLength);
        for (const index of [0, 1, 7, 33]) view.setUint32(index * 4, 0x7fc00000, true); // quiet NaN
        writeSafetensors(path, tensors, metadata);
        target = tensor.name;
      });
      checks.exit(result, 1);
      checks.oneLineError(result, escape(target), "error line (naming the tensor)");
      checks.check(!result.stdout.includes("null"), "stdout contains null");
      return result;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// 4. Signals: a checkpoint and a way back.

/** Starts a ~10 s training run and waits for its first checkpoint (checkpoint-25) before `signal`. */
async function trainUntilFirstCheckpoint(context: CaseContext, out: string) {
  const args = await context.fixtures.trainArgs(out, { maxSteps: 300, saveSteps: 25 });
  const running = start(args, { env: context.env, timeoutMs: 120_000 });
  const firstCheckpoint = join(out, "checkpoint-25", "trainer_state.json");
  // A few steps past the checkpoint, so Node's default (dying at once) is told apart from stopping
  // with a checkpoint of the current step.
  const ready = await waitFor(
    () => existsSync(firstCheckpoint) && loggedStepsIn(running.stdoutSoFar()) >= 28,
    60_000,
    () => running.child.exitCode !== null || running.child.signalCode !== null,
  );
  context.checks.check(ready, "the run never got past its first checkpoint (checkpoint-25, then 3 more steps)");
  if (running.child.exitCode !== null) context.checks.check(false, "the run ended before the signal was sent");
  return { args, running };
}

/** The newest checkpoint is at the step the run stopped at (the number of steps it logged). */
function checkpointAtLastStep(checks: Checks, out: string, result: RunResult): void {
  const newest = checkpointSteps(out).at(-1);
  const ran = loggedSteps(result);
  checks.check(newest === ran, `${ran} steps ran but the newest checkpoint is ${newest === undefined ? "none" : `checkpoint-${newest}`}`);
  if (newest === undefined) return;
  const state = JSON.parse(readFileSync(join(out, `checkpoint-${newest}`, "trainer_state.json"), "utf8")) as { global_step?: number };
  checks.check(state.global_step === newest, `checkpoint-${newest}/trainer_state.json says global_step ${state.global_step}`);
}

const signals: Case[] = [
  {
    name: "4 train SIGINT: exit 130, checkpoint at that step, then --resume exits 0",
    exclusive: true,
    async run(context) {
      const { checks, dir, env } = context;
      const out = join(dir, "run");
      const { args, running } = await trainUntilFirstCheckpoint(context, out);
      running.child.kill("SIGINT");
      const interrupted = await running.done;
      checks.exit(interrupted, 130);
      checks.noStackTrace(interrupted);
      checks.check(/--resume/.test(interrupted.stderr), "no line telling how to --resume on stderr");
      checkpointAtLastStep(checks, out, interrupted);
      const resumed = await run([...args, "--resume"], { env, timeoutMs: 120_000 });
      checks.exit(resumed, 0, "--resume exit");
      checks.check(safetensorsProblem(join(out, "final", "model.safetensors")) === undefined, "--resume did not write final/model.safetensors");
      return [interrupted, resumed];
    },
  },
  {
    name: "4 train SIGTERM: exit 143, checkpoint at that step",
    exclusive: true,
    async run(context) {
      const out = join(context.dir, "run");
      const { running } = await trainUntilFirstCheckpoint(context, out);
      running.child.kill("SIGTERM");
      const result = await running.done;
      context.checks.exit(result, 143);
      context.checks.noStackTrace(result);
      // Node's default (killed by SIGTERM, also 143) would leave no checkpoint of the step it stopped at.
      checkpointAtLastStep(context.checks, out, result);
      return result;
    },
  },
  {
    name: "4 train two SIGINTs 50 ms apart: exit 130 within 2 s",
    exclusive: true,
    async run(context) {
      const { running } = await trainUntilFirstCheckpoint(context, join(context.dir, "run"));
      running.child.kill("SIGINT");
      await sleep(50);
      const second = Date.now();
      running.child.kill("SIGINT");
      const result = await running.done;
      const took = Date.now() - second;
      context.checks.exit(result, 130);
      context.checks.check(took < 2000, `took ${(took / 1000).toFixed(1)} s after the second SIGINT`);
      context.checks.noStackTrace(result);
      return result;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// 5. Leftovers of a killed run are cleaned up.

const leftovers: Case[] = [
  {
    name: "5 train --resume removes a dead run's .checkpoint-5.tmp-999999-abc/",
    async run({ dir, checks, env, fixtures }) {
      if (isAlive(DEAD_PID)) throw new Skip(`pid ${DEAD_PID} is alive here`);
      const out = join(dir, "run");
      cpSync(join(await fixtures.trainedOutput(), "checkpoint-5"), join(out, "checkpoint-5"), { recursive: true });
      const staging = join(out, `.checkpoint-5.tmp-${DEAD_PID}-abc`);
      write(join(staging, "model.safetensors"), Buffer.alloc(1000));
      const result = await run([...(await fixtures.trainArgs(out, { maxSteps: 10, saveSteps: 5 })), "--resume"], { env, timeoutMs: 90_000 });
      checks.exit(result, 0);
      checks.check(!existsSync(staging), `${staging.slice(out.length + 1)} is still there`);
      checks.noStaging(out);
      return result;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// 6. Two runs into one output folder.

const twoRuns: Case[] = [
  {
    name: "6 two train runs into one --output 300 ms apart: the second refused",
    exclusive: true,
    async run({ dir, checks, env, fixtures }) {
      const out = join(dir, "run");
      const args = await fixtures.trainArgs(out, { maxSteps: 250, saveSteps: 1000 });
      const first = start(args, { env, timeoutMs: 120_000 });
      await sleep(300);
      const second = start(args, { env, timeoutMs: 120_000 });
      const [firstResult, secondResult] = await Promise.all([first.done, second.done]);
      if (firstResult.code === 1 && secondResult.code === 0) {
        // Both start loading at once; the lock is taken only once the command's modules have loaded
        // (seconds, longer when two load together), so a 300 ms head start may not decide who wins.
        checks.check(false, "the later run took the lock and the earlier one was refused (the lock is taken too late to keep start order)");
        checks.oneLineError(firstResult);
        return [firstResult, secondResult];
      }
      checks.exit(secondResult, 1, "second run exit");
      const line = checks.oneLineError(secondResult);
      if (line) checks.check(/lock|in use/i.test(line) || line.includes(String(first.child.pid)), "error line names neither the lock nor the other pid");
      checks.exit(firstResult, 0, "first run exit");
      return [firstResult, secondResult];
    },
  },
  {
    name: "6 stale .embedtune.lock of a dead pid: taken over",
    async run({ dir, checks, env, fixtures }) {
      if (isAlive(DEAD_PID)) throw new Skip(`pid ${DEAD_PID} is alive here`);
      const out = join(dir, "run");
      // The lock format of src/training/output-directory.ts: {pid, host, startedAt} as JSON.
      write(join(out, ".embedtune.lock"), `${JSON.stringify({ pid: DEAD_PID, host: hostname(), startedAt: new Date(0).toISOString() })}\n`);
      const result = await run(await fixtures.trainArgs(out, { maxSteps: 3, saveSteps: 3 }), { env, timeoutMs: 90_000 });
      checks.exit(result, 0);
      checks.check(existsSync(join(out, "final", "model.safetensors")), "final/model.safetensors missing");
      return result;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// 7. encode --output.

const encodeOutput: Case[] = [
  {
    name: "7 encode 100k sentences --output out.npy: exact size, RSS < 600 MB",
    async run({ dir, checks, env, fixtures }) {
      const count = 100_000;
      const words = ["the", "cat", "sat", "on", "a", "mat", "dog", "runs", "fast", "blue", "sky", "river", "bank", "green", "tree", "slowly"];
      const lines = Array.from({ length: count }, (_, i) => `${words[i % 16]} ${words[(i * 7) % 16]} ${words[(i * 13 + 3) % 16]} number ${i}`);
      const input = write(join(dir, "sentences.txt"), `${lines.join("\n")}\n`);
      const out = join(dir, "out.npy");
      const time = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-v"] : undefined;
      const result = await run(["encode", "--model", await fixtures.tinyModel(), "--input", input, "--output", out], { env, wrapper: time, timeoutMs: 180_000 });
      checks.exit(result, 0);
      checks.noStackTrace(result);
      if (existsSync(out)) {
        const header = readNpyHeader(out);
        if (typeof header === "string") checks.check(false, `out.npy: ${header}`);
        else {
          checks.check(header.descr === "<f4" && !header.fortranOrder, `out.npy dtype ${header.descr}, fortran_order ${header.fortranOrder}`);
          checks.check(header.shape.join(",") === `${count},${TINY_DIMENSION}`, `out.npy shape (${header.shape.join(", ")}), expected (${count}, ${TINY_DIMENSION})`);
          const expected = header.dataStart + 4 * count * TINY_DIMENSION;
          checks.check(statSync(out).size === expected, `out.npy is ${statSync(out).size} bytes, expected ${expected} (${header.dataStart} + 4·${count}·${TINY_DIMENSION})`);
        }
      } else checks.check(false, "out.npy was not written");
      if (time) {
        const kilobytes = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1] ?? NaN);
        if (Number.isFinite(kilobytes)) {
          checks.note(`peak RSS ${Math.round(kilobytes / 1024)} MB`);
          checks.check(kilobytes < 600 * 1024, `peak RSS ${Math.round(kilobytes / 1024)} MB (≥ 600 MB)`);
        } else checks.note("peak RSS not reported by /usr/bin/time");
      } else checks.note("RSS not measured: /usr/bin/time is missing (apt-get install -y time)");
      return result;
    },
  },
  {
    name: "7 encode --output out.parquet: readable by the project's reader",
    async run({ dir, checks, env, fixtures }) {
      const input = write(join(dir, "sentences.txt"), `${Array.from({ length: 50 }, (_, i) => `sentence number ${i}`).join("\n")}\n`);
      const out = join(dir, "out.parquet");
      const result = await run(["encode", "--model", await fixtures.tinyModel(), "--input", input, "--output", out], { env });
      checks.exit(result, 0);
      checks.noStackTrace(result);
      if (checks.check(existsSync(out), "out.parquet was not written")) {
        try {
          const { readParquetFile } = await import("../../src/data/parquet.ts");
          const dataset = await readParquetFile(out);
          checks.check(dataset.numRows === 50, `out.parquet has ${dataset.numRows} rows, expected 50`);
        } catch (error) {
          checks.check(false, `out.parquet unreadable: ${(error as Error).message.split("\n")[0]}`);
        }
      }
      return result;
    },
  },
  {
    name: "7 encode --output out.txt: refused in one line",
    async run({ dir, checks, env, fixtures }) {
      const out = join(dir, "out.txt");
      const result = await run(["encode", "--model", await fixtures.tinyModel(), "--output", out, ...SENTENCES], { env });
      checks.exit(result, 1);
      const line = checks.oneLineError(result, /\.txt/, "error line (naming the .txt output)");
      if (line) checks.check(!/unknown option/i.test(line), "--output is not an option of encode");
      checks.check(!existsSync(out), "out.txt was written");
      return result;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// 8. A model folder cannot make the loader read elsewhere.

function pointTransformerAt(model: string, path: string): void {
  const modulesPath = join(model, "modules.json");
  const modules = JSON.parse(readFileSync(modulesPath, "utf8")) as { type: string; path: string }[];
  const transformer = modules.find((module) => module.type.endsWith("Transformer"));
  if (!transformer) throw new Error("the tiny model's modules.json has no Transformer");
  transformer.path = path;
  writeFileSync(modulesPath, JSON.stringify(modules, null, 2));
}

/** The Transformer module's path in modules.json is `path` (beside the model: a copy of it named `neighbour`): refused. */
function transformerPathRefused(name: string, path: string, neighbour?: string): Case {
  return {
    name,
    async run(context) {
      const { dir, checks, fixtures } = context;
      if (neighbour) await fixtures.copyTinyModel(join(dir, neighbour));
      const result = await encodeAltered(context, (model) => pointTransformerAt(model, path), { folder: neighbour ? "victim" : "model" });
      checks.exit(result, 1);
      checks.oneLineError(result);
      checks.check(result.stdout.trim() === "", "embeddings were printed: the model loaded");
      return result;
    },
  };
}

const containment: Case[] = [
  transformerPathRefused("8 modules.json path ../evil (another valid model): refused", "../evil", "evil"),
  transformerPathRefused("8 modules.json path /etc: refused", "/etc"),
  {
    name: "8 tokenizer.json symlinked to a secret file: refused, secret not shown",
    async run(context) {
      const { dir, checks } = context;
      const secret = write(join(dir, "outside", "passwd"), "root:x:0:0:SECRET\n");
      const result = await encodeAltered(context, (model) => {
        rmSync(join(model, "tokenizer.json"));
        symlinkSync(secret, join(model, "tokenizer.json"));
      });
      checks.exit(result, 1);
      checks.oneLineError(result);
      checks.check(!/root:x|SECRET/.test(result.stdout + result.stderr), "the secret file's content appears in the output");
      return result;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// 9. Folders from the Hub that are not quite ours.

const hubFolders: Case[] = [
  {
    name: "9 config.json with auto_map: loads, with a note about remote code",
    async run(context) {
      const { checks } = context;
      const result = await encodeAltered(context, (model) => {
        const configPath = join(model, "config.json");
        const config = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
        config.auto_map = { AutoConfig: "configuration_custom.CustomConfig", AutoModel: "modeling_custom.CustomModel" };
        writeFileSync(configPath, JSON.stringify(config, null, 2));
      });
      checks.exit(result, 0);
      checks.noStackTrace(result);
      checks.check(/remote.code|trust_remote_code|auto_map/i.test(result.stderr), "no note about remote code (auto_map) on stderr");
      checks.check(result.stdout.trim().split("\n").length === SENTENCES.length, "not one embedding per sentence on stdout");
      return result;
    },
  },
  {
    name: "9 sharded weights + model.safetensors.index.json: same embeddings, or 'not supported'",
    async run(context) {
      const result = await encodeAltered(context, (model) => {
        const { tensors, metadata } = readRawTensors(join(model, "model.safetensors"));
        const half = Math.ceil(tensors.length / 2);
        const shards = [tensors.slice(0, half), tensors.slice(half)];
        const weightMap: Record<string, string> = {};
        shards.forEach((shard, index) => {
          const file = `model-0000${index + 1}-of-00002.safetensors`;
          writeSafetensors(join(model, file), shard, metadata);
          for (const tensor of shard) weightMap[tensor.name] = file;
        });
        const totalSize = tensors.reduce((sum, tensor) => sum + tensor.bytes.byteLength, 0);
        writeFileSync(join(model, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2));
        rmSync(join(model, "model.safetensors"));
      });
      const { checks } = context;
      checks.exit(result, [0, 1]);
      if (result.code === 0) {
        const difference = await differenceFromReference(context, result);
        checks.check(difference <= 1e-6, `embeddings differ from the unsharded model's by ${difference}`);
      } else {
        const line = checks.oneLineError(result, /shard/i, "error line (saying sharded weights are not supported)");
        if (line) checks.check(!/missing/i.test(line), "error line says a file is missing");
      }
      return result;
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Already solid (earlier audit): keep them so.

/** model.safetensors broken by `breakFile` (given its path): exit 1, one line naming it. */
function brokenWeightsFile(name: string, breakFile: (path: string) => void, timeoutMs?: number): Case {
  return {
    name,
    async run(context) {
      const result = await encodeAltered(context, (model) => breakFile(join(model, "model.safetensors")), { timeoutMs });
      context.checks.exit(result, 1);
      context.checks.oneLineError(result, /model\.safetensors/);
      return result;
    },
  };
}

const solid: Case[] = [
  brokenWeightsFile("S truncated model.safetensors: one line", (path) => truncateSync(path, Math.floor(statSync(path).size / 2))),
  brokenWeightsFile(
    "S safetensors header length 2^40 (lying): one line, fast",
    (path) => {
      const bytes = readFileSync(path);
      bytes.writeBigUInt64LE(2n ** 40n, 0);
      writeFileSync(path, bytes);
    },
    30_000,
  ),
  {
    name: "S only pytorch_model.bin: refused, never opened (a FIFO)",
    async run(context) {
      const { checks } = context;
      const result = await encodeAltered(
        context,
        (model) => {
          rmSync(join(model, "model.safetensors"));
          // Opening a FIFO for reading blocks until a writer comes: a loader that opens it hangs.
          const fifo = spawnSync("mkfifo", [join(model, "pytorch_model.bin")]);
          if (fifo.status !== 0) throw new Skip("mkfifo failed");
        },
        { timeoutMs: 30_000 },
      );
      if (result.timedOut) checks.check(false, "hung: pytorch_model.bin (a FIFO) was opened");
      else checks.exit(result, 1);
      checks.oneLineError(result, /safetensors/i);
      return result;
    },
  },
  {
    name: "S F16 weights: load, embeddings within 1e-2 of F32",
    async run(context) {
      const result = await encodeAltered(context, (model) => {
        const path = join(model, "model.safetensors");
        const { tensors, metadata } = readRawTensors(path);
        writeSafetensors(path, tensors.map(toFloat16), metadata);
      });
      context.checks.exit(result, 0);
      if (result.code === 0) {
        const difference = await differenceFromReference(context, result);
        context.checks.check(difference < 1e-2, `embeddings differ from F32 by ${difference}`);
      }
      return result;
    },
  },
  {
    name: "S kill -9 during training, then --resume: exit 0",
    async run({ dir, checks, env, fixtures }) {
      const out = join(dir, "run");
      const args = await fixtures.trainArgs(out, { maxSteps: 40, saveSteps: 5 });
      const running = start(args, { env, timeoutMs: 120_000 });
      const ready = await waitFor(() => existsSync(join(out, "checkpoint-5", "trainer_state.json")), 60_000, () => running.child.exitCode !== null);
      checks.check(ready, "the run never reached checkpoint-5");
      running.child.kill("SIGKILL");
      const killed = await running.done;
      checks.check(killed.signal === "SIGKILL", `the run was not killed (exit ${killed.code})`);
      const resumed = await run([...args, "--resume"], { env, timeoutMs: 120_000 });
      checks.exit(resumed, 0, "--resume exit");
      checks.check(/resum/i.test(resumed.stderr), "--resume did not say it resumed");
      checks.check(safetensorsProblem(join(out, "final", "model.safetensors")) === undefined, "final/model.safetensors missing or incomplete");
      return [killed, resumed];
    },
  },
];

export const CASES: Case[] = [...userFiles, ...fileSystem, ...notANumber, ...signals, ...leftovers, ...twoRuns, ...encodeOutput, ...containment, ...hubFolders, ...solid];
