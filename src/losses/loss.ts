// The contract every loss follows, as sentence-transformers' loss modules do: given the sentence
// embeddings of each input column of a batch (in column order) and the labels, return one scalar.
// Losses run in tfjs on the small [batch, dim] tensors, whatever engine produced the embeddings.

import type * as tf from "@tensorflow/tfjs";
import type { NamedParameter } from "../training/adamw.ts";

export interface Loss {
  /** The sentence-transformers class name, e.g. "CoSENTLoss" (model card, logs). */
  readonly name: string;
  computeLoss(embeddings: tf.Tensor2D[], labels?: tf.Tensor1D): tf.Scalar;
  /** The loss's parameters as sentence-transformers' get_config_dict() reports them. */
  getConfigDict(): Record<string, unknown>;
  /** Weights the loss itself trains (SoftmaxLoss's classifier), optimised with the model's. */
  readonly trainableParameters?: NamedParameter[];
}
