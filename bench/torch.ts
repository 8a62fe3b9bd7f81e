// The PyTorch reference, run beside every embedtune figure in the same invocation: Debian's torch
// (/usr/bin/python3) with Debian's OpenBLAS selected per command through LD_LIBRARY_PATH, as
// ../shared/reference/torch/README.md prescribes, 2 threads. The reference folder is copied into the
// scratch folder at run time (it may be read-only, and it must never be copied into the project);
// OpenBLAS is unpacked there once by the reference's own get_openblas.sh. Where torch is missing the
// reference figures are "n/a" with the command that installs it.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR, log, runJsonChild, scratchDir, TORCH_REFERENCE_DIR, Unavailable } from "./common.ts";

export const PYTHON = process.env.EMBEDTUNE_PYTHON ?? "/usr/bin/python3";
export const INSTALL_HINT = "apt-get install -y python3-torch";

/** torch.set_num_threads for every reference run: 2 as the reference's bench.py, or --torch-threads. */
let torchThreads = 2;

export function setTorchThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`--torch-threads must be a positive integer, got ${threads}`);
  torchThreads = threads;
}

/** How the reference appears in the results table (versions and the loaded BLAS are in the machine section). */
export function torchLabel(): string {
  return `PyTorch (OpenBLAS, ${torchThreads} thr)`;
}

export interface TorchInfo {
  torch: string;
  python: string;
  threads: number;
  /** The ATen kernel level torch dispatches to ("AVX2", "AVX512"), null where torch does not say. */
  cpu_capability: string | null;
  blas: string[];
  /** The kernel set OpenBLAS's DYNAMIC_ARCH picked for this CPU and its build line; null without OpenBLAS. */
  openblas: { corename: string; config: string } | null;
}

interface Prepared {
  folder: string;
  openblas: string;
}

let prepared: Promise<Prepared> | undefined;

/** Checks for torch, copies the reference and fetches OpenBLAS once per run; Unavailable says what is missing. */
export function prepareTorch(): Promise<Prepared> {
  prepared ??= (async () => {
    if (!existsSync(PYTHON)) throw new Unavailable(`n/a (no ${PYTHON}; install PyTorch: ${INSTALL_HINT})`);
    const probe = spawnSync(PYTHON, ["-c", "import torch, numpy"], { encoding: "utf8" });
    if (probe.status !== 0) throw new Unavailable(`n/a (PyTorch not installed for ${PYTHON}; install it: ${INSTALL_HINT})`);
    if (!existsSync(join(TORCH_REFERENCE_DIR, "bert_ref.py"))) throw new Unavailable(`n/a (no PyTorch reference at ${TORCH_REFERENCE_DIR})`);
    const folder = scratchDir("torch-reference");
    cpSync(TORCH_REFERENCE_DIR, folder, { recursive: true, filter: (source) => !source.includes("openblas-openmp") });
    const openblas = join(folder, "openblas-openmp");
    const hasOpenblas = () => existsSync(openblas) && readdirSync(openblas).some((name) => name.startsWith("libblas.so"));
    if (!hasOpenblas()) {
      log("fetching Debian's OpenBLAS for the PyTorch reference (get_openblas.sh, once) …");
      const fetched = spawnSync("sh", [join(folder, "get_openblas.sh")], { cwd: folder, encoding: "utf8" });
      if (fetched.status !== 0 || !hasOpenblas()) {
        const why = `${fetched.stderr ?? ""}${fetched.stdout ?? ""}`.trim().split("\n").at(-1) ?? "";
        throw new Unavailable(`n/a (OpenBLAS for the PyTorch reference could not be unpacked: ${why.slice(0, 120)}; run ${join(folder, "get_openblas.sh")})`);
      }
    }
    return { folder, openblas };
  })();
  return prepared;
}

/** Runs one task of bench/torch_ref.py with the reference's thread count. */
export async function runTorch<T>(task: string, input: Record<string, unknown>, options: { label: string; timeoutSeconds: number }): Promise<T> {
  const { folder, openblas } = await prepareTorch();
  return runJsonChild(PYTHON, [join(BENCH_DIR, "torch_ref.py"), task], { threads: torchThreads, ...input }, {
    ...options,
    env: { LD_LIBRARY_PATH: [openblas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"), EMBEDTUNE_TORCH_REF: folder },
  }) as Promise<T>;
}

export function torchInfo(): Promise<TorchInfo> {
  return runTorch<TorchInfo>("info", {}, { label: "PyTorch info", timeoutSeconds: 120 });
}

export function describeTorch(info: TorchInfo | undefined): string {
  if (!info) return "PyTorch";
  const blas = info.openblas ? `OpenBLAS (core ${info.openblas.corename})` : info.blas.some((lib) => lib.includes("openblas")) ? "OpenBLAS" : "reference BLAS";
  return `PyTorch ${info.torch} + ${blas}, ${info.threads} thr`;
}
