// TopK (the bounded heap of InformationRetrievalEvaluator): a hand-worked stream with ties, then random
// streams compared with a full sort of all items (higher score first, then lower index).

import assert from "node:assert/strict";
import { test } from "node:test";
import { TopK } from "../../src/evaluation/top-k.ts";
import { ArgumentError } from "../../src/errors.ts";
import { createRandom } from "../../src/util/random.ts";

test("hand-worked: top 3 of a stream with ties keeps the lower indices among equal scores", () => {
  const heap = new TopK(3);
  // index: 0    1    2    3    4    5
  // score: .5   .9   .5   .9   .1   .5
  [0.5, 0.9, 0.5, 0.9, 0.1, 0.5].forEach((score, index) => heap.push(score, index));
  assert.deepEqual(heap.sorted(), [
    { score: 0.9, index: 1 },
    { score: 0.9, index: 3 },
    { score: 0.5, index: 0 },
  ]);
  assert.equal(heap.size, 3);
  assert.equal(heap.threshold, 0.5);
});

test("the result does not depend on the order the items arrive in (ties included)", () => {
  const items = [
    { score: 2, index: 7 },
    { score: 2, index: 3 },
    { score: 1, index: 0 },
    { score: 2, index: 5 },
    { score: 3, index: 9 },
  ];
  const expected = [
    { score: 3, index: 9 },
    { score: 2, index: 3 },
    { score: 2, index: 5 },
  ];
  for (const order of [items, [...items].reverse(), [items[2], items[0], items[4], items[3], items[1]]]) {
    const heap = new TopK(3);
    for (const item of order) heap.push(item.score, item.index);
    assert.deepEqual(heap.sorted(), expected);
  }
});

test("fewer items than k: all of them, sorted; threshold −Infinity until full", () => {
  const heap = new TopK(10);
  heap.push(1, 4);
  heap.push(3, 2);
  assert.equal(heap.threshold, -Infinity);
  assert.deepEqual(heap.sorted(), [
    { score: 3, index: 2 },
    { score: 1, index: 4 },
  ]);
});

test("NaN ranks below every number", () => {
  const heap = new TopK(2);
  heap.push(Number.NaN, 0);
  heap.push(-5, 1);
  heap.push(-7, 2);
  assert.deepEqual(heap.sorted(), [
    { score: -5, index: 1 },
    { score: -7, index: 2 },
  ]);
});

test("random streams (scores rounded to force ties) equal the first k of a full sort", () => {
  const random = createRandom(7);
  for (const [count, k] of [[1000, 1], [1000, 10], [500, 100], [50, 100], [2000, 37]]) {
    const scores = Array.from({ length: count }, () => Math.round(random.next() * 50) / 50);
    const heap = new TopK(k);
    scores.forEach((score, index) => heap.push(score, index));
    const reference = scores
      .map((score, index) => ({ score, index }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, k);
    assert.deepEqual(heap.sorted(), reference, `count ${count}, k ${k}`);
  }
});

test("k must be a positive integer", () => {
  assert.throws(() => new TopK(0), ArgumentError);
  assert.throws(() => new TopK(2.5), ArgumentError);
});
