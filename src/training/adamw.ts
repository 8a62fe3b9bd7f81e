// AdamW with torch / Hugging Face semantics (decoupled weight decay), as one fused loop per weight
// over Float32Arrays (a tfjs op per term runs ~4× slower on the wasm backend; optimizer/adamw-kernel.ts,
// which also scales by the clipping coefficient and checks the new weights are finite, in the same pass):
//   θ ← θ·(1 − lr·λ);  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
//   θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
// Weight decay is skipped for biases and norm weights (Hugging Face's get_decay_parameter_names).
// The weights stay tfjs variables (read, updated, assigned back); the moments live in JS.
// A row-sparse gradient (an embedding table's, engines/row-gradient.ts) gives exactly the dense update
// with zero rows: every row's moments decay and every decayed weight shrinks. A row whose moments are
// both exactly +0 (never touched: no gradient has reached it) gets m = v = +0 again and θ·keep (the
// moment term is +0), so only the rows ever touched run the full loop; the others are multiplied by
// keep, or left alone without weight decay. Which rows were touched is tracked per table, and re-derived
// from the moments' bits whenever they may have been written elsewhere (a dense step, a checkpoint load).

import * as tf from "@tensorflow/tfjs";
import { RowGradient, type Gradient } from "../engines/row-gradient.ts";
import { dataIdOf } from "../engines/engine.ts";
import { updateWeight, type StepConstants } from "./optimizer/adamw-kernel.ts";

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

export interface Moments {
  first: Float32Array;
  second: Float32Array;
}

/**
 * The Hugging Face Trainer's rule (get_decay_parameter_names): no decay for a name containing "bias"
 * anywhere (biases, and MPNet's encoder.relative_attention_bias.weight) or a parameter of a norm module
 * (LayerNorm; ModernBERT's norm, attn_norm, mlp_norm, final_norm).
 */
export function usesWeightDecay(name: string): boolean {
  return !(name.includes("bias") || /layernorm|rmsnorm|(^|\.)norm($|\.)|_norm($|\.)/i.test(name));
}

export class AdamW {
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  learningRate: number;
  /** Number of updates applied so far (torch's per-parameter "step"). */
  step = 0;
  private readonly moments = new Map<string, Moments>();
  /** Per table updated row-sparse: 1 for each row whose moments may not be +0 (see the header). */
  private readonly touchedRows = new Map<string, Uint8Array>();
  /** The values each weight had after our last update, and the tfjs data they were assigned as. */
  private readonly current = new Map<string, { values: Float32Array; dataId: object; nonFinite: boolean }>();

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

  /**
   * One update with `gradients` keyed by parameter name, at the current learning rate. With a clipping
   * coefficient (gradient-clipping.ts' clippingCoefficient), every gradient value is first multiplied by
   * it and rounded to float32, as clipGradientsByGlobalNorm does in place; the gradients are left as they are.
   */
  applyGradients(gradients: Map<string, Gradient>, clippingCoefficient = 1): void {
    this.step += 1;
    const lr = this.learningRate;
    const constants: StepConstants = {
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      stepSize: lr / (1 - this.beta1 ** this.step),
      inverseSecondCorrectionRoot: 1 / Math.sqrt(1 - this.beta2 ** this.step),
      scale: clippingCoefficient,
    };
    for (const { name, tensor } of this.parameters) {
      const gradient = gradients.get(name);
      if (!gradient) continue;
      const { first, second } = this.ownMoments(name, tensor);
      const { values: weights, nonFinite } = this.weightValues(name, tensor);
      const keep = 1 - lr * (usesWeightDecay(name) ? this.weightDecay : 0);
      let finite: boolean;
      if (gradient instanceof RowGradient) {
        const { rows, values, width } = gradient;
        const touched = this.touchedRowsOf(name, width);
        for (let slot = 0; slot < rows.length; slot++) touched[rows[slot]] = 1;
        finite = updateWeight({ kind: "rows", weights, first, second, keep, rows, values, width, touched }, constants);
      } else {
        this.touchedRows.delete(name);
        finite = updateWeight({ kind: "dense", weights, first, second, keep, gradient }, constants);
      }
      tf.tidy(() => tensor.assign(tf.tensor(weights, tensor.shape)));
      // Untouched rows without weight decay are not written: a NaN or infinity there stays.
      const nonFiniteUnwritten = nonFinite && gradient instanceof RowGradient && keep === 1;
      this.current.set(name, { values: weights, dataId: dataIdOf(tensor), nonFinite: !finite || nonFiniteUnwritten });
    }
  }

  /** The first weight (in the order they were first updated) holding a NaN or an infinity after the last step. */
  firstNonFiniteWeight(): string | undefined {
    for (const [name, { nonFinite }] of this.current) if (nonFinite) return name;
    return undefined;
  }

  /**
   * The weights as updated by the last step, with the tfjs data they live in: a holder of the same
   * variables (the onnxruntime engine) may adopt these arrays instead of reading the variables again.
   */
  updatedWeights(): Map<string, { values: Float32Array; dataId: object }> {
    return this.current;
  }

  /**
   * Our own copy of a weight's values, re-read only when something else assigned the variable; with
   * whether it holds a NaN or an infinity.
   */
  private weightValues(name: string, tensor: tf.Variable): { values: Float32Array; nonFinite: boolean } {
    const cached = this.current.get(name);
    if (cached && cached.dataId === dataIdOf(tensor)) return cached;
    const values = new Float32Array(tensor.dataSync());
    return { values, nonFinite: holdsNonFinite(values) };
  }

  /** Which rows of a table may have moments other than +0: those with any bit set in m or v. */
  private touchedRowsOf(name: string, width: number): Uint8Array {
    let touched = this.touchedRows.get(name);
    if (!touched) {
      const { first, second } = this.moments.get(name)!;
      const firstBits = new Int32Array(first.buffer, first.byteOffset, first.length);
      const secondBits = new Int32Array(second.buffer, second.byteOffset, second.length);
      touched = new Uint8Array(first.length / width);
      for (let i = 0; i < first.length; i++) if ((firstBits[i] | secondBits[i]) !== 0) touched[Math.floor(i / width)] = 1;
      this.touchedRows.set(name, touched);
    }
    return touched;
  }

  /** The moments of one parameter, created (zero) on first use, for a caller that may write them (a checkpoint load). */
  momentsOf(name: string, tensor: tf.Variable): Moments {
    this.touchedRows.delete(name);
    return this.ownMoments(name, tensor);
  }

  private ownMoments(name: string, tensor: tf.Variable): Moments {
    let moments = this.moments.get(name);
    if (!moments) {
      moments = { first: new Float32Array(tensor.size), second: new Float32Array(tensor.size) };
      this.moments.set(name, moments);
    }
    return moments;
  }

  /** First and second moments by parameter name (for checkpoints). */
  state(): Map<string, Moments> {
    return this.moments;
  }
}

/** Whether any value is NaN or infinite (x·0 is NaN exactly for those). */
function holdsNonFinite(values: Float32Array): boolean {
  let probe = 0;
  for (let i = 0; i < values.length; i++) probe += values[i] * 0;
  return probe !== 0;
}
