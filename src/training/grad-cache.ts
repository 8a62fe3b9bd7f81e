// GradCache (Gao et al. 2021, arXiv 2101.06983): the training step of the cached losses
// (CachedMultipleNegativesRankingLoss, CachedMultipleNegativesSymmetricRankingLoss, CachedGISTEmbedLoss),
// as sentence-transformers' Cached* losses compute it, with memory that follows miniBatchSize, not the batch:
//   1. each input column is tokenized once (padded to its longest text, as the plain step) and cut into
//      mini-batches of miniBatchSize rows; each is embedded in training mode (dropout seed
//      miniBatchDropoutSeed(step seed, column, index)), keeping only its [mb, d] sentence embeddings —
//      no activations (the engine pass's forward only, the pass then dropped);
//   2. the loss runs on the whole batch's embeddings E (one [B, d] tensor per column): its value, and
//      G = ∂loss/∂E (and the gradients of the loss's own weights, if any);
//   3. each mini-batch is embedded again with the same seed — the same dropout masks, so the same rows
//      of E — and backpropagated with its rows of G as the output gradient: ∂/∂θ Σ(E_mb ⊙ G_mb), summed
//      over the mini-batches, is ∂loss/∂θ (the loss depends on θ only through E).
//      through the model's engine: the pass's forward, Pooling/Normalize in tfjs differentiated with
//      respect to the token embeddings, then the pass's backward.
// Each mini-batch runs forward twice and backward once (and the backward may recompute the forward:
// ModernBERT's ONNX graphs, tfjs's checkpointed layers): slower than the plain step, in exchange for
// flat memory.
// Dropout: mini-batch 0 of column c uses the plain step's seed for column c, so with miniBatchSize ≥ the
// batch the cached step draws exactly the plain step's masks. Smaller mini-batches draw other masks
// (a mask covers a whole [mb·T, …] tensor), equally random; both passes of a mini-batch draw the same.

import * as tf from "@tensorflow/tfjs";
import type { EncoderInputs } from "../engines/architecture.ts";
import type { Engine } from "../engines/engine.ts";
import { addGradients, type Gradient } from "../engines/row-gradient.ts";
import { ArgumentError } from "../errors.ts";
import type { Loss, LossContext } from "../losses/loss.ts";
import type { SentenceTransformer } from "../models/sentence-transformer.ts";
import { deriveSeed } from "../util/random.ts";
import type { LossAndGradients, TrainStepOptions } from "./train-step.ts";

/** A loss whose training step runs by GradCache, miniBatchSize rows at a time. */
export interface CachedLoss extends Loss {
  readonly miniBatchSize: number;
}

export function isCachedLoss(loss: Loss): loss is CachedLoss {
  return typeof (loss as Partial<CachedLoss>).miniBatchSize === "number";
}

export function checkMiniBatchSize(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ArgumentError("miniBatchSize", `must be a positive integer, got ${typeof value === "number" ? value : JSON.stringify(value)}`);
  }
  return value;
}

/** The dropout seed of mini-batch `index` of input column `column`; mini-batch 0 gets the plain step's column seed. */
export function miniBatchDropoutSeed(stepSeed: number, column: number, index: number): number {
  return index === 0 ? deriveSeed(stepSeed, column) : deriveSeed(stepSeed, column, index);
}

/** [start, end) row ranges of `size` rows (the last may be shorter). */
export function miniBatchRanges(rows: number, size: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; start < rows; start += size) ranges.push([start, Math.min(start + size, rows)]);
  return ranges;
}

/** Rows [start, end) of a tokenized batch, keeping its sequence length. */
export function sliceRows(inputs: EncoderInputs, start: number, end: number): EncoderInputs {
  const t = inputs.seqLength;
  return {
    inputIds: inputs.inputIds.slice(start * t, end * t),
    attentionMask: inputs.attentionMask.slice(start * t, end * t),
    tokenTypeIds: inputs.tokenTypeIds.slice(start * t, end * t),
    batchSize: end - start,
    seqLength: t,
  };
}

interface MiniBatch {
  column: number;
  features: EncoderInputs;
  start: number;
  end: number;
  dropoutSeed: number | undefined;
  promptLength: number | undefined;
}

/** Loss and gradients of a cached loss (see the header); gradients by parameter name, as the plain step's. */
export async function cachedLossAndGradients(
  model: SentenceTransformer,
  loss: CachedLoss,
  columns: string[][],
  labels: number[] | undefined,
  options: TrainStepOptions,
  context?: LossContext,
): Promise<LossAndGradients> {
  const engine = model.encoder;
  const training = options.training ?? false;
  const miniBatches: MiniBatch[][] = columns.map((texts, column) => {
    const features = model.tokenize(texts);
    return miniBatchRanges(features.batchSize, loss.miniBatchSize).map(([start, end], index) => ({
      column,
      features: sliceRows(features, start, end),
      start,
      end,
      dropoutSeed: training ? miniBatchDropoutSeed(options.dropoutSeed ?? 0, column, index) : undefined,
      promptLength: options.promptLengths?.[column],
    }));
  });

  // 1. Embeddings of every mini-batch, no activations kept.
  const embeddings: tf.Variable<tf.Rank.R2>[] = [];
  let value: tf.Scalar | undefined;
  let grads: tf.NamedTensorMap = {};
  try {
    for (const batches of miniBatches) {
      const parts: tf.Tensor2D[] = [];
      for (const batch of batches) parts.push(await embedMiniBatch(model, engine, batch, options.checkpointLayers));
      const joined = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
      embeddings.push(tf.variable(joined, true));
      tf.dispose([...parts, joined]);
    }

    // 2. The loss on the whole batch; its gradient with respect to the embeddings (and the loss's weights).
    const lossParameters = loss.trainableParameters ?? [];
    const labelTensor = labels ? tf.tensor1d(labels, "float32") : undefined;
    try {
      ({ value, grads } = tf.variableGrads(() => loss.computeLoss(embeddings, labelTensor, context), [...embeddings, ...lossParameters.map(({ tensor }) => tensor)]));
    } finally {
      labelTensor?.dispose();
    }

    // 3. Each mini-batch again, backpropagating its rows of the cached gradient.
    const sums = new Map<string, Gradient>();
    for (const batches of miniBatches) {
      const cached = grads[embeddings[batches[0].column].name];
      for (const batch of batches) {
        const outputGradient = tf.slice(cached, [batch.start, 0], [batch.end - batch.start, -1]) as tf.Tensor2D;
        try {
          const gradients = await backwardMiniBatch(model, engine, batch, outputGradient, options.checkpointLayers);
          for (const [name, gradient] of gradients) {
            const sum = sums.get(name);
            sums.set(name, sum ? addGradients(sum, gradient) : gradient); // fresh arrays, ours to keep
          }
        } finally {
          outputGradient.dispose();
        }
      }
    }
    for (const { name, tensor } of lossParameters) sums.set(name, new Float32Array(grads[tensor.name].dataSync()));
    return { loss: value.dataSync()[0], gradients: sums };
  } finally {
    tf.dispose([...embeddings, ...Object.values(grads), ...(value ? [value] : [])]);
  }
}

/** One mini-batch's sentence embeddings: the engine pass's forward (no activations kept), Pooling/Normalize in tfjs. */
async function embedMiniBatch(model: SentenceTransformer, engine: Engine, batch: MiniBatch, checkpointLayers: boolean | undefined): Promise<tf.Tensor2D> {
  const hidden = await engine.trainingPass(batch.features, { dropoutSeed: batch.dropoutSeed, checkpointLayers }).forward();
  const { batchSize, seqLength } = batch.features;
  return tf.tidy(() => model.poolAndNormalize(tf.tensor3d(hidden, [batchSize, seqLength, model.transformer.hiddenSize]), batch.features, batch.promptLength));
}

/** ∂/∂θ Σ(E_mb ⊙ G_mb) through the engine: forward, Pooling/Normalize's gradient in tfjs, the pass's backward. */
async function backwardMiniBatch(
  model: SentenceTransformer,
  engine: Engine,
  batch: MiniBatch,
  outputGradient: tf.Tensor2D,
  checkpointLayers: boolean | undefined,
): Promise<Map<string, Gradient>> {
  const { batchSize, seqLength } = batch.features;
  const pass = engine.trainingPass(batch.features, { dropoutSeed: batch.dropoutSeed, checkpointLayers });
  const initialValue = tf.tensor3d(await pass.forward(), [batchSize, seqLength, model.transformer.hiddenSize]);
  const hidden = tf.variable(initialValue, true);
  initialValue.dispose();
  // The modules after the encoder (a Dense) get their share of this mini-batch's gradient by autodiff.
  const moduleParameters = model.moduleParameters();
  const moduleGradients = new Map<string, Float32Array>();
  let hiddenGradient: Float32Array;
  try {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(model.poolAndNormalize(hidden as tf.Tensor3D, batch.features, batch.promptLength), outputGradient)),
      [hidden, ...moduleParameters.map(({ tensor }) => tensor)],
    );
    hiddenGradient = new Float32Array(grads[hidden.name].dataSync());
    for (const { name, tensor } of moduleParameters) moduleGradients.set(name, new Float32Array(grads[tensor.name].dataSync()));
    tf.dispose([value, ...Object.values(grads)]);
  } finally {
    hidden.dispose();
  }
  const gradients = await pass.backward(hiddenGradient);
  for (const [name, gradient] of moduleGradients) gradients.set(name, gradient);
  return gradients;
}
