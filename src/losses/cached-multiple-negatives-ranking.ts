// CachedMultipleNegativesRankingLoss (sentence-transformers; MultipleNegativesRankingLoss by GradCache,
// arXiv 2101.06983): the same loss as MultipleNegativesRankingLoss —
//   S = scale · sim(A, concat(P, N_1, …)),  loss = mean_i [ logsumexp_j S_ij − S_ii ]
// — and the same gradients, but the training step computes them mini-batch by mini-batch
// (src/training/grad-cache.ts): every column is embedded miniBatchSize rows at a time without keeping
// activations, the loss gives the gradient with respect to the embeddings, and each mini-batch is then
// embedded again (same dropout masks) and backpropagated with its rows of that gradient. Memory follows
// miniBatchSize, not the batch size, so a large batch (many in-batch negatives) trains in the memory a
// small one takes. Inputs: (anchor, positive) or (anchor, positive, negative_1, …); labels are ignored.

import { checkMiniBatchSize, type CachedLoss } from "../training/grad-cache.ts";
import { MultipleNegativesRankingLoss, type MultipleNegativesRankingLossOptions } from "./multiple-negatives-ranking.ts";

export interface CachedMultipleNegativesRankingLossOptions extends MultipleNegativesRankingLossOptions {
  /** Rows embedded (and backpropagated) at a time; memory grows with it, not with the batch. Default 32. */
  miniBatchSize?: number;
}

export class CachedMultipleNegativesRankingLoss extends MultipleNegativesRankingLoss implements CachedLoss {
  override readonly name: string = "CachedMultipleNegativesRankingLoss";
  readonly miniBatchSize: number;

  constructor(model: unknown, options: CachedMultipleNegativesRankingLossOptions = {}) {
    super(model, options);
    this.miniBatchSize = checkMiniBatchSize(options.miniBatchSize ?? 32);
  }

  override getConfigDict(): Record<string, unknown> {
    return { ...super.getConfigDict(), mini_batch_size: this.miniBatchSize, gather_across_devices: false };
  }
}
