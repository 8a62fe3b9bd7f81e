// Plotly output for notebooks: the library script hides AMD's define while plotly.js loads and then draws
// the charts that waited for it; a figure's HTML holds the untrusted-notebook placeholder, draws with
// Plotly.newPlot (now, or when the library arrives) and cannot be broken out of by text in the spec; the
// bundle offers HTML, the plotly JSON and text; the front-end page and cell of a tslab execution, and when
// the library must be written again; outside a tslab kernel showPlotly/showTable print their text line.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { runInNewContext } from "node:vm";
import { barChart } from "../../src/charts/bars.ts";
import { currentCellRun, EARLIER_PAGE, sessionOfRun, trackFrontEnds, type CellRun } from "../../src/notebook/front-end-session.ts";
import type { TslabJupyter } from "../../src/notebook/display.ts";
import { LIBRARY_MISSING, libraryNeeded, plotlyBundle, plotlyFigureHtml, plotlyLibraryHtml, UNTRUSTED_PLACEHOLDER } from "../../src/notebook/plotly.ts";

const scripts = (html: string) => [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]);

test("plotlyLibraryHtml inlines plotly.js between scripts that hide and restore window.define", () => {
  const html = plotlyLibraryHtml();
  const hide = html.indexOf("window.define = undefined");
  const library = html.indexOf("plotly.js v");
  const restore = html.indexOf("window.define = window.__embedtuneDefine");
  assert.ok(hide >= 0 && hide < library && library < restore, "hide, library, restore in this order");
  assert.ok(html.length > 4_000_000, `${html.length} characters`);
  assert.equal(html.match(/<\/script>/g)?.length, 3);
});

test("plotlyFigureHtml: a div holding the trust placeholder, a newPlot call with the spec as JSON, '<' escaped so text cannot close the script", () => {
  const figure = barChart(["</script><script>alert(1)</script>"], [{ name: "n", values: [1] }], { title: "T", height: 300 });
  const html = plotlyFigureHtml(figure, "plot-1");
  assert.ok(html.startsWith('<div id="plot-1" class="embedtune-plot" style="width: 100%; height: 300px;">'));
  const placeholder = html.indexOf(UNTRUSTED_PLACEHOLDER);
  assert.ok(placeholder > 0 && placeholder < html.indexOf("</div>") && html.indexOf("</div>") < html.indexOf("<script>"), "the placeholder is in the div, before the script");
  assert.match(UNTRUSTED_PLACEHOLDER, /File → Trust Notebook/);
  assert.ok(html.includes('window.Plotly.newPlot(element, [{"type":"bar","name":"n","x":["\\u003c/script>'));
  assert.equal(html.match(/<\/script>/g)?.length, 1);
  const bundle = plotlyBundle(figure);
  assert.deepEqual(bundle["application/vnd.plotly.v1+json"], { data: figure.data, layout: figure.layout });
  assert.equal(bundle["text/plain"], "<Plotly figure: T>");
  assert.match(String(bundle["text/html"]), /class="embedtune-plot"/);
});

/** A page with one chart element whose scripts run in a sandbox: what the element shows and what newPlot drew. */
function fakePage() {
  const note = { textContent: UNTRUSTED_PLACEHOLDER };
  const element = { textContent: "placeholder markup", firstElementChild: note };
  const drawn: { element: unknown; data: unknown }[] = [];
  const window: Record<string, unknown> = {};
  const context = { window, document: { getElementById: (id: string) => (id === "plot-1" ? element : null) } };
  return {
    note,
    element,
    drawn,
    run: (script: string) => runInNewContext(script, context),
    loadPlotly: () => (window.Plotly = { newPlot: (target: unknown, data: unknown) => drawn.push({ element: target, data }) }),
  };
}

test("a chart whose script runs before plotly.js says so and waits; the library's last script draws it", () => {
  const figure = barChart(["a"], [{ name: "n", values: [1] }]);
  const page = fakePage();
  for (const script of scripts(plotlyFigureHtml(figure, "plot-1"))) page.run(script);
  assert.equal(page.drawn.length, 0);
  assert.equal(page.note.textContent, LIBRARY_MISSING);

  const [, , afterLibrary] = scripts(plotlyLibraryHtml());
  page.loadPlotly(); // what the library's second script does
  page.run(afterLibrary);
  assert.equal(page.drawn.length, 1);
  assert.equal(page.drawn[0].element, page.element);
  assert.equal(JSON.stringify(page.drawn[0].data), JSON.stringify(figure.data));
  assert.equal(page.element.textContent, "", "the message is cleared for the chart");
  page.run(afterLibrary);
  assert.equal(page.drawn.length, 1, "a chart is drawn once");

  const loaded = fakePage();
  loaded.loadPlotly();
  for (const script of scripts(plotlyFigureHtml(figure, "plot-1"))) loaded.run(script);
  assert.equal(loaded.drawn.length, 1, "with plotly.js on the page the chart draws at once");
});

/** A stand-in for tslab's dist/jupyter module: requests arrive at ZmqServer.handleExecute, run in JupyterHandlerImpl.handleExecuteImpl. */
function fakeTslab() {
  const jupyter: TslabJupyter & { ZmqServer: new () => unknown; JupyterHandlerImpl: new () => unknown } = {
    lastWriteDisplayData: null,
    ZmqServer: class {
      handleExecute(_socket: unknown, _message: unknown) {}
      publishStatus(_status: string, _parent: unknown) {}
    },
    JupyterHandlerImpl: class {
      handleExecuteImpl(_request: unknown, _writeStream: unknown, writeDisplayData: TslabJupyter["lastWriteDisplayData"]) {
        jupyter.lastWriteDisplayData = writeDisplayData;
      }
    },
  };
  const server = new jupyter.ZmqServer() as { handleExecute(socket: unknown, message: unknown): void; publishStatus(status: string, parent: unknown): void };
  const handler = new jupyter.JupyterHandlerImpl() as { handleExecuteImpl(request: unknown, writeStream: unknown, writer: unknown): void };
  return {
    jupyter,
    /** A request arrives (header.session, metadata.cellId as the front-end sent them); run() executes it, end() publishes its "idle". */
    receive(code: string, session?: string, cellId?: string) {
      const content = { code };
      const message = { header: { msg_type: "execute_request", ...(session ? { session } : {}) }, metadata: cellId ? { cellId } : {}, content };
      server.handleExecute(null, message);
      const writer = () => {};
      return { run: () => (handler.handleExecuteImpl(content, null, writer), currentCellRun(jupyter)!), end: () => server.publishStatus("idle", message), writer };
    },
  };
}

test("the page of an execution is its request's client session; the cell its cellId, else its code; requests from before tracking count as one page", () => {
  const tslab = fakeTslab();
  const loading = tslab.receive('import { showPlotly } from "embedtune";', "page-A");
  const queued = tslab.receive("showPlotly(figure);", "page-A");
  loading.run(); // the kit is loaded, and starts tracking, during this execution
  assert.equal(trackFrontEnds(tslab.jupyter), true);
  const during = currentCellRun(tslab.jupyter)!;
  assert.equal(during.page, EARLIER_PAGE);
  assert.equal(during.run, loading.writer);
  assert.equal(sessionOfRun(loading.writer), undefined, "learnt when the execution ends");
  loading.end();
  assert.equal(sessionOfRun(loading.writer), "page-A");
  assert.deepEqual({ ...queued.run(), run: null }, { page: EARLIER_PAGE, cell: "showPlotly(figure);", run: null });
  queued.end();
  assert.equal(sessionOfRun(queued.writer), "page-A");

  assert.deepEqual({ ...tslab.receive("showPlotly(figure);", "page-A").run(), run: null }, { page: "page-A", cell: "showPlotly(figure);", run: null });
  assert.deepEqual({ ...tslab.receive("showPlotly(other);", "page-B", "cell-7").run(), run: null }, { page: "page-B", cell: "cell-7", run: null });
  const anonymous = [tslab.receive("showPlotly(figure);").run(), tslab.receive("showPlotly(figure);").run()];
  assert.notEqual(anonymous[0].page, anonymous[1].page, "without a session each execution is its own page");
  assert.equal(trackFrontEnds(tslab.jupyter), true, "tracking twice wraps once");
  assert.equal(currentCellRun(null), null, "outside a tslab kernel");
});

test("where tslab lacks the methods to wrap, each execution counts as its own page and cell", () => {
  const jupyter: TslabJupyter = { lastWriteDisplayData: () => {} };
  assert.equal(trackFrontEnds(jupyter), false);
  const first = currentCellRun(jupyter)!;
  jupyter.lastWriteDisplayData = () => {};
  const second = currentCellRun(jupyter)!;
  assert.notEqual(first.page, second.page);
  assert.notEqual(first.cell, second.cell);
  assert.equal(currentCellRun(jupyter)!.page, second.page, "the same execution keeps its page");
});

test("libraryNeeded: a page's first chart, and the cell that carried the library to that page when it runs again — not another cell, not twice in one run", () => {
  const run = (cell: string): CellRun => ({ page: "page-A", cell, run: {} });
  const first = run("chart 1");
  assert.equal(libraryNeeded(undefined, first), true);
  const carrier = { cell: first.cell, run: first.run };
  assert.equal(libraryNeeded(carrier, first), false, "a second chart in the same execution");
  assert.equal(libraryNeeded(carrier, run("chart 2")), false);
  assert.equal(libraryNeeded(carrier, run("chart 1")), true, "its output, holding the library, is being replaced");
});

test("outside a notebook, showPlotly and showTable print their text form instead of failing", () => {
  const script = [
    'import { barChart, showPlotly, showTable, inNotebook } from "./src/index.ts";',
    'console.log("in notebook:", inNotebook());',
    'showPlotly(barChart(["a"], [{ name: "n", values: [1] }], { title: "Counts" }));',
    'showTable([{ split: "train", pairs: 998 }]);',
  ].join("\n");
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: new URL("../..", import.meta.url).pathname, encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, "in notebook: false\n<Plotly figure: Counts>\nsplit  pairs\ntrain  998\n");
});
