// Building blocks of the tfjs reference encoder with hand-written, memory-lean gradients.
//   dense:      y = x·W + b,  dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ dy  (explicit transposes: the wasm
//               backend is ~15× slower on matMul's transposeA/transposeB flags)
//   layerNorm:  y = γ·x̂ + β, x̂ = (x − μ)/√(σ² + ε) (biased σ², as torch), saves only x̂ and 1/√(σ²+ε)
//   gelu:       y = x·Φ(x) = ½x(1 + erf(x/√2)) (exact form), dy/dx = Φ(x) + x·φ(x)
// Inputs are 2-D [rows, features]; callers reshape.
//   additiveAttentionMask: [batch, 1, 1, seq], 0 for real tokens, float32 min for padded keys (torch's finfo.min)

import * as tf from "@tensorflow/tfjs";
import type { EncoderInputs } from "../architecture.ts";
import { FLOAT32_MIN } from "../onnxruntime/ops/attention.ts";
import { customGradient } from "./custom-gradient.ts";

export interface DenseWeights {
  /** [in, out]: the transpose of torch's Linear.weight. */
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

export interface NormWeights {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
}

const denseOp = customGradient(([x, kernel, bias], save) => {
  save([x, kernel]);
  return {
    value: tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias }),
    gradFunc: (dy, saved) => {
      const [savedX, savedKernel] = saved as [tf.Tensor2D, tf.Tensor2D];
      const outputGradient = dy as tf.Tensor2D;
      return [
        tf.matMul(outputGradient, tf.transpose(savedKernel)),
        tf.matMul(tf.transpose(savedX), outputGradient),
        tf.sum(outputGradient, 0),
      ];
    },
  };
});

export function dense(x: tf.Tensor2D, weights: DenseWeights): tf.Tensor2D {
  return denseOp(x, weights.kernel, weights.bias) as tf.Tensor2D;
}

export function layerNorm(x: tf.Tensor2D, weights: NormWeights, epsilon: number): tf.Tensor2D {
  const op = customGradient(([input, gamma, beta], save) => {
    const mean = tf.mean(input, -1, true);
    const centered = tf.sub(input, mean);
    const variance = tf.mean(tf.square(centered), -1, true);
    const inverseStd = tf.rsqrt(tf.add(variance, epsilon));
    const normalized = tf.mul(centered, inverseStd);
    save([normalized, inverseStd, gamma]);
    return {
      value: tf.add(tf.mul(normalized, gamma), beta),
      gradFunc: (dy, saved) => {
        const [savedNormalized, savedInverseStd, savedGamma] = saved;
        const outputGradient = dy as tf.Tensor2D;
        const normalizedGradient = tf.mul(outputGradient, savedGamma);
        const inputGradient = tf.mul(
          savedInverseStd,
          tf.sub(
            tf.sub(normalizedGradient, tf.mean(normalizedGradient, -1, true)),
            tf.mul(savedNormalized, tf.mean(tf.mul(normalizedGradient, savedNormalized), -1, true)),
          ),
        );
        return [inputGradient, tf.sum(tf.mul(outputGradient, savedNormalized), 0), tf.sum(outputGradient, 0)];
      },
    };
  });
  return op(x, weights.gamma, weights.beta) as tf.Tensor2D;
}

const SQRT_HALF = Math.SQRT1_2;
const INVERSE_SQRT_TWO_PI = 1 / Math.sqrt(2 * Math.PI);

const geluOp = customGradient(([x], save) => {
  save([x]);
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, SQRT_HALF))));
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy, saved) => {
      const [input] = saved;
      const inputCdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(input, SQRT_HALF))));
      const density = tf.mul(INVERSE_SQRT_TWO_PI, tf.exp(tf.mul(-0.5, tf.square(input))));
      return [tf.mul(dy, tf.add(inputCdf, tf.mul(input, density)))];
    },
  };
});

export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  return geluOp(x) as tf.Tensor2D;
}

/** The additive attention mask [batch, 1, 1, seq]: 0 for real tokens, float32 min for padding. */
export function additiveAttentionMask(inputs: EncoderInputs): tf.Tensor4D {
  const values = new Float32Array(inputs.attentionMask.length);
  inputs.attentionMask.forEach((keep, i) => (values[i] = keep ? 0 : FLOAT32_MIN));
  return tf.tensor4d(values, [inputs.batchSize, 1, 1, inputs.seqLength]);
}
