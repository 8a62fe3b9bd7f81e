// AdamW with torch / Hugging Face semantics (decoupled weight decay):
//   θ ← θ·(1 − lr·λ);  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
//   θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
// Weight decay is skipped for biases and LayerNorm weights (Hugging Face's get_decay_parameter_names).

import * as tf from "@tensorflow/tfjs";

export interface AdamWOptions {
  learningRate: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface NamedParameter {
  name: string;
  tensor: tf.Variable;
}

/** Hugging Face: no decay on biases and normalisation weights. */
export function usesWeightDecay(name: string): boolean {
  return !/(^|\.)bias$|layernorm|rmsnorm|(^|\.)norm($|\.)|_norm($|\.)/i.test(name);
}

export class AdamW {
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Number of updates applied so far (torch's per-parameter "step"). */
  step = 0;
  private readonly moments = new Map<string, { first: tf.Variable; second: tf.Variable }>();

  constructor(
    readonly parameters: NamedParameter[],
    options: AdamWOptions,
  ) {
    this.learningRate = options.learningRate;
    this.weightDecay = options.weightDecay ?? 0;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  learningRate: number;

  /** One update with `gradients` keyed by parameter name, at the current learning rate. */
  applyGradients(gradients: Record<string, tf.Tensor>): void {
    this.step += 1;
    const lr = this.learningRate;
    const firstCorrection = 1 - this.beta1 ** this.step;
    const secondCorrectionRoot = Math.sqrt(1 - this.beta2 ** this.step);
    for (const { name, tensor } of this.parameters) {
      const gradient = gradients[name];
      if (!gradient) continue;
      const moments = this.momentsOf(name, tensor);
      tf.tidy(() => {
        const decay = usesWeightDecay(name) ? this.weightDecay : 0;
        const decayed = decay > 0 ? tf.mul(tensor, 1 - lr * decay) : tensor;
        const first = tf.add(tf.mul(moments.first, this.beta1), tf.mul(gradient, 1 - this.beta1));
        const second = tf.add(tf.mul(moments.second, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
        const denominator = tf.add(tf.div(tf.sqrt(second), secondCorrectionRoot), this.epsilon);
        moments.first.assign(first);
        moments.second.assign(second);
        tensor.assign(tf.sub(decayed, tf.mul(tf.div(first, denominator), lr / firstCorrection)));
      });
    }
  }

  /** First and second moments by parameter name (for checkpoints). */
  state(): Map<string, { first: tf.Variable; second: tf.Variable }> {
    return this.moments;
  }

  dispose(): void {
    for (const { first, second } of this.moments.values()) {
      first.dispose();
      second.dispose();
    }
    this.moments.clear();
  }

  /** The moments of one parameter, created (zero) on first use. */
  momentsOf(name: string, tensor: tf.Variable): { first: tf.Variable; second: tf.Variable } {
    let moments = this.moments.get(name);
    if (!moments) {
      moments = { first: tf.variable(tf.zerosLike(tensor), false), second: tf.variable(tf.zerosLike(tensor), false) };
      this.moments.set(name, moments);
    }
    return moments;
  }
}
