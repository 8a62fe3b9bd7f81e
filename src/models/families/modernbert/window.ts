// Sliding-window attention in blocks, so a local layer's memory is linear in T: with w = local_attention // 2
// and block size b = w, the padded sequence (L = ⌈T/b⌉·b positions) is cut into L/b query blocks; block k
// attends to key blocks k−1, k, k+1 (3b keys, positions (k−1)b … (k+2)b−1), which hold every key with
// |i − j| ≤ w. Query r of a block and key c of its 3b keys are |i − j| = |r + b − c| apart, the same for
// every block, so the window is one [b, 3b] pattern. Keys outside 0..T−1 or padded, or outside the window,
// get float32 min (as Hugging Face's sliding-window mask); for real queries the result equals full attention
// with that mask (masked probabilities are exactly 0). Scores and probabilities are [B, heads, L/b, b, 3b].

import { FLOAT32_MIN } from "../../../engines/onnxruntime/ops/index.ts";
import { halfWindow, type ModernBertConfig } from "./config.ts";

export interface Blocking {
  /** Block size b (= half window, at least 1). */
  block: number;
  blocks: number;
  /** L = blocks · block ≥ T. */
  paddedLength: number;
}

export function blocking(config: ModernBertConfig, seqLength: number): Blocking {
  const block = Math.max(1, halfWindow(config));
  const blocks = Math.max(1, Math.ceil(seqLength / block));
  return { block, blocks, paddedLength: blocks * block };
}

/** [b, 3b]: 1 where query r of a block may see key c of its three key blocks (|r + b − c| ≤ w). */
export function windowPattern(config: ModernBertConfig): Float32Array {
  const w = halfWindow(config);
  const b = Math.max(1, w);
  const pattern = new Float32Array(b * 3 * b);
  for (let r = 0; r < b; r++) for (let c = 0; c < 3 * b; c++) pattern[r * 3 * b + c] = Math.abs(r + b - c) <= w ? 1 : 0;
  return pattern;
}

/** The additive local mask [B, 1, L/b, b, 3b] from the attention mask [B, T]. */
export function localAdditiveMask(config: ModernBertConfig, attentionMask: Int32Array, batchSize: number, seqLength: number): Float32Array {
  const { block: b, blocks } = blocking(config, seqLength);
  const pattern = windowPattern(config);
  const mask = new Float32Array(batchSize * blocks * b * 3 * b);
  let index = 0;
  for (let row = 0; row < batchSize; row++) {
    for (let k = 0; k < blocks; k++) {
      for (let r = 0; r < b; r++) {
        for (let c = 0; c < 3 * b; c++) {
          const key = (k - 1) * b + c;
          const real = key >= 0 && key < seqLength && attentionMask[row * seqLength + key] !== 0;
          mask[index++] = real && pattern[r * 3 * b + c] ? 0 : FLOAT32_MIN;
        }
      }
    }
  }
  return mask;
}
