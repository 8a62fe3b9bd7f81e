// The machine the figures were measured on, printed before any figure: CPU model and cores, its SIMD
// level and the float32 SGEMM kernel onnxruntime's MLAS picks on it (cpu-features.ts), Node, the tfjs backend, onnxruntime-node's version and execution provider (from a model loaded on the
// ORT engine), transformers.js, PyTorch and the BLAS it actually loaded (with OpenBLAS's core), and the
// load average.

import { readFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { attempt, describeError, loadAverage, PROJECT_ROOT, runNodeTask } from "./common.ts";
import { describeCpuFeatures, type CpuFeatures } from "./cpu-features.ts";
import { ensureModel } from "./fixtures.ts";
import { describeTorch, torchInfo, type TorchInfo } from "./torch.ts";

export interface EngineProbe {
  tfjsBackend: string;
  ortVersion: string;
  ortBackends: string[];
  ortEngine: string;
  transformersJs: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  logicalCpus: number;
  cpuFeatures: CpuFeatures;
  memoryGB: number;
  node: string;
  platform: string;
  engines: EngineProbe | { error: string };
  torch: TorchInfo | { unavailable: string };
  loadAverageBefore: number[];
  loadAverageAfter?: number[];
}

/** The text of /proc/cpuinfo; undefined where there is none (not Linux). */
function readCpuinfo(): string | undefined {
  try {
    return readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return undefined;
  }
}

function cpuModel(cpuinfo: string | undefined): string {
  const line = cpuinfo?.split("\n").find((l) => l.startsWith("model name"));
  return line ? line.split(":")[1].trim() : (cpus()[0]?.model ?? "unknown");
}

function physicalCores(cpuinfo: string | undefined): number {
  const cores = new Set<string>();
  for (const block of cpuinfo?.split("\n\n") ?? []) {
    const physical = /physical id\s*:\s*(\d+)/.exec(block)?.[1];
    const core = /core id\s*:\s*(\d+)/.exec(block)?.[1];
    if (physical !== undefined && core !== undefined) cores.add(`${physical}:${core}`);
  }
  return cores.size > 0 ? cores.size : availableParallelism();
}

export async function collectMachineInfo(): Promise<MachineInfo> {
  const loadAverageBefore = loadAverage();
  const probe = await attempt(async () => runNodeTask<EngineProbe>("machine-info", { tinyModel: await ensureModel("tiny") }, { label: "engine versions", timeoutSeconds: 300 }));
  const torch = await attempt(torchInfo);
  const cpuinfo = readCpuinfo();
  return {
    cpuModel: cpuModel(cpuinfo),
    cores: physicalCores(cpuinfo),
    logicalCpus: availableParallelism(),
    cpuFeatures: describeCpuFeatures(cpuinfo),
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    engines: probe.ok ? probe.value : { error: probe.reason },
    torch: torch.ok ? torch.value : { unavailable: torch.reason },
    loadAverageBefore,
  };
}

export function renderMachine(info: MachineInfo): string {
  const engines = "error" in info.engines ? undefined : info.engines;
  const torch = "unavailable" in info.torch ? undefined : info.torch;
  const lines = [
    `- CPU: ${info.cpuModel} — ${info.cores} core(s), ${info.logicalCpus} logical CPU(s), ${info.memoryGB} GB RAM`,
    `- SIMD (/proc/cpuinfo flags): ${info.cpuFeatures.simd}`,
    `- onnxruntime MLAS float32 SGEMM kernel (per v1.21.0 platform.cpp dispatch): ${info.cpuFeatures.mlasSgemm}`,
    `- Node ${info.node} (${info.platform})`,
    engines
      ? `- tfjs backend: ${engines.tfjsBackend}`
      : `- tfjs / onnxruntime: ${(info.engines as { error: string }).error}`,
  ];
  if (engines) {
    lines.push(`- onnxruntime-node ${engines.ortVersion} (backends: ${engines.ortBackends.join(", ") || "?"}); embedtune ORT engine: ${engines.ortEngine}`);
    lines.push(`- @huggingface/transformers ${engines.transformersJs}`);
  }
  lines.push(
    torch
      ? `- ${describeTorch(torch)} (python ${torch.python}; torch CPU capability ${torch.cpu_capability ?? "?"}; BLAS: ${torch.blas.map((lib) => lib.split("/").at(-1)).join(", ")})`
      : `- PyTorch reference: ${(info.torch as { unavailable: string }).unavailable}`,
  );
  if (torch?.openblas) lines.push(`- OpenBLAS build: ${torch.openblas.config}`);
  lines.push(`- load average (1, 5, 15 min) before: ${info.loadAverageBefore.join(", ")}${info.loadAverageAfter ? `; after: ${info.loadAverageAfter.join(", ")}` : ""}`);
  return lines.join("\n");
}

// ---------------------------------------------------------------- child-side task

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(PROJECT_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

export const machineTasks = {
  async "machine-info"(input: { tinyModel: string }): Promise<EngineProbe> {
    const { initializeBackend } = await import("../src/index.ts");
    const backend = await initializeBackend({ quiet: true });
    const tfjsBackend = `${backend.name} (${backend.package}${backend.simd === undefined ? "" : `, SIMD ${backend.simd ? "on" : "off"}`}${backend.threads === undefined ? "" : `, ${backend.threads} thread(s)`})`;
    let ortBackends: string[] = [];
    let ortVersion = packageVersion("onnxruntime-node");
    try {
      const ort = await import("onnxruntime-node");
      const versions = (ort.env as { versions?: Record<string, string> }).versions;
      if (versions?.node) ortVersion = versions.node;
      ortBackends = (ort as unknown as { listSupportedBackends?: () => { name: string }[] }).listSupportedBackends?.().map((b) => b.name) ?? [];
    } catch (error) {
      ortVersion += ` (does not load: ${describeError(error)})`;
    }
    let ortEngine: string;
    try {
      const { loadModel, engineProvider } = await import("./embedtune.ts");
      const model = await loadModel(input.tinyModel, "onnxruntime");
      ortEngine = `loads, execution provider ${engineProvider(model) ?? "?"}`;
      model.dispose();
    } catch (error) {
      ortEngine = describeError(error);
    }
    return { tfjsBackend, ortVersion, ortBackends, ortEngine, transformersJs: packageVersion("@huggingface/transformers") };
  },
};
