// A random BERT's config.json (BertConfig as Hugging Face writes it) and its WordPiece tokenizer files,
// the vocabulary learnt from the spec's words (uncased), padded with [unusedN] tokens up to vocabSize.

import { bertTokenizerFiles, formatTokenizerJson } from "../../../generator/tokenizer-files.ts";
import { buildWordPieceVocab } from "../../../generator/wordpiece-vocab.ts";
import { EmbedtuneError } from "../../../errors.ts";
import type { RandomModelFiles, RandomModelSpec } from "../family.ts";

/** The WordPiece vocabulary learnt from `words`, or `vocabulary` as given. */
export function randomBertModel(spec: RandomModelSpec): RandomModelFiles {
  const tokens = spec.vocabulary ? [...spec.vocabulary] : buildWordPieceVocab(spec.words, { vocabSize: spec.vocabSize });
  for (let unused = 0; tokens.length < spec.vocabSize; unused++) tokens.push(`[unused${unused}]`);
  const padTokenId = tokens.indexOf("[PAD]");
  if (padTokenId < 0) throw new EmbedtuneError("the vocabulary has no [PAD] token");
  const files = bertTokenizerFiles(tokens, { lowercase: true, modelMaxLength: 512 });
  const config = {
    architectures: ["BertModel"],
    attention_probs_dropout_prob: 0.1,
    classifier_dropout: null,
    hidden_act: "gelu",
    hidden_dropout_prob: 0.1,
    hidden_size: spec.hiddenSize,
    initializer_range: spec.initializerRange,
    intermediate_size: spec.intermediateSize,
    layer_norm_eps: 1e-12,
    max_position_embeddings: 512,
    model_type: "bert",
    num_attention_heads: spec.numAttentionHeads,
    num_hidden_layers: spec.numHiddenLayers,
    pad_token_id: padTokenId,
    position_embedding_type: "absolute",
    torch_dtype: "float32",
    type_vocab_size: 2,
    use_cache: true,
    vocab_size: tokens.length,
  };
  return {
    config,
    tokenizerFiles: new Map([
      ["tokenizer.json", `${formatTokenizerJson(files["tokenizer.json"])}\n`],
      ["tokenizer_config.json", `${JSON.stringify(files["tokenizer_config.json"], null, 2)}\n`],
      ["special_tokens_map.json", `${JSON.stringify(files["special_tokens_map.json"], null, 2)}\n`],
      ["vocab.txt", files["vocab.txt"]],
    ]),
  };
}
