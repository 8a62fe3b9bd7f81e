// The post-LN encoder (layout.ts) in tfjs, the reference engine's forward: exactly Hugging Face's
// BertModel / XLMRobertaModel (no pooler) for the layout's names and position rule. Returns token
// embeddings [batch, seq, hidden]. In training, each layer can be checkpointed: only its input is kept
// and its backward recomputes it (same seeded dropout masks), which keeps a bge-small step within the
// 4 GB wasm heap.

import * as tf from "@tensorflow/tfjs";
import type { EncoderInputs, ForwardOptions } from "../../../engines/architecture.ts";
import { DROPOUT_SITES, embeddingDropoutSeed, layerDropoutSeed, siteDropoutSeed } from "../../../engines/dropout-masks.ts";
import { customGradient, gradientsByRecomputing } from "../../../engines/tfjs/custom-gradient.ts";
import { dropout } from "../../../engines/tfjs/dropout.ts";
import { additiveAttentionMask, dense, gelu, layerNorm, type DenseWeights, type NormWeights } from "../../../engines/tfjs/layers.ts";
import { headSize, layerParameters, positionIds, type PostLnConfig, type PostLnLayerNames, type PostLnLayout } from "./layout.ts";

type Weight = (name: string) => tf.Tensor;

function embeddings<C extends PostLnConfig>(weight: Weight, config: C, layout: PostLnLayout<C>, inputs: EncoderInputs, options: ForwardOptions): tf.Tensor2D {
  const { batchSize, seqLength } = inputs;
  const hidden = config.hiddenSize;
  const { names } = layout;
  const words = tf.gather(weight(names.word), tf.tensor1d(inputs.inputIds, "int32"));
  const withTypes = names.tokenType ? tf.add(words, tf.gather(weight(names.tokenType), tf.tensor1d(inputs.tokenTypeIds, "int32"))) : words;
  let summed: tf.Tensor2D;
  if (layout.positions === "absolute") {
    if (seqLength > config.maxPositionEmbeddings) {
      throw new Error(`sequence length ${seqLength} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`);
    }
    const positions = tf.slice(weight(names.position), [0, 0], [seqLength, hidden]);
    summed = tf.reshape(tf.add(tf.reshape(withTypes, [batchSize, seqLength, hidden]), positions), [batchSize * seqLength, hidden]);
  } else {
    const ids = positionIds(inputs, layout.positions, config.padTokenId);
    const largest = ids.reduce((a, b) => Math.max(a, b), 0);
    if (largest >= config.maxPositionEmbeddings) {
      throw new Error(`position id ${largest} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`);
    }
    summed = tf.add(withTypes, tf.gather(weight(names.position), tf.tensor1d(ids, "int32")));
  }
  const normalized = layerNorm(summed, norm(weight, names.embeddingNorm), config.layerNormEps);
  return options.training ? dropout(normalized, config.hiddenDropoutProb, embeddingDropoutSeed(options.dropoutSeed ?? 0)) : normalized;
}

const linear = (weight: Weight, name: string): DenseWeights => ({
  kernel: weight(`${name}.weight`) as tf.Tensor2D,
  bias: weight(`${name}.bias`) as tf.Tensor1D,
});
const norm = (weight: Weight, name: string): NormWeights => ({
  gamma: weight(`${name}.weight`) as tf.Tensor1D,
  beta: weight(`${name}.bias`) as tf.Tensor1D,
});

/** One encoder layer on hidden states [batch·seq, hidden]; `bias` is added to every head's scores. */
function encoderLayer(
  hiddenStates: tf.Tensor2D,
  weight: Weight,
  names: PostLnLayerNames,
  mask: tf.Tensor,
  config: PostLnConfig,
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
  const splitHeads = (x: tf.Tensor2D): tf.Tensor4D => tf.transpose(tf.reshape(x, [batchSize, seqLength, heads, size]), [0, 2, 1, 3]);

  const query = splitHeads(dense(hiddenStates, linear(weight, names.query)));
  const key = splitHeads(dense(hiddenStates, linear(weight, names.key)));
  const value = splitHeads(dense(hiddenStates, linear(weight, names.value)));
  const scores = tf.add(tf.mul(tf.matMul(query, key, false, true), 1 / Math.sqrt(size)), mask);
  const probabilities = drop(tf.softmax(scores), config.attentionProbsDropoutProb, "probabilities");
  const context = tf.reshape(tf.transpose(tf.matMul(probabilities, value), [0, 2, 1, 3]), [batchSize * seqLength, hidden]) as tf.Tensor2D;
  const attentionOutput = drop(dense(context, linear(weight, names.attentionOutput)), config.hiddenDropoutProb, "attention");
  const attended = layerNorm(tf.add(attentionOutput, hiddenStates), norm(weight, names.attentionNorm), config.layerNormEps);
  const intermediate = gelu(dense(attended, linear(weight, names.intermediate)));
  const output = drop(dense(intermediate, linear(weight, names.output)), config.hiddenDropoutProb, "output");
  return layerNorm(tf.add(output, attended), norm(weight, names.outputNorm), config.layerNormEps);
}

type LayerRun = (input: tf.Tensor2D, weights: tf.Tensor[], mask: tf.Tensor) => tf.Tensor2D;

/**
 * The layer as one tape node: keeps only its input, recomputes itself to get its gradients. A mask that
 * carries a bias made of weights (`differentiableMask`) is one of the node's inputs, so its gradient flows on.
 */
function checkpointedLayer(hiddenStates: tf.Tensor2D, weights: tf.Tensor[], mask: tf.Tensor, run: LayerRun, differentiableMask: boolean): tf.Tensor2D {
  const extra = differentiableMask ? [mask] : [];
  const op = customGradient(([input], save) => {
    save([input, mask]);
    return {
      value: run(input as tf.Tensor2D, weights, mask),
      gradFunc: (dy, saved) => {
        const [savedInput, savedMask] = saved as [tf.Tensor2D, tf.Tensor];
        const recompute = (x: tf.Tensor, ...rest: tf.Tensor[]) =>
          run(x as tf.Tensor2D, rest.slice(0, weights.length), differentiableMask ? rest[weights.length] : savedMask);
        return gradientsByRecomputing(recompute, [savedInput, ...weights, ...extra], dy);
      },
    };
  });
  return op(hiddenStates, ...weights, ...extra) as tf.Tensor2D;
}

/** Token embeddings [batch, seq, hidden] (Hugging Face's last_hidden_state). */
export function postLnForward<C extends PostLnConfig>(
  weights: ReadonlyMap<string, tf.Tensor>,
  config: C,
  layout: PostLnLayout<C>,
  inputs: EncoderInputs,
  options: ForwardOptions = {},
): tf.Tensor3D {
  const weight: Weight = (name) => {
    const tensor = weights.get(name);
    if (tensor === undefined) throw new Error(`weight ${name} is missing`);
    return tensor;
  };
  const shape = { batchSize: inputs.batchSize, seqLength: inputs.seqLength };
  const paddingMask = additiveAttentionMask(inputs);
  // The bias [heads, T, T] (or [1, heads, T, T]) broadcasts against the mask [B, 1, 1, T].
  const mask = layout.attentionBias ? tf.add(paddingMask, layout.attentionBias.tfjs(weights, config, inputs)) : paddingMask;
  let hidden = embeddings(weight, config, layout, inputs, options);
  for (let index = 0; index < config.numHiddenLayers; index++) {
    const names = layout.names.layer(index);
    const parameterNames = layerParameters(config, names).map((spec) => spec.name);
    const layerSeed = options.training ? layerDropoutSeed(options.dropoutSeed ?? 0, index) : undefined;
    const run: LayerRun = (input, layerWeights, layerMask) => {
      const byName = new Map(parameterNames.map((name, i) => [name, layerWeights[i]]));
      return encoderLayer(input, (name) => byName.get(name)!, names, layerMask, config, shape, layerSeed);
    };
    const layerWeights = parameterNames.map(weight);
    hidden = options.checkpointLayers ? checkpointedLayer(hidden, layerWeights, mask, run, layout.attentionBias !== undefined) : run(hidden, layerWeights, mask);
  }
  return tf.reshape(hidden, [inputs.batchSize, inputs.seqLength, config.hiddenSize]) as tf.Tensor3D;
}
