// model_type "bert" (BertModel, no pooler): the post-LN encoder with absolute positions 0..T−1 and
// token type embeddings. The word embedding row pad_token_id (config.json's, whatever the tokenizer pads
// with: multilingual-e5-small says 0 and pads with 1) is nn.Embedding's padding_idx: never trained.

import { postLnForward } from "../post-ln-encoder/tfjs-forward.ts";
import { BERT_NAMES, postLnParameters, type PostLnLayout } from "../post-ln-encoder/layout.ts";
import { postLnOnnx } from "../post-ln-encoder/onnx-architecture.ts";
import type { ModelFamily } from "../family.ts";
import { parsePostLnConfig, postLnConfigJson, type BertConfig } from "./config.ts";
import { bertCanonicalName, bertKeepsUnused, bertStoredName } from "./names.ts";
import { randomBertModel } from "./random-model.ts";

export type { BertConfig } from "./config.ts";

const layout: PostLnLayout<BertConfig> = { names: BERT_NAMES, positions: "absolute" };

export const bertFamily: ModelFamily<BertConfig> = {
  modelType: "bert",
  floatConfigKeys: ["initializer_range", "layer_norm_eps"],
  parseConfig: (raw, file) => parsePostLnConfig(raw, file, { modelType: "bert", padTokenId: 0, positions: layout.positions }),
  configJson: (config) => postLnConfigJson(config, "BertModel"),
  canonicalName: bertCanonicalName,
  keepsUnused: bertKeepsUnused,
  savedName: bertStoredName,
  randomModel: randomBertModel,
  parameters: (config) => postLnParameters(config, layout),
  frozenRows: (config) => [{ parameter: BERT_NAMES.word, row: config.padTokenId }],
  forward: (weights, config, inputs, options) => postLnForward(weights, config, layout, inputs, options),
  onnx: postLnOnnx(layout),
};
