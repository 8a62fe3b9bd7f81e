// MatryoshkaLoss (sentence-transformers): a modifier that trains every prefix width of the embeddings at once.
// For matryoshka dims d_1 > d_2 > … (sorted descending, weights kept with their dims; weights default to 1):
//   loss = Σ_k w_k · inner( [ normalize(E_c[:, :d_k]) for each input column c ], labels )
// where normalize is row-wise L2 normalisation (ST's ForwardDecorator.shrink truncates the sentence
// embedding and then applies F.normalize(p=2), at every dim including the full one). The inner loss then
// runs as usual (a cosine loss normalises again, which changes nothing).
// nDimsPerStep = −1 (default) uses every dim each call; 0 < n < #dims uses a random subset of n dims per call
// (drawn from a seeded generator, option `seed`), summed in descending-dim order.
// Inputs and labels: whatever the inner loss needs.

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import { l2Normalize } from "../models/modules/normalize.ts";
import type { NamedParameter } from "../training/adamw.ts";
import { createRandom, type Random } from "../util/random.ts";
import type { Loss } from "./loss.ts";

export interface MatryoshkaLossOptions {
  /** Prefix widths to train, e.g. [768, 512, 256, 128, 64]. */
  matryoshkaDims: number[];
  /** One weight per dim (default all 1). */
  matryoshkaWeights?: number[];
  /** −1 (default): every dim each call; n > 0: a random subset of n dims each call. */
  nDimsPerStep?: number;
  /** Seed of the dim sampling when nDimsPerStep > 0 (default 42). */
  seed?: number;
}

export class MatryoshkaLoss implements Loss {
  readonly name: string = "MatryoshkaLoss";
  /** Sorted descending. */
  readonly matryoshkaDims: number[];
  /** Aligned with matryoshkaDims. */
  readonly matryoshkaWeights: number[];
  readonly nDimsPerStep: number;
  private readonly random: Random;

  constructor(
    readonly model: unknown,
    readonly loss: Loss,
    options: MatryoshkaLossOptions,
  ) {
    const dims = options?.matryoshkaDims;
    if (!Array.isArray(dims) || dims.length === 0) throw new ArgumentError("matryoshkaDims", "must list at least one dimension");
    for (const dim of dims) {
      if (!Number.isInteger(dim) || dim <= 0) throw new ArgumentError("matryoshkaDims", `every dimension must be a positive integer, got ${dim}`);
    }
    const weights = options.matryoshkaWeights ?? dims.map(() => 1);
    if (weights.length !== dims.length) {
      throw new ArgumentError("matryoshkaWeights", `must have one weight per dimension (${dims.length}), got ${weights.length}`);
    }
    for (const weight of weights) if (!Number.isFinite(weight)) throw new ArgumentError("matryoshkaWeights", `every weight must be a finite number, got ${weight}`);
    const modelDimension = embeddingDimensionOf(model);
    if (modelDimension !== undefined) {
      const tooWide = dims.find((dim) => dim > modelDimension);
      if (tooWide !== undefined) {
        throw new ArgumentError("matryoshkaDims", `dimension ${tooWide} exceeds the model's embedding dimension ${modelDimension}`);
      }
    }
    const nDimsPerStep = options.nDimsPerStep ?? -1;
    if (!Number.isInteger(nDimsPerStep)) throw new ArgumentError("nDimsPerStep", `must be an integer (−1 for all dims), got ${nDimsPerStep}`);
    const pairs = dims.map((dim, index) => ({ dim, weight: weights[index] })).sort((a, b) => b.dim - a.dim);
    this.matryoshkaDims = pairs.map(({ dim }) => dim);
    this.matryoshkaWeights = pairs.map(({ weight }) => weight);
    this.nDimsPerStep = nDimsPerStep;
    this.random = createRandom(options.seed ?? 42);
  }

  /** The inner loss's own weights (e.g. SoftmaxLoss's classifier). */
  get trainableParameters(): NamedParameter[] | undefined {
    return this.loss.trainableParameters;
  }

  /**
   * Indices into matryoshkaDims used by the next loss computation, ascending (so dims descend): all of them,
   * or a random subset of nDimsPerStep when 0 < nDimsPerStep < #dims. Each call draws a new subset.
   */
  chooseDimIndices(): number[] {
    const count = this.matryoshkaDims.length;
    const indices = Array.from({ length: count }, (_, index) => index);
    if (!(this.nDimsPerStep > 0 && this.nDimsPerStep < count)) return indices;
    for (let i = 0; i < this.nDimsPerStep; i++) {
      const j = i + Math.floor(this.random.next() * (count - i));
      [indices[i], indices[j]] = [indices[j], indices[i]];
    }
    return indices.slice(0, this.nDimsPerStep).sort((a, b) => a - b);
  }

  computeLoss(embeddings: tf.Tensor2D[], labels?: tf.Tensor1D): tf.Scalar {
    const width = embeddings[0]?.shape[1];
    if (width !== undefined && this.matryoshkaDims[0] > width) {
      throw new ArgumentError(this.name, `dimension ${this.matryoshkaDims[0]} in matryoshkaDims exceeds the embedding dimension ${width}`);
    }
    const chosen = this.chooseDimIndices();
    return tf.tidy(() => {
      let total: tf.Scalar | undefined;
      for (const index of chosen) {
        const dim = this.matryoshkaDims[index];
        const truncated = embeddings.map((embedding) => l2Normalize(tf.slice(embedding, [0, 0], [-1, dim])));
        const term = tf.mul(this.loss.computeLoss(truncated, labels), this.matryoshkaWeights[index]) as tf.Scalar;
        total = total ? (tf.add(total, term) as tf.Scalar) : term;
      }
      return total!;
    });
  }

  getConfigDict(): Record<string, unknown> {
    return {
      loss: this.loss.name,
      matryoshka_dims: [...this.matryoshkaDims],
      matryoshka_weights: [...this.matryoshkaWeights],
      n_dims_per_step: this.nDimsPerStep,
    };
  }
}

function embeddingDimensionOf(model: unknown): number | undefined {
  const candidate = model as { getSentenceEmbeddingDimension?: () => unknown } | null | undefined;
  if (typeof candidate?.getSentenceEmbeddingDimension !== "function") return undefined;
  const dimension = candidate.getSentenceEmbeddingDimension();
  return typeof dimension === "number" && dimension > 0 ? dimension : undefined;
}
