// Between a checkpoint's tensors and the encoder's weights, for any family: stored names map to the
// family's parameter names (canonicalName: prefixes such as "bert."/"roberta." removed); torch's
// Linear.weight is [out, in] while the encoder keeps kernels as [in, out], so they are transposed on the
// way in and back on the way out. Every parameter must be present with config.json's shape and finite:
// a NaN/Inf weight (a model saved from a diverged run) is refused naming the tensor, instead of encoding
// every text to NaN (one pass over each Float32Array: ~20 ms for bge-small's 33M weights, against a ~3 s
// load); tensors the encoder does not use are not checked.

import * as tf from "@tensorflow/tfjs";
import type { EncoderConfig } from "../engines/architecture.ts";
import { ModelLoadError } from "../errors.ts";
import type { ModelFamily } from "./families/family.ts";

export interface NamedTensorValues {
  name: string;
  shape: number[];
  values: Float32Array;
}

export function transpose2d(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c];
  }
  return out;
}

/** How many values are NaN, +Inf or −Inf. */
export function countNonFinite(values: Float32Array): number {
  // Fast path: x·0 is ±0 for every finite x and NaN for NaN and ±Inf, so the sums stay 0 unless some
  // value is non-finite (four independent sums run about twice as fast as one).
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  const length = values.length;
  let index = 0;
  for (; index + 3 < length; index += 4) {
    sum0 += values[index] * 0;
    sum1 += values[index + 1] * 0;
    sum2 += values[index + 2] * 0;
    sum3 += values[index + 3] * 0;
  }
  for (; index < length; index++) sum0 += values[index] * 0;
  if (sum0 + sum1 + sum2 + sum3 === 0) return 0;
  let count = 0;
  for (index = 0; index < length; index++) if (!Number.isFinite(values[index])) count++;
  return count;
}

/**
 * The encoder's trainable variables, keyed by parameter name, in parameters() order. `readValues(name)`
 * returns the float32 values of a stored tensor. Errors name the tensor's own `file` when it has one (a
 * shard), else `file`.
 */
export function weightsFromTensors<C extends EncoderConfig>(
  family: ModelFamily<C>,
  config: C,
  stored: Map<string, { shape: number[]; file?: string }>,
  readValues: (storedName: string) => Float32Array,
  file: string,
): Map<string, tf.Variable> {
  const byCanonicalName = new Map<string, string>();
  for (const storedName of stored.keys()) {
    const canonical = family.canonicalName(storedName);
    if (canonical !== undefined) byCanonicalName.set(canonical, storedName);
  }
  const variables = new Map<string, tf.Variable>();
  try {
    for (const spec of family.parameters(config)) {
      const storedName = byCanonicalName.get(spec.name);
      if (storedName === undefined) throw new ModelLoadError(file, `required tensor ${spec.name} is missing`);
      const { shape, file: tensorFile = file } = stored.get(storedName)!;
      if (shape.length !== spec.torchShape.length || shape.some((size, i) => size !== spec.torchShape[i])) {
        throw new ModelLoadError(
          tensorFile,
          `tensor ${storedName} has shape [${shape.join(", ")}] but config.json implies [${spec.torchShape.join(", ")}]`,
        );
      }
      const values = readValues(storedName);
      const nonFinite = countNonFinite(values);
      if (nonFinite > 0) {
        throw new ModelLoadError(
          tensorFile,
          `tensor ${storedName} has ${nonFinite} non-finite value${nonFinite === 1 ? "" : "s"} (NaN/Inf); ` +
            "the model was probably saved from a diverged training run",
        );
      }
      const [rows, columns] = spec.torchShape;
      const initialValue = spec.linear ? tf.tensor2d(transpose2d(values, rows, columns), [columns, rows]) : tf.tensor(values, spec.torchShape);
      variables.set(spec.name, tf.variable(initialValue, true));
      initialValue.dispose();
    }
  } catch (error) {
    // A bad tensor part-way through must not leave the earlier ones allocated.
    for (const variable of variables.values()) variable.dispose();
    throw error;
  }
  return variables;
}

/** The weights as Hugging Face stores them (torch layout), ready for safetensors. */
export function weightsToTensors<C extends EncoderConfig>(family: ModelFamily<C>, config: C, weights: ReadonlyMap<string, tf.Tensor>): NamedTensorValues[] {
  return family.parameters(config).map((spec) => {
    const values = weights.get(spec.name)!.dataSync() as Float32Array;
    const [rows, columns] = spec.torchShape;
    return { name: spec.name, shape: spec.torchShape, values: spec.linear ? transpose2d(values, columns, rows) : Float32Array.from(values) };
  });
}
