// The contract every loss follows, as sentence-transformers' loss modules do: given the sentence
// embeddings of each input column of a batch (in column order) and the labels, return one scalar.
// Losses run in tfjs on the small [batch, dim] tensors, whatever engine produced the embeddings.
// A loss that needs more than the embeddings of the batch (GISTEmbedLoss: its guide model's embeddings)
// says so with prepareBatch; the training step awaits it on the batch's texts and passes the result
// to computeLoss as `context`.

import type * as tf from "@tensorflow/tfjs";
import type { NamedParameter } from "../training/adamw.ts";

/** What computeLoss may get besides the embeddings (see prepareBatch). */
export interface LossContext {
  /** Per input column, the batch's texts (as fed to the model, prompts included). */
  texts?: string[][];
  /** Per input column, a guide model's embeddings of those texts (no gradient); the caller disposes them. */
  guideEmbeddings?: tf.Tensor2D[];
}

export interface Loss {
  /** The sentence-transformers class name, e.g. "CoSENTLoss" (model card, logs). */
  readonly name: string;
  computeLoss(embeddings: tf.Tensor2D[], labels?: tf.Tensor1D, context?: LossContext): tf.Scalar;
  /** Work on the batch's texts, one array per input column, before computeLoss; its result goes to computeLoss as `context`. */
  prepareBatch?(columns: string[][]): Promise<LossContext>;
  /** The loss's parameters as sentence-transformers' get_config_dict() reports them. */
  getConfigDict(): Record<string, unknown>;
  /** Weights the loss itself trains (SoftmaxLoss's classifier), optimised with the model's. */
  readonly trainableParameters?: NamedParameter[];
}
