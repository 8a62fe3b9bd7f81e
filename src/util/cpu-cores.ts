// How many threads a compute pool should use: one per physical core this process may run on.
//   logical CPUs = os.availableParallelism() (the process's CPU affinity)
//   ÷ hardware threads per core (/proc/cpuinfo "siblings" / "cpu cores": 2 with SMT / Hyper-Threading;
//     two threads on one core share its vector units, so the second adds little to a GEMM and costs sync)
//   capped by the cgroup's CPU quota (/sys/fs/cgroup/cpu.max "quota period": a container given 2 CPUs of 64)
// and at least 1. Elsewhere than Linux: the logical CPUs.

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Hardware threads per physical core, from /proc/cpuinfo's first processor block (1 when unknown). */
export function threadsPerCore(cpuinfo: string | undefined): number {
  const siblings = Number(/^siblings\s*:\s*(\d+)/m.exec(cpuinfo ?? "")?.[1]);
  const cores = Number(/^cpu cores\s*:\s*(\d+)/m.exec(cpuinfo ?? "")?.[1]);
  return siblings > 0 && cores > 0 && siblings >= cores ? Math.round(siblings / cores) : 1;
}

/** CPUs a cgroup v2 quota allows ("200000 100000" → 2), or undefined when unlimited or unknown. */
export function cgroupCpuLimit(cpuMax: string | undefined): number | undefined {
  const [quota, period] = (cpuMax ?? "").trim().split(/\s+/);
  if (quota === undefined || quota === "max" || quota === "") return undefined;
  const cpus = Number(quota) / Number(period);
  return Number.isFinite(cpus) && cpus > 0 ? Math.ceil(cpus) : undefined;
}

/** Threads for a compute pool: the physical cores available to this process (see the header). */
export function computeThreads(): number {
  const physical = Math.ceil(availableParallelism() / threadsPerCore(readText("/proc/cpuinfo")));
  return Math.max(1, Math.min(physical, cgroupCpuLimit(readText("/sys/fs/cgroup/cpu.max")) ?? physical));
}
