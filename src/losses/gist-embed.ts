// GISTEmbedLoss (sentence-transformers; GISTEmbed, arXiv 2402.16829): in-batch contrastive learning whose
// negatives are vetted by a guide model. With s = cosine similarity of the model's embeddings and
// g = the guide's (computed without gradient), anchors a, positives p, negatives n:
//   threshold_i = g(a_i, p_i)
//   a candidate of row i is dropped (its s set to −∞) when its g > threshold_i − margin    (marginStrategy "absolute", default)
//                                                              or g > threshold_i · (1 − margin) ("relative");  margin default 0
//   blocks of row i: ap_ij = s(a_i, p_j) (its own positive p_i never dropped),
//                    aa_ij = s(a_i, a_j) if contrastAnchors,  pp_ij = s(p_i, p_j) if contrastPositives,
//                    an_ij = s(a_i, n_j) per negative column
//   loss = mean_i [ logsumexp_j (blocks_i· / temperature) − s(a_i, p_i) / temperature ]      (temperature default 0.01)
// aa's and pp's diagonals (a text against itself: g = 1) are dropped unless the guide rates the positive as high.
// Inputs: (anchor, positive) or (anchor, positive, negative); labels are ignored. (CachedGISTEmbedLoss takes
// any number of negative columns.)
// The guide's embeddings come from prepareBatch: the guide encodes the batch's texts (prompts included) in
// inference mode through its own engine and tokenizer. sentence-transformers reuses the model's token ids
// when both share a vocabulary and the guide's max_seq_length is not shorter, else decodes and re-tokenizes;
// encoding the texts gives the same ids in the first case except where the model's max_seq_length cuts a
// text the guide would read further.

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import type { SentenceTransformer } from "../models/sentence-transformer.ts";
import { similarity } from "../similarity.ts";
import { checkColumns } from "./functional.ts";
import type { Loss, LossContext } from "./loss.ts";

export const GIST_MARGIN_STRATEGIES = ["absolute", "relative"] as const;
export type GISTMarginStrategy = (typeof GIST_MARGIN_STRATEGIES)[number];

export interface GISTEmbedLossOptions {
  /** The guide model (not trained); its similarities decide which in-batch candidates are false negatives. */
  guide: SentenceTransformer;
  /** Divides the cosine similarities (1 / scale); default 0.01. */
  temperature?: number;
  /** "absolute" (default): drop where g > g(a_i, p_i) − margin; "relative": where g > g(a_i, p_i) · (1 − margin). */
  marginStrategy?: GISTMarginStrategy;
  /** Default 0: drop only candidates the guide rates above the positive. */
  margin?: number;
  /** Anchor–anchor similarities as extra negatives (default true). */
  contrastAnchors?: boolean;
  /** Positive–positive similarities as extra negatives (default true). */
  contrastPositives?: boolean;
}

export class GISTEmbedLoss implements Loss {
  readonly name: string = "GISTEmbedLoss";
  readonly guide: SentenceTransformer;
  readonly temperature: number;
  readonly marginStrategy: GISTMarginStrategy;
  readonly margin: number;
  readonly contrastAnchors: boolean;
  readonly contrastPositives: boolean;
  /** Most input columns (ST's GISTEmbedLoss: anchor, positive, one negative). */
  protected readonly maxColumns: number = 3;

  constructor(
    readonly model: unknown,
    options: GISTEmbedLossOptions,
  ) {
    const guide = options?.guide as unknown;
    if (typeof guide !== "object" || guide === null || typeof (guide as SentenceTransformer).embed !== "function" || typeof (guide as SentenceTransformer).forward !== "function") {
      throw new ArgumentError("guide", `must be a SentenceTransformer (the guide model), got ${guide === null || guide === undefined ? String(guide) : typeof guide}`);
    }
    this.guide = guide as SentenceTransformer;
    this.temperature = options.temperature ?? 0.01;
    if (typeof this.temperature !== "number" || !(this.temperature > 0) || !Number.isFinite(this.temperature)) {
      throw new ArgumentError("temperature", `must be a positive number, got ${this.temperature}`);
    }
    this.marginStrategy = options.marginStrategy ?? "absolute";
    if (!GIST_MARGIN_STRATEGIES.includes(this.marginStrategy)) {
      throw new ArgumentError("marginStrategy", `must be "absolute" or "relative", got ${JSON.stringify(this.marginStrategy)}`);
    }
    this.margin = options.margin ?? 0;
    if (typeof this.margin !== "number" || !Number.isFinite(this.margin)) throw new ArgumentError("margin", `must be a finite number, got ${this.margin}`);
    this.contrastAnchors = options.contrastAnchors ?? true;
    this.contrastPositives = options.contrastPositives ?? true;
  }

  /** Rows the guide encodes at a time (the whole column here; CachedGISTEmbedLoss: its mini-batch size). */
  protected guideBatchSize(rows: number): number {
    return rows;
  }

  /** The guide's embeddings of every column's texts, in inference mode through the guide's engine. */
  async prepareBatch(columns: string[][]): Promise<LossContext> {
    const guideEmbeddings: tf.Tensor2D[] = [];
    try {
      for (const texts of columns) {
        const size = Math.max(1, this.guideBatchSize(texts.length));
        const parts: tf.Tensor2D[] = [];
        for (let start = 0; start < texts.length; start += size) parts.push(await this.guide.embed(texts.slice(start, start + size)));
        guideEmbeddings.push(parts.length === 1 ? parts[0] : tf.concat(parts, 0));
        if (parts.length > 1) tf.dispose(parts);
      }
    } catch (error) {
      tf.dispose(guideEmbeddings);
      throw error;
    }
    return { texts: columns, guideEmbeddings };
  }

  /**
   * The loss of the header. The guide's embeddings come from `context.guideEmbeddings` (prepareBatch);
   * given only `context.texts`, the guide encodes them here with its tfjs forward.
   */
  computeLoss(embeddings: tf.Tensor2D[], _labels?: tf.Tensor1D, context?: LossContext): tf.Scalar {
    const describe = this.maxColumns === 3 ? "(anchor, positive[, negative])" : "(anchor, positive[, negative_1, …])";
    checkColumns(this.name, embeddings, { min: 2, max: this.maxColumns, describe });
    if (!context?.guideEmbeddings && !context?.texts) {
      throw new ArgumentError(this.name, "needs its guide model's embeddings of the batch: pass computeLoss(embeddings, labels, await loss.prepareBatch(texts))");
    }
    return tf.tidy(() => {
      const guideEmbeddings = context.guideEmbeddings ?? context.texts!.map((texts) => this.guide.forward(texts));
      this.checkGuide(embeddings, guideEmbeddings);
      return this.gistLoss(embeddings, guideEmbeddings);
    });
  }

  private checkGuide(embeddings: tf.Tensor2D[], guideEmbeddings: tf.Tensor2D[]): void {
    if (guideEmbeddings.length !== embeddings.length) {
      throw new ArgumentError(this.name, `the guide's embeddings have ${guideEmbeddings.length} columns, the model's ${embeddings.length}`);
    }
    for (const [column, guide] of guideEmbeddings.entries()) {
      if (guide.rank !== 2 || guide.shape[0] !== embeddings[column].shape[0]) {
        throw new ArgumentError(this.name, `the guide's embeddings of column ${column} have shape [${guide.shape.join(", ")}], expected ${embeddings[column].shape[0]} rows`);
      }
    }
  }

  private gistLoss(embeddings: tf.Tensor2D[], guideEmbeddings: tf.Tensor2D[]): tf.Scalar {
    const [anchor, positive, ...negatives] = embeddings;
    const [guideAnchor, guidePositive, ...guideNegatives] = guideEmbeddings;
    const batch = anchor.shape[0];
    const guideAp = similarity(guideAnchor, guidePositive, "cosine");
    const threshold = tf.sum(tf.mul(guideAp, tf.eye(batch)), 1, true); // [B, 1]: g(a_i, p_i)
    const limit = this.marginStrategy === "absolute" ? tf.sub(threshold, this.margin) : tf.mul(threshold, 1 - this.margin);
    const ownPositive = tf.cast(tf.eye(batch), "bool");
    const dropFalseNegatives = (guideSimilarities: tf.Tensor2D, similarities: tf.Tensor2D, keep?: tf.Tensor): tf.Tensor2D => {
      let mask = tf.greater(guideSimilarities, limit);
      if (keep) mask = tf.logicalAnd(mask, tf.logicalNot(keep));
      return tf.where(mask, tf.fill(similarities.shape, -Infinity), similarities);
    };
    const ap = similarity(anchor, positive, "cosine");
    const blocks = [dropFalseNegatives(guideAp, ap, ownPositive)];
    if (this.contrastAnchors) blocks.push(dropFalseNegatives(similarity(guideAnchor, guideAnchor, "cosine"), similarity(anchor, anchor, "cosine")));
    if (this.contrastPositives) blocks.push(dropFalseNegatives(similarity(guidePositive, guidePositive, "cosine"), similarity(positive, positive, "cosine")));
    negatives.forEach((negative, k) =>
      blocks.push(dropFalseNegatives(similarity(guideAnchor, guideNegatives[k], "cosine"), similarity(anchor, negative, "cosine"))),
    );
    const scores = tf.div(tf.concat(blocks, 1), this.temperature);
    // The target's logit from ap before dropping (picking it from the scores would meet 0 · −∞).
    const target = tf.div(tf.sum(tf.mul(ap, tf.eye(batch)), 1), this.temperature);
    return tf.mean(tf.sub(tf.logSumExp(scores, 1), target));
  }

  getConfigDict(): Record<string, unknown> {
    return {
      guide: String(this.guide),
      temperature: this.temperature,
      margin_strategy: this.marginStrategy,
      margin: this.margin,
      contrast_anchors: this.contrastAnchors,
      contrast_positives: this.contrastPositives,
      gather_across_devices: false,
    };
  }
}
