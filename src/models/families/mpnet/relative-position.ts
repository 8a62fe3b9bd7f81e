// MPNet's relative position buckets (MPNetEncoder.relative_position_bucket with HF's num_buckets 32, max_distance
// 128). For a query i and key j, rel = j − i and n = i − j:
//   bucket = (n < 0 ? 16 : 0) + (|n| < 8 ? |n| : min(15, 8 + trunc(log(|n| / 8) / log(128 / 8) · 8)))
// keys left of the query use 0..15, keys right of it 16..31; |rel| ≥ 91 saturates. The log branch is evaluated in
// float32, as torch does. The bias added to every layer's scores is bias[h, i, j] = table[bucket(j − i), h], computed
// from 0..T−1 alone (independent of padding and position ids); the table's gradient is the scatter-add
//   ∂table[b, h] = Σ_{i,j: bucket(j − i) = b} ∂bias[h, i, j].

/** Buckets Hugging Face uses (compute_position_bias' default, not relative_attention_num_buckets). */
export const RELATIVE_BUCKETS = 32;
const BUCKETS_PER_DIRECTION = RELATIVE_BUCKETS / 2;
const MAX_EXACT = BUCKETS_PER_DIRECTION / 2;
const MAX_DISTANCE = 128;
const LOG_RANGE = Math.fround(Math.log(MAX_DISTANCE / MAX_EXACT));

/** The bucket of a distance |rel| in one direction (0..15). */
export function distanceBucket(distance: number): number {
  if (distance < MAX_EXACT) return distance;
  const logRatio = Math.fround(Math.log(Math.fround(distance / MAX_EXACT)));
  const scaled = Math.fround(Math.fround(logRatio / LOG_RANGE) * (BUCKETS_PER_DIRECTION - MAX_EXACT));
  return Math.min(BUCKETS_PER_DIRECTION - 1, MAX_EXACT + Math.trunc(scaled));
}

/** The bucket of a key at relative position rel = key − query. */
export function relativePositionBucket(rel: number): number {
  return (rel > 0 ? BUCKETS_PER_DIRECTION : 0) + distanceBucket(Math.abs(rel));
}

/** The distance from which every bucket is the last of its direction (saturation). */
export const SATURATED_DISTANCE = (() => {
  let distance = MAX_EXACT;
  while (distanceBucket(distance) < BUCKETS_PER_DIRECTION - 1) distance += 1;
  return distance;
})();

/** bucket(j − i) for a sequence of length T, row-major [T (query i), T (key j)]. */
export function relativeBucketMatrix(seqLength: number): Int32Array {
  const buckets = new Int32Array(seqLength * seqLength);
  for (let i = 0; i < seqLength; i++) {
    for (let j = 0; j < seqLength; j++) buckets[i * seqLength + j] = relativePositionBucket(j - i);
  }
  return buckets;
}

/** ∂table [tableRows, heads] from ∂bias [heads, T, T] (row-major), accumulated in float64. */
export function relativeBiasTableGradient(biasGradient: Float32Array, seqLength: number, heads: number, tableRows: number): Float32Array {
  const pairs = seqLength * seqLength;
  const buckets = relativeBucketMatrix(seqLength);
  const table = new Float64Array(tableRows * heads);
  for (let h = 0; h < heads; h++) {
    for (let pair = 0; pair < pairs; pair++) table[buckets[pair] * heads + h] += biasGradient[h * pairs + pair];
  }
  return Float32Array.from(table);
}
