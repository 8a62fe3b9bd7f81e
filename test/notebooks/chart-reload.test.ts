// Charts after a reload. Through jupyter_client: a chart cell sent under a new client session id (a
// reloaded page, another front-end) carries plotly.js again, the same session does not (also when the
// library went out before the kit knew the session), except when the cell that carried it runs again
// (its new output replaces the one holding the library). In a real browser: a classic Jupyter Notebook server with the project's tslab kernel, driven by
// headless Chromium. Run All draws the charts; after a page reload (same kernel, a new client session)
// running a chart cell draws again; the saved notebook opened in a new page draws its charts without
// running anything (trusted: the server signed it on save); an untrusted copy shows the placeholder that
// says to trust it. Screenshots go to $EMBEDTUNE_SCREENSHOTS when set (not committed).

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "puppeteer-core";
import { LIBRARY_MISSING, UNTRUSTED_PLACEHOLDER } from "../../src/notebook/plotly.ts";
import { jupyterSkipReason, prepareNotebookRun } from "../support/jupyter.ts";
import { runInKernel } from "../support/kernel.ts";
import { isTrusted, launchChromium, notebookPage, notebookServerSkipReason, openNotebook, runCells, saveNotebook, startNotebookServer, type NotebookServer } from "../support/notebook-server.ts";
import { projectRoot } from "../support/shared.ts";

const skip = notebookServerSkipReason();
const screenshots = process.env.EMBEDTUNE_SCREENSHOTS;

function codeCell(id: string, source: string) {
  return { id, cell_type: "code", source, metadata: {}, outputs: [], execution_count: null };
}

const NOTEBOOK = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
  cells: [
    codeCell("import", 'import { barChart, showPlotly } from "embedtune";'),
    codeCell("chart-1", 'showPlotly(barChart(["a", "b"], [{ name: "n", values: [1, 2] }], { title: "First chart" }));'),
    codeCell("chart-2", 'showPlotly(barChart(["c", "d"], [{ name: "n", values: [3, 1] }], { title: "Second chart" }));'),
  ],
};

interface CellCharts {
  drawn: number;
  notes: string[];
}

/** Per cell: how many charts Plotly drew in its output, and the placeholder texts still showing. */
function chartsPerCell(page: Page): Promise<CellCharts[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll(".cell")].map((cell) => ({
      drawn: [...cell.querySelectorAll(".embedtune-plot.js-plotly-plot")].filter((plot) => plot.querySelector(".main-svg")).length,
      notes: [...cell.querySelectorAll(".embedtune-chart-note")].map((note) => note.textContent ?? ""),
    })),
  );
}

/** Per cell: how many of its outputs carry plotly.js (from the page's notebook model, as it would be saved). */
function librariesPerCell(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    (globalThis as unknown as { Jupyter: { notebook: { get_cells(): { output_area?: { outputs: { data?: Record<string, string> }[] } }[] } } }).Jupyter.notebook
      .get_cells()
      .map((cell) => (cell.output_area?.outputs ?? []).filter((output) => String(output.data?.["text/html"] ?? "").includes("plotly.js v")).length),
  );
}

async function waitForDrawn(page: Page, counts: number[]): Promise<CellCharts[]> {
  try {
    await page.waitForFunction(
      (expected) => [...document.querySelectorAll(".cell")].every((cell, index) => [...cell.querySelectorAll(".embedtune-plot.js-plotly-plot")].filter((plot) => plot.querySelector(".main-svg")).length === expected[index]),
      { timeout: 15_000, polling: 100 },
      counts,
    );
  } catch {
    // the assertion below shows what the cells hold
  }
  return chartsPerCell(page);
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: join(screenshots, name), fullPage: true });
}

test("through jupyter_client: the library goes with the first chart of each client session (also the one that loaded the kit) and with its carrier cell run again", { skip: jupyterSkipReason(), timeout: 300_000 }, () => {
  prepareNotebookRun();
  const cells = [
    // The kit is loaded during this cell, after its request arrived: its session is learnt when it ends.
    { code: 'import { barChart, showPlotly } from "embedtune"; const figure = barChart(["a"], [{ name: "n", values: [1] }]); showPlotly(figure);', session: "page-1" },
    { code: "showPlotly(figure);", session: "page-1" },
    { code: "showPlotly(figure); showPlotly(figure);", session: "page-1" },
    { code: "showPlotly(figure);", session: "page-2" },
    { code: "showPlotly(figure); showPlotly(figure);", session: "page-2" },
    { code: "showPlotly(figure);", session: "page-2" },
    { code: "showPlotly(figure); showPlotly(figure);", session: "page-1" },
  ];
  const results = runInKernel(cells);
  const html = (result: (typeof results)[number]) => result.outputs.filter((output) => output.type === "display_data").map((output) => String(output.data?.["text/html"] ?? ""));
  assert.deepEqual(results.map((result) => result.status), cells.map(() => "ok"), JSON.stringify(results.map((result) => result.outputs)).slice(0, 2000));
  assert.deepEqual(results.map((result) => html(result).filter((part) => part.includes("plotly.js v")).length), [1, 0, 0, 1, 0, 1, 0], "plotly.js copies per cell");
  assert.deepEqual(results.map((result) => html(result).filter((part) => part.includes('class="embedtune-plot"')).length), [1, 1, 2, 1, 2, 1, 2], "charts per cell");
});

let server: NotebookServer | undefined;
let browser: Browser | undefined;
let directory = "";

before(async () => {
  if (skip) return;
  prepareNotebookRun();
  // Inside the project, so that the kernel (started in the notebook's folder) resolves "embedtune" as the notebooks do.
  mkdirSync(join(projectRoot, "tmp"), { recursive: true });
  directory = mkdtempSync(join(projectRoot, "tmp", "chart-reload-"));
  writeFileSync(join(directory, "charts.ipynb"), JSON.stringify(NOTEBOOK, null, 1));
  server = await startNotebookServer(directory);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

test("charts draw after Run All, again after a page reload on the same kernel, from the saved notebook, and an untrusted copy says to trust it", { skip, timeout: 120_000 }, async () => {
  const page = await notebookPage(browser!);
  const firstSession = await openNotebook(page, server!, "charts.ipynb");
  await runCells(page, [0, 1, 2]);
  assert.deepEqual(await waitForDrawn(page, [0, 1, 1]), [
    { drawn: 0, notes: [] },
    { drawn: 1, notes: [] },
    { drawn: 1, notes: [] },
  ]);
  assert.deepEqual(await librariesPerCell(page), [0, 1, 0], "Run All: plotly.js once, with the first chart");
  await screenshot(page, "chart-reload-1-run-all.png");
  await runCells(page, [2]);
  assert.deepEqual(await waitForDrawn(page, [0, 1, 1]), [
    { drawn: 0, notes: [] },
    { drawn: 1, notes: [] },
    { drawn: 1, notes: [] },
  ]);
  assert.deepEqual(await librariesPerCell(page), [0, 1, 0], "a chart cell run again in the same page: no second copy");

  // Reload: the outputs are gone (not saved), the kernel keeps running, the page has a new client session.
  await page.reload({ waitUntil: "domcontentloaded" });
  const secondSession = await openNotebook(page, server!, "charts.ipynb");
  assert.notEqual(secondSession, firstSession);
  await runCells(page, [2]);
  await runCells(page, [1]);
  const afterReload = await waitForDrawn(page, [0, 1, 1]);
  assert.deepEqual(afterReload, [
    { drawn: 0, notes: [] },
    { drawn: 1, notes: [] },
    { drawn: 1, notes: [] },
  ], `after the reload: ${JSON.stringify(afterReload)}`);
  assert.deepEqual(await librariesPerCell(page), [0, 0, 1], "the reloaded page's first chart cell carries plotly.js");
  await screenshot(page, "chart-reload-2-after-reload.png");

  // Saved (and so signed) and opened in a new page: the saved outputs draw without running a cell, although
  // the first chart's output comes before the cell that carries plotly.js.
  await saveNotebook(page);
  const reopened = await notebookPage(browser!);
  await openNotebook(reopened, server!, "charts.ipynb");
  assert.equal(await isTrusted(reopened), true);
  assert.deepEqual(await waitForDrawn(reopened, [0, 1, 1]), [
    { drawn: 0, notes: [] },
    { drawn: 1, notes: [] },
    { drawn: 1, notes: [] },
  ]);
  await screenshot(reopened, "chart-reload-3-saved-reopened.png");

  // An edited copy is not signed: its scripts do not run, each chart shows the placeholder.
  const saved = JSON.parse(readFileSync(join(directory, "charts.ipynb"), "utf8")) as typeof NOTEBOOK;
  saved.cells.unshift({ id: "note", cell_type: "markdown", source: "A copy edited elsewhere.", metadata: {} } as never);
  writeFileSync(join(directory, "untrusted.ipynb"), JSON.stringify(saved, null, 1));
  const untrusted = await notebookPage(browser!);
  await openNotebook(untrusted, server!, "untrusted.ipynb");
  assert.equal(await isTrusted(untrusted), false);
  const placeholders = await chartsPerCell(untrusted);
  assert.deepEqual(placeholders.map((cell) => cell.drawn), [0, 0, 0, 0]);
  assert.deepEqual(placeholders.map((cell) => cell.notes), [[], [], [UNTRUSTED_PLACEHOLDER], [UNTRUSTED_PLACEHOLDER]]);
  const visible = await untrusted.evaluate(() => (document.querySelector(".embedtune-chart-note") as HTMLElement).innerText);
  assert.match(visible, /File → Trust Notebook/);
  assert.ok(!(await untrusted.evaluate(() => document.body.innerText)).includes(LIBRARY_MISSING));
  await screenshot(untrusted, "chart-reload-4-untrusted.png");
});
