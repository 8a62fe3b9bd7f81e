// The exact top-k search behind mining, on hand-made vectors.
import assert from "node:assert/strict";
import test from "node:test";
import { nearestNeighbours, pairScores } from "../../src/mining/nearest.ts";

test("best first, equal scores by lower corpus index, padded with −1/−Infinity past the corpus", () => {
  // Dot scores with the query (1, 0): 0.5, 0.9, 0.5, −1, 0.9.
  const corpus = [[0.5, 1], [0.9, 0], [0.5, 0], [-1, 0], [0.9, 3]];
  const result = nearestNeighbours([[1, 0]], corpus, 4, "dot", { chunkSize: 1 });
  assert.deepEqual([...result.indices], [1, 4, 0, 2]);
  assert.deepEqual([...result.scores], [0.9, 0.9, 0.5, 0.5]);
  const padded = nearestNeighbours([[1, 0], [0, 1]], corpus.slice(0, 2), 3, "dot");
  assert.deepEqual([...padded.indices], [1, 0, -1, 0, 1, -1]);
  assert.deepEqual([...padded.scores], [0.9, 0.5, -Infinity, 1, 0, -Infinity]);
});

test("cosine, euclidean and manhattan as sentence-transformers defines them (larger = more similar)", () => {
  const query = [[3, 4]];
  const corpus = [[3, 0], [0, 2], [6, 8]];
  // cosine: 0.6, 0.8, 1; euclidean: −4, −√13, −5; manhattan: −4, −5, −7.
  const cosine = nearestNeighbours(query, corpus, 3, "cosine");
  assert.deepEqual([...cosine.indices], [2, 1, 0]);
  assert.deepEqual([...cosine.scores].map((value) => Math.round(value * 1e12) / 1e12), [1, 0.8, 0.6]);
  const euclidean = nearestNeighbours(query, corpus, 3, "euclidean");
  assert.deepEqual([...euclidean.indices], [1, 0, 2]);
  assert.deepEqual([...euclidean.scores], [-Math.sqrt(13), -4, -5]);
  const manhattan = nearestNeighbours(query, corpus, 2, "manhattan");
  assert.deepEqual([...manhattan.indices], [0, 1]);
  assert.deepEqual([...manhattan.scores], [-4, -5]);
  assert.deepEqual(pairScores([[3, 4], [1, 1]], [[6, 8], [1, -1]], "dot"), [50, 0]);
});

test("a NaN score never becomes a neighbour", () => {
  const result = nearestNeighbours([[1, 0]], [[Number.NaN, 0], [0.5, 0]], 2, "dot");
  assert.deepEqual([...result.indices], [1, -1]);
});
