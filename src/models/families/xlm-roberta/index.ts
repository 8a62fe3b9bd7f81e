// model_type "xlm-roberta" (XLMRobertaModel, no pooler): BERT's post-LN layers and parameter names with
// RoBERTa positions, padding_idx + cumsum(ids ≠ padding_idx)·(ids ≠ padding_idx), padding_idx =
// config.json's pad_token_id (1), so sequences are bounded by max_position_embeddings − padding_idx − 1.
// Checkpoints set type_vocab_size 1 and layer_norm_eps 1e-5; the config class defaults are BERT's (read the
// file). XLMRobertaFor* heads prefix the names with "roberta."; the I64 embeddings.position_ids buffer and
// the LM head are skipped, the pooler kept. padding_idx rows of the word and position tables are never trained.

import { postLnForward } from "../post-ln-encoder/tfjs-forward.ts";
import { BERT_NAMES, postLnParameters, type PostLnConfig, type PostLnLayout } from "../post-ln-encoder/layout.ts";
import { postLnOnnx } from "../post-ln-encoder/onnx-architecture.ts";
import type { ModelFamily } from "../family.ts";
import { parsePostLnConfig, postLnConfigJson } from "../bert/config.ts";
import { randomXlmRobertaModel } from "./random-model.ts";

export type XlmRobertaConfig = PostLnConfig;

const layout: PostLnLayout<XlmRobertaConfig> = { names: BERT_NAMES, positions: "padding-offset" };

const storedName = (stored: string) => stored.replace(/^roberta\./, "");
const UNUSED = /^(pooler\.|lm_head\.|embeddings\.position_ids$)/;

export const xlmRobertaFamily: ModelFamily<XlmRobertaConfig> = {
  modelType: "xlm-roberta",
  floatConfigKeys: ["initializer_range", "layer_norm_eps"],
  parseConfig: (raw, file) => parsePostLnConfig(raw, file, { modelType: "xlm-roberta", padTokenId: 1, positions: layout.positions }),
  configJson: (config) => postLnConfigJson(config, "XLMRobertaModel"),
  canonicalName: (stored) => (UNUSED.test(storedName(stored)) ? undefined : storedName(stored)),
  keepsUnused: (stored) => storedName(stored).startsWith("pooler."),
  savedName: storedName,
  randomModel: randomXlmRobertaModel,
  parameters: (config) => postLnParameters(config, layout),
  frozenRows: (config) => [
    { parameter: BERT_NAMES.word, row: config.padTokenId },
    { parameter: BERT_NAMES.position, row: config.padTokenId },
  ],
  forward: (weights, config, inputs, options) => postLnForward(weights, config, layout, inputs, options),
  onnx: postLnOnnx(layout),
};
