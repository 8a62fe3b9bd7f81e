// SoftmaxLoss (sentence-transformers; the SBERT NLI objective): a linear classifier on the pair features
//   f = concat([u, v] if concatenationSentRep, |u − v| if concatenationSentDifference, u ∗ v if
//       concatenationSentMultiplication)   (in that order; defaults: u, v, |u − v|)
//   logits = f · W + b,   W [numFeatures, numLabels], b [numLabels], numFeatures = (#vectors) · dim
//   loss = mean_i [ logsumexp_k logits_ik − logits_{i, y_i} ]   (nn.CrossEntropyLoss, integer labels)
// W and b are initialised like torch nn.Linear (kaiming_uniform_(a=√5) and its bias rule: both
// U(−1/√numFeatures, 1/√numFeatures)), drawn from a seeded generator, and train with the model
// (trainableParameters "classifier.weight", "classifier.bias"). W is stored [in, out], the transpose of
// torch's Linear.weight [out, in]; it is drawn in torch's [out, in] order and transposed.
// Inputs: (sentence1, sentence2) → class id in [0, numLabels).

import * as tf from "@tensorflow/tfjs";
import { ArgumentError } from "../errors.ts";
import type { NamedParameter } from "../training/adamw.ts";
import { createRandom } from "../util/random.ts";
import { checkColumns, crossEntropy, requireLabels } from "./functional.ts";
import type { Loss } from "./loss.ts";

export interface SoftmaxLossOptions {
  /** Width of the sentence embeddings (model.getSentenceEmbeddingDimension()). */
  sentenceEmbeddingDimension: number;
  numLabels: number;
  /** Concatenate u and v (default true). */
  concatenationSentRep?: boolean;
  /** Concatenate |u − v| (default true). */
  concatenationSentDifference?: boolean;
  /** Concatenate u ∗ v (default false). */
  concatenationSentMultiplication?: boolean;
  /** Seed of the classifier's initialisation (default 42). */
  seed?: number;
}

export class SoftmaxLoss implements Loss {
  readonly name: string = "SoftmaxLoss";
  readonly sentenceEmbeddingDimension: number;
  readonly numLabels: number;
  readonly concatenationSentRep: boolean;
  readonly concatenationSentDifference: boolean;
  readonly concatenationSentMultiplication: boolean;
  readonly numFeatures: number;
  /** [numFeatures, numLabels]. */
  readonly weight: tf.Variable;
  /** [numLabels]. */
  readonly bias: tf.Variable;
  readonly trainableParameters: NamedParameter[];

  constructor(readonly model: unknown, options: SoftmaxLossOptions) {
    const { sentenceEmbeddingDimension, numLabels } = options ?? ({} as SoftmaxLossOptions);
    if (!Number.isInteger(sentenceEmbeddingDimension) || sentenceEmbeddingDimension < 1) {
      throw new ArgumentError("sentenceEmbeddingDimension", `must be a positive integer, got ${sentenceEmbeddingDimension}`);
    }
    if (!Number.isInteger(numLabels) || numLabels < 1) throw new ArgumentError("numLabels", `must be a positive integer, got ${numLabels}`);
    this.sentenceEmbeddingDimension = sentenceEmbeddingDimension;
    this.numLabels = numLabels;
    this.concatenationSentRep = options.concatenationSentRep ?? true;
    this.concatenationSentDifference = options.concatenationSentDifference ?? true;
    this.concatenationSentMultiplication = options.concatenationSentMultiplication ?? false;
    const vectors =
      (this.concatenationSentRep ? 2 : 0) + (this.concatenationSentDifference ? 1 : 0) + (this.concatenationSentMultiplication ? 1 : 0);
    if (vectors === 0) throw new ArgumentError("SoftmaxLoss", "needs at least one of concatenationSentRep, concatenationSentDifference, concatenationSentMultiplication");
    this.numFeatures = vectors * sentenceEmbeddingDimension;

    const random = createRandom(options.seed ?? 42);
    const bound = 1 / Math.sqrt(this.numFeatures);
    const uniform = () => (2 * random.next() - 1) * bound;
    const torchOrder = Float32Array.from({ length: numLabels * this.numFeatures }, uniform); // [out, in]
    const biasValues = Float32Array.from({ length: numLabels }, uniform);
    this.weight = tf.tidy(() => tf.variable(tf.transpose(tf.tensor2d(torchOrder, [numLabels, this.numFeatures]))));
    this.bias = tf.variable(tf.tensor1d(biasValues));
    this.trainableParameters = [
      { name: "classifier.weight", tensor: this.weight },
      { name: "classifier.bias", tensor: this.bias },
    ];
  }

  /** The classifier's input: the selected vectors concatenated in the order u, v, |u − v|, u ∗ v. */
  features(u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const parts: tf.Tensor2D[] = [];
      if (this.concatenationSentRep) parts.push(u, v);
      if (this.concatenationSentDifference) parts.push(tf.abs(tf.sub(u, v)) as tf.Tensor2D);
      if (this.concatenationSentMultiplication) parts.push(tf.mul(u, v));
      return tf.concat(parts, 1) as tf.Tensor2D;
    });
  }

  /** Class logits [batch, numLabels] of each pair (what sentence-transformers returns when called without labels). */
  logits(u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor2D {
    this.checkDimension(u);
    return tf.tidy(() => tf.add(tf.matMul(this.features(u, v), this.weight as tf.Tensor2D), this.bias));
  }

  computeLoss(embeddings: tf.Tensor2D[], labels?: tf.Tensor1D): tf.Scalar {
    checkColumns(this.name, embeddings, { min: 2, describe: "(sentence1, sentence2)" });
    const classes = requireLabels(this.name, labels, `a class id in [0, ${this.numLabels}) per pair`, embeddings[0].shape[0]);
    return tf.tidy(() => crossEntropy(this.logits(embeddings[0], embeddings[1]), classes));
  }

  /** sentence-transformers' SoftmaxLoss defines no get_config_dict(), so there is nothing to report. */
  getConfigDict(): Record<string, unknown> {
    return {};
  }

  /** Frees the classifier's variables. */
  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }

  private checkDimension(u: tf.Tensor2D): void {
    if (u.shape[1] !== this.sentenceEmbeddingDimension) {
      throw new ArgumentError(this.name, `was built for ${this.sentenceEmbeddingDimension}-dimensional embeddings, got ${u.shape[1]}`);
    }
  }
}
