// model_type "mpnet" (MPNetModel, no pooler; sentence-transformers/all-mpnet-base-v2 and kin): the post-LN
// encoder with MPNet's names, RoBERTa positions (padding_idx 1), no token types and the relative position bias
// shared by all layers (layout.ts); config with MPNetConfig's defaults (config.ts); checkpoint names (names.ts);
// random models in all-mpnet-base-v2's tokenizer form (random-model.ts).

import { postLnParameters } from "../post-ln-encoder/layout.ts";
import { postLnOnnx } from "../post-ln-encoder/onnx-architecture.ts";
import { postLnForward } from "../post-ln-encoder/tfjs-forward.ts";
import type { ModelFamily } from "../family.ts";
import { mpnetConfigJson, parseMpnetConfig, type MpnetConfig } from "./config.ts";
import { MPNET_LAYOUT } from "./layout.ts";
import { mpnetCanonicalName, mpnetFrozenRows, mpnetKeepsUnused, mpnetStoredName } from "./names.ts";
import { mpnetRandomModel } from "./random-model.ts";

export type { MpnetConfig } from "./config.ts";

export const mpnetFamily: ModelFamily<MpnetConfig> = {
  modelType: "mpnet",
  floatConfigKeys: ["initializer_range", "layer_norm_eps"],
  parseConfig: parseMpnetConfig,
  configJson: mpnetConfigJson,
  canonicalName: mpnetCanonicalName,
  keepsUnused: mpnetKeepsUnused,
  savedName: mpnetStoredName,
  randomModel: mpnetRandomModel,
  parameters: (config) => postLnParameters(config, MPNET_LAYOUT),
  frozenRows: mpnetFrozenRows,
  forward: (weights, config, inputs, options) => postLnForward(weights, config, MPNET_LAYOUT, inputs, options),
  onnx: postLnOnnx(MPNET_LAYOUT),
};
