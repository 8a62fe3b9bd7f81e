// CachedGISTEmbedLoss (sentence-transformers; GISTEmbedLoss by GradCache): GISTEmbedLoss's loss — the
// model's cosine similarities with the candidates the guide rates above the positive set to −∞, then
// cross-entropy over concat(ap, aa, pp, an_1, …) / temperature with target i (see gist-embed.ts) — with
// the training step run mini-batch by mini-batch (src/training/grad-cache.ts), and the guide encoding
// miniBatchSize rows at a time: memory follows miniBatchSize, not the batch size.
// Inputs: (anchor, positive) or (anchor, positive, negative_1, …, negative_n); labels are ignored.

import { checkMiniBatchSize, type CachedLoss } from "../training/grad-cache.ts";
import { GISTEmbedLoss, type GISTEmbedLossOptions } from "./gist-embed.ts";

export interface CachedGISTEmbedLossOptions extends GISTEmbedLossOptions {
  /** Rows embedded (and backpropagated) at a time, by the model and by the guide. Default 32. */
  miniBatchSize?: number;
}

export class CachedGISTEmbedLoss extends GISTEmbedLoss implements CachedLoss {
  override readonly name: string = "CachedGISTEmbedLoss";
  protected override readonly maxColumns: number = Infinity;
  readonly miniBatchSize: number;

  constructor(model: unknown, options: CachedGISTEmbedLossOptions) {
    super(model, options);
    this.miniBatchSize = checkMiniBatchSize(options.miniBatchSize ?? 32);
  }

  protected override guideBatchSize(): number {
    return this.miniBatchSize;
  }

  override getConfigDict(): Record<string, unknown> {
    const { guide, temperature, ...rest } = super.getConfigDict();
    return { guide, temperature, mini_batch_size: this.miniBatchSize, ...rest };
  }
}
