// Rotary position embeddings as Hugging Face computes them in float32 (GPT-NeoX "rotate half"):
//   inv_freq[k] = 1 / θ^(2k/d) (k < d/2),  angle[p, k] = p · inv_freq[k mod d/2] (p = 0..T−1, k < d),
//   x' = x·cos(angle) + rotate_half(x)·sin(angle),  rotate_half([a, b]) = [−b, a].
// Its backward is the inverse rotation: dx = dy·cos + rotate_halfᵀ(dy·sin), rotate_halfᵀ([a, b]) = [b, −a].

/** inv_freq duplicated to the head size ([d]: cat(freqs, freqs)), each value rounded as torch's float32. */
export function ropeFrequencies(headSize: number, theta: number): Float32Array {
  const half = headSize / 2;
  const frequencies = new Float32Array(headSize);
  for (let k = 0; k < half; k++) {
    const exponent = Math.fround(Math.fround(2 * k) / headSize);
    const inverse = Math.fround(1 / Math.fround(Math.pow(theta, exponent)));
    frequencies[k] = inverse;
    frequencies[k + half] = inverse;
  }
  return frequencies;
}

/** cos and sin tables [T, d] for positions 0..T−1. */
export function ropeTables(seqLength: number, headSize: number, theta: number): { cos: Float32Array; sin: Float32Array } {
  const frequencies = ropeFrequencies(headSize, theta);
  const cos = new Float32Array(seqLength * headSize);
  const sin = new Float32Array(seqLength * headSize);
  for (let p = 0; p < seqLength; p++) {
    for (let k = 0; k < headSize; k++) {
      const angle = Math.fround(p * frequencies[k]);
      cos[p * headSize + k] = Math.cos(angle);
      sin[p * headSize + k] = Math.sin(angle);
    }
  }
  return { cos, sin };
}
