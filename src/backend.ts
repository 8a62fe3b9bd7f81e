// Chooses the tfjs backend once per process: the first that loads of @tensorflow/tfjs-node-gpu,
// @tensorflow/tfjs-node ("tensorflow"), @tensorflow/tfjs-backend-wasm ("wasm"), then "cpu", unless
// the `backend` option or EMBEDTUNE_BACKEND forces one. Code imports tf from "@tensorflow/tfjs".

import * as tf from "@tensorflow/tfjs";
import { registerMissingTrainingGradients, registerWasmTrainingKernels } from "./engines/tfjs/wasm-kernels.ts";
import { ArgumentError, EmbedtuneError } from "./errors.ts";

export type BackendName = "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  name: BackendName;
  /** The npm package that provides the backend. */
  package: string;
  /** True when TensorFlow runs on a CUDA device (tfjs-node-gpu found one). */
  gpu: boolean;
  /** wasm only: whether the SIMD build is running. */
  simd?: boolean;
  /** wasm only: threads XNNPACK uses (1 in Node: tfjs-backend-wasm disables threads there). */
  threads?: number;
  /** Why this backend: forced (and by what), or which earlier candidates were skipped and why. */
  reason: string;
}

export interface BackendOptions {
  /** Force a backend; overrides EMBEDTUNE_BACKEND. */
  backend?: BackendName;
  /** Do not print the one-line backend report to stderr. */
  quiet?: boolean;
}

/** A forced backend cannot be loaded (package not installed, or it failed to initialise). */
export class BackendUnavailableError extends EmbedtuneError {
  constructor(readonly source: string, detail: string) {
    super(`${source}: ${detail}`);
  }
}

const backendNames: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];
const tensorflowPackages = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;
const wasmPackage = "@tensorflow/tfjs-backend-wasm";
const cpuPackage = "@tensorflow/tfjs-backend-cpu";

let current: BackendInfo | undefined;
/** What became of @tensorflow/tfjs-node-gpu in tryTensorflow (undefined: not tried). */
let gpuPackageOutcome: string | undefined;
let pendingInitialization: Promise<unknown> = Promise.resolve();

/**
 * Makes sure a backend is active and returns what it is. The first call chooses (and prints one
 * line to stderr unless quiet); later calls return the same info without reinitialising, unless
 * they force a different backend, which switches. Concurrent calls are serialised. Also registers
 * what tfjs lacks for training: the wasm kernels, and the missing gradients (every backend).
 */
export function initializeBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const result = pendingInitialization.then(() => chooseBackend(options));
  pendingInitialization = result.catch(() => undefined);
  return result;
}

/** Why TensorFlow does not compute on a GPU (tfjs-node-gpu not installed, its binding's load error, no GPU found, or not tried); undefined when it does. */
export function tfjsGpuUnavailable(): string | undefined {
  const info = backendInfo();
  return info.gpu ? undefined : (gpuPackageOutcome ?? `@tensorflow/tfjs-node-gpu not tried (the backend is ${info.reason})`);
}

/** The backend chosen by initializeBackend(). */
export function backendInfo(): BackendInfo {
  if (current === undefined) throw new Error("backendInfo() called before initializeBackend()");
  return current;
}

interface ForcedBackend {
  name: BackendName;
  /** How it was forced, for messages: "EMBEDTUNE_BACKEND=wasm" or "backend option". */
  source: string;
}

async function chooseBackend(options: BackendOptions): Promise<BackendInfo> {
  const forced = forcedBackend(options);
  if (current !== undefined && (forced === undefined || forced.name === current.name)) {
    // Someone may have called tf.setBackend() directly since; put our choice back.
    if (tf.getBackend() !== current.name) await tf.setBackend(current.name);
    return current;
  }
  const info = forced === undefined ? await firstBackendThatLoads() : await loadForced(forced);
  registerMissingTrainingGradients();
  current = info;
  if (options.quiet !== true) process.stderr.write(`embedtune: tfjs backend ${describe(info)}\n`);
  return info;
}

function forcedBackend(options: BackendOptions): ForcedBackend | undefined {
  if (options.backend !== undefined) {
    if (!backendNames.includes(options.backend)) {
      throw new ArgumentError("backend", `"${String(options.backend)}" must be one of ${backendNames.join(", ")}`);
    }
    return { name: options.backend, source: "backend option" };
  }
  const fromEnvironment = process.env.EMBEDTUNE_BACKEND?.trim();
  if (fromEnvironment === undefined || fromEnvironment === "") return undefined;
  const name = fromEnvironment.toLowerCase() as BackendName;
  if (!backendNames.includes(name)) {
    throw new ArgumentError("EMBEDTUNE_BACKEND", `"${fromEnvironment}" must be one of ${backendNames.join(", ")}`);
  }
  return { name, source: `EMBEDTUNE_BACKEND=${name}` };
}

/** A loaded backend (with notes on packages passed over), or why it did not load (one line). */
type Attempt = { info: Omit<BackendInfo, "reason">; passedOver: string[] } | { failure: string };

async function firstBackendThatLoads(): Promise<BackendInfo> {
  const unavailable: string[] = [];
  for (const [name, attempt] of [["tensorflow", tryTensorflow], ["wasm", tryWasm]] as const) {
    const outcome = await attempt();
    if ("info" in outcome) return { ...outcome.info, reason: reasonLine("automatic choice", [...unavailable, ...outcome.passedOver]) };
    unavailable.push(`${name} unavailable (${outcome.failure})`);
  }
  return { ...(await loadCpu()), reason: reasonLine("automatic choice", unavailable) };
}

function reasonLine(choice: string, details: readonly string[]): string {
  return details.length === 0 ? choice : `${choice}; ${details.join("; ")}`;
}

async function loadForced(forced: ForcedBackend): Promise<BackendInfo> {
  const reason = `forced by ${forced.source}`;
  if (forced.name === "cpu") return { ...(await loadCpu()), reason };
  const outcome = forced.name === "wasm" ? await tryWasm() : await tryTensorflow();
  if ("failure" in outcome) {
    const remedy = forced.name === "wasm" ? wasmPackage : "@tensorflow/tfjs-node";
    throw new BackendUnavailableError(forced.source, `${outcome.failure} (npm install ${remedy}, or choose another of ${backendNames.join(", ")})`);
  }
  return { ...outcome.info, reason: reasonLine(reason, outcome.passedOver) };
}

/**
 * tfjs-node-gpu, then tfjs-node: both register "tensorflow" when their native binding loads. A package
 * whose binding is missing (a failed install left behind) registers its kernels before it fails, so the
 * next one would print ~150 "kernel … is already registered" warnings: those are dropped.
 */
async function tryTensorflow(): Promise<Attempt> {
  const failures: string[] = [];
  for (const packageName of tensorflowPackages) {
    const failure = (await withoutDuplicateKernelWarnings(() => importPackage(packageName))) ?? (await activate("tensorflow", packageName));
    const gpuPackage = packageName === "@tensorflow/tfjs-node-gpu";
    if (failure === undefined) {
      const backend = tf.backend() as { isUsingGpuDevice?: unknown };
      const info = { name: "tensorflow", package: packageName, gpu: backend.isUsingGpuDevice === true } as const;
      if (gpuPackage && !info.gpu) gpuPackageOutcome = `${packageName} loaded but TensorFlow found no GPU (it needs CUDA 11.2 and cuDNN 8.1)`;
      return { info, passedOver: failures };
    }
    if (gpuPackage) gpuPackageOutcome = failure;
    failures.push(failure);
  }
  return { failure: failures.join("; ") };
}

async function withoutDuplicateKernelWarnings<T>(work: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!/^The kernel '.*' for backend '.*' is already registered$/.test(String(args[0]))) warn(...args);
  };
  try {
    return await work();
  } finally {
    console.warn = warn;
  }
}

async function tryWasm(): Promise<Attempt> {
  let threadsInUse: (() => number) | undefined;
  const importFailure = await importPackage(wasmPackage, (module) => {
    threadsInUse = (module as { getThreadsCount?: () => number }).getThreadsCount;
  });
  if (importFailure !== undefined) return { failure: importFailure };
  // Kernels are registered by name, so they must exist before the first op runs on wasm.
  registerWasmTrainingKernels();
  const activationFailure = await activate("wasm", wasmPackage);
  if (activationFailure !== undefined) return { failure: activationFailure };
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
  return { info: { name: "wasm", package: wasmPackage, gpu: false, simd, threads: threadsInUse?.() ?? 1 }, passedOver: [] };
}

async function loadCpu(): Promise<Omit<BackendInfo, "reason">> {
  // The cpu backend ships inside @tensorflow/tfjs, so it always loads.
  await tf.setBackend("cpu");
  // Our own line replaces the cpu backend's multi-line "install tfjs-node" banner.
  const backend = tf.backend() as { firstUse?: boolean };
  if (backend.firstUse === true) backend.firstUse = false;
  return { name: "cpu", package: cpuPackage, gpu: false };
}

/** Imports a package by a computed name (it may be absent); returns why it failed, if it did. */
async function importPackage(packageName: string, onLoaded?: (module: unknown) => void): Promise<string | undefined> {
  try {
    const module: unknown = await import(packageName);
    onLoaded?.(module);
    return undefined;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const text = String(message ?? error);
    if (code === "ERR_MODULE_NOT_FOUND" && text.includes(`'${packageName}'`)) return `${packageName} is not installed`;
    return `${packageName} failed to load: ${firstLine(text)}`;
  }
}

/** Switches tfjs to `name`; returns why it failed, if it did. */
async function activate(name: BackendName, packageName: string): Promise<string | undefined> {
  if (tf.findBackendFactory(name) === null) {
    return `${packageName} loaded but registered no "${name}" backend with this copy of @tensorflow/tfjs (duplicate @tensorflow/tfjs-core?)`;
  }
  try {
    if (await tf.setBackend(name)) return undefined;
    return `${packageName} loaded but the "${name}" backend failed to initialise`;
  } catch (error) {
    return `${packageName} loaded but the "${name}" backend failed to initialise: ${firstLine(String(error))}`;
  }
}

function firstLine(text: string): string {
  return text.split("\n").find((line) => line.trim() !== "")?.trim() ?? text;
}

function describe(info: BackendInfo): string {
  switch (info.name) {
    case "wasm":
      return `wasm (${info.simd === true ? "SIMD" : "no SIMD"}, ${info.threads ?? 1} thread${info.threads === 1 ? "" : "s"})`;
    case "tensorflow":
      return `tensorflow (${info.package}, ${info.gpu ? "GPU" : "CPU"})`;
    case "cpu":
      return "cpu (plain JavaScript, slow: install @tensorflow/tfjs-node for native speed)";
  }
}
