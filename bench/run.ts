// embedtune's benchmarks: `npm run bench [-- --quick] [-- --only NAME[,NAME]]`.
// Prints the machine first, then one Markdown table of every figure next to its reference measured in
// this same invocation (raw numbers and their ratio), and writes bench/results.json. Progress goes to
// stderr. Every measurement runs in its own child process, one after another. See bench/README.md.

import { join } from "node:path";
import { cachedMnrlMemory } from "./cached-mnrl-memory.ts";
import { BENCH_DIR, describeError, loadAverage, log, SCRATCH_DIR, type Benchmark, type BenchmarkResult } from "./common.ts";
import { encodeThroughput } from "./encode.ts";
import { familySteps } from "./family-step.ts";
import { irEval } from "./ir-eval.ts";
import { collectMachineInfo, renderMachine } from "./machine.ts";
import { memorySteps } from "./memory.ts";
import { parquetFirstStep } from "./parquet-1m.ts";
import { renderTable, writeResults } from "./report.ts";
import { replStart } from "./repl-start.ts";
import { tinyEpoch } from "./tiny-epoch.ts";
import { setTorchThreads } from "./torch.ts";
import { trainStep } from "./train-step.ts";

const BENCHMARKS: Benchmark[] = [trainStep, tinyEpoch, encodeThroughput, parquetFirstStep, memorySteps, replStart, irEval, cachedMnrlMemory, ...familySteps];

const USAGE = `usage: npm run bench -- [--quick] [--only NAME[,NAME…]] [--rounds N] [--torch-threads N] [--out FILE]
  --quick          fewer steps and batches, 2 rounds; skips the tfjs bge-small training step
  --rounds         rounds of the interleaved comparisons in train-step and encode (default 3; best round reported)
  --only           run only these benchmarks (name, group such as family-step, or number): ${BENCHMARKS.map((b, i) => `${i + 1}=${b.name}`).join(", ")}
  --torch-threads  torch.set_num_threads for the PyTorch reference (default 2, as its bench.py)
  --out            where to write the JSON results (default bench/results.json)`;

function parseArgs(argv: string[]): { quick: boolean; rounds: number; only?: string[]; out: string; torchThreads: number } {
  let quick = false;
  let rounds: number | undefined;
  let torchThreads = 2;
  let only: string[] | undefined;
  let out = join(BENCH_DIR, "results.json");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--quick") quick = true;
    else if (arg === "--only" || arg.startsWith("--only=")) only = [...(only ?? []), ...value().split(",").filter(Boolean)];
    else if (arg === "--out" || arg.startsWith("--out=")) out = value();
    else if (arg === "--rounds" || arg.startsWith("--rounds=")) {
      rounds = Number(value());
      if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${rounds}\n${USAGE}`);
    }
    else if (arg === "--torch-threads" || arg.startsWith("--torch-threads=")) torchThreads = Number(value());
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return { quick, rounds: rounds ?? (quick ? 2 : 3), only, out, torchThreads };
}

function select(only: string[] | undefined): Benchmark[] {
  if (!only) return BENCHMARKS;
  // A name before "/" (family-step) selects every benchmark of that group.
  return only.flatMap((key) => {
    const found = BENCHMARKS.filter((b, i) => b.name === key || b.name.startsWith(`${key}/`) || String(i + 1) === key);
    if (found.length === 0) throw new Error(`--only ${key}: no such benchmark (${BENCHMARKS.map((b) => b.name).join(", ")})`);
    return found;
  });
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseArgs>;
  let selected: Benchmark[];
  try {
    options = parseArgs(process.argv.slice(2));
    selected = select(options.only);
    setTorchThreads(options.torchThreads);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const started = new Date();
  log(`scratch folder (models, 1M-row parquet, PyTorch reference copy): ${SCRATCH_DIR}`);
  const machine = await collectMachineInfo();
  console.log(`# embedtune benchmarks — ${started.toISOString().replace(/\.\d+Z$/, "Z")}${options.quick ? " (--quick)" : ""}\n`);
  console.log("## Machine\n");
  console.log(renderMachine(machine));
  console.log("");

  const results: BenchmarkResult[] = [];
  for (const benchmark of selected) {
    log(`=== ${benchmark.name}: ${benchmark.title}`);
    const loadAverageBefore = loadAverage();
    const t0 = performance.now();
    let outcome: Omit<BenchmarkResult, "name" | "title" | "seconds" | "loadAverageBefore" | "loadAverageAfter">;
    try {
      outcome = await benchmark.run({ quick: options.quick, rounds: options.rounds });
    } catch (error) {
      outcome = {
        rows: [{ benchmark: benchmark.name, subject: "—", metric: "—", unit: "", value: null, missing: describeError(error), better: "equal" }],
        details: { error: describeError(error) },
      };
    }
    const seconds = (performance.now() - t0) / 1000;
    log(`=== ${benchmark.name} took ${seconds.toFixed(0)} s`);
    results.push({ name: benchmark.name, title: benchmark.title, ...outcome, seconds, loadAverageBefore, loadAverageAfter: loadAverage() });
  }

  machine.loadAverageAfter = loadAverage();
  console.log("## Results\n");
  console.log(renderTable(results));
  console.log("");
  console.log(
    `Load average (1, 5, 15 min) before: ${machine.loadAverageBefore.join(", ")}; after: ${machine.loadAverageAfter.join(", ")}. ` +
      `Per benchmark (1-min, before → after): ${results.map((r) => `${r.name} ${r.loadAverageBefore[0]} → ${r.loadAverageAfter[0]} (${r.seconds.toFixed(0)} s)`).join("; ")}.`,
  );
  console.log("Ratios compare figures measured in this run; on a shared machine, read them rather than the absolute numbers.");
  writeResults(options.out, { machine, flags: { quick: options.quick, rounds: options.rounds, only: options.only ?? null, torchThreads: options.torchThreads }, started: started.toISOString(), finished: new Date().toISOString(), results });
  log(`results written to ${options.out}`);
}

await main();
