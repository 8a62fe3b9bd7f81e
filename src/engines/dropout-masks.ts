// Dropout masks both engines draw identically: for a tensor of `size` elements in row-major order,
// element i is dropped when the i-th draw of createRandom(seed) is < p, kept ones are scaled by
// 1/(1 − p) (torch's inverted dropout). Seeds per site derive from the step's dropout seed:
//   embeddings: deriveSeed(stepSeed, 0xe);  layer i: deriveSeed(deriveSeed(stepSeed, i + 1), site)
//   with site 1 = attention probabilities, 2 = attention output, 3 = feed-forward output.

import { deriveSeed } from "../util/random.ts";

export const DROPOUT_SITES = { probabilities: 1, attention: 2, output: 3 } as const;

export function dropoutMask(size: number, probability: number, seed: number): Float32Array {
  const keepScale = 1 / (1 - probability);
  const mask = new Float32Array(size);
  // createRandom(seed)'s mulberry32 stream, inlined (this runs for ~10 million elements a step):
  // next() < p  ⟺  u32 < p · 2³², both sides exact.
  const threshold = probability * 4294967296;
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    mask[i] = (t ^ (t >>> 14)) >>> 0 < threshold ? 0 : keepScale;
  }
  return mask;
}

export function embeddingDropoutSeed(stepSeed: number): number {
  return deriveSeed(stepSeed, 0xe);
}

export function layerDropoutSeed(stepSeed: number, layer: number): number {
  return deriveSeed(stepSeed, layer + 1);
}

export function siteDropoutSeed(layerSeed: number, site: keyof typeof DROPOUT_SITES): number {
  return deriveSeed(layerSeed, DROPOUT_SITES[site]);
}
