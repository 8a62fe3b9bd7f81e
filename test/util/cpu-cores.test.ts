// Threads per core from /proc/cpuinfo and the cgroup v2 CPU quota, on texts from real machines.

import assert from "node:assert/strict";
import { test } from "node:test";
import { cgroupCpuLimit, computeThreads, threadsPerCore } from "../../src/util/cpu-cores.ts";

const block = (siblings: number, cores: number) => `processor\t: 0\nvendor_id\t: GenuineIntel\nphysical id\t: 0\nsiblings\t: ${siblings}\ncore id\t\t: 0\ncpu cores\t: ${cores}\nflags\t\t: fpu avx2\n`;

test("threadsPerCore: 2 with SMT (Hyper-Threading), 1 without, 1 when /proc/cpuinfo does not say", () => {
  assert.equal(threadsPerCore(block(16, 8)), 2); // an 8-core laptop with Hyper-Threading
  assert.equal(threadsPerCore(block(2, 2)), 1); // a 2-vCPU cloud VM exposing cores only
  assert.equal(threadsPerCore(block(4, 4) + "\n" + block(4, 4)), 1);
  assert.equal(threadsPerCore("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n"), 1); // ARM: no siblings line
  assert.equal(threadsPerCore(undefined), 1);
});

test("cgroupCpuLimit reads cpu.max: quota / period rounded up, none for max or a missing file", () => {
  assert.equal(cgroupCpuLimit("200000 100000\n"), 2);
  assert.equal(cgroupCpuLimit("150000 100000\n"), 2);
  assert.equal(cgroupCpuLimit("50000 100000\n"), 1);
  assert.equal(cgroupCpuLimit("max 100000\n"), undefined);
  assert.equal(cgroupCpuLimit(undefined), undefined);
});

test("computeThreads is a whole number between 1 and the logical CPUs", async () => {
  const { availableParallelism } = await import("node:os");
  const threads = computeThreads();
  assert.ok(Number.isInteger(threads) && threads >= 1 && threads <= availableParallelism(), `${threads}`);
});
