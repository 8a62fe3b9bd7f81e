// Where a training step's time goes: `npm run profile [-- --model bge-small|tiny|e5-small|modernbert-512]
// [--steps N] [--warmup N] [--out FILE]`. Trains the benchmark's model (bench/train-step.ts' 16 STS-B pairs,
// CoSENT + AdamW, dropout on; modernbert-512: family-step's 2 pairs at 512 tokens) on the onnxruntime engine
// in this process and, over the timed steps after the warm-ups, reports:
//   - the step's phases (src/util/phases.ts: tokenisation, dropout masks, feeds, each onnxruntime run, the
//     pooling and loss in tfjs, gradients from the graph's outputs, clipping, AdamW, events), ms per step;
//   - per graph, onnxruntime's own profiler (enableProfiling): kernel time per op type, and the run's time
//     inside onnxruntime against the time the call took from JS (the difference: feeds in, outputs copied out);
//   - CPU time per thread (/proc/self/task/*/stat) against the wall time: how busy each core was.
// Prints Markdown; --out writes the same as JSON.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { endSessionProfiles, profileSessionsInto } from "../src/engines/onnxruntime/session.ts";
import { startPhaseTiming, stopPhaseTiming, type PhaseTotal } from "../src/util/phases.ts";
import { loadModel, pairDataset, trainModel } from "./embedtune.ts";
import { ensureFamilyModel } from "./family-fixtures.ts";
import { subjectPairs } from "./family-step.ts";
import { ensureModel, samplePairs, type PairRow } from "./fixtures.ts";

const MODELS = ["bge-small", "tiny", "e5-small", "modernbert-512"] as const;
type ProfiledModel = (typeof MODELS)[number];

interface ThreadTimes {
  name: string;
  cpuSeconds: number;
}

/** CPU seconds (user + system) of every thread of this process, by thread id. */
function threadTimes(): Map<number, ThreadTimes> {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const times = new Map<number, ThreadTimes>();
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return times; // not Linux
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      times.set(Number(tid), { name, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond });
    } catch {
      // the thread ended meanwhile
    }
  }
  return times;
}

interface OpTotals {
  graph: string;
  runs: number;
  /** Mean time of one run inside onnxruntime (its model_run event), ms. */
  runMilliseconds: number;
  /** Kernel time per op type over the counted runs, ms per run. */
  ops: { op: string; nodes: number; milliseconds: number }[];
}

interface TraceEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}

/** Per-op kernel totals of the last `keepRuns` runs in onnxruntime's profile file(s) starting with `prefix`. */
function opTotals(graph: string, prefix: string, keepRuns: (runs: number) => number): OpTotals {
  const directory = prefix.slice(0, prefix.lastIndexOf("/"));
  const base = prefix.slice(prefix.lastIndexOf("/") + 1);
  const events: TraceEvent[] = readdirSync(directory)
    .filter((file) => file.startsWith(`${base}_`) && file.endsWith(".json"))
    .flatMap((file) => JSON.parse(readFileSync(join(directory, file), "utf8")) as TraceEvent[]);
  const runs = events.filter((event) => event.cat === "Session" && event.name === "model_run").sort((a, b) => a.ts - b.ts);
  const kept = runs.slice(runs.length - keepRuns(runs.length));
  const inKeptRun = (event: TraceEvent) => kept.some((run) => event.ts >= run.ts && event.ts <= run.ts + run.dur);
  const byOp = new Map<string, { nodes: Set<string>; microseconds: number }>();
  for (const event of events) {
    if (event.cat !== "Node" || !event.name.endsWith("_kernel_time") || !inKeptRun(event)) continue;
    const op = event.args?.op_name ?? "?";
    const total = byOp.get(op) ?? { nodes: new Set(), microseconds: 0 };
    total.nodes.add(event.name);
    total.microseconds += event.dur;
    byOp.set(op, total);
  }
  const perRun = Math.max(kept.length, 1);
  return {
    graph,
    runs: kept.length,
    runMilliseconds: kept.reduce((sum, run) => sum + run.dur, 0) / 1000 / perRun,
    ops: [...byOp.entries()]
      .map(([op, { nodes, microseconds }]) => ({ op, nodes: nodes.size, milliseconds: microseconds / 1000 / perRun }))
      .sort((a, b) => b.milliseconds - a.milliseconds),
  };
}

async function modelAndPairs(name: ProfiledModel): Promise<{ directory: string; pairs: PairRow[]; seqLength?: number }> {
  if (name === "bge-small" || name === "tiny") return { directory: await ensureModel(name), pairs: await samplePairs(16) };
  if (name === "e5-small") return { directory: await ensureFamilyModel("e5-small"), pairs: await samplePairs(16) };
  return { directory: await ensureFamilyModel("modernbert-base"), pairs: await subjectPairs({ pairs: 2, seqLength: 512 }), seqLength: 512 };
}

const ms = (value: number) => value.toFixed(1);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: "string", default: "bge-small" }, steps: { type: "string", default: "5" }, warmup: { type: "string", default: "2" }, out: { type: "string" } },
  });
  const name = values.model as ProfiledModel;
  if (!MODELS.includes(name)) throw new Error(`--model must be one of ${MODELS.join(", ")}, got ${values.model}`);
  const steps = Number(values.steps);
  const warmup = Number(values.warmup);
  if (!(Number.isInteger(steps) && steps > 0 && Number.isInteger(warmup) && warmup >= 0)) throw new Error("--steps and --warmup must be whole numbers (steps > 0)");

  const { directory, pairs, seqLength } = await modelAndPairs(name);
  const profileDirectory = mkdtempSync(join(tmpdir(), "embedtune-profile-"));
  profileSessionsInto(profileDirectory);
  const model = await loadModel(directory, "onnxruntime");
  if (seqLength !== undefined) model.maxSeqLength = seqLength;
  const paddedLengths = [model.tokenize(pairs.map((p) => p.sentence1)).seqLength, model.tokenize(pairs.map((p) => p.sentence2)).seqLength];

  // Garbage collections during the timed steps (V8 also collects when onnxruntime's output buffers pile up).
  const collections = { count: 0, milliseconds: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    if (startedAt === 0 || wallSeconds > 0) return;
    for (const entry of list.getEntries()) {
      collections.count += 1;
      collections.milliseconds += entry.duration;
    }
  });
  gcObserver.observe({ entryTypes: ["gc"] });
  let startedAt = 0;
  let threadsBefore = new Map<number, ThreadTimes>();
  let threadsAfter = new Map<number, ThreadTimes>();
  let phases = new Map<string, PhaseTotal>();
  let wallSeconds = 0;
  let stepCount = 0;
  const startTiming = () => {
    startPhaseTiming();
    threadsBefore = threadTimes();
    startedAt = performance.now();
  };
  if (warmup === 0) startTiming();
  const run = await trainModel(model, pairDataset(pairs), {
    batchSize: pairs.length,
    maxSteps: warmup + steps,
    onStep: (event) => {
      stepCount = event.step;
      if (event.step === warmup) startTiming();
      if (event.step === warmup + steps) {
        wallSeconds = (performance.now() - startedAt) / 1000;
        phases = stopPhaseTiming();
        threadsAfter = threadTimes();
      }
    },
  });
  gcObserver.disconnect();
  profileSessionsInto(undefined);
  const graphs = endSessionProfiles().map(({ name: graph, prefix }) =>
    // Every session runs the same number of times per step (none during the optimizer update).
    opTotals(graph, prefix, (runs) => (runs * steps) / stepCount),
  );
  model.dispose();
  rmSync(profileDirectory, { recursive: true, force: true });

  const threads = [...threadsAfter.entries()]
    .map(([tid, after]) => ({ tid, name: after.name, main: tid === process.pid, cpuSeconds: after.cpuSeconds - (threadsBefore.get(tid)?.cpuSeconds ?? 0) }))
    .filter((thread) => thread.cpuSeconds > 0)
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  const stepMs = (wallSeconds * 1000) / steps;
  const report = {
    model: name,
    directory,
    pairs: pairs.length,
    paddedLengths,
    warmup,
    steps,
    stepMilliseconds: stepMs,
    stepSeconds: run.stepSeconds,
    garbageCollections: { perStep: collections.count / steps, millisecondsPerStep: collections.milliseconds / steps },
    phases: [...phases.entries()].map(([path, total]) => ({ path, callsPerStep: total.calls / steps, millisecondsPerStep: total.milliseconds / steps })),
    graphs,
    threads: threads.map((thread) => ({ ...thread, busy: thread.cpuSeconds / wallSeconds })),
  };

  const lines: string[] = [];
  lines.push(`## Training step profile: ${name}, ${pairs.length} pairs (padded ${paddedLengths.join("/")} tokens), onnxruntime engine, ${steps} steps after ${warmup} warm-up`);
  lines.push(
    "",
    `Wall time per step: **${ms(stepMs)} ms** (steps: ${run.stepSeconds.slice(warmup).map((s) => s.toFixed(2)).join(", ")} s); ` +
      `garbage collection ${ms(report.garbageCollections.millisecondsPerStep)} ms/step (${report.garbageCollections.perStep.toFixed(1)} collections, inside the phases below)`,
    "",
  );
  lines.push("| phase | calls/step | ms/step | % of step |", "|---|---|---|---|");
  for (const { path, callsPerStep, millisecondsPerStep } of report.phases) {
    const depth = path.split("/").length - 1;
    lines.push(`| ${"&nbsp;&nbsp;".repeat(depth)}${path.split("/").at(-1)} | ${callsPerStep.toFixed(0)} | ${ms(millisecondsPerStep)} | ${((100 * millisecondsPerStep) / stepMs).toFixed(1)} |`);
  }
  for (const graph of graphs.filter((g) => g.runs > 0)) {
    const runsPerStep = graph.runs / steps;
    const called = report.phases.find((p) => p.path.endsWith("onnxruntime run") && p.path.includes(graph.graph.includes("backward") ? "backward" : "forward"));
    lines.push("", `### ${graph.graph}: ${runsPerStep} run(s)/step, ${ms(graph.runMilliseconds)} ms per run inside onnxruntime` + (called ? ` (${ms(called.millisecondsPerStep / called.callsPerStep)} ms per call from JS)` : ""), "");
    lines.push("| op type | nodes | ms/run | % |", "|---|---|---|---|");
    const kernels = graph.ops.reduce((sum, op) => sum + op.milliseconds, 0);
    for (const op of graph.ops.filter((o) => o.milliseconds >= kernels * 0.005)) lines.push(`| ${op.op} | ${op.nodes} | ${ms(op.milliseconds)} | ${((100 * op.milliseconds) / kernels).toFixed(1)} |`);
    lines.push(`| (all kernels) | ${graph.ops.reduce((sum, op) => sum + op.nodes, 0)} | ${ms(kernels)} | 100 |`);
  }
  lines.push("", `### Threads over the timed steps (${wallSeconds.toFixed(2)} s wall)`, "", "| thread | CPU s | busy |", "|---|---|---|");
  const grouped = new Map<string, { count: number; cpuSeconds: number }>();
  for (const thread of threads) {
    const key = thread.main ? "main (JS, and onnxruntime's calling thread)" : thread.name;
    const group = grouped.get(key) ?? { count: 0, cpuSeconds: 0 };
    group.count += 1;
    group.cpuSeconds += thread.cpuSeconds;
    grouped.set(key, group);
  }
  for (const [key, { count, cpuSeconds }] of grouped) lines.push(`| ${key}${count > 1 ? ` ×${count}` : ""} | ${cpuSeconds.toFixed(2)} | ${((100 * cpuSeconds) / wallSeconds).toFixed(0)} % |`);
  const total = threads.reduce((sum, thread) => sum + thread.cpuSeconds, 0);
  lines.push(`| all | ${total.toFixed(2)} | ${((100 * total) / wallSeconds).toFixed(0)} % (${(total / wallSeconds).toFixed(2)} cores) |`);
  console.log(lines.join("\n"));
  if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 1));
  process.exit(0); // onnxruntime's thread pool would keep the process alive
}

await main();
