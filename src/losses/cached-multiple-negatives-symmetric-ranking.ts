// CachedMultipleNegativesSymmetricRankingLoss (sentence-transformers; MultipleNegativesSymmetricRankingLoss
// by GradCache): the same loss as MultipleNegativesSymmetricRankingLoss —
//   S = scale · sim(A, concat(P, N_1, …));  loss = ( mean_i CE(S_i·, i) + mean_i CE(S[:, 0:B]ᵀ_i·, i) ) / 2
// — with the training step run mini-batch by mini-batch as CachedMultipleNegativesRankingLoss's
// (src/training/grad-cache.ts): memory follows miniBatchSize, not the batch size.
// Inputs: (anchor, positive) or (anchor, positive, negative_1, …); labels are ignored.

import { checkMiniBatchSize, type CachedLoss } from "../training/grad-cache.ts";
import type { CachedMultipleNegativesRankingLossOptions } from "./cached-multiple-negatives-ranking.ts";
import { MultipleNegativesSymmetricRankingLoss } from "./multiple-negatives-symmetric-ranking.ts";

export type CachedMultipleNegativesSymmetricRankingLossOptions = CachedMultipleNegativesRankingLossOptions;

export class CachedMultipleNegativesSymmetricRankingLoss extends MultipleNegativesSymmetricRankingLoss implements CachedLoss {
  override readonly name: string = "CachedMultipleNegativesSymmetricRankingLoss";
  readonly miniBatchSize: number;

  constructor(model: unknown, options: CachedMultipleNegativesSymmetricRankingLossOptions = {}) {
    super(model, options);
    this.miniBatchSize = checkMiniBatchSize(options.miniBatchSize ?? 32);
  }

  override getConfigDict(): Record<string, unknown> {
    return { ...super.getConfigDict(), mini_batch_size: this.miniBatchSize, gather_across_devices: false };
  }
}
