// Where the encoder computes, as sentence-transformers' `device`: "cpu", "cuda" (GPU 0) or "cuda:N".
// Unset means sentence-transformers' default: CUDA where it runs, else the CPU, silently
// (EMBEDTUNE_DEVICE sets another default). Asking for "cuda" where it cannot run is an error, as in
// torch, never a silent CPU run: DeviceUnavailableError says why in one line (onnxruntime's CUDA
// provider not installed → `embedtune setup-gpu`; installed but a CUDA library missing → which one;
// no GPU, a GPU index that does not exist; the tfjs engine without @tensorflow/tfjs-node-gpu).
// The provider's presence is a file check, so asking costs nothing until a session is created.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { backendInfo, tfjsGpuUnavailable } from "../backend.ts";
import { EmbedtuneError } from "../errors.ts";
import { checkDevice, type Device } from "./device-name.ts";

export { checkDevice, type Device };

/** A device as it runs: "cpu" or "cuda:N" (what `model.device` reports, as torch's str(device)). */
export type ResolvedDevice = "cpu" | `cuda:${number}`;

/** The command that installs onnxruntime-node's CUDA provider. */
export const SETUP_GPU_COMMAND = "npx embedtune setup-gpu";

/** A device was asked for explicitly and cannot run; the message says why and what to do. */
export class DeviceUnavailableError extends EmbedtuneError {
  constructor(readonly device: string, readonly reason: string) {
    super(`device "${device}": ${reason}`);
  }
}

/** The CUDA device index of "cuda" / "cuda:N"; undefined for "cpu". */
export function cudaIndex(device: Device): number | undefined {
  if (device === "cpu") return undefined;
  return device === "cuda" ? 0 : Number(device.slice("cuda:".length));
}

/** "cpu" or "cuda:N": "cuda" alone is GPU 0, as torch.device("cuda") places tensors on cuda:0. */
export function resolvedDevice(device: Device): ResolvedDevice {
  const index = cudaIndex(device);
  return index === undefined ? "cpu" : `cuda:${index}`;
}

/** The default device: EMBEDTUNE_DEVICE when set (validated), else undefined (CUDA where it runs, else CPU). */
export function defaultDevice(): Device | undefined {
  const value = process.env.EMBEDTUNE_DEVICE?.trim();
  if (value === undefined || value === "") return undefined;
  checkDevice(value, "EMBEDTUNE_DEVICE");
  return value;
}

/** The file of onnxruntime-node's CUDA provider, in the folder its binding loads libraries from. */
export function cudaProviderLibrary(): string {
  const packageJson = createRequire(import.meta.url).resolve("onnxruntime-node/package.json");
  const file = process.platform === "win32" ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so";
  return join(dirname(packageJson), "bin", "napi-v3", process.platform, process.arch, file);
}

/** Whether onnxruntime-node's CUDA provider library is installed (it is not bundled: `embedtune setup-gpu` fetches it). */
export function cudaProviderInstalled(): boolean {
  return existsSync(cudaProviderLibrary());
}

/** Why onnxruntime-node's CUDA provider is not installed, and how to install it (one line). */
export function cudaProviderMissing(): string {
  if (process.platform === "linux" && process.arch === "x64") {
    return `onnxruntime-node's CUDA provider is not installed (run \`${SETUP_GPU_COMMAND}\`)`;
  }
  return `onnxruntime-node ships a CUDA provider for Linux x64 only, not ${process.platform}/${process.arch}`;
}

/** Advice for a CUDA library the provider could not find. */
function libraryAdvice(library: string): string {
  if (/^libcudnn/.test(library)) return "install cuDNN 9 for CUDA 12 or add its folder to LD_LIBRARY_PATH";
  if (/^libcu|^libnv/.test(library)) return "install the CUDA 12 runtime libraries or add their folder to LD_LIBRARY_PATH";
  return "add its folder to LD_LIBRARY_PATH";
}

/**
 * One line saying why onnxruntime could not create a CUDA session, from its error message: the
 * provider library absent, a CUDA library it needs missing, CUDA's own failure (no GPU, driver too
 * old, no GPU of that index), else onnxruntime's message without its source-location prefix.
 */
export function explainCudaFailure(message: string): string {
  const load = /Failed to load library (\S+) with error: ([^\n]*)/.exec(message);
  if (load) {
    const [, providerLibrary, detail] = load;
    const missing = /^(\S+?): cannot open shared object file/.exec(detail.trim());
    if (missing && missing[1] === providerLibrary) return cudaProviderMissing();
    if (missing) return `onnxruntime-node's CUDA provider is installed but ${missing[1]} is missing (${libraryAdvice(missing[1])})`;
    return `onnxruntime-node's CUDA provider failed to load: ${detail.trim()}`;
  }
  const cuda = /\b(CUDA|CUBLAS|CUDNN) failure (\d+): ([^;\n]*)/.exec(message);
  if (cuda) {
    const [, library, code, text] = cuda;
    if (library === "CUDA" && code === "100") return "no GPU: CUDA found no CUDA-capable device";
    if (library === "CUDA" && code === "101") return "there is no GPU of that index (CUDA: invalid device ordinal)";
    if (library === "CUDA" && code === "35") return "the NVIDIA driver is too old for CUDA 12 (CUDA: driver version is insufficient for CUDA runtime version)";
    return `${library} failed: ${text.trim()} (error ${code})`;
  }
  const firstLine = message.split("\n").find((line) => line.trim() !== "") ?? message;
  return firstLine.replace(/^.*\[ONNXRuntimeError\] : \d+ : \w+ : /, "").trim();
}

/**
 * Why the tfjs engine cannot compute on `device` with the tfjs backend in use (initializeBackend() ran),
 * or undefined when it can. TensorFlow (tfjs-node-gpu) computes on GPU 0 for the whole process, the
 * other backends on the CPU.
 */
export function tfjsDeviceProblem(device: Device): string | undefined {
  const index = cudaIndex(device);
  const backend = backendInfo();
  if (index === undefined) {
    return backend.gpu
      ? "the tfjs backend runs TensorFlow on the GPU for the whole process (set EMBEDTUNE_BACKEND=wasm, or CUDA_VISIBLE_DEVICES= before starting, to compute on the CPU)"
      : undefined;
  }
  if (!backend.gpu) return `the tfjs engine computes on a GPU only through @tensorflow/tfjs-node-gpu: ${tfjsGpuUnavailable()}`;
  if (index !== 0) return `the tfjs engine computes on GPU 0 only (start with CUDA_VISIBLE_DEVICES=${index} to make GPU ${index} the first)`;
  return undefined;
}
