// Plotly in notebooks. Each chart is a bundle of a <div> + Plotly.newPlot script (JupyterLab, classic
// Notebook, nbconvert HTML), the application/vnd.plotly.v1+json spec (VS Code and front-ends with a plotly
// renderer) and a text line. The <div> holds a placeholder saying to trust the notebook, which is what
// shows where scripts do not run (an untrusted notebook); the script replaces it with the chart.
// The plotly.js library (plotly.js-dist-min, inline, so charts draw offline and in the HTML export) is
// written before the first chart of each front-end page (front-end-session.ts), and again when the cell
// that carried it to that page runs again (its new output replaces the one holding the library, which a
// saved notebook needs). A chart whose script runs before the library waits for it: the library's last
// script draws every waiting chart, so output order does not matter and running any chart cell draws them.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Figure } from "../charts/figure.ts";
import { displayBundle, type DisplayHandle, type MimeBundle } from "./display.ts";
import { currentCellRun, sessionOfRun, type CellRun } from "./front-end-session.ts";

/** What a chart shows where its script does not run. */
export const UNTRUSTED_PLACEHOLDER = "Chart not drawn: scripts run only in a trusted notebook. Trust it (File → Trust Notebook) to see the chart.";

/** What a chart shows while plotly.js is not on the page. */
export const LIBRARY_MISSING = "Chart not drawn yet: plotly.js is not loaded on this page. Run this cell (or any chart cell) to draw the charts.";

/** The page-wide list of draw functions waiting for plotly.js. */
const WAITING = "window.__embedtunePlotsWaiting";

/** The plotly.js library as <script> tags, with AMD's define hidden so the UMD bundle sets window.Plotly under require.js; then draws the waiting charts. */
export function plotlyLibraryHtml(): string {
  const source = readFileSync(createRequire(import.meta.url).resolve("plotly.js-dist-min"), "utf8").replace(/<\/script/gi, "<\\/script");
  return [
    "<script>window.__embedtuneDefine = window.define; window.define = undefined;</script>",
    `<script>${source}</script>`,
    `<script>window.define = window.__embedtuneDefine; (${WAITING} || []).splice(0).forEach(function (draw) { draw(); });</script>`,
  ].join("\n");
}

/** A <div> holding the untrusted placeholder and the script that draws `figure` in it (now, or once plotly.js is loaded). */
export function plotlyFigureHtml(figure: Figure, elementId = `embedtune-plot-${randomBytes(6).toString("hex")}`): string {
  const height = typeof figure.layout.height === "number" ? figure.layout.height : 380;
  const json = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  return [
    `<div id="${elementId}" class="embedtune-plot" style="width: 100%; height: ${height}px;">`,
    `<p class="embedtune-chart-note" style="margin: 0; padding: 1em; color: #666; font-style: italic;">${UNTRUSTED_PLACEHOLDER}</p>`,
    "</div>",
    "<script>(function () {",
    `  var element = document.getElementById(${JSON.stringify(elementId)});`,
    "  function draw() {",
    "    element.textContent = \"\";",
    `    window.Plotly.newPlot(element, ${json(figure.data)}, ${json(figure.layout)}, { responsive: true, displaylogo: false });`,
    "  }",
    "  if (window.Plotly) return draw();",
    `  element.firstElementChild.textContent = ${JSON.stringify(LIBRARY_MISSING)};`,
    `  (${WAITING} = ${WAITING} || []).push(draw);`,
    "})();</script>",
  ].join("\n");
}

/** The mime bundle of a figure: HTML + script, the plotly JSON spec, a text line. */
export function plotlyBundle(figure: Figure): MimeBundle {
  const title = figure.layout.title?.text ?? "chart";
  return {
    "text/html": plotlyFigureHtml(figure),
    "application/vnd.plotly.v1+json": { data: figure.data, layout: figure.layout },
    "text/plain": `<Plotly figure: ${title}>`,
  };
}

/** Where the library went last on a page: that cell, in that execution. */
export type LibraryCarrier = Pick<CellRun, "cell" | "run">;

/** True when `now` must write the library: its page never got it, or the cell that carried it there runs again. */
export function libraryNeeded(carrier: LibraryCarrier | undefined, now: CellRun): boolean {
  return carrier === undefined || (carrier.cell === now.cell && carrier.run !== now.run);
}

/** The executions that wrote the library, one per page (by the page they ran as, and by their session once it is learnt). */
const carriers: (LibraryCarrier & { page: string })[] = [];

/** Writes the plotly.js library into the running cell when its front-end page needs it. */
export function ensurePlotlyLoaded(): void {
  const now = currentCellRun();
  if (!now) return;
  const carrier = carriers.find((candidate) => candidate.page === now.page || sessionOfRun(candidate.run) === now.page);
  if (!libraryNeeded(carrier, now)) return;
  displayBundle({ "text/html": plotlyLibraryHtml(), "text/plain": "" });
  if (carrier) carriers.splice(carriers.indexOf(carrier), 1);
  carriers.push({ page: now.page, cell: now.cell, run: now.run });
}

/** Shows a figure below the running cell (into `handle` to replace an earlier chart). */
export function showPlotly(figure: Figure, handle?: DisplayHandle): void {
  ensurePlotlyLoaded();
  if (handle) handle.show(plotlyBundle(figure));
  else displayBundle(plotlyBundle(figure));
}
