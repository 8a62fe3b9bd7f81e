// One optimisation step's gradient computation: embed every input column through the model (training
// mode: dropout on, seeded per column), apply the loss, and take the gradients of every weight — the
// encoder's and the loss's own (SoftmaxLoss). Gradients come back keyed by parameter name, in the
// encoder's layout, through the model's engine (engines/engine.ts), whichever it is: the engine's
// forward gives the token embeddings → pooling, Normalize and the loss in tfjs, differentiated with
// respect to the token embeddings → the engine's backward (tfjs: a vector-Jacobian product by autodiff;
// onnxruntime: the backward graph). lossAndGradients, autodiff through the whole tfjs model at once,
// is the reference it is checked against.
// A cached loss (CachedMultipleNegativesRankingLoss, …) runs by GradCache instead, mini-batch by
// mini-batch (grad-cache.ts). A loss with prepareBatch (GISTEmbedLoss: its guide's embeddings) gets its
// result on the batch's texts first, disposed after the step.

import * as tf from "@tensorflow/tfjs";
import type { ForwardOptions } from "../engines/architecture.ts";
import { addGradients, type Gradient } from "../engines/row-gradient.ts";
import type { Loss, LossContext } from "../losses/loss.ts";
import type { SentenceTransformer } from "../models/sentence-transformer.ts";
import { phase } from "../util/phases.ts";
import { deriveSeed } from "../util/random.ts";
import type { NamedParameter } from "./adamw.ts";
import { cachedLossAndGradients, isCachedLoss, miniBatchRanges } from "./grad-cache.ts";

/** The encoder's options plus, per input column, the prompt length Pooling skips (include_prompt false). */
export type TrainStepOptions = ForwardOptions & { promptLengths?: readonly (number | undefined)[] };

export interface LossAndGradients {
  loss: number;
  /** By parameter name, in the encoder's layout (an embedding table's may be row-sparse). */
  gradients: Map<string, Gradient>;
}

/** The encoder's parameters, the modules' after it (a Dense's), then the loss's own. */
export function trainableParameters(model: SentenceTransformer, loss: Loss): NamedParameter[] {
  return [...model.transformer.namedParameters(), ...model.moduleParameters(), ...(loss.trainableParameters ?? [])];
}

/** The batch loss without gradients (evaluation): dropout off, through the model's engine (a cached loss's columns miniBatchSize rows at a time). */
export async function batchLoss(
  model: SentenceTransformer,
  loss: Loss,
  columns: string[][],
  labels: number[] | undefined,
  promptLengths: readonly (number | undefined)[] = [],
): Promise<number> {
  const embed = async (texts: string[], column: number): Promise<tf.Tensor2D> => {
    if (!isCachedLoss(loss) || texts.length <= loss.miniBatchSize) return model.embed(texts, { promptLength: promptLengths[column] });
    const parts: tf.Tensor2D[] = [];
    for (const [start, end] of miniBatchRanges(texts.length, loss.miniBatchSize)) parts.push(await model.embed(texts.slice(start, end), { promptLength: promptLengths[column] }));
    const joined = tf.concat(parts, 0);
    tf.dispose(parts);
    return joined;
  };
  const embeddings: tf.Tensor2D[] = [];
  const context = await loss.prepareBatch?.(columns);
  try {
    for (const [column, texts] of columns.entries()) embeddings.push(await embed(texts, column));
    return tf.tidy(() => loss.computeLoss(embeddings, labels ? tf.tensor1d(labels, "float32") : undefined, context).dataSync()[0]);
  } finally {
    tf.dispose([...embeddings, ...(context?.guideEmbeddings ?? [])]);
  }
}

/** Loss and gradients through the model's engine (see the header). */
export async function engineLossAndGradients(
  model: SentenceTransformer,
  loss: Loss,
  columns: string[][],
  labels: number[] | undefined,
  options: TrainStepOptions = { training: true, checkpointLayers: true },
): Promise<LossAndGradients> {
  const context = await loss.prepareBatch?.(columns);
  try {
    if (isCachedLoss(loss)) return await cachedLossAndGradients(model, loss, columns, labels, options, context);
    return await passLossAndGradients(model, loss, columns, labels, options, context);
  } finally {
    tf.dispose(context?.guideEmbeddings ?? []);
  }
}

/** The reference: autodiff through the whole tfjs model (`context`: what loss.prepareBatch gave, if the loss has it). */
export function lossAndGradients(
  model: SentenceTransformer,
  loss: Loss,
  columns: string[][],
  labels: number[] | undefined,
  options: TrainStepOptions = { training: true, checkpointLayers: true },
  context?: LossContext,
): LossAndGradients {
  const parameters = trainableParameters(model, loss);
  const nameOfVariable = new Map(parameters.map(({ name, tensor }) => [tensor.name, name]));
  const labelTensor = labels ? tf.tensor1d(labels, "float32") : undefined;
  const { value, grads } = tf.variableGrads(() => {
    const { promptLengths, ...forwardOptions } = options;
    const embeddings = columns.map((texts, column) =>
      model.forward(texts, { ...forwardOptions, dropoutSeed: deriveSeed(options.dropoutSeed ?? 0, column), promptLength: promptLengths?.[column] }),
    );
    return loss.computeLoss(embeddings, labelTensor, context);
  }, parameters.map(({ tensor }) => tensor));
  labelTensor?.dispose();
  const gradients = new Map<string, Gradient>();
  for (const [variableName, gradient] of Object.entries(grads)) {
    gradients.set(nameOfVariable.get(variableName)!, new Float32Array(gradient.dataSync()));
    gradient.dispose();
  }
  const lossValue = value.dataSync()[0];
  value.dispose();
  return { loss: lossValue, gradients };
}

async function passLossAndGradients(
  model: SentenceTransformer,
  loss: Loss,
  columns: string[][],
  labels: number[] | undefined,
  options: TrainStepOptions,
  context: LossContext | undefined,
): Promise<LossAndGradients> {
  const engine = model.encoder;
  const hiddenSize = model.transformer.hiddenSize;
  const seeds = columns.map((_, column) => (options.training ? deriveSeed(options.dropoutSeed ?? 0, column) : undefined));
  const features = phase("tokenize", () => columns.map((texts) => model.tokenize(texts)));
  const passes = features.map((batch, column) => engine.trainingPass(batch, { dropoutSeed: seeds[column], checkpointLayers: options.checkpointLayers }));
  const hiddenStates: tf.Variable[] = [];
  for (const [column, batch] of features.entries()) {
    const hidden = await phase("forward", () => passes[column].forward());
    const initialValue = tf.tensor3d(hidden, [batch.batchSize, batch.seqLength, hiddenSize]);
    hiddenStates.push(tf.variable(initialValue, true));
    initialValue.dispose();
  }
  // Past the encoder everything is in tfjs: the modules' weights (a Dense's) and the loss's own get their gradients by autodiff.
  const tapeParameters = [...model.moduleParameters(), ...(loss.trainableParameters ?? [])];
  const labelTensor = labels ? tf.tensor1d(labels, "float32") : undefined;
  const { value, grads } = phase("pooling and loss (tfjs)", () => tf.variableGrads(
    () => loss.computeLoss(hiddenStates.map((hidden, column) => model.poolAndNormalize(hidden as tf.Tensor3D, features[column], options.promptLengths?.[column])), labelTensor, context),
    [...hiddenStates, ...tapeParameters.map(({ tensor }) => tensor)],
  ));
  labelTensor?.dispose();
  const sums = new Map<string, Gradient>();
  for (const column of features.keys()) {
    const hiddenGradient = grads[hiddenStates[column].name].dataSync() as Float32Array;
    for (const [name, gradient] of await phase("backward", () => passes[column].backward(hiddenGradient))) {
      const sum = sums.get(name);
      sums.set(name, sum ? addGradients(sum, gradient) : gradient); // each pass returns arrays of its own
    }
  }
  for (const { name, tensor } of tapeParameters) sums.set(name, new Float32Array(grads[tensor.name].dataSync()));
  Object.values(grads).forEach((gradient) => gradient.dispose());
  hiddenStates.forEach((hidden) => hidden.dispose());
  const lossValue = value.dataSync()[0];
  value.dispose();
  return { loss: lossValue, gradients: sums };
}
