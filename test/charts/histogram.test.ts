// Histogram specs against hand-counted bins: equal widths over [min, max], the last bin closed, values
// outside an explicit range left out, shared bins for several series (grouped), fractions per series.

import assert from "node:assert/strict";
import { test } from "node:test";
import { binCounts, histogram } from "../../src/charts/histogram.ts";
import { ArgumentError } from "../../src/errors.ts";

test("binCounts: 4 bins over [0, 1] put 0.25 in the second bin and 1 in the last", () => {
  const { edges, counts } = binCounts([0, 0.1, 0.25, 0.5, 0.74, 0.99, 1], { bins: 4, min: 0, max: 1 });
  assert.deepEqual(edges, [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(counts, [2, 1, 2, 2]);
});

test("binCounts: the range defaults to the values' extent, values outside a given range and NaN are not counted", () => {
  assert.deepEqual(binCounts([2, 4, 6, 8], { bins: 3 }), { edges: [2, 4, 6, 8], counts: [1, 1, 2] });
  assert.deepEqual(binCounts([-1, 0.5, 2, NaN], { bins: 2, min: 0, max: 1 }).counts, [0, 1]);
  assert.deepEqual(binCounts([5, 5, 5], { bins: 2 }), { edges: [5, 5.5, 6], counts: [3, 0] });
  assert.throws(() => binCounts([1], { bins: 0 }), ArgumentError);
});

test("histogram: one bar trace per series on shared bins at the bin centres, fractions when asked; one series fills its bins", () => {
  const figure = histogram(
    [
      { name: "train", values: [0, 0.1, 0.6, 0.9] },
      { name: "dev", values: [0.4, 1] },
    ],
    { bins: 2, title: "Scores", xTitle: "score", fractions: true },
  );
  assert.equal(figure.data.length, 2);
  type Bars = { name: string; x: number[]; y: number[]; width?: number[]; type: string };
  const [train, dev] = figure.data as Bars[];
  assert.equal(train.type, "bar");
  assert.deepEqual(train.x, [0.25, 0.75]);
  assert.deepEqual(dev.x, [0.25, 0.75]);
  assert.deepEqual(train.y, [0.5, 0.5]);
  assert.deepEqual(dev.y, [0.5, 0.5]);
  assert.equal(train.width, undefined);
  assert.equal(figure.layout.barmode, "group");
  assert.equal(figure.layout.title?.text, "Scores");
  assert.equal((figure.layout.yaxis?.title as { text?: string }).text, "fraction");

  const counts = histogram([1, 2, 2, 3], { bins: 2 });
  assert.deepEqual((counts.data[0] as Bars).y, [1, 3]);
  assert.deepEqual((counts.data[0] as Bars).width, [1, 1]);
  assert.equal(counts.layout.showlegend, false);
});
