// Plotly output for notebooks: the library script hides AMD's define while plotly.js loads, a figure's
// HTML draws it with Plotly.newPlot and cannot be broken out of by text in the spec, the bundle offers
// HTML, the plotly JSON and text; outside a tslab kernel showPlotly/showTable print their text line.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { barChart } from "../../src/charts/bars.ts";
import { plotlyBundle, plotlyFigureHtml, plotlyLibraryHtml } from "../../src/notebook/plotly.ts";

test("plotlyLibraryHtml inlines plotly.js between scripts that hide and restore window.define", () => {
  const html = plotlyLibraryHtml();
  const hide = html.indexOf("window.define = undefined");
  const library = html.indexOf("plotly.js v");
  const restore = html.indexOf("window.define = window.__embedtuneDefine");
  assert.ok(hide >= 0 && hide < library && library < restore, "hide, library, restore in this order");
  assert.ok(html.length > 4_000_000, `${html.length} characters`);
  assert.equal(html.match(/<\/script>/g)?.length, 3);
});

test("plotlyFigureHtml: a div and a newPlot call with the spec as JSON, '<' escaped so text cannot close the script", () => {
  const figure = barChart(["</script><script>alert(1)</script>"], [{ name: "n", values: [1] }], { title: "T", height: 300 });
  const html = plotlyFigureHtml(figure, "plot-1");
  assert.ok(html.startsWith('<div id="plot-1" class="embedtune-plot" style="width: 100%; height: 300px;"></div>'));
  assert.ok(html.includes('window.Plotly.newPlot(element, [{"type":"bar","name":"n","x":["\\u003c/script>'));
  assert.equal(html.match(/<\/script>/g)?.length, 1);
  const bundle = plotlyBundle(figure);
  assert.deepEqual(bundle["application/vnd.plotly.v1+json"], { data: figure.data, layout: figure.layout });
  assert.equal(bundle["text/plain"], "<Plotly figure: T>");
  assert.match(String(bundle["text/html"]), /class="embedtune-plot"/);
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
