// A Plotly figure spec — `{ data, layout }` exactly as Plotly.newPlot(element, data, layout) takes it —
// and the layout every chart helper starts from: the title just above the plot area (below the mode bar),
// axes that grow their margin to fit long tick labels. The helpers in src/charts/ are pure functions returning
// such specs, usable from plain code (any plotly.js, a web page, a JSON file) as from a notebook (showPlotly).

import type { Data, Layout } from "plotly.js-dist-min";

export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
}

export interface ChartTitles {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Pixels; the width follows the container. */
  height?: number;
}

export const DEFAULT_HEIGHT = 380;

/** Pixels above the plot area when the chart has a title: the title sits at its bottom, clear of Plotly's mode bar at its top. */
export const TITLE_MARGIN = 75;

export function baseLayout(titles: ChartTitles): Partial<Layout> {
  return {
    ...(titles.title ? { title: { text: titles.title, yref: "paper", y: 1, yanchor: "bottom", pad: { b: 14 } } } : {}),
    xaxis: { automargin: true, ...(titles.xTitle ? { title: { text: titles.xTitle } } : {}) },
    yaxis: { automargin: true, ...(titles.yTitle ? { title: { text: titles.yTitle } } : {}) },
    height: titles.height ?? DEFAULT_HEIGHT,
    margin: { l: 60, r: 30, t: titles.title ? TITLE_MARGIN : 30, b: 50 },
  };
}
