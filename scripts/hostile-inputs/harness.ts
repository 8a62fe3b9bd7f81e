// The machinery under scripts/hostile-inputs.ts: running the real CLI in a child process with a
// timeout, the checks every case shares (one error line, no stack trace, files left as they were, no
// staging folders), tmpfs mounts that are always unmounted, and safetensors files read byte by byte
// (the header parsed here, not with the project's reader, so a check does not trust what it checks)
// and rewritten with test/support/model-fixtures.ts's writer and float16 conversion.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildSafetensors, toHalfTensor, type RawTensor } from "../../test/support/model-fixtures.ts";

export { diskUsage } from "../../test/support/files.ts";
export type { RawTensor };

export const projectRoot = resolve(new URL("../..", import.meta.url).pathname);
export const cliPath = join(projectRoot, "bin", "embedtune.js");

/** A case that cannot run here (no tmpfs, a missing tool); reported as skipped with the reason. */
export class Skip extends Error {}

export interface RunResult {
  /** How the command was shown in messages (its arguments). */
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  milliseconds: number;
  timedOut: boolean;
}

export interface Running {
  child: ChildProcess;
  /** Resolves when the process has exited (after the timeout it is killed with SIGKILL). */
  done: Promise<RunResult>;
  /** The stdout and stderr seen so far. */
  stdoutSoFar(): string;
  stderrSoFar(): string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Run through `bash -c` with this script instead of node (arguments then ignored). */
  shell?: string;
  /** Prefix the command (e.g. ["/usr/bin/time", "-v"]). */
  wrapper?: string[];
}

const MAX_CAPTURE = 64 * 1024 * 1024;
const running = new Set<ChildProcess>();

/** Starts `node bin/embedtune.js ...args` (or a bash script) in its own process group. */
export function start(args: string[], options: RunOptions = {}): Running {
  const [file, argv] = options.shell
    ? ["bash", ["-c", options.shell]]
    : options.wrapper
      ? [options.wrapper[0], [...options.wrapper.slice(1), process.execPath, cliPath, ...args]]
      : [process.execPath, [cliPath, ...args]];
  const began = Date.now();
  const child = spawn(file, argv, {
    cwd: options.cwd ?? projectRoot,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    if (stdout.length < MAX_CAPTURE) stdout += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    if (stderr.length < MAX_CAPTURE) stderr += chunk;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child, "SIGKILL");
  }, options.timeoutMs ?? 60_000);
  const done = new Promise<RunResult>((resolvePromise) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      running.delete(child);
      resolvePromise({
        command: options.shell ?? `embedtune ${args.join(" ")}`,
        code,
        signal,
        stdout,
        stderr,
        milliseconds: Date.now() - began,
        timedOut,
      });
    };
    child.on("error", (error) => {
      stderr += `${error.message}\n`;
      finish(null, null);
    });
    // "close" waits for the pipes, so the output is complete.
    child.on("close", finish);
  });
  return { child, done, stdoutSoFar: () => stdout, stderrSoFar: () => stderr };
}

/** Runs the CLI to its end. */
export function run(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return start(args, options).done;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Kills (SIGKILL, by process group) every child still running: used when the harness is interrupted. */
export function killAllChildren(): void {
  for (const child of running) killGroup(child, "SIGKILL");
}

/** The exit as a shell shows it: the code, or 128+n for a signal (with its name). */
export function exitLabel(result: RunResult): string {
  if (result.timedOut) return "timeout";
  if (result.code !== null) return String(result.code);
  if (result.signal) return `${128 + signalNumber(result.signal)} (${result.signal})`;
  return "?";
}

/** The status bash's `$?` would show: the code, or 128 + the signal's number. */
export function shellStatus(result: RunResult): number | undefined {
  if (result.timedOut) return undefined;
  if (result.code !== null) return result.code;
  if (result.signal) return 128 + signalNumber(result.signal);
  return undefined;
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, milliseconds));
}

/** Waits until `condition()` holds or `timeoutMs` passes (or `stop()` says give up); returns whether it held. */
export async function waitFor(condition: () => boolean, timeoutMs: number, stop: () => boolean = () => false): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (condition()) return true;
    if (stop()) return condition();
    await sleep(10);
  }
  return condition();
}

// ---------------------------------------------------------------------------------------------
// Checks: a case collects problems; none means PASS.

export class Checks {
  readonly problems: string[] = [];
  readonly notes: string[] = [];

  check(condition: boolean, problem: string): boolean {
    if (!condition) this.problems.push(problem);
    return condition;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** `$?` is one of `expected` (a process killed by SIGINT counts as 130, as bash shows it). */
  exit(result: RunResult, expected: number | number[], what = "exit"): boolean {
    const allowed = Array.isArray(expected) ? expected : [expected];
    const status = shellStatus(result);
    if (result.timedOut) return this.check(false, `${what}: still running after the timeout (${(result.milliseconds / 1000).toFixed(0)} s), killed`);
    return this.check(status !== undefined && allowed.includes(status), `${what} ${exitLabel(result)}, expected ${allowed.join(" or ")}`);
  }

  /**
   * stderr holds exactly one `embedtune: error:` line, shorter than 400 characters, and no stack
   * trace (no line starting with "    at "); `pattern` must match that line. Returns the line.
   */
  oneLineError(result: RunResult, pattern?: RegExp, what = "error line"): string | undefined {
    const lines = result.stderr.split("\n");
    const stack = lines.filter((line) => /^\s+at /.test(line));
    this.check(stack.length === 0, `stack trace on stderr (${stack.length} "at" lines; ${firstMeaningfulLine(result.stderr)})`);
    const errors = lines.filter((line) => line.startsWith("embedtune: error:"));
    if (!this.check(errors.length > 0, `no "embedtune: error:" line on stderr (${firstMeaningfulLine(result.stderr) || "stderr empty"})`)) return undefined;
    this.check(errors.length === 1, `${errors.length} error lines, expected one`);
    const line = errors[0];
    this.check(line.length < 400, `error line is ${line.length} characters (≥ 400)`);
    if (pattern) this.check(pattern.test(line), `${what} does not match ${pattern}`);
    return line;
  }

  noStackTrace(result: RunResult): void {
    const stack = result.stderr.split("\n").filter((line) => /^\s+at /.test(line));
    this.check(stack.length === 0, `stack trace on stderr (${firstMeaningfulLine(result.stderr)})`);
  }

  /** `path` still holds exactly `content`. */
  intact(path: string, content: string | Buffer, label = path): void {
    if (!this.check(existsSync(path), `${label} was deleted`)) return;
    const now = readFileSync(path);
    this.check(now.equals(Buffer.isBuffer(content) ? content : Buffer.from(content)), `${label} was changed`);
  }

  /** No staging or backup leftovers (names starting with "."; the lock file aside) in `folders`. */
  noStaging(...folders: string[]): void {
    for (const folder of folders) {
      if (!existsSync(folder) || !statSync(folder).isDirectory()) continue;
      const left = readdirSync(folder).filter((name) => name.startsWith(".") && name !== ".embedtune.lock");
      this.check(left.length === 0, `staging left in ${folder}: ${left.join(", ")}`);
    }
  }

  /** No training step ran: with --logging-steps 1 every step prints a JSON line with "loss" on stdout. */
  noTrainingStep(result: RunResult): void {
    const steps = result.stdout.split("\n").filter((line) => /"loss"/.test(line)).length;
    this.check(steps === 0 && !/Training: \d+\/\d+/.test(result.stderr), `training ran (${steps} logged steps) before the failure`);
  }
}

/** The line a person needs: the `embedtune: error:` line if any, else the first line of stderr that is not the backend banner. */
export function firstMeaningfulLine(stderr: string): string {
  // GNU time -v's report (tab-indented lines) is not the command's.
  const lines = stderr.split("\n").map((line) => line.trimEnd()).filter((line) => line !== "" && !line.startsWith("\t"));
  return (
    lines.find((line) => line.startsWith("embedtune: error:")) ??
    lines.find((line) => !/^embedtune: tfjs backend|^embedtune: onnxruntime/.test(line)) ??
    lines[0] ??
    ""
  );
}

// ---------------------------------------------------------------------------------------------
// tmpfs mounts: always unmounted, even when the case throws.

const mounted = new Set<string>();

/** Mounts a tmpfs of `size` (e.g. "1m", "1200k") at `directory` with extra `options`, runs `work`, unmounts. */
export async function withTmpfs<T>(directory: string, size: string, options: string[], work: () => Promise<T>): Promise<T> {
  mkdirSync(directory, { recursive: true });
  const mountOptions = [`size=${size}`, ...options].join(",");
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", mountOptions, "tmpfs", directory], { encoding: "utf8" });
  if (mount.status !== 0) throw new Skip(`cannot mount: ${(mount.stderr || mount.error?.message || `mount exited ${mount.status}`).trim().split("\n")[0]}`);
  mounted.add(directory);
  try {
    return await work();
  } finally {
    unmount(directory);
  }
}

function unmount(directory: string): void {
  for (let attempt = 0; attempt < 20; attempt++) {
    const result = spawnSync("umount", [directory], { encoding: "utf8" });
    if (result.status === 0) {
      mounted.delete(directory);
      return;
    }
    // A child may still hold it for a moment; lazily detach on the last try.
    if (attempt === 19) {
      spawnSync("umount", ["-l", directory]);
      mounted.delete(directory);
      return;
    }
    spawnSync("sleep", ["0.1"]);
  }
}

/** Unmounts whatever is still mounted (the harness was interrupted). */
export function unmountAll(): void {
  for (const directory of [...mounted]) unmount(directory);
}

// ---------------------------------------------------------------------------------------------
// safetensors by hand: u64 little-endian header length | JSON header | data.

export interface TensorInfo {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsLayout {
  headerLength: number;
  header: Record<string, TensorInfo>;
  metadata?: Record<string, string>;
  /** Byte offset of the data part in the file. */
  dataStart: number;
  fileSize: number;
}

export function readSafetensorsLayout(path: string): SafetensorsLayout {
  const bytes = readFileSync(path);
  if (bytes.byteLength < 8) throw new Error(`${path}: ${bytes.byteLength} bytes, shorter than the header length`);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (8 + headerLength > bytes.byteLength) throw new Error(`${path}: header length ${headerLength} runs past the end`);
  const json = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8")) as Record<string, unknown>;
  const { __metadata__, ...tensors } = json;
  return {
    headerLength,
    header: tensors as Record<string, TensorInfo>,
    metadata: __metadata__ as Record<string, string> | undefined,
    dataStart: 8 + headerLength,
    fileSize: bytes.byteLength,
  };
}

/** Why `path` is not a complete safetensors file whose float32 weights are all finite, or undefined when it is. */
export function safetensorsProblem(path: string): string | undefined {
  if (!existsSync(path)) return `${path} is missing`;
  let layout: SafetensorsLayout;
  try {
    layout = readSafetensorsLayout(path);
  } catch (error) {
    return (error as Error).message;
  }
  const end = Math.max(0, ...Object.values(layout.header).map((tensor) => tensor.data_offsets[1]));
  if (layout.dataStart + end !== layout.fileSize) return `${path}: ${layout.fileSize} bytes, the header describes ${layout.dataStart + end}`;
  const bytes = readFileSync(path);
  for (const [name, tensor] of Object.entries(layout.header)) {
    if (tensor.dtype !== "F32") continue;
    const [from, to] = tensor.data_offsets;
    const copy = Uint8Array.from(bytes.subarray(layout.dataStart + from, layout.dataStart + to));
    const values = new Float32Array(copy.buffer);
    if (values.some((value) => !Number.isFinite(value))) return `${path}: tensor ${name} holds NaN or infinite values`;
  }
  return undefined;
}

/** The tensors of a safetensors file as they are (read by readSafetensorsLayout, not the project's reader). */
export function readRawTensors(path: string): { tensors: RawTensor[]; metadata?: Record<string, string> } {
  const layout = readSafetensorsLayout(path);
  const bytes = readFileSync(path);
  const tensors = Object.entries(layout.header).map(([name, tensor]) => ({
    name,
    dtype: tensor.dtype,
    shape: tensor.shape,
    bytes: Uint8Array.from(bytes.subarray(layout.dataStart + tensor.data_offsets[0], layout.dataStart + tensor.data_offsets[1])),
  }));
  return { tensors, metadata: layout.metadata };
}

/** A well-formed safetensors file of `tensors` back to back (test/support/model-fixtures.ts's writer). */
export function writeSafetensors(path: string, tensors: RawTensor[], metadata?: Record<string, string>): void {
  writeFileSync(path, buildSafetensors(tensors, metadata));
}

/** `tensor` with F32 values as F16 (rounded to nearest even); tensors of other types as they are. */
export function toFloat16(tensor: RawTensor): RawTensor {
  return tensor.dtype === "F32" ? toHalfTensor(tensor, "F16") : tensor;
}

// ---------------------------------------------------------------------------------------------
// Output parsing.

/** One JSON array per line (encode's stdout). */
export function parseEmbeddings(stdout: string): number[][] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as number[]);
}

export function maxAbsoluteDifference(a: number[][], b: number[][]): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  a.forEach((row, i) => {
    if (row.length !== b[i].length) worst = Infinity;
    row.forEach((value, j) => (worst = Math.max(worst, Math.abs(value - b[i][j]))));
  });
  return worst;
}

export interface NpyInfo {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  dataStart: number;
}

/** The header of a .npy file (format 1.x or 2.x), or a reason it is not one. */
export function readNpyHeader(path: string): NpyInfo | string {
  const bytes = readFileSync(path);
  if (bytes.byteLength < 10 || bytes[0] !== 0x93 || bytes.subarray(1, 6).toString("latin1") !== "NUMPY") return "no \\x93NUMPY magic";
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const text = bytes.subarray(start, start + headerLength).toString("latin1");
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (!descr || !fortran || shape === undefined) return `header not understood: ${JSON.stringify(text.trim())}`;
  return {
    descr,
    fortranOrder: fortran === "True",
    shape: shape.split(",").map((part) => part.trim()).filter(Boolean).map(Number),
    dataStart: start + headerLength,
  };
}
