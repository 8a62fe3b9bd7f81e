// CosineSimilarityLoss (sentence-transformers): with c_i = t(cos(u_i, v_i)) for a score transformation t
// (identity by default),
//   loss = mean_i (c_i − y_i)²        (loss_fct = nn.MSELoss(), the default)
//   loss = mean_i |c_i − y_i|         (loss_fct = nn.L1Loss())
// Inputs: (sentence1, sentence2) → float score (usually in [0, 1] or [−1, 1]).

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import { pairwiseSimilarity } from "../similarity.ts";
import { checkColumns, requireLabels } from "./functional.ts";
import type { Loss } from "./loss.ts";

export type CosineSimilarityLossFunction = "mse" | "l1";

export interface CosineSimilarityLossOptions {
  /** The comparison of cos(u, v) with the label: "mse" (default, nn.MSELoss) or "l1" (nn.L1Loss). */
  lossFct?: CosineSimilarityLossFunction;
  /** Applied to the cosine similarities before the comparison (nn.Identity by default). Must be differentiable tf ops. */
  cosScoreTransformation?: (scores: tf.Tensor1D) => tf.Tensor1D;
}

const TORCH_LOSS_NAMES: Record<CosineSimilarityLossFunction, string> = {
  mse: "torch.nn.modules.loss.MSELoss",
  l1: "torch.nn.modules.loss.L1Loss",
};

export class CosineSimilarityLoss implements Loss {
  readonly name: string = "CosineSimilarityLoss";
  readonly lossFct: CosineSimilarityLossFunction;
  readonly cosScoreTransformation: (scores: tf.Tensor1D) => tf.Tensor1D;

  constructor(readonly model: unknown, options: CosineSimilarityLossOptions = {}) {
    this.lossFct = options.lossFct ?? "mse";
    if (!(this.lossFct in TORCH_LOSS_NAMES)) throw new ArgumentError("lossFct", `must be "mse" or "l1", got ${JSON.stringify(this.lossFct)}`);
    this.cosScoreTransformation = options.cosScoreTransformation ?? ((scores) => scores);
  }

  computeLoss(embeddings: tf.Tensor2D[], labels?: tf.Tensor1D): tf.Scalar {
    checkColumns(this.name, embeddings, { min: 2, describe: "(sentence1, sentence2)" });
    const scores = requireLabels(this.name, labels, "a similarity score per pair", embeddings[0].shape[0]);
    return tf.tidy(() => {
      const output = this.cosScoreTransformation(pairwiseSimilarity(embeddings[0], embeddings[1], "cosine"));
      const difference = tf.sub(output, tf.cast(scores, "float32"));
      return tf.mean(this.lossFct === "mse" ? tf.square(difference) : tf.abs(difference));
    });
  }

  /** As sentence-transformers: {loss_fct: fullname(loss_fct)}, e.g. "torch.nn.modules.loss.MSELoss". */
  getConfigDict(): Record<string, unknown> {
    return { loss_fct: TORCH_LOSS_NAMES[this.lossFct] };
  }
}
