// The reference BERT encoder in tfjs, exactly Hugging Face BertModel (no pooler):
//   h0 = LayerNorm(word[ids] + position[0..T) + tokenType[typeIds]), dropout
//   per layer: a = LayerNorm(h + dropout(Wo·Attention(h))),  h' = LayerNorm(a + dropout(W2·gelu(W1·a)))
//   Attention = softmax(Q·Kᵀ/√d + mask) · V per head, masked keys get float32 min, dropout on the probabilities.
// Returns token embeddings [batch, seq, hidden]. In training, each layer can be checkpointed: only its
// input is kept and its backward recomputes it (same seeded dropout masks), which keeps a bge-small
// step within the 4 GB wasm heap.

import * as tf from "@tensorflow/tfjs";
import type { BertConfig } from "../../models/bert-config.ts";
import { headSize } from "../../models/bert-config.ts";
import { DROPOUT_SITES, embeddingDropoutSeed, layerDropoutSeed, siteDropoutSeed } from "../dropout-masks.ts";
import { customGradient } from "./custom-gradient.ts";
import { dropout } from "./dropout.ts";
import { dense, gelu, layerNorm, type DenseWeights, type NormWeights } from "./layers.ts";

export interface BertLayerWeights {
  query: DenseWeights;
  key: DenseWeights;
  value: DenseWeights;
  attentionOutput: DenseWeights;
  attentionNorm: NormWeights;
  intermediate: DenseWeights;
  output: DenseWeights;
  outputNorm: NormWeights;
}

export interface BertWeights {
  wordEmbeddings: tf.Tensor2D;
  positionEmbeddings: tf.Tensor2D;
  tokenTypeEmbeddings: tf.Tensor2D;
  embeddingNorm: NormWeights;
  layers: BertLayerWeights[];
}

/** Token ids of one batch, row-major [batchSize, seqLength]. */
export interface EncoderInputs {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
  batchSize: number;
  seqLength: number;
}

export interface ForwardOptions {
  /** Dropout on (as in model.train()); off gives inference. */
  training?: boolean;
  /** Seed of this step's dropout masks. */
  dropoutSeed?: number;
  /** Recompute each layer in the backward pass instead of keeping its activations. */
  checkpointLayers?: boolean;
}

const FLOAT32_MIN = -3.4028234663852886e38;

/** The additive attention mask [batch, 1, 1, seq]: 0 for real tokens, float32 min for padding. */
export function additiveAttentionMask(inputs: EncoderInputs): tf.Tensor4D {
  const values = new Float32Array(inputs.attentionMask.length);
  inputs.attentionMask.forEach((keep, i) => (values[i] = keep ? 0 : FLOAT32_MIN));
  return tf.tensor4d(values, [inputs.batchSize, 1, 1, inputs.seqLength]);
}

function embeddings(weights: BertWeights, config: BertConfig, inputs: EncoderInputs, options: ForwardOptions): tf.Tensor2D {
  const { batchSize, seqLength } = inputs;
  const hidden = config.hiddenSize;
  if (seqLength > config.maxPositionEmbeddings) {
    throw new Error(`sequence length ${seqLength} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`);
  }
  const words = tf.gather(weights.wordEmbeddings, tf.tensor1d(inputs.inputIds, "int32"));
  const types = tf.gather(weights.tokenTypeEmbeddings, tf.tensor1d(inputs.tokenTypeIds, "int32"));
  const positions = tf.slice(weights.positionEmbeddings, [0, 0], [seqLength, hidden]);
  const summed = tf.reshape(
    tf.add(tf.reshape(tf.add(words, types), [batchSize, seqLength, hidden]), positions),
    [batchSize * seqLength, hidden],
  ) as tf.Tensor2D;
  const normalized = layerNorm(summed, weights.embeddingNorm, config.layerNormEps);
  return options.training ? dropout(normalized, config.hiddenDropoutProb, embeddingDropoutSeed(options.dropoutSeed ?? 0)) : normalized;
}

/** One encoder layer on hidden states [batch·seq, hidden]. */
function encoderLayer(
  hiddenStates: tf.Tensor2D,
  layer: BertLayerWeights,
  mask: tf.Tensor4D,
  config: BertConfig,
  shape: { batchSize: number; seqLength: number },
  dropoutSeed: number | undefined,
): tf.Tensor2D {
  const { batchSize, seqLength } = shape;
  const heads = config.numAttentionHeads;
  const size = headSize(config);
  const hidden = config.hiddenSize;
  const training = dropoutSeed !== undefined;
  const drop = <T extends tf.Tensor>(x: T, probability: number, site: keyof typeof DROPOUT_SITES): T =>
    training ? dropout(x, probability, siteDropoutSeed(dropoutSeed, site)) : x;
  const splitHeads = (x: tf.Tensor2D): tf.Tensor4D =>
    tf.transpose(tf.reshape(x, [batchSize, seqLength, heads, size]), [0, 2, 1, 3]);

  const query = splitHeads(dense(hiddenStates, layer.query));
  const key = splitHeads(dense(hiddenStates, layer.key));
  const value = splitHeads(dense(hiddenStates, layer.value));
  const scores = tf.add(tf.mul(tf.matMul(query, key, false, true), 1 / Math.sqrt(size)), mask);
  const probabilities = drop(tf.softmax(scores), config.attentionProbsDropoutProb, "probabilities");
  const context = tf.reshape(tf.transpose(tf.matMul(probabilities, value), [0, 2, 1, 3]), [
    batchSize * seqLength,
    hidden,
  ]) as tf.Tensor2D;
  const attentionOutput = drop(dense(context, layer.attentionOutput), config.hiddenDropoutProb, "attention");
  const attended = layerNorm(tf.add(attentionOutput, hiddenStates), layer.attentionNorm, config.layerNormEps);
  const intermediate = gelu(dense(attended, layer.intermediate));
  const output = drop(dense(intermediate, layer.output), config.hiddenDropoutProb, "output");
  return layerNorm(tf.add(output, attended), layer.outputNorm, config.layerNormEps);
}

function flattenLayer(layer: BertLayerWeights): tf.Tensor[] {
  const pair = (d: DenseWeights) => [d.kernel, d.bias];
  const norm = (n: NormWeights) => [n.gamma, n.beta];
  return [
    ...pair(layer.query),
    ...pair(layer.key),
    ...pair(layer.value),
    ...pair(layer.attentionOutput),
    ...norm(layer.attentionNorm),
    ...pair(layer.intermediate),
    ...pair(layer.output),
    ...norm(layer.outputNorm),
  ];
}

function unflattenLayer(tensors: tf.Tensor[]): BertLayerWeights {
  const [qk, qb, kk, kb, vk, vb, ok, ob, ag, ab, ik, ib, outk, outb, og, ob2] = tensors;
  const pair = (kernel: tf.Tensor, bias: tf.Tensor): DenseWeights => ({
    kernel: kernel as tf.Tensor2D,
    bias: bias as tf.Tensor1D,
  });
  const norm = (gamma: tf.Tensor, beta: tf.Tensor): NormWeights => ({
    gamma: gamma as tf.Tensor1D,
    beta: beta as tf.Tensor1D,
  });
  return {
    query: pair(qk, qb),
    key: pair(kk, kb),
    value: pair(vk, vb),
    attentionOutput: pair(ok, ob),
    attentionNorm: norm(ag, ab),
    intermediate: pair(ik, ib),
    output: pair(outk, outb),
    outputNorm: norm(og, ob2),
  };
}

/** engine.state.activeTape: a gradient computed inside a backward pass replaces it (tfjs quirk). */
interface EngineWithTape {
  state: { activeTape: unknown };
}

type LayerRun = (input: tf.Tensor2D, weights: BertLayerWeights, mask: tf.Tensor4D) => tf.Tensor2D;

/** The layer as one tape node: keeps only its input, recomputes itself to get its gradients. */
function checkpointedLayer(
  hiddenStates: tf.Tensor2D,
  layer: BertLayerWeights,
  mask: tf.Tensor4D,
  run: LayerRun,
): tf.Tensor2D {
  const weightTensors = flattenLayer(layer);
  const op = customGradient(([input], save) => {
    save([input, mask]);
    return {
      value: run(input as tf.Tensor2D, layer, mask),
      gradFunc: (dy, saved) => {
        const engine = tf.engine() as unknown as EngineWithTape;
        const outerTape = engine.state.activeTape;
        try {
          const [savedInput, savedMask] = saved as [tf.Tensor2D, tf.Tensor4D];
          const recompute = (x: tf.Tensor, ...weights: tf.Tensor[]) =>
            run(x as tf.Tensor2D, unflattenLayer(weights), savedMask);
          return tf.grads(recompute)([savedInput, ...weightTensors], dy);
        } finally {
          engine.state.activeTape = outerTape;
        }
      },
    };
  });
  return op(hiddenStates, ...weightTensors) as tf.Tensor2D;
}

/** Token embeddings [batch, seq, hidden] (Hugging Face's last_hidden_state). */
export function bertForward(
  weights: BertWeights,
  config: BertConfig,
  inputs: EncoderInputs,
  options: ForwardOptions = {},
): tf.Tensor3D {
  const shape = { batchSize: inputs.batchSize, seqLength: inputs.seqLength };
  const mask = additiveAttentionMask(inputs);
  let hidden = embeddings(weights, config, inputs, options);
  weights.layers.forEach((layer, index) => {
    const layerSeed = options.training ? layerDropoutSeed(options.dropoutSeed ?? 0, index) : undefined;
    const run: LayerRun = (input, layerWeights, layerMask) =>
      encoderLayer(input, layerWeights, layerMask, config, shape, layerSeed);
    hidden = options.checkpointLayers ? checkpointedLayer(hidden, layer, mask, run) : run(hidden, layer, mask);
  });
  return tf.reshape(hidden, [inputs.batchSize, inputs.seqLength, config.hiddenSize]) as tf.Tensor3D;
}
