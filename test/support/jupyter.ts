// Running the project's notebooks headless in tests: where jupyter and chromium are, the project's tslab
// kernel registered in .jupyter/ (project only, found through JUPYTER_PATH), dist/ rebuilt so notebooks
// import the current sources, nbconvert execution and HTML export into a temporary folder, and the DOM of
// a page after headless Chromium ran its scripts (plus a screenshot).

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findJupyterPython, installKernel, PROJECT_JUPYTER_PATH } from "../../notebooks/install-kernel.ts";
import { buildDist, distIsCurrent } from "../../scripts/build-dist.ts";
import { projectRoot } from "./shared.ts";

export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}

export interface NotebookCell {
  id: string;
  cell_type: "markdown" | "code";
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: NotebookOutput[];
}

export interface Notebook {
  metadata: { kernelspec?: { name: string } };
  cells: NotebookCell[];
}

function onPath(command: string): string | undefined {
  const result = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** A node:test `skip` value: false when notebooks can run here, else why not. */
export function jupyterSkipReason(): false | string {
  if (!onPath("jupyter")) return "jupyter is not installed (.ci/run installs Debian's jupyter-nbconvert, python3-ipykernel, …)";
  if (!findJupyterPython()) return "no Python with jupyter_client";
  return false;
}

/** The headless browser: $CHROMIUM, else chromium / chromium-browser / google-chrome on PATH. */
export function chromiumBinary(): string | undefined {
  return process.env.CHROMIUM ?? ["chromium", "chromium-browser", "google-chrome"].map(onPath).find(Boolean);
}

let prepared = false;

/** Rebuilds dist/ unless it was compiled from the current sources, and registers the kernel in the project's .jupyter/ (once per test process). */
export function prepareNotebookRun(): void {
  if (prepared) return;
  if (!distIsCurrent()) buildDist();
  installKernel();
  prepared = true;
}

export function readNotebook(path: string): Notebook {
  return JSON.parse(readFileSync(path, "utf8")) as Notebook;
}

/** Executes notebooks/<name> with nbconvert into `outputDirectory`; throws with nbconvert's output when a cell fails. */
export function executeNotebook(name: string, outputDirectory: string, env: Record<string, string> = {}): { path: string; seconds: number } {
  prepareNotebookRun();
  const started = performance.now();
  const result = spawnSync(
    "jupyter",
    ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=900", join(projectRoot, "notebooks", name), "--output-dir", outputDirectory],
    { encoding: "utf8", env: { ...process.env, JUPYTER_PATH: PROJECT_JUPYTER_PATH, PYDEVD_DISABLE_FILE_VALIDATION: "1", ...env } },
  );
  if (result.status !== 0) throw new Error(`nbconvert --execute ${name} failed (status ${result.status}):\n${result.stderr.slice(-4000)}`);
  return { path: join(outputDirectory, name), seconds: (performance.now() - started) / 1000 };
}

/** nbconvert --to html of an executed notebook; returns the HTML file's path. */
export function exportHtml(notebookPath: string, outputDirectory: string): string {
  execFileSync("jupyter", ["nbconvert", "--to", "html", notebookPath, "--output-dir", outputDirectory], { stdio: "pipe" });
  return notebookPath.replace(/\.ipynb$/, ".html");
}

const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=20000"];

/** The DOM of `htmlPath` once its scripts ran, and a screenshot of its top `height` pixels at `screenshotPath`. */
export function renderInChromium(chromium: string, htmlPath: string, screenshotPath: string, height = 8000): string {
  const url = `file://${htmlPath}`;
  execFileSync(chromium, [...CHROMIUM_FLAGS, `--window-size=1200,${height}`, `--screenshot=${screenshotPath}`, url], { stdio: "pipe" });
  return execFileSync(chromium, [...CHROMIUM_FLAGS, "--dump-dom", url], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

export function sourceOf(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** The stdout text of a cell. */
export function stdoutOf(cell: NotebookCell): string {
  return (cell.outputs ?? [])
    .filter((output) => output.output_type === "stream" && output.name === "stdout")
    .map((output) => (Array.isArray(output.text) ? output.text.join("") : (output.text ?? "")))
    .join("");
}

/** Every rich output of the notebook carrying `mime`. */
export function outputsWith(notebook: Notebook, mime: string): NotebookOutput[] {
  return notebook.cells.flatMap((cell) => (cell.outputs ?? []).filter((output) => output.data !== undefined && mime in output.data));
}

/** The cell with this id (nbformat 4.5 cell ids survive execution). */
export function cellById(notebook: Notebook, id: string): NotebookCell {
  const cell = notebook.cells.find((candidate) => candidate.id === id);
  if (!cell) throw new Error(`no cell with id ${id}`);
  return cell;
}

/** The text/plain of each table a cell displayed (showTable, show), in order. */
export function tableTextsOf(cell: NotebookCell): string[] {
  return (cell.outputs ?? [])
    .filter((output) => output.data !== undefined && String(output.data["text/html"] ?? "").includes('<table class="embedtune-table">'))
    .map((output) => {
      const text = output.data!["text/plain"] as string | string[];
      return Array.isArray(text) ? text.join("") : text;
    });
}

/** The numbers of `metric`'s row in a displayed table's text (one per column: `spearman_cosine  0.3456  0.4012`). */
export function tableMetric(table: string, metric: string): number[] {
  const line = table.split("\n").find((row) => row.startsWith(`${metric} `));
  if (!line) throw new Error(`no row ${metric} in the table:\n${table}`);
  return line.slice(metric.length).trim().split(/ {2,}/).map(Number);
}

/** The score the cell "evaluate-after" prints before and after training (the tutorial notebooks' `… 0.1234 before → 0.5678 after training`). */
export function beforeAndAfter(notebook: Notebook): { before: number; after: number } {
  const text = stdoutOf(cellById(notebook, "evaluate-after"));
  const match = / (-?\d+\.\d+) before → (-?\d+\.\d+) after training$/m.exec(text);
  if (!match) throw new Error(`no "… before → … after training" line in:\n${text}`);
  return { before: Number(match[1]), after: Number(match[2]) };
}
