// The relative attention bias in ONNX, computed in-graph from the sequence length alone (so an exported encoder
// needs only input_ids and attention_mask):
//   rel[i, j] = j − i,  bucket = 16·(rel > 0) + DISTANCE_BUCKETS[min(|rel|, saturation)],  bias = table[bucket]ᵀ
// with DISTANCE_BUCKETS the float32-exact buckets of relative-position.ts as a constant.

import type { GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";
import { distanceBucket, RELATIVE_BUCKETS, SATURATED_DISTANCE } from "./relative-position.ts";

const DISTANCE_BUCKETS = Array.from({ length: SATURATED_DISTANCE + 1 }, (_, distance) => distanceBucket(distance));

/** The bucket matrix (int64 [T, T]) for the sequence length of `inputIds` ([B, T]). */
export function relativeBuckets(g: GraphBuilder, inputIds: string): string {
  const int64 = (value: number) => g.constant([value], [], "int64");
  const seqLength = g.op("Gather", [g.op("Shape", [inputIds]), int64(1)], { axis: 0 });
  const positions = g.op("Range", [int64(0), seqLength, int64(1)]);
  const relative = g.op("Sub", [
    g.op("Unsqueeze", [positions, g.constant([0], [1], "int64")]),
    g.op("Unsqueeze", [positions, g.constant([1], [1], "int64")]),
  ]);
  const distance = g.op("Min", [g.op("Abs", [relative]), int64(SATURATED_DISTANCE)]);
  const nearOrFar = g.op("Gather", [g.constant(DISTANCE_BUCKETS, [DISTANCE_BUCKETS.length], "int64"), distance], { axis: 0 });
  const rightOfQuery = g.op("Cast", [g.op("Greater", [relative, int64(0)])], { to: 7 });
  return g.op("Add", [nearOrFar, g.op("Mul", [rightOfQuery, int64(RELATIVE_BUCKETS / 2)])]);
}

/** bias [heads, T, T] from the table ([buckets, heads]) and the bucket matrix. */
export function relativeAttentionBias(g: GraphBuilder, table: string, buckets: string): string {
  return g.op("Transpose", [g.op("Gather", [table, buckets], { axis: 0 })], { perm: [2, 0, 1] });
}
