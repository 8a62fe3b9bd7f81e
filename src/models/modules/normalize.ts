// sentence-transformers' Normalize module: x / max(‖x‖₂, 1e-12) per row (torch F.normalize). Saved as an
// empty folder (ST v3's layout; ST 6 reads it with its defaults), shown as "Normalize()".

import * as tf from "@tensorflow/tfjs";
import { sentenceEmbeddingOf, type ModuleFeatures, type SentenceModule } from "./module.ts";

export function l2Normalize(embeddings: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(embeddings, tf.maximum(tf.norm(embeddings, 2, 1, true), 1e-12)));
}

export class Normalize implements SentenceModule {
  readonly className = "Normalize";

  /** `dimension`: of what it normalizes (the previous module's output). */
  constructor(private readonly dimension: number) {}

  get outputDimension(): number {
    return this.dimension;
  }

  forward(features: ModuleFeatures): tf.Tensor2D {
    return l2Normalize(sentenceEmbeddingOf(features, this.className));
  }

  trainableParameters(): Map<string, tf.Variable> {
    return new Map();
  }

  save(): void {}

  describe(): string {
    return "Normalize()";
  }

  summary(): string {
    return "normalize";
  }

  dispose(): void {}
}
