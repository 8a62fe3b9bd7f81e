// model_type "modernbert" (ModernBertModel): pre-norm layers with RoPE, alternating global and sliding-window
// attention, fused Wqkv, GeGLU MLP and a final norm; no position or token-type embeddings. MaskedLM
// checkpoints prefix "model." and carry the LM head (head.*, decoder.*), which is neither used nor kept.
// The pad_token_id row of the token embeddings (nn.Embedding's padding_idx) is never trained.

import type { ModelFamily } from "../family.ts";
import { parseModernBertConfig, type ModernBertConfig } from "./config.ts";
import { modernBertOnnx } from "./onnx-graphs.ts";
import { modernBertCanonicalName, modernBertFrozenRows, modernBertParameters } from "./parameters.ts";
import { modernBertRandomModel } from "./random-model.ts";
import { modernBertForward } from "./tfjs-forward.ts";

export type { ModernBertConfig } from "./config.ts";

export const modernBertFamily: ModelFamily<ModernBertConfig> = {
  modelType: "modernbert",
  floatConfigKeys: ["initializer_range", "initializer_cutoff_factor", "norm_eps"],
  parseConfig: parseModernBertConfig,
  configJson: (config) => ({ ...config.raw, model_type: "modernbert" }),
  canonicalName: modernBertCanonicalName,
  keepsUnused: () => false,
  randomModel: modernBertRandomModel,
  parameters: modernBertParameters,
  frozenRows: modernBertFrozenRows,
  forward: modernBertForward,
  onnx: modernBertOnnx,
};
