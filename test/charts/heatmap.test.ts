// The similarity heat map: its z is the cosine matrix, checked against hand-computed cosines
// (cos([1,0],[1,1]) = 1/√2), zero vectors give 0, labels are numbered and shortened.

import assert from "node:assert/strict";
import { test } from "node:test";
import { cosineSimilarityMatrix, similarityHeatmap } from "../../src/charts/heatmap.ts";
import { ArgumentError } from "../../src/errors.ts";

const SQRT_HALF = Math.SQRT1_2;

test("cosineSimilarityMatrix against hand-computed cosines, scale-invariant, 0 for a zero vector", () => {
  const matrix = cosineSimilarityMatrix([
    [1, 0],
    [0, 3],
    [2, 2],
    [-1, 0],
    [0, 0],
  ]);
  const expected = [
    [1, 0, SQRT_HALF, -1, 0],
    [0, 1, SQRT_HALF, 0, 0],
    [SQRT_HALF, SQRT_HALF, 1, -SQRT_HALF, 0],
    [-1, 0, -SQRT_HALF, 1, 0],
    [0, 0, 0, 0, 0],
  ];
  matrix.forEach((row, i) => row.forEach((value, j) => assert.ok(Math.abs(value - expected[i][j]) < 1e-12, `[${i}][${j}] ${value} vs ${expected[i][j]}`)));
  assert.throws(() => cosineSimilarityMatrix([[1, 2], [1]]), ArgumentError);
});

test("similarityHeatmap: z is the cosine matrix, values written in the cells, labels numbered and shortened", () => {
  const figure = similarityHeatmap(["short", "a sentence that is far too long to print"], [[1, 0], [1, 1]], { labelLength: 10 });
  const trace = figure.data[0] as { type: string; z: number[][]; x: string[]; y: string[]; text: string[][] };
  assert.equal(trace.type, "heatmap");
  assert.deepEqual(trace.z, cosineSimilarityMatrix([[1, 0], [1, 1]]));
  assert.deepEqual(trace.text, [["1.00", "0.71"], ["0.71", "1.00"]]);
  assert.deepEqual(trace.x, ["1. short", "2. a sentenc…"]);
  assert.deepEqual(trace.y, trace.x);
  assert.throws(() => similarityHeatmap(["one"], [[1], [2]]), ArgumentError);
});
