// dropoutMask's contract: element i is 0 when the i-th draw of mulberry32(seed) is < p, else 1/(1 − p)
// as float32. The reference below is mulberry32 written from its published definition (Tommy
// Ettinger's C, in BigInt u32 arithmetic), independent of the SIMD kernel and of createRandom:
//   z = (state += 0x6D2B79F5);  z = (z ^ z >> 15) * (z | 1);  z ^= z + (z ^ z >> 7) * (z | 61);
//   return (z ^ z >> 14) / 2³²

import assert from "node:assert/strict";
import { test } from "node:test";
import { dropoutMask } from "../../src/engines/dropout-masks.ts";
import { createRandom } from "../../src/util/random.ts";

function mulberry32Draws(seed: number, count: number): Float64Array {
  const u32 = (x: bigint) => x & 0xffffffffn;
  let state = BigInt(seed >>> 0);
  const draws = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    state = u32(state + 0x6d2b79f5n);
    let z = state;
    z = u32((z ^ (z >> 15n)) * (z | 1n));
    z = z ^ u32(z + u32((z ^ (z >> 7n)) * (z | 61n)));
    draws[i] = Number(z ^ (z >> 14n)) / 4294967296;
  }
  return draws;
}

function assertMaskMatches(draws: Float64Array, size: number, probability: number, seed: number): Float32Array {
  const mask = dropoutMask(size, probability, seed);
  assert.equal(mask.length, size);
  const keep = Math.fround(1 / (1 - probability));
  for (let i = 0; i < size; i++) {
    const expected = draws[i] < probability ? 0 : keep;
    if (!Object.is(mask[i], expected)) assert.fail(`size ${size}, p ${probability}, seed ${seed}: element ${i} is ${mask[i]}, expected ${expected}`);
  }
  return mask;
}

// Sizes straddle the kernel's four lanes and its 16384-element chunks.
const SIZES = [0, 1, 3, 4, 5, 17, 16383, 16384, 16385, 70001];
const PROBABILITIES = [0, 0.1, 0.25, 0.5, 0.9, 1, 2 ** -32, 1 - 2 ** -33, -0.5, Number.NaN];

test("dropoutMask equals a reference mulberry32 compared with p, for seeds, sizes and probabilities", () => {
  for (const seed of [0, 1, 12345, 0x7fffffff, 0x80000000, 0xffffffff, -7]) {
    const draws = mulberry32Draws(seed, Math.max(...SIZES));
    for (const size of SIZES) for (const probability of PROBABILITIES) assertMaskMatches(draws, size, probability, seed);
  }
});

test("dropoutMask at bge-small's sizes (246k and 307k elements) equals the reference", () => {
  const draws = mulberry32Draws(987654321, 307_200);
  for (const size of [245_760, 307_200]) for (const probability of [0.1, 0.5]) assertMaskMatches(draws, size, probability, 987654321);
});

test("p = 1 drops everything (the keep scale would be Infinity) and p = 0 keeps everything at 1", () => {
  assert.deepEqual(dropoutMask(9, 1, 42), new Float32Array(9));
  assert.deepEqual(dropoutMask(9, 0, 42), new Float32Array(9).fill(1));
});

test("the drop rate is close to p", () => {
  for (const probability of [0.1, 0.25, 0.5]) {
    const mask = dropoutMask(200_000, probability, 2024);
    const dropped = mask.reduce((count, value) => count + (value === 0 ? 1 : 0), 0);
    assert.ok(Math.abs(dropped / mask.length - probability) < 0.005, `drop rate ${dropped / mask.length} for p ${probability}`);
    assert.ok(mask.every((value) => value === 0 || value === Math.fround(1 / (1 - probability))));
  }
});

test("the reference is createRandom's stream (the generator the rest of the project draws from)", () => {
  for (const seed of [0, 12345, 0xffffffff]) {
    const random = createRandom(seed);
    mulberry32Draws(seed, 1000).forEach((draw, i) => assert.equal(random.next(), draw, `seed ${seed}, draw ${i}`));
  }
});
