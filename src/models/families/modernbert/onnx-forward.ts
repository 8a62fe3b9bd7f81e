// ModernBERT's forward (tfjs-forward.ts) in standard ONNX ops (opset 17), shared by the inference graph,
// the training forward and the backward graph (which recomputes it and reads the values kept here).
// Everything positional comes from the token inputs: T from input_ids' shape, RoPE's cos/sin from
// Range(0, T) · inv_freq (constants), the masks from attention_mask; local layers attend in windowed
// blocks (window.ts) with the same Pad/Slice/Reshape blocking in the graph. Dropout masks (already scaled
// by 1/(1 − p)) are inputs, present only for sites whose probability is above 0.

import type { GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";
import { additiveMask, applyDropoutMask, FLOAT32_MIN, gelu, layerNorm, linear } from "../../../engines/onnxruntime/ops/index.ts";
import { headSize, isGlobal, ropeTheta, type ModernBertConfig } from "./config.ts";
import { TOKEN_EMBEDDINGS } from "./parameters.ts";
import { ropeFrequencies } from "./rope.ts";
import { windowPattern } from "./window.ts";

export const BATCH = "batch_size";
export const SEQUENCE = "sequence_length";

/** Dropout mask value names; undefined where the site's probability is 0. */
export interface DropoutMaskNames {
  embeddings?: string;
  layers: { probabilities?: string; attention?: string; output?: string }[];
}

export interface NormValues {
  input: string;
  mean: string;
  inverseStd: string;
  output: string;
}

export interface LayerValues {
  input: string; // [B, T, H]
  attentionNorm?: NormValues; // absent on layer 0
  normed: string; // attention input [B, T, H]
  query: string; // rotated, [B, heads, T, d] (global) or blocks [B, heads, n, b, d] (local)
  key: string; // rotated, [B, heads, T, d] or key blocks [B, heads, n, 3b, d]
  value: string; // same layout as key
  probabilities: string;
  droppedProbabilities: string;
  merged: string; // heads merged [B, T, H]
  middle: string; // after the attention residual
  mlpNorm: NormValues;
  input_: string; // Wi's first half, pre-GELU [B, T, I]
  gate: string;
  activated: string; // gelu(input)
  gated: string; // gelu(input) ⊙ gate, dropped [B, T, I]
}

export interface ForwardValues {
  embeddingNorm: NormValues; // input = tok[ids]
  layers: LayerValues[];
  finalNorm: NormValues;
  hidden: string;
  /** RoPE tables [T, d] per theta. */
  rope: Map<number, { cos: string; sin: string }>;
  seqLength: string; // int64 [1]
  paddedLength: string; // int64 [1]: L of the local blocking
}

/** Helpers over the graph shared by forward and backward. */
export class ModernBertOps {
  private readonly constants = new Map<string, string>();
  constructor(
    readonly g: GraphBuilder,
    readonly config: ModernBertConfig,
  ) {}

  ints(values: number[]): string {
    const key = `i${values.join(",")}`;
    if (!this.constants.has(key)) this.constants.set(key, this.g.constant(values, [values.length], "int64"));
    return this.constants.get(key)!;
  }

  scalar(value: number): string {
    const key = `f${value}`;
    if (!this.constants.has(key)) this.constants.set(key, this.g.scalar(value));
    return this.constants.get(key)!;
  }

  get heads(): number {
    return this.config.numAttentionHeads;
  }

  get block(): number {
    return Math.max(1, Math.floor(this.config.localAttention / 2));
  }

  toHeads(x: string): string {
    return this.g.op("Transpose", [this.g.op("Reshape", [x, this.ints([0, 0, this.heads, headSize(this.config)])])], { perm: [0, 2, 1, 3] });
  }

  fromHeads(x: string): string {
    return this.g.op("Reshape", [this.g.op("Transpose", [x], { perm: [0, 2, 1, 3] }), this.ints([0, 0, this.config.hiddenSize])]);
  }

  /** Pads axis 2 of a rank-`rank` tensor by `before` and `after` (int64 [1] values). */
  padAxis2(x: string, before: string, after: string, rank: number): string {
    const zeros = this.ints(Array(2).fill(0));
    const tail = this.ints(Array(rank - 3).fill(0));
    const pads = this.g.op("Concat", [zeros, before, ...(rank > 3 ? [tail] : []), zeros, after, ...(rank > 3 ? [tail] : [])], { axis: 0 });
    return this.g.op("Pad", [x, pads]);
  }

  /** [B, heads, T, d] → key blocks [B, heads, n, 3b, d] of the sequence padded to L (window.ts). */
  keyBlocks(x: string, values: ForwardValues): string {
    const b = this.block;
    const d = headSize(this.config);
    const after = this.g.op("Add", [this.g.op("Sub", [values.paddedLength, values.seqLength]), this.ints([b])]);
    const padded = this.padAxis2(x, this.ints([b]), after, 4);
    const parts = [0, b, 2 * b].map((start) => {
      const end = this.g.op("Add", [values.paddedLength, this.ints([start])]);
      const slice = this.g.op("Slice", [padded, this.ints([start]), end, this.ints([2])]);
      return this.g.op("Reshape", [slice, this.ints([0, 0, -1, b, d])]);
    });
    return this.g.op("Concat", parts, { axis: 3 });
  }

  /** Query blocks [B, heads, n, b, d] from [B, heads, T, d]. */
  queryBlocks(x: string, values: ForwardValues): string {
    const after = this.g.op("Sub", [values.paddedLength, values.seqLength]);
    return this.g.op("Reshape", [this.padAxis2(x, this.ints([0]), after, 4), this.ints([0, 0, -1, this.block, headSize(this.config)])]);
  }

  /** x·cos + rotate_half(x)·sin. */
  rotate(x: string, cos: string, sin: string): string {
    const half = headSize(this.config) / 2;
    const [a, b] = this.g.node("Split", [x, this.ints([half, half])], { axis: -1 }, { outputs: 2 });
    const rotated = this.g.op("Concat", [this.g.op("Neg", [b]), a], { axis: -1 });
    return this.g.op("Add", [this.g.op("Mul", [x, cos]), this.g.op("Mul", [rotated, sin])]);
  }

  /** The inverse rotation (RoPE's backward): dy·cos + rotate_halfᵀ(dy·sin), rotate_halfᵀ([a, b]) = [b, −a]. */
  rotateBack(dy: string, cos: string, sin: string): string {
    const half = headSize(this.config) / 2;
    const [a, b] = this.g.node("Split", [this.g.op("Mul", [dy, sin]), this.ints([half, half])], { axis: -1 }, { outputs: 2 });
    return this.g.op("Add", [this.g.op("Mul", [dy, cos]), this.g.op("Concat", [b, this.g.op("Neg", [a])], { axis: -1 })]);
  }

  layerNorm(x: string, name: string, weight: (name: string) => string): NormValues {
    const beta = this.config.normBias ? weight(`${name}.bias`) : undefined;
    return { input: x, ...layerNorm(this.g, x, weight(`${name}.weight`), beta, this.config.normEps) };
  }

  linear(x: string, name: string, bias: boolean, weight: (name: string) => string): string {
    return linear(this.g, x, weight(`${name}.weight`), bias ? weight(`${name}.bias`) : undefined);
  }

}

export function buildModernBertForward(
  ops: ModernBertOps,
  inputIds: string,
  attentionMask: string,
  weight: (name: string) => string,
  masks: DropoutMaskNames,
): ForwardValues {
  const { g, config } = ops;
  const d = headSize(config);
  const I = config.intermediateSize;
  const b = ops.block;
  const drop = (x: string, mask: string | undefined) => applyDropoutMask(g, x, mask);

  const seqLength = g.op("Slice", [g.op("Shape", [inputIds]), ops.ints([1]), ops.ints([2])]);
  const blocks = g.op("Div", [g.op("Add", [seqLength, ops.ints([b - 1])]), ops.ints([b])]);
  const paddedLength = g.op("Mul", [blocks, ops.ints([b])]);

  // RoPE tables [T, d]: angle = position · inv_freq in float32.
  const positions = g.op("Unsqueeze", [g.op("Cast", [g.op("Range", [g.constant([0], [], "int64"), g.op("Squeeze", [seqLength, ops.ints([0])]), g.constant([1], [], "int64")])], { to: 1 }), ops.ints([1])]);
  const rope = new Map<number, { cos: string; sin: string }>();
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const theta = ropeTheta(config, i);
    if (rope.has(theta)) continue;
    const angles = g.op("Mul", [positions, g.constant(ropeFrequencies(d, theta), [1, d])]);
    rope.set(theta, { cos: g.op("Cos", [angles]), sin: g.op("Sin", [angles]) });
  }

  // Masks: global [B, 1, 1, T]; local [B, 1, n, b, 3b] (real keys inside the window).
  const maskFloat = g.op("Cast", [attentionMask], { to: 1 });
  const toAdditive = (keep: string) => g.op("Mul", [g.op("Sub", [ops.scalar(1), keep]), ops.scalar(FLOAT32_MIN)]);
  const globalMask = additiveMask(g, attentionMask);
  const keyPads = g.op("Concat", [ops.ints([0, b, 0]), g.op("Add", [g.op("Sub", [paddedLength, seqLength]), ops.ints([b])])], { axis: 0 });
  const paddedKeys = g.op("Pad", [maskFloat, keyPads]);
  const keyParts = [0, b, 2 * b].map((start) =>
    g.op("Reshape", [g.op("Slice", [paddedKeys, ops.ints([start]), g.op("Add", [paddedLength, ops.ints([start])]), ops.ints([1])]), ops.ints([0, -1, b])]),
  );
  const keyBlocksReal = g.op("Unsqueeze", [g.op("Concat", keyParts, { axis: 2 }), ops.ints([1, 3])]);
  const localMask = toAdditive(g.op("Mul", [keyBlocksReal, g.constant(windowPattern(config), [b, 3 * b])]));

  const embeddingNorm = ops.layerNorm(g.op("Gather", [weight(TOKEN_EMBEDDINGS), inputIds], { axis: 0 }), "embeddings.norm", weight);
  let x = drop(embeddingNorm.output, masks.embeddings);
  const values: ForwardValues = { embeddingNorm, layers: [], finalNorm: embeddingNorm, hidden: "", rope, seqLength, paddedLength };
  const scale = ops.scalar(1 / Math.sqrt(d));
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `layers.${i}`;
    const layerMasks = masks.layers[i];
    const input = x;
    const attentionNorm = i === 0 ? undefined : ops.layerNorm(input, `${p}.attn_norm`, weight);
    const normed = attentionNorm?.output ?? input;
    const qkv = ops.linear(normed, `${p}.attn.Wqkv`, config.attentionBias, weight);
    const [q, k, v] = g.node("Split", [qkv], { axis: 2 }, { outputs: 3 }).map((part) => ops.toHeads(part));
    const { cos, sin } = rope.get(ropeTheta(config, i))!;
    let query = ops.rotate(q, cos, sin);
    let key = ops.rotate(k, cos, sin);
    let value = v;
    let probabilities: string;
    let droppedProbabilities: string;
    let context: string;
    if (isGlobal(config, i)) {
      const scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [query, g.op("Transpose", [key], { perm: [0, 1, 3, 2] })]), scale]), globalMask]);
      probabilities = g.op("Softmax", [scores], { axis: -1 });
      droppedProbabilities = drop(probabilities, layerMasks.probabilities);
      context = g.op("MatMul", [droppedProbabilities, value]);
    } else {
      query = ops.queryBlocks(query, values);
      key = ops.keyBlocks(key, values);
      value = ops.keyBlocks(v, values);
      const scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [query, g.op("Transpose", [key], { perm: [0, 1, 2, 4, 3] })]), scale]), localMask]);
      probabilities = g.op("Softmax", [scores], { axis: -1 });
      droppedProbabilities = drop(probabilities, layerMasks.probabilities);
      const blocked = g.op("Reshape", [g.op("MatMul", [droppedProbabilities, value]), ops.ints([0, 0, -1, d])]);
      context = g.op("Slice", [blocked, ops.ints([0]), seqLength, ops.ints([2])]);
    }
    const merged = ops.fromHeads(context);
    const middle = g.op("Add", [input, drop(ops.linear(merged, `${p}.attn.Wo`, config.attentionBias, weight), layerMasks.attention)]);
    const mlpNorm = ops.layerNorm(middle, `${p}.mlp_norm`, weight);
    const wide = ops.linear(mlpNorm.output, `${p}.mlp.Wi`, config.mlpBias, weight);
    const [input_, gate] = g.node("Split", [wide, ops.ints([I, I])], { axis: 2 }, { outputs: 2 });
    const activated = gelu(g, input_);
    const gated = drop(g.op("Mul", [activated, gate]), layerMasks.output);
    x = g.op("Add", [middle, ops.linear(gated, `${p}.mlp.Wo`, config.mlpBias, weight)]);
    values.layers.push({ input, attentionNorm, normed, query, key, value, probabilities, droppedProbabilities, merged, middle, mlpNorm, input_, gate, activated, gated });
  }
  values.finalNorm = ops.layerNorm(x, "final_norm", weight);
  values.hidden = values.finalNorm.output;
  return values;
}
