// Fills the gaps tfjs 4.22 leaves for training a BERT: registerWasmTrainingKernels() adds or fixes
// wasm kernels (UnsortedSegmentSum is missing; StridedSlice and ClipByValue are wrong on integers);
// registerMissingTrainingGradients() adds or fixes gradients tfjs-core lacks on every backend.
// Both are idempotent; test/engines/tfjs/wasm-kernels.test.ts checks them against cpu and by hand.

import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/**
 * Makes the "wasm" backend able to train a BERT encoder with its losses and Adam. Found empirically
 * by running gradients through every op they use and comparing with cpu (see the test):
 * - adds `UnsortedSegmentSum` (the gradient of gather), which @tensorflow/tfjs-backend-wasm lacks;
 * - fixes `StridedSlice` with steps ≠ 1 on int32/bool, which returns float32 holding the raw bits,
 *   and with steps ≠ 1 plus shrinkAxisMask, which reads the wrong elements;
 * - fixes `ClipByValue` on int32, which returns garbage.
 * Safe to call before or after the wasm backend is initialised, and any number of times.
 */
export function registerWasmTrainingKernels(): void {
  for (const kernel of wasmTrainingKernels) {
    // A kernel that is already registered (e.g. by a newer tfjs) is kept.
    if (tf.getKernel(kernel.kernelName, "wasm") === undefined) tf.registerKernel(kernel);
  }
  patchWasmKernel(tf.StridedSlice, stridedSliceWhereWasmIsWrong);
  patchWasmKernel(tf.ClipByValue, clipByValueForIntegers);
}

/**
 * Registers gradients that tfjs-core 4.22 lacks or gets wrong, for every backend:
 * - `StridedSlice` and `GatherNd` have no gradient ("gradient function not found");
 * - `Cumsum` transposes its gradient a second time, so any axis but the last fails or is wrong;
 * - `Maximum`, `Minimum` and `SquaredDifference` do not sum their gradients over broadcast
 *   dimensions, so maximum(x[3,4], y[4]) fails when both are differentiated;
 * - comparisons and logical ops (`Greater`, `Less`, `Equal`, …) have no gradient, so
 *   `where(greater(x, 0), …)` inside a loss fails; they get a zero gradient, as in TensorFlow.
 * Idempotent; a gradient tfjs already has is kept, except these four, which are replaced.
 */
export function registerMissingTrainingGradients(): void {
  if (trainingGradientsRegistered) return;
  for (const gradient of missingGradients) {
    if (tf.getGradient(gradient.kernelName) === undefined) tf.registerGradient(gradient);
  }
  for (const gradient of fixedGradients) tf.registerGradient(gradient);
  trainingGradientsRegistered = true;
}

let trainingGradientsRegistered = false;

function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, size) => count * size, 1);
}

/**
 * out[s] = Σ x[i] over the i with segmentIds[i] = s. Ids outside [0, numSegments) are dropped,
 * as the cpu backend does. segmentIds may have any rank r; x's first r dimensions match it.
 */
const unsortedSegmentSumKernel: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    const wasmBackend = backend as BackendWasm;
    const idRank = segmentIds.shape.length;
    const rowCount = elementCount(segmentIds.shape);
    const rowShape = x.shape.slice(idRank);
    const rowSize = elementCount(rowShape);
    // readSync copies out of the wasm heap, so these stay valid when makeOutput grows the heap.
    const values = wasmBackend.readSync(x.dataId) as Float32Array | Int32Array;
    const ids = wasmBackend.readSync(segmentIds.dataId) as Int32Array;
    const output = wasmBackend.makeOutput([numSegments, ...rowShape], x.dtype);
    const sums = wasmBackend.typedArrayFromHeap(output);
    sums.fill(0);
    for (let row = 0; row < rowCount; row++) {
      const segment = ids[row]!;
      if (segment < 0 || segment >= numSegments) continue;
      const from = row * rowSize;
      const to = segment * rowSize;
      for (let j = 0; j < rowSize; j++) sums[to + j] += values[from + j]!;
    }
    return output;
  },
};

const wasmTrainingKernels: readonly tf.KernelConfig[] = [unsortedSegmentSumKernel];

type WasmKernelArgs = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap };
/** Computes the kernel in JS when it can do better than wasm, else returns undefined. */
type WasmKernelFix = (args: WasmKernelArgs) => tf.TensorInfo | undefined;

const patchedMarker = Symbol.for("embedtune.patchedWasmKernel");

/** Replaces wasm's kernel by one that tries `fix` first and falls back to the original. */
function patchWasmKernel(kernelName: string, fix: WasmKernelFix): void {
  const original = tf.getKernel(kernelName, "wasm");
  if (original === undefined || patchedMarker in original) return;
  const patched: tf.KernelConfig & { [patchedMarker]: true } = {
    ...original,
    kernelFunc: (args) => fix(args as WasmKernelArgs) ?? original.kernelFunc(args),
    [patchedMarker]: true,
  };
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel(patched);
}

/** Row-major strides of every dimension, the last one included. */
function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  return strides;
}

/**
 * StridedSlice in JS where wasm's general (strided) path is wrong: it treats every input as
 * float32, and it walks the output shape without the shrunk axes as if it had the input's rank
 * (stridedSlice(x[3,4], [1,0], [2,4], [1,2], shrinkAxisMask 1) gives x[0,1], x[0,2], not x[1,0], x[1,2];
 * the cpu backend has the same bug for every dtype).
 */
const stridedSliceWhereWasmIsWrong: WasmKernelFix = ({ inputs, backend, attrs }) => {
  const x = inputs.x!;
  const a = attrs as unknown as tf.StridedSliceAttrs;
  const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask,
    a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
  const takesGeneralPath = !info.isIdentity && !info.sliceDim0 && !info.isSimpleSlice;
  const generalPathIsWrong = x.dtype !== "float32" || info.finalShapeSparse.length !== x.shape.length;
  if (!takesGeneralPath || !generalPathIsWrong) return undefined;
  // One size per input dimension (shrunk ones are 1); new axes only reshape, so the order holds.
  const denseShape = tf.slice_util.computeOutShape(info.begin, info.end, info.strides).map((size) => Math.max(0, size));
  const values = backend.readSync(x.dataId) as Int32Array | Uint8Array;
  const output = backend.makeOutput(info.finalShape, x.dtype);
  const sliced = backend.typedArrayFromHeap(output);
  const inputStrides = rowMajorStrides(x.shape);
  for (let flat = 0; flat < sliced.length; flat++) {
    let remainder = flat;
    let offset = 0;
    for (let d = denseShape.length - 1; d >= 0; d--) {
      const coordinate = remainder % denseShape[d]!;
      remainder = (remainder - coordinate) / denseShape[d]!;
      offset += (info.begin[d]! + coordinate * info.strides[d]!) * inputStrides[d]!;
    }
    sliced[flat] = values[offset]!;
  }
  return output;
};

/** ClipByValue for int32 in JS (wasm's kernel reads and writes float32). */
const clipByValueForIntegers: WasmKernelFix = ({ inputs, backend, attrs }) => {
  const x = inputs.x!;
  if (x.dtype !== "int32") return undefined;
  const { clipValueMin, clipValueMax } = attrs as unknown as tf.ClipByValueAttrs;
  const values = backend.readSync(x.dataId) as Int32Array;
  const output = backend.makeOutput(x.shape, x.dtype);
  const clipped = backend.typedArrayFromHeap(output);
  for (let i = 0; i < values.length; i++) clipped[i] = Math.min(Math.max(values[i]!, clipValueMin), clipValueMax);
  return output;
};

/** dx is dy written back at the positions the strided slice read; all masks are honoured by
 *  slicing a tensor of flat positions with the very same attributes. */
const stridedSliceGradient: tf.GradConfig = {
  kernelName: tf.StridedSlice,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const a = attrs as unknown as tf.StridedSliceAttrs;
    return {
      x: () => {
        const positions = tf.reshape(tf.range(0, x.size, 1, "int32"), x.shape);
        const picked = tf.stridedSlice(positions, a.begin, a.end, a.strides, a.beginMask, a.endMask,
          a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
        const flatGradient = tf.scatterND(tf.reshape(picked, [-1, 1]), tf.reshape(dy as tf.Tensor, [-1]), [x.size]);
        return tf.reshape(flatGradient, x.shape);
      },
    };
  },
};

/** dparams is dy scattered back to the gathered positions; repeated indices accumulate. */
const gatherNdGradient: tf.GradConfig = {
  kernelName: tf.GatherNd,
  inputsToSave: ["params", "indices"],
  gradFunc: (dy, saved) => {
    const [params, indices] = saved as [tf.Tensor, tf.Tensor];
    return {
      params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape),
      indices: () => tf.zeros(indices.shape, "float32"),
    };
  },
};

/** The gradient of a cumulative sum is the cumulative sum of dy in the opposite direction. */
const fixedCumsumGradient: tf.GradConfig = {
  kernelName: tf.Cumsum,
  gradFunc: (dy, _saved, attrs) => {
    const { axis, exclusive, reverse } = attrs as unknown as tf.CumsumAttrs;
    return { x: () => tf.cumsum(dy as tf.Tensor, axis, exclusive, !reverse) };
  },
};

/** Sums a broadcast gradient back down to the shape of the input it flows to. */
function reduceToShape(gradient: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, gradient.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(gradient, axes) : gradient, shape);
}

/** A binary op's gradient from dL/da and dL/db at the broadcast shape, reduced to a's and b's shapes. */
function broadcastingGradient(
  kernelName: string,
  gradients: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => { a: () => tf.Tensor; b: () => tf.Tensor },
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const atBroadcastShape = gradients(dy as tf.Tensor, a, b);
      return { a: () => reduceToShape(atBroadcastShape.a(), a.shape), b: () => reduceToShape(atBroadcastShape.b(), b.shape) };
    },
  };
}

/** Where a and b tie, the gradient goes to a, as tfjs does. */
const fixedMaximumGradient = broadcastingGradient(tf.Maximum, (dy, a, b) => ({
  a: () => tf.mul(dy, tf.cast(tf.greaterEqual(a, b), "float32")),
  b: () => tf.mul(dy, tf.cast(tf.less(a, b), "float32")),
}));

const fixedMinimumGradient = broadcastingGradient(tf.Minimum, (dy, a, b) => ({
  a: () => tf.mul(dy, tf.cast(tf.lessEqual(a, b), "float32")),
  b: () => tf.mul(dy, tf.cast(tf.greater(a, b), "float32")),
}));

const fixedSquaredDifferenceGradient = broadcastingGradient(tf.SquaredDifference, (dy, a, b) => ({
  a: () => tf.mul(dy, tf.mul(2, tf.sub(a, b))),
  b: () => tf.mul(dy, tf.mul(2, tf.sub(b, a))),
}));

const fixedGradients: readonly tf.GradConfig[] = [
  fixedCumsumGradient,
  fixedMaximumGradient,
  fixedMinimumGradient,
  fixedSquaredDifferenceGradient,
];

/** A zero gradient for each named input: for ops whose output (bool) does not vary smoothly. */
function zeroGradient(kernelName: string, inputNames: readonly string[]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: [...inputNames],
    gradFunc: (_dy, saved) =>
      Object.fromEntries(inputNames.map((name, i) => [name, () => tf.zeros(saved[i]!.shape, "float32")])),
  };
}

const missingGradients: readonly tf.GradConfig[] = [
  stridedSliceGradient,
  gatherNdGradient,
  ...[tf.Greater, tf.Less, tf.LessEqual, tf.Equal, tf.NotEqual, tf.LogicalAnd, tf.LogicalOr].map(
    (kernelName) => zeroGradient(kernelName, ["a", "b"]),
  ),
  ...[tf.LogicalNot, tf.IsNan, tf.IsInf].map((kernelName) => zeroGradient(kernelName, ["x"])),
];
