// Dropout masks both engines draw identically: for a tensor of `size` elements in row-major order,
// element i is dropped when the i-th draw of createRandom(seed) is < p, kept ones are scaled by
// 1/(1 − p) (torch's inverted dropout). Seeds per site derive from the step's dropout seed:
//   embeddings: deriveSeed(stepSeed, 0xe);  layer i: deriveSeed(deriveSeed(stepSeed, i + 1), site)
//   with site 1 = attention probabilities, 2 = attention output, 3 = feed-forward output.
// The draws run in a WebAssembly SIMD kernel (this runs for ~10 million elements a step):
// draw < p  ⟺  u32 < p · 2³²  ⟺  u32 < ceil(p · 2³²), so p ≤ 0 (or NaN) keeps everything and
// p · 2³² > 2³² − 1 drops everything without drawing.

import { deriveSeed } from "../util/random.ts";
import { fillDropoutDraws } from "./dropout-masks/simd-kernel.ts";

export const DROPOUT_SITES = { probabilities: 1, attention: 2, output: 3 } as const;

export function dropoutMask(size: number, probability: number, seed: number): Float32Array {
  const keepScale = 1 / (1 - probability);
  const mask = new Float32Array(size);
  const threshold = Math.ceil(probability * 4294967296);
  if (!(threshold > 0)) return mask.fill(keepScale);
  if (threshold >= 4294967296) return mask;
  const keepBits = new Int32Array(new Float32Array([keepScale]).buffer)[0];
  fillDropoutDraws(mask, seed | 0, threshold | 0, keepBits);
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
