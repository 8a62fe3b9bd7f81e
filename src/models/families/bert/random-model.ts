// A random BERT's config.json (BertConfig as Hugging Face writes it) and its WordPiece tokenizer files,
// the vocabulary learnt from the spec's words (uncased), padded with [unusedN] tokens up to vocabSize.

import { bertTokenizerFiles, formatTokenizerJson } from "../../../generator/tokenizer-files.ts";
import { buildWordPieceVocab } from "../../../generator/wordpiece-vocab.ts";
import { EmbedtuneError } from "../../../errors.ts";
import type { RandomModelFiles, RandomModelSpec } from "../family.ts";
import { randomPostLnConfig } from "./config.ts";

/** The WordPiece vocabulary learnt from `words`, or `vocabulary` as given. */
export function randomBertModel(spec: RandomModelSpec): RandomModelFiles {
  const tokens = spec.vocabulary ? [...spec.vocabulary] : buildWordPieceVocab(spec.words, { vocabSize: spec.vocabSize });
  for (let unused = 0; tokens.length < spec.vocabSize; unused++) tokens.push(`[unused${unused}]`);
  const padTokenId = tokens.indexOf("[PAD]");
  if (padTokenId < 0) throw new EmbedtuneError("the vocabulary has no [PAD] token");
  const files = bertTokenizerFiles(tokens, { lowercase: true, modelMaxLength: 512 });
  const config = randomPostLnConfig(spec, {
    architectures: ["BertModel"],
    classifier_dropout: null,
    layer_norm_eps: 1e-12,
    max_position_embeddings: 512,
    model_type: "bert",
    pad_token_id: padTokenId,
    type_vocab_size: 2,
    use_cache: true,
    vocab_size: tokens.length,
  });
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
