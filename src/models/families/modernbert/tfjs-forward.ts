// The reference ModernBERT encoder in tfjs (autodiff), Hugging Face ModernBertModel's padded path:
//   x = drop_e(LayerNorm(tok[ids]));  per layer i:
//     x += drop_a(Wo · attention(attn_norm(x)))   (layer 0: attn_norm is the identity)
//     x += Wo_mlp · drop_o(gelu(input) ⊙ gate),  [input | gate] = Wi · mlp_norm(x)
//   last_hidden_state = final_norm(x)
//   attention: [q | k | v] = Wqkv · x per head, RoPE on q and k (θ global or local), softmax(q·kᵀ/√d + mask)
//   with dropout on the probabilities; global layers over all T keys (padding masked), local layers in
//   windowed blocks (window.ts). LayerNorm eps = norm_eps, bias only with norm_bias; linear biases per flags.
// Dropout sites and seeds (dropout-masks.ts): embeddings [B,T,H]; per layer "probabilities" ([B,heads,T,T]
// global, [B,heads,L/b,b,3b] local), "attention" (out_drop, [B,T,H]), "output" (mlp.drop, [B,T,I]).
// With checkpointLayers each layer keeps only its input and recomputes itself in the backward pass.

import * as tf from "@tensorflow/tfjs";
import type { EncoderInputs, ForwardOptions } from "../../../engines/architecture.ts";
import { embeddingDropoutSeed, layerDropoutSeed, siteDropoutSeed, type DROPOUT_SITES } from "../../../engines/dropout-masks.ts";
import { customGradient, gradientsByRecomputing } from "../../../engines/tfjs/custom-gradient.ts";
import { dropout } from "../../../engines/tfjs/dropout.ts";
import { additiveAttentionMask, gelu, layerNorm } from "../../../engines/tfjs/layers.ts";
import { headSize, isGlobal, ropeTheta, type ModernBertConfig } from "./config.ts";
import { modernBertParameters, TOKEN_EMBEDDINGS } from "./parameters.ts";
import { ropeTables } from "./rope.ts";
import { blocking, localAdditiveMask } from "./window.ts";

type Weights = ReadonlyMap<string, tf.Tensor>;

function weightOf(weights: Weights, name: string): tf.Tensor {
  const tensor = weights.get(name);
  if (!tensor) throw new Error(`ModernBERT weight ${name} is missing`);
  return tensor;
}

function linear(x: tf.Tensor2D, weights: Weights, name: string, bias: boolean): tf.Tensor2D {
  const y = tf.matMul(x, weightOf(weights, `${name}.weight`) as tf.Tensor2D) as tf.Tensor2D;
  return bias ? (tf.add(y, weightOf(weights, `${name}.bias`)) as tf.Tensor2D) : y;
}

function norm(x: tf.Tensor2D, weights: Weights, name: string, config: ModernBertConfig): tf.Tensor2D {
  const gamma = weightOf(weights, `${name}.weight`) as tf.Tensor1D;
  const beta = config.normBias ? (weightOf(weights, `${name}.bias`) as tf.Tensor1D) : tf.zerosLike(gamma);
  return layerNorm(x, { gamma, beta }, config.normEps);
}

/** x·cos + rotate_half(x)·sin on [B, heads, T, d] with tables [T, d]. */
function rotate(x: tf.Tensor4D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor4D {
  const half = x.shape[3] / 2;
  const [a, b] = tf.split(x, [half, half], 3);
  return tf.add(tf.mul(x, cos), tf.mul(tf.concat([tf.neg(b), a], 3), sin));
}

/** [B, heads, T, d] → key blocks [B, heads, L/b, 3b, d] (blocks k−1, k, k+1 of the padded sequence). */
function keyBlocks(x: tf.Tensor4D, b: number, blocks: number, seqLength: number): tf.Tensor {
  const [batch, heads, , d] = x.shape;
  const length = blocks * b;
  const padded = tf.pad(x, [[0, 0], [0, 0], [b, length - seqLength + b], [0, 0]]);
  const shifted = [0, b, 2 * b].map((start) =>
    tf.reshape(tf.slice(padded, [0, 0, start, 0], [batch, heads, length, d]), [batch, heads, blocks, b, d]),
  );
  return tf.concat(shifted, 3);
}

/** Constants of one forward, shared by its layers: masks and RoPE tables (not differentiated). */
interface LayerConstants {
  paddingMask: tf.Tensor;
  localMask: tf.Tensor;
  cos: tf.Tensor2D;
  sin: tf.Tensor2D;
}

interface LayerContext {
  config: ModernBertConfig;
  index: number;
  batchSize: number;
  seqLength: number;
  /** Dropout seed of this layer (training), else undefined. */
  layerSeed: number | undefined;
}

/** One pre-norm layer on hidden states [B·T, H]. */
function encoderLayer(x: tf.Tensor2D, weights: Weights, constants: LayerConstants, context: LayerContext): tf.Tensor2D {
  const { config, index: i, batchSize: B, seqLength: T, layerSeed } = context;
  const H = config.hiddenSize;
  const I = config.intermediateSize;
  const heads = config.numAttentionHeads;
  const d = headSize(config);
  const p = `layers.${i}`;
  const drop = <X extends tf.Tensor>(y: X, probability: number, site: keyof typeof DROPOUT_SITES): X =>
    layerSeed === undefined ? y : dropout(y, probability, siteDropoutSeed(layerSeed, site));
  const toHeads = (y: tf.Tensor2D) => tf.transpose(tf.reshape(y, [B, T, heads, d]), [0, 2, 1, 3]) as tf.Tensor4D;
  const scale = 1 / Math.sqrt(d);

  const normed = i === 0 ? x : norm(x, weights, `${p}.attn_norm`, config);
  const qkv = linear(normed, weights, `${p}.attn.Wqkv`, config.attentionBias);
  const [q, k, v] = tf.split(qkv, 3, 1).map((part) => toHeads(part as tf.Tensor2D));
  const query = rotate(q, constants.cos, constants.sin);
  const key = rotate(k, constants.cos, constants.sin);
  let attended: tf.Tensor4D;
  if (isGlobal(config, i)) {
    const scores = tf.add(tf.mul(tf.matMul(query, key, false, true), scale), constants.paddingMask);
    attended = tf.matMul(drop(tf.softmax(scores), config.attentionDropout, "probabilities"), v) as tf.Tensor4D;
  } else {
    const { block: b, blocks, paddedLength: L } = blocking(config, T);
    const queries = tf.reshape(tf.pad(query, [[0, 0], [0, 0], [0, L - T], [0, 0]]), [B, heads, blocks, b, d]);
    const scores = tf.add(tf.mul(tf.matMul(queries, keyBlocks(key, b, blocks, T), false, true), scale), constants.localMask);
    const probabilities = drop(tf.softmax(scores), config.attentionDropout, "probabilities");
    const blocked = tf.matMul(probabilities, keyBlocks(v, b, blocks, T));
    attended = tf.slice(tf.reshape(blocked, [B, heads, L, d]), [0, 0, 0, 0], [B, heads, T, d]) as tf.Tensor4D;
  }
  const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [B * T, H]) as tf.Tensor2D;
  const middle = tf.add<tf.Tensor2D>(x, drop(linear(merged, weights, `${p}.attn.Wo`, config.attentionBias), config.attentionDropout, "attention"));

  const wide = linear(norm(middle, weights, `${p}.mlp_norm`, config), weights, `${p}.mlp.Wi`, config.mlpBias);
  const [input, gate] = tf.split(wide, [I, I], 1) as tf.Tensor2D[];
  const gated = drop(tf.mul(gelu(input), gate) as tf.Tensor2D, config.mlpDropout, "output");
  return tf.add<tf.Tensor2D>(middle, linear(gated, weights, `${p}.mlp.Wo`, config.mlpBias));
}

/** The layer as one tape node: keeps its input (and the constants), recomputes itself in the backward pass (same dropout seeds). */
function checkpointedLayer(x: tf.Tensor2D, names: string[], weights: Weights, constants: LayerConstants, context: LayerContext): tf.Tensor2D {
  const layerWeights = names.map((name) => weightOf(weights, name));
  const run = (input: tf.Tensor2D, tensors: tf.Tensor[], saved: LayerConstants) =>
    encoderLayer(input, new Map(names.map((name, k) => [name, tensors[k]])), saved, context);
  const op = customGradient(([input], save) => {
    save([input, constants.paddingMask, constants.localMask, constants.cos, constants.sin]);
    return {
      value: run(input as tf.Tensor2D, layerWeights, constants),
      gradFunc: (dy, saved) => {
        const [savedInput, paddingMask, localMask, cos, sin] = saved;
        const savedConstants = { paddingMask, localMask, cos: cos as tf.Tensor2D, sin: sin as tf.Tensor2D };
        const recompute = (input: tf.Tensor, ...tensors: tf.Tensor[]) => run(input as tf.Tensor2D, tensors, savedConstants);
        return gradientsByRecomputing(recompute, [savedInput, ...layerWeights], dy);
      },
    };
  });
  return op(x, ...layerWeights) as tf.Tensor2D;
}

export function modernBertForward(weights: Weights, config: ModernBertConfig, inputs: EncoderInputs, options: ForwardOptions): tf.Tensor3D {
  const { batchSize: B, seqLength: T } = inputs;
  const d = headSize(config);
  const training = options.training === true;
  const stepSeed = options.dropoutSeed ?? 0;

  const tokens = tf.gather(weightOf(weights, TOKEN_EMBEDDINGS), tf.tensor1d(inputs.inputIds, "int32")) as tf.Tensor2D;
  let x = norm(tokens, weights, "embeddings.norm", config);
  if (training) x = dropout(x, config.embeddingDropout, embeddingDropoutSeed(stepSeed));

  const paddingMask = additiveAttentionMask(inputs);
  const window = blocking(config, T);
  const localMask = tf.tensor(localAdditiveMask(config, inputs.attentionMask, B, T), [B, 1, window.blocks, window.block, 3 * window.block]);
  const tables = new Map<number, { cos: tf.Tensor2D; sin: tf.Tensor2D }>();
  const tablesFor = (theta: number) => {
    if (!tables.has(theta)) {
      const { cos, sin } = ropeTables(T, d, theta);
      tables.set(theta, { cos: tf.tensor2d(cos, [T, d]), sin: tf.tensor2d(sin, [T, d]) });
    }
    return tables.get(theta)!;
  };
  const parameterNames = modernBertParameters(config).map((spec) => spec.name);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const constants = { paddingMask, localMask, ...tablesFor(ropeTheta(config, i)) };
    const context = { config, index: i, batchSize: B, seqLength: T, layerSeed: training ? layerDropoutSeed(stepSeed, i) : undefined };
    if (options.checkpointLayers) {
      const names = parameterNames.filter((name) => name.startsWith(`layers.${i}.`));
      x = checkpointedLayer(x, names, weights, constants, context);
    } else {
      x = encoderLayer(x, weights, constants, context);
    }
  }
  return tf.reshape(norm(x, weights, "final_norm", config), [B, T, config.hiddenSize]) as tf.Tensor3D;
}
