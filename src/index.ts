// embedtune's public API: sentence-transformers' names in camelCase, plus the tutorial's step functions.

export { backendInfo, initializeBackend, type BackendInfo, type BackendName } from "./backend.ts";
export { ArgumentError, EmbedtuneError, ModelLoadError, SafetensorsError } from "./errors.ts";
export { defaultModelDirectory, ensureDefaultModel } from "./generator/default-model.ts";
export { initModel, PRESETS, type InitModelOptions } from "./generator/init-model.ts";
export { readSafetensors, writeSafetensors } from "./io/safetensors.ts";
export { CoSENTLoss } from "./losses/cosent.ts";
export type { Loss } from "./losses/loss.ts";
export { Normalize } from "./models/normalize.ts";
export { Pooling, type PoolingMode } from "./models/pooling.ts";
export {
  SentenceTransformer,
  type EncodeOptions,
  type Embeddings,
  type SentenceTransformerOptions,
} from "./models/sentence-transformer.ts";
export { Transformer } from "./models/transformer.ts";
export { pairwiseSimilarity, similarity, SimilarityFunction, type SimilarityFunctionName } from "./similarity.ts";
export { loadModel } from "./steps.ts";
export { AdamW } from "./training/adamw.ts";
export { clipGradientsByGlobalNorm } from "./training/gradient-clipping.ts";
export { lossAndGradients } from "./training/train-step.ts";
export { EMBEDTUNE_VERSION } from "./version.ts";
