// ModernBERT's forward (tfjs-forward.ts) in standard ONNX ops (opset 17), shared by the inference graph
// and the training forward; the backward graph rebuilds the attention and the element-wise parts from the
// saved activations (onnx-saved.ts) with the same ModernBertOps helpers. Everything positional comes from
// the token inputs: T from input_ids' shape, RoPE's cos/sin from Range(0, T) · inv_freq (constants), the
// masks from attention_mask; local layers attend in windowed blocks (window.ts) with the same
// Pad/Slice/Reshape blocking in the graph. Dropout masks (already scaled by 1/(1 − p)) are inputs, present
// only for sites whose probability is above 0.

import type { GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";
import { additiveMask, FLOAT32_MIN, gelu, layerNorm, linear } from "../../../engines/onnxruntime/ops/index.ts";
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

/** Rotated queries and keys and the values, [B, heads, T, d]. */
export interface HeadValues {
  query: string;
  key: string;
  value: string;
}

export interface LayerValues {
  input: string; // [B, T, H]
  attentionNorm?: NormValues; // absent on layer 0
  normed: string; // attention input [B, T, H]
  heads: HeadValues;
  query: string; // heads.query (global) or its blocks [B, heads, n, b, d] (local)
  key: string; // heads.key or its key blocks [B, heads, n, 3b, d]
  value: string; // same layout as key
  probabilities: string;
  droppedProbabilities: string;
  merged: string; // heads merged [B, T, H]
  middle: string; // after the attention residual
  mlpNorm: NormValues;
  wide: string; // Wi's output [B, T, 2I]: input_ and gate
  input_: string; // Wi's first half, pre-GELU [B, T, I]
  gate: string;
  activated: string; // gelu(input)
  gated: string; // gelu(input) ⊙ gate, dropped [B, T, I]
}

/** What every layer reads that depends only on the sequence length. */
export interface Positions {
  /** RoPE tables [T, d] per theta. */
  rope: Map<number, { cos: string; sin: string }>;
  seqLength: string; // int64 [1]
  paddedLength: string; // int64 [1]: L of the local blocking
}

/** The additive attention masks: global [B, 1, 1, T], local [B, 1, n, b, 3b]. */
export interface AttentionMasks {
  global: string;
  local: string;
}

export interface ForwardValues extends Positions {
  embeddingNorm: NormValues; // input = tok[ids]
  layers: LayerValues[];
  finalNorm: NormValues;
  hidden: string;
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
  keyBlocks(x: string, values: Positions): string {
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
  queryBlocks(x: string, values: Positions): string {
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

  drop(x: string, mask: string | undefined): string {
    return mask ? this.g.op("Mul", [x, mask]) : x;
  }

  /** T and L from input_ids' shape, and the RoPE tables: angle = position · inv_freq in float32. */
  positions(inputIds: string): Positions {
    const { g, config } = this;
    const b = this.block;
    const seqLength = g.op("Slice", [g.op("Shape", [inputIds]), this.ints([1]), this.ints([2])]);
    const blocks = g.op("Div", [g.op("Add", [seqLength, this.ints([b - 1])]), this.ints([b])]);
    const paddedLength = g.op("Mul", [blocks, this.ints([b])]);
    const positions = g.op("Unsqueeze", [g.op("Cast", [g.op("Range", [g.constant([0], [], "int64"), g.op("Squeeze", [seqLength, this.ints([0])]), g.constant([1], [], "int64")])], { to: 1 }), this.ints([1])]);
    const rope = new Map<number, { cos: string; sin: string }>();
    for (let i = 0; i < config.numHiddenLayers; i++) {
      const theta = ropeTheta(config, i);
      if (rope.has(theta)) continue;
      const angles = g.op("Mul", [positions, g.constant(ropeFrequencies(headSize(config), theta), [1, headSize(config)])]);
      rope.set(theta, { cos: g.op("Cos", [angles]), sin: g.op("Sin", [angles]) });
    }
    return { rope, seqLength, paddedLength };
  }

  /** drop(LayerNorm(tok[ids])): the first layer's input. */
  embeddings(inputIds: string, weight: (name: string) => string, mask: string | undefined): { norm: NormValues; output: string } {
    const norm = this.layerNorm(this.g.op("Gather", [weight(TOKEN_EMBEDDINGS), inputIds], { axis: 0 }), "embeddings.norm", weight);
    return { norm, output: this.drop(norm.output, mask) };
  }

  /** Layer i's attention norm (none on layer 0, as in ModernBERT). */
  attentionNorm(input: string, layer: number, weight: (name: string) => string): NormValues | undefined {
    return layer === 0 ? undefined : this.layerNorm(input, `layers.${layer}.attn_norm`, weight);
  }

  /** The attention's operands: the heads themselves (global layer) or their blocks (local layer). */
  attentionOperands(layer: number, heads: HeadValues, positions: Positions): HeadValues {
    if (isGlobal(this.config, layer)) return heads;
    return { query: this.queryBlocks(heads.query, positions), key: this.keyBlocks(heads.key, positions), value: this.keyBlocks(heads.value, positions) };
  }

  /** The additive masks from attention_mask: global [B, 1, 1, T]; local [B, 1, n, b, 3b] (real keys inside the window). */
  attentionMasks(attentionMask: string, positions: Positions): AttentionMasks {
    const { g } = this;
    const b = this.block;
    const { seqLength, paddedLength } = positions;
    const maskFloat = g.op("Cast", [attentionMask], { to: 1 });
    const keyPads = g.op("Concat", [this.ints([0, b, 0]), g.op("Add", [g.op("Sub", [paddedLength, seqLength]), this.ints([b])])], { axis: 0 });
    const paddedKeys = g.op("Pad", [maskFloat, keyPads]);
    const keyParts = [0, b, 2 * b].map((start) =>
      g.op("Reshape", [g.op("Slice", [paddedKeys, this.ints([start]), g.op("Add", [paddedLength, this.ints([start])]), this.ints([1])]), this.ints([0, -1, b])]),
    );
    const keyBlocksReal = g.op("Unsqueeze", [g.op("Concat", keyParts, { axis: 2 }), this.ints([1, 3])]);
    const keep = g.op("Mul", [keyBlocksReal, g.constant(windowPattern(this.config), [b, 3 * b])]);
    const local = g.op("Mul", [g.op("Sub", [this.scalar(1), keep]), this.scalar(FLOAT32_MIN)]);
    return { global: additiveMask(g, attentionMask), local };
  }

  /** Layer i's attention over its operands: P = softmax(Q·Kᵀ/√d + mask), P' = drop(P), merged = merge(P'·V) [B, T, H]. */
  attention(layer: number, operands: HeadValues, masks: AttentionMasks, positions: Positions, dropMask: string | undefined): Pick<LayerValues, "probabilities" | "droppedProbabilities" | "merged"> {
    const { g } = this;
    const d = headSize(this.config);
    const global = isGlobal(this.config, layer);
    const keysLast = g.op("Transpose", [operands.key], { perm: global ? [0, 1, 3, 2] : [0, 1, 2, 4, 3] });
    const scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [operands.query, keysLast]), this.scalar(1 / Math.sqrt(d))]), global ? masks.global : masks.local]);
    const probabilities = g.op("Softmax", [scores], { axis: -1 });
    const droppedProbabilities = this.drop(probabilities, dropMask);
    const product = g.op("MatMul", [droppedProbabilities, operands.value]);
    const context = global ? product : g.op("Slice", [g.op("Reshape", [product, this.ints([0, 0, -1, d])]), this.ints([0]), positions.seqLength, this.ints([2])]);
    return { probabilities, droppedProbabilities, merged: this.fromHeads(context) };
  }

  /** GeGLU on Wi's output: drop(gelu(input_) ⊙ gate). */
  mlpActivation(wide: string, mask: string | undefined): Pick<LayerValues, "input_" | "gate" | "activated" | "gated"> {
    const I = this.config.intermediateSize;
    const [input_, gate] = this.g.node("Split", [wide, this.ints([I, I])], { axis: 2 }, { outputs: 2 });
    const activated = gelu(this.g, input_);
    return { input_, gate, activated, gated: this.drop(this.g.op("Mul", [activated, gate]), mask) };
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
  const positions = ops.positions(inputIds);
  const attentionMasks = ops.attentionMasks(attentionMask, positions);
  const embeddings = ops.embeddings(inputIds, weight, masks.embeddings);
  let x = embeddings.output;
  const values: ForwardValues = { ...positions, embeddingNorm: embeddings.norm, layers: [], finalNorm: embeddings.norm, hidden: "" };
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `layers.${i}`;
    const layerMasks = masks.layers[i];
    const input = x;
    const attentionNorm = ops.attentionNorm(input, i, weight);
    const normed = attentionNorm?.output ?? input;
    const qkv = ops.linear(normed, `${p}.attn.Wqkv`, config.attentionBias, weight);
    const [q, k, v] = g.node("Split", [qkv], { axis: 2 }, { outputs: 3 }).map((part) => ops.toHeads(part));
    const { cos, sin } = positions.rope.get(ropeTheta(config, i))!;
    const heads = { query: ops.rotate(q, cos, sin), key: ops.rotate(k, cos, sin), value: v };
    const operands = ops.attentionOperands(i, heads, positions);
    const attention = ops.attention(i, operands, attentionMasks, positions, layerMasks.probabilities);
    const middle = g.op("Add", [input, ops.drop(ops.linear(attention.merged, `${p}.attn.Wo`, config.attentionBias, weight), layerMasks.attention)]);
    const mlpNorm = ops.layerNorm(middle, `${p}.mlp_norm`, weight);
    const wide = ops.linear(mlpNorm.output, `${p}.mlp.Wi`, config.mlpBias, weight);
    const activation = ops.mlpActivation(wide, layerMasks.output);
    x = g.op("Add", [middle, ops.linear(activation.gated, `${p}.mlp.Wo`, config.mlpBias, weight)]);
    values.layers.push({ input, attentionNorm, normed, heads, ...operands, ...attention, middle, mlpNorm, wide, ...activation });
  }
  values.finalNorm = ops.layerNorm(x, "final_norm", weight);
  values.hidden = values.finalNorm.output;
  return values;
}
