// A real tslab kernel for the tests, through jupyter_client (kernel_driver.py): cells run in order in one
// kernel started in notebooks/ (as Jupyter starts it for the project's notebooks), each optionally
// interrupted (SIGINT, as the stop button) when its output matches a pattern or after some seconds, and
// optionally sent under another client session (a reloaded page). Needs prepareNotebookRun() first.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { findJupyterPython, PROJECT_JUPYTER_PATH } from "../../notebooks/install-kernel.ts";
import { projectRoot } from "./shared.ts";

export interface KernelCell {
  code: string;
  /** Seconds before the driver gives up on the cell (default 300). */
  timeout?: number;
  /** Interrupt the kernel when the cell's output so far (stream text, text/plain) matches this regular expression. */
  interruptOn?: string;
  /** Interrupt the kernel this many seconds after the cell started. */
  interruptAfter?: number;
  /** Keep reading outputs for this many seconds after the cell ended (they land in `late`). */
  linger?: number;
  /** Send this cell under this client session id (a new page on the same kernel). */
  session?: string;
}

export interface KernelOutput {
  type: "stream" | "display_data" | "update_display_data" | "execute_result" | "error";
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  transient?: { display_id?: string };
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface KernelCellResult {
  status: "ok" | "error" | "aborted";
  ename?: string;
  evalue?: string;
  outputs: KernelOutput[];
  late: KernelOutput[];
  /** Seconds after the cell's start when the interrupt was sent, or null. */
  interrupted_at: number | null;
  seconds: number;
}

/** Runs `cells` in one fresh tslab kernel; throws with the driver's output when it fails. */
export function runInKernel(cells: KernelCell[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): KernelCellResult[] {
  const spec = {
    kernel: "tslab",
    cwd: join(projectRoot, "notebooks"),
    cells: cells.map(({ interruptOn, interruptAfter, ...cell }) => ({ ...cell, interrupt_on: interruptOn, interrupt_after: interruptAfter })),
  };
  const result = spawnSync(findJupyterPython()!, [join(projectRoot, "test", "support", "kernel_driver.py")], {
    input: JSON.stringify(spec),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeoutMs ?? 600_000,
    env: { ...process.env, JUPYTER_PATH: PROJECT_JUPYTER_PATH, ...options.env },
  });
  if (result.status !== 0) throw new Error(`kernel driver failed (${result.status ?? result.signal}): ${result.stderr}\n${result.stdout.slice(0, 4000)}`);
  return (JSON.parse(result.stdout) as { cells: KernelCellResult[] }).cells;
}

/** Everything the cell printed or displayed as text, in order (stream text, text/plain, error lines). */
export function cellText(cell: Pick<KernelCellResult, "outputs">, stream?: "stdout" | "stderr"): string {
  return cell.outputs
    .filter((output) => (stream ? output.type === "stream" && output.name === stream : true))
    .map((output) => output.text ?? (output.data?.["text/plain"] as string | undefined) ?? (output.ename ? `${output.ename}: ${output.evalue}` : ""))
    .join("");
}
