// One optimisation step's gradient computation: embed every input column through the model (training
// mode: dropout on, seeded per column), apply the loss, and take the gradients of every weight — the
// encoder's and the loss's own (SoftmaxLoss). Gradients come back keyed by parameter name.

import * as tf from "@tensorflow/tfjs";
import type { ForwardOptions } from "../engines/tfjs/bert.ts";
import type { Loss } from "../losses/loss.ts";
import type { SentenceTransformer } from "../models/sentence-transformer.ts";
import { deriveSeed } from "../util/random.ts";
import type { NamedParameter } from "./adamw.ts";

export interface LossAndGradients {
  loss: number;
  gradients: Record<string, tf.Tensor>;
}

/** The encoder's parameters followed by the loss's own. */
export function trainableParameters(model: SentenceTransformer, loss: Loss): NamedParameter[] {
  return [...model.transformer.namedParameters(), ...(loss.trainableParameters ?? [])];
}

/** The batch loss without gradients (evaluation): dropout off. */
export function batchLoss(model: SentenceTransformer, loss: Loss, columns: string[][], labels: number[] | undefined): number {
  return tf.tidy(() => {
    const labelTensor = labels ? tf.tensor1d(labels, "float32") : undefined;
    return loss.computeLoss(columns.map((texts) => model.forward(texts)), labelTensor).dataSync()[0];
  });
}

export function lossAndGradients(
  model: SentenceTransformer,
  loss: Loss,
  columns: string[][],
  labels: number[] | undefined,
  options: ForwardOptions = { training: true, checkpointLayers: true },
): LossAndGradients {
  const parameters = trainableParameters(model, loss);
  const nameOfVariable = new Map(parameters.map(({ name, tensor }) => [tensor.name, name]));
  const labelTensor = labels ? tf.tensor1d(labels, "float32") : undefined;
  const { value, grads } = tf.variableGrads(() => {
    const embeddings = columns.map((texts, column) =>
      model.forward(texts, { ...options, dropoutSeed: deriveSeed(options.dropoutSeed ?? 0, column) }),
    );
    return loss.computeLoss(embeddings, labelTensor);
  }, parameters.map(({ tensor }) => tensor));
  labelTensor?.dispose();
  const gradients: Record<string, tf.Tensor> = {};
  for (const [variableName, gradient] of Object.entries(grads)) gradients[nameOfVariable.get(variableName)!] = gradient;
  const lossValue = value.dataSync()[0];
  value.dispose();
  return { loss: lossValue, gradients };
}
