// A real classic Jupyter Notebook server (Debian's jupyter-notebook) with the project's tslab kernel, and
// headless Chromium driving it through puppeteer-core: open a notebook page, run cells through the page's
// Jupyter JS API and wait for them, reload. The server gets its own config, data (trust database) and
// runtime folders, so it neither reads nor writes the user's. Needs prepareNotebookRun() first.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { PROJECT_JUPYTER_PATH } from "../../notebooks/install-kernel.ts";
import { chromiumBinary, jupyterSkipReason } from "./jupyter.ts";
import { temporaryDirectory } from "./temp.ts";

/** A node:test `skip` value: false when a notebook server and headless Chromium can run here, else why not. */
export function notebookServerSkipReason(): false | string {
  const jupyter = jupyterSkipReason();
  if (jupyter) return jupyter;
  if (spawnSync("jupyter", ["notebook", "--version"], { stdio: "ignore" }).status !== 0) {
    return "the classic Jupyter Notebook server is not installed (.ci/run installs Debian's jupyter-notebook)";
  }
  if (!chromiumBinary()) return "no chromium for the browser test (.ci/run installs Debian's chromium; or set CHROMIUM)";
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface NotebookServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts `jupyter notebook` on a free port serving `directory`, without token or password; resolves once it answers. */
export async function startNotebookServer(directory: string, timeoutMs = 30_000): Promise<NotebookServer> {
  const port = await freePort();
  const home = temporaryDirectory("embedtune-notebook-server-");
  const options = ["--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", "--NotebookApp.token=", "--NotebookApp.password=", `--notebook-dir=${directory}`];
  // CI containers run as root, which the server refuses without --allow-root.
  if (process.getuid?.() === 0) options.push("--allow-root");
  const server: ChildProcess = spawn(
    "jupyter",
    ["notebook", ...options],
    {
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        JUPYTER_PATH: PROJECT_JUPYTER_PATH,
        JUPYTER_CONFIG_DIR: join(home, "config"),
        JUPYTER_DATA_DIR: join(home, "data"),
        JUPYTER_RUNTIME_DIR: join(home, "runtime"),
      },
    },
  );
  let log = "";
  server.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
    server.kill("SIGTERM"); // the server shuts its kernels down
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`jupyter notebook exited (${server.exitCode}):\n${log.slice(-3000)}`);
    try {
      if ((await fetch(`${url}/api`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`jupyter notebook did not answer within ${timeoutMs / 1000} s:\n${log.slice(-3000)}`);
}

/** Headless Chromium through puppeteer-core (no browser download: the system's chromium). */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: chromiumBinary()!, headless: true, args: ["--no-sandbox", "--disable-gpu"], defaultViewport: { width: 1200, height: 900 } });
}

/** A browser tab for notebooks that leaves pages as a person does: it confirms "leave with unsaved changes?". */
export async function notebookPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  page.on("dialog", (dialog) => void dialog.accept());
  return page;
}

/** The page's Jupyter object (classic Notebook's global), for page.evaluate callbacks. */
interface ClassicJupyter {
  notebook: {
    _fully_loaded: boolean;
    trusted: boolean;
    kernel: { is_connected(): boolean; session_id: string } | null;
    get_cells(): { cell_type: string; input_prompt_number?: number | string | null; element: HTMLElement[] }[];
    execute_cells(indices: number[]): void;
    save_notebook(): Promise<unknown>;
  };
}
declare const Jupyter: ClassicJupyter;

/** Waits until the notebook page is loaded and its kernel connected; returns the page's client session id. */
export async function waitForNotebook(page: Page, timeoutMs = 30_000): Promise<string> {
  await page.waitForFunction(() => typeof Jupyter !== "undefined" && Jupyter.notebook?._fully_loaded && Jupyter.notebook.kernel?.is_connected() === true, { timeout: timeoutMs, polling: 100 });
  return page.evaluate(() => Jupyter.notebook.kernel!.session_id);
}

/** Opens `name` (a path under the server's folder) in `page` and waits for its kernel; returns the page's client session id. */
export async function openNotebook(page: Page, server: NotebookServer, name: string): Promise<string> {
  await page.goto(`${server.url}/notebooks/${encodeURIComponent(name)}`, { waitUntil: "domcontentloaded" });
  return waitForNotebook(page);
}

/** Runs the code cells at `indices` (Jupyter.notebook.execute_cells, as Shift-Enter on each) and waits until all have finished; throws with their outputs when one failed or they did not finish. */
export async function runCells(page: Page, indices: number[], timeoutMs = 60_000): Promise<void> {
  await page.evaluate((cells) => Jupyter.notebook.execute_cells(cells), indices);
  const outcome = await page
    .waitForFunction(
      (cells) => {
        // A running or queued cell's prompt is "*"; a cell aborted after an error gets no number.
        const prompts = cells.map((index) => Jupyter.notebook.get_cells()[index].input_prompt_number);
        if (prompts.includes("*")) return false;
        return prompts.every((prompt) => typeof prompt === "number") ? "finished" : "failed";
      },
      { timeout: timeoutMs, polling: 100 },
      indices,
    )
    .then((handle): Promise<string | false> => handle.jsonValue(), () => "timed out");
  const errors = await page.evaluate((cells) => cells.filter((index) => Jupyter.notebook.get_cells()[index].element[0].querySelector(".output_error")).length, indices);
  if (outcome === "finished" && errors === 0) return;
  const outputs = await page.evaluate((cells) => cells.map((index) => (Jupyter.notebook.get_cells()[index].element[0].querySelector(".output") as HTMLElement | null)?.innerText.slice(0, 2000) ?? ""), indices);
  throw new Error(`cells ${indices.join(", ")} ${errors > 0 ? "failed" : outcome} in the notebook page; their outputs:\n${outputs.join("\n---\n")}`);
}

/** Saves the notebook (classic Notebook signs it as trusted in the server's data folder). */
export async function saveNotebook(page: Page): Promise<void> {
  await page.evaluate(() => Jupyter.notebook.save_notebook());
}

export async function isTrusted(page: Page): Promise<boolean> {
  return page.evaluate(() => Jupyter.notebook.trusted);
}
