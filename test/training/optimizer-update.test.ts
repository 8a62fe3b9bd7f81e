// The fused optimizer update (AdamW with the clipping coefficient and the finite check folded in:
// src/training/optimizer/adamw-kernel.ts) gives bit for bit what a plain loop written
// from the formulas of adamw.ts' and gradient-clipping.ts' headers gives, over several steps:
//   norm = √(Σ g² in double, gradients in map order);  c = maxNorm / (norm + 1e-6), applied when < 1:
//   g ← fround(g·c);  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;
//   θ ← θ·(1 − lr·λ) − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)     (λ = 0 for biases and norms),
// with a row-sparse table gradient taken as its dense table (absent rows zero), clipping active and
// inactive, weight decay on and off. A NaN gradient
// makes firstNonFiniteWeight() name its weight.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { RowGradient, type Gradient } from "../../src/engines/row-gradient.ts";
import { AdamW } from "../../src/training/adamw.ts";
import { clippingCoefficient, globalGradientNorm } from "../../src/training/gradient-clipping.ts";
import { createRandom } from "../../src/util/random.ts";

const TABLE = "embeddings.word_embeddings.weight";
const TABLE_ROWS = 3000;
const WIDTH = 128;
/** name, size, whether weight decay applies (the Hugging Face rule: not for biases and norms). */
const WEIGHTS: [string, number, boolean][] = [
  [TABLE, TABLE_ROWS * WIDTH, true],
  ["embeddings.LayerNorm.weight", 512, false],
  ["encoder.layer.0.intermediate.dense.weight", 800 * 512, true],
  ["encoder.layer.0.intermediate.dense.bias", 800, false],
  ["encoder.layer.0.output.dense.weight", 512 * 512, true],
];
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;
const LEARNING_RATES = [1e-3, 2e-3, 5e-4, 1e-3, 3e-3];

function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const a = new Int32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Int32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== e[i]) assert.fail(`${what}[${i}]: ${actual[i]} !== ${expected[i]}`);
}

/** Step `step`'s gradients: the table row-sparse (rows varying by step), the others dense, scaled by `size`. */
function gradientsOf(step: number, size: number): Map<string, Gradient> {
  const random = createRandom(1000 + step);
  const gradients = new Map<string, Gradient>();
  for (const [name, length] of WEIGHTS) {
    if (name === TABLE) {
      const rows = Int32Array.from({ length: 40 }, (_, k) => k * 70 + step * 3);
      const values = Float32Array.from({ length: rows.length * WIDTH }, () => (random.next() - 0.5) * size);
      gradients.set(name, new RowGradient(rows, values, TABLE_ROWS, WIDTH));
    } else {
      gradients.set(name, Float32Array.from({ length }, () => (random.next() - 0.5) * size));
    }
  }
  return gradients;
}

/** The reference: the formulas above as a plain loop over dense copies. */
class ReferenceAdamW {
  step = 0;
  readonly weights = new Map<string, Float32Array>();
  readonly first = new Map<string, Float32Array>();
  readonly second = new Map<string, Float32Array>();

  constructor(initial: Map<string, Float32Array>, readonly weightDecay: number) {
    for (const [name, values] of initial) {
      this.weights.set(name, values.slice());
      this.first.set(name, new Float32Array(values.length));
      this.second.set(name, new Float32Array(values.length));
    }
  }

  /** Clips and updates; returns the norm. */
  apply(gradients: Map<string, Gradient>, maxNorm: number, lr: number): number {
    const dense = new Map<string, Float32Array>();
    for (const [name, gradient] of gradients) {
      if (gradient instanceof Float32Array) dense.set(name, gradient.slice());
      else {
        const table = new Float32Array(gradient.length);
        gradient.rows.forEach((row, slot) => table.set(gradient.values.subarray(slot * gradient.width, (slot + 1) * gradient.width), row * gradient.width));
        dense.set(name, table);
      }
    }
    let sumOfSquares = 0;
    for (const values of dense.values()) for (let i = 0; i < values.length; i++) sumOfSquares += values[i] * values[i];
    const norm = Math.sqrt(sumOfSquares);
    const coefficient = maxNorm / (norm + 1e-6);
    if (coefficient < 1) for (const values of dense.values()) for (let i = 0; i < values.length; i++) values[i] = Math.fround(values[i] * coefficient);
    this.step++;
    for (const [name, , decays] of WEIGHTS) {
      const g = dense.get(name)!;
      const w = this.weights.get(name)!;
      const m = this.first.get(name)!;
      const v = this.second.get(name)!;
      const keep = 1 - lr * (decays ? this.weightDecay : 0);
      for (let i = 0; i < w.length; i++) {
        const mi = BETA1 * m[i] + (1 - BETA1) * g[i];
        const vi = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] * keep - ((lr / (1 - BETA1 ** this.step)) * mi) / (Math.sqrt(vi) * (1 / Math.sqrt(1 - BETA2 ** this.step)) + EPSILON);
      }
    }
    return norm;
  }
}

function initialWeights(): Map<string, Float32Array> {
  const random = createRandom(7);
  return new Map(WEIGHTS.map(([name, length]) => [name, Float32Array.from({ length }, () => (random.next() - 0.5) * 0.2)]));
}

for (const weightDecay of [0.01, 0]) {
  test(`the fused update equals the formulas bit for bit over 5 steps, clipping on and off (weight decay ${weightDecay})`, () => {
    const initial = initialWeights();
    const reference = new ReferenceAdamW(initial, weightDecay);
    const tensors = new Map([...initial].map(([name, values]) => [name, tf.variable(tf.tensor1d(values))]));
    const optimizer = new AdamW([...tensors].map(([name, tensor]) => ({ name, tensor })), { learningRate: LEARNING_RATES[0], weightDecay, beta1: BETA1, beta2: BETA2, epsilon: EPSILON });
    const maxNorm = 1;
    let clipped = 0;
    LEARNING_RATES.forEach((lr, step) => {
      // Steps 0, 2, 4: gradients of norm ≫ 1 (clipped); steps 1, 3: ≪ 1 (not clipped).
      const size = step % 2 === 0 ? 0.5 : 1e-4;
      const expectedNorm = reference.apply(gradientsOf(step, size), maxNorm, lr);
      const gradients = gradientsOf(step, size);
      const norm = globalGradientNorm(gradients);
      optimizer.learningRate = lr;
      optimizer.applyGradients(gradients, clippingCoefficient(norm, maxNorm));
      assert.equal(norm, expectedNorm, `step ${step}: grad_norm`);
      if (clippingCoefficient(norm, maxNorm) < 1) clipped++;
      for (const [name] of WEIGHTS) {
        const { first, second } = optimizer.state().get(name)!;
        assertSameBits(optimizer.updatedWeights().get(name)!.values, reference.weights.get(name)!, `step ${step}: ${name}`);
        assertSameBits(tensors.get(name)!.dataSync() as Float32Array, reference.weights.get(name)!, `step ${step}: ${name} (tfjs variable)`);
        assertSameBits(first, reference.first.get(name)!, `step ${step}: ${name} first moment`);
        assertSameBits(second, reference.second.get(name)!, `step ${step}: ${name} second moment`);
      }
      assert.equal(optimizer.firstNonFiniteWeight(), undefined);
    });
    assert.equal(clipped, 3, "steps 0, 2 and 4 clip");
    for (const tensor of tensors.values()) tensor.dispose();
  });
}

test("a NaN gradient makes firstNonFiniteWeight() name the first weight it reached", () => {
  const initial = initialWeights();
  const tensors = new Map([...initial].map(([name, values]) => [name, tf.variable(tf.tensor1d(values))]));
  const optimizer = new AdamW([...tensors].map(([name, tensor]) => ({ name, tensor })), { learningRate: 1e-3, weightDecay: 0.01 });
  optimizer.applyGradients(gradientsOf(0, 1e-3));
  assert.equal(optimizer.firstNonFiniteWeight(), undefined);
  const gradients = gradientsOf(1, 1e-3);
  (gradients.get("encoder.layer.0.output.dense.weight") as Float32Array)[12345] = NaN;
  (gradients.get("encoder.layer.0.intermediate.dense.bias") as Float32Array)[7] = Infinity;
  optimizer.applyGradients(gradients);
  assert.equal(optimizer.firstNonFiniteWeight(), "encoder.layer.0.intermediate.dense.bias");
  for (const tensor of tensors.values()) tensor.dispose();
});
