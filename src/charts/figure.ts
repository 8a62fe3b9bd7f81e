// A Plotly figure spec — `{ data, layout }` exactly as Plotly.newPlot(element, data, layout) takes it —
// and the layout every chart helper starts from. The helpers in src/charts/ are pure functions returning
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

export function baseLayout(titles: ChartTitles): Partial<Layout> {
  return {
    ...(titles.title ? { title: { text: titles.title } } : {}),
    xaxis: titles.xTitle ? { title: { text: titles.xTitle } } : {},
    yaxis: titles.yTitle ? { title: { text: titles.yTitle } } : {},
    height: titles.height ?? DEFAULT_HEIGHT,
    margin: { l: 60, r: 30, t: titles.title ? 50 : 20, b: 50 },
  };
}
