// Plotly in notebooks: the plotly.js library (plotly.js-dist-min, inline, so charts draw offline and in
// the HTML export) is written once per kernel session, before the first chart; each chart is then a
// bundle of a <div> + Plotly.newPlot script (JupyterLab, classic Notebook, nbconvert HTML), the
// application/vnd.plotly.v1+json spec (VS Code and front-ends with a plotly renderer) and a text line.
// Front-ends run scripts only in trusted notebooks (`jupyter trust`).

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Figure } from "../charts/figure.ts";
import { displayBundle, inNotebook, type DisplayHandle, type MimeBundle } from "./display.ts";

let libraryShown = false;

/** The plotly.js library as <script> tags, with AMD's define hidden so the UMD bundle sets window.Plotly under require.js. */
export function plotlyLibraryHtml(): string {
  const source = readFileSync(createRequire(import.meta.url).resolve("plotly.js-dist-min"), "utf8").replace(/<\/script/gi, "<\\/script");
  return [
    "<script>window.__embedtuneDefine = window.define; window.define = undefined;</script>",
    `<script>${source}</script>`,
    "<script>window.define = window.__embedtuneDefine;</script>",
  ].join("\n");
}

/** A <div> and the script that draws `figure` in it (or says that plotly.js is not loaded). */
export function plotlyFigureHtml(figure: Figure, elementId = `embedtune-plot-${randomBytes(6).toString("hex")}`): string {
  const height = typeof figure.layout.height === "number" ? figure.layout.height : 380;
  const json = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  return [
    `<div id="${elementId}" class="embedtune-plot" style="width: 100%; height: ${height}px;"></div>`,
    "<script>(function () {",
    `  var element = document.getElementById(${JSON.stringify(elementId)});`,
    "  if (window.Plotly) {",
    `    window.Plotly.newPlot(element, ${json(figure.data)}, ${json(figure.layout)}, { responsive: true, displaylogo: false });`,
    "  } else {",
    '    element.textContent = "plotly.js is not loaded here: run the notebook from its first cell (and trust it to show saved charts).";',
    "  }",
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

/** Writes the plotly.js library into the running cell unless this kernel session already did. */
export function ensurePlotlyLoaded(): void {
  if (libraryShown || !inNotebook()) return;
  displayBundle({ "text/html": plotlyLibraryHtml(), "text/plain": "" });
  libraryShown = true;
}

/** Shows a figure below the running cell (into `handle` to replace an earlier chart). */
export function showPlotly(figure: Figure, handle?: DisplayHandle): void {
  ensurePlotlyLoaded();
  if (handle) handle.show(plotlyBundle(figure));
  else displayBundle(plotlyBundle(figure));
}
