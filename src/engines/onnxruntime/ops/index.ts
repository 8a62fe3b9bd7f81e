// Building blocks of the ONNX encoders, forward and hand-written backward (opset 17).
export { BackwardContext } from "./backward-context.ts";
export { linear, linearBackward, type LinearParameters } from "./linear.ts";
export { layerNorm, layerNormBackward, type LayerNormValues } from "./layer-norm.ts";
export { gelu, geluBackward } from "./gelu.ts";
export { applyDropoutMask } from "./dropout.ts";
export { additiveMask, attention, attentionBackward, FLOAT32_MIN, mergeHeads, splitHeads, type AttentionValues } from "./attention.ts";
