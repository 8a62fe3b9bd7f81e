// Dropout masks both engines draw identically: for a tensor of `size` elements in row-major order,
// element i is dropped when the i-th draw of createRandom(seed) is < p, kept ones are scaled by
// 1/(1 − p) (torch's inverted dropout). Seeds per site derive from the step's dropout seed:
//   embeddings: deriveSeed(stepSeed, 0xe);  layer i: deriveSeed(deriveSeed(stepSeed, i + 1), site)
//   with site 1 = attention probabilities, 2 = attention output, 3 = feed-forward output.

import { createRandom, deriveSeed } from "../util/random.ts";

export const DROPOUT_SITES = { probabilities: 1, attention: 2, output: 3 } as const;

export function dropoutMask(size: number, probability: number, seed: number): Float32Array {
  const random = createRandom(seed);
  const keepScale = 1 / (1 - probability);
  const mask = new Float32Array(size);
  for (let i = 0; i < size; i++) mask[i] = random.next() < probability ? 0 : keepScale;
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
