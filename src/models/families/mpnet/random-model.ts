// A random MPNet's config.json and tokenizer files, in the form of sentence-transformers/all-mpnet-base-v2's:
// vocabulary <s> <pad> </s> <unk>, then a BERT WordPiece vocabulary (with its own [PAD] [UNK] [CLS] [SEP] [MASK],
// learnt by generator/wordpiece-vocab.ts), then <mask>; BertNormalizer (lowercase), BertPreTokenizer, WordPiece whose
// unknown token is [UNK] (not <unk>), RobertaProcessing <s> A </s> (pairs <s> A </s> </s> B </s>).

import type { RandomModelFiles, RandomModelSpec } from "../family.ts";
import { ArgumentError } from "../../../errors.ts";
import { bertTokenizerFiles, formatTokenizerJson, type AddedToken } from "../../../generator/tokenizer-files.ts";
import { buildWordPieceVocab } from "../../../generator/wordpiece-vocab.ts";
import { MPNET_PADDING_INDEX } from "./config.ts";

const LEADING_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"] as const;
const MASK = "<mask>";
const WORDPIECE_UNKNOWN = "[UNK]";

/** Tokens in id order: the four leading specials, a WordPiece vocabulary, <mask> last. */
function mpnetVocab(spec: RandomModelSpec): string[] {
  const wordPieceSize = spec.vocabSize - LEADING_SPECIALS.length - 1;
  if (!Number.isInteger(wordPieceSize) || wordPieceSize < 1) {
    throw new ArgumentError("vocabSize", `must leave room for MPNet's 5 special tokens, got ${spec.vocabSize}`);
  }
  return [...LEADING_SPECIALS, ...buildWordPieceVocab(spec.words, { vocabSize: wordPieceSize }), MASK];
}

function addedToken(id: number, content: string, overrides: Partial<AddedToken> = {}): AddedToken {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...overrides };
}

export function mpnetRandomModel(spec: RandomModelSpec): RandomModelFiles {
  const vocab = mpnetVocab(spec);
  const maxPositionEmbeddings = spec.maxSequenceLength + MPNET_PADDING_INDEX + 1;
  const bert = bertTokenizerFiles(vocab, { lowercase: true, modelMaxLength: spec.maxSequenceLength });
  const addedTokens = [
    ...LEADING_SPECIALS.map((content, id) => addedToken(id, content, { normalized: content === "<unk>" })),
    addedToken(vocab.indexOf(WORDPIECE_UNKNOWN), WORDPIECE_UNKNOWN),
    addedToken(vocab.length - 1, MASK, { lstrip: true }),
  ];
  const tokenizerJson = {
    ...bert["tokenizer.json"],
    added_tokens: addedTokens,
    post_processor: { type: "RobertaProcessing", sep: ["</s>", 2], cls: ["<s>", 0], trim_offsets: true, add_prefix_space: false },
  };
  const specialTokensMap = {
    bos_token: "<s>",
    eos_token: "</s>",
    unk_token: WORDPIECE_UNKNOWN,
    sep_token: "</s>",
    pad_token: "<pad>",
    cls_token: "<s>",
    mask_token: { content: MASK, single_word: false, lstrip: true, rstrip: false, normalized: false },
  };
  const tokenizerConfig = {
    added_tokens_decoder: Object.fromEntries(addedTokens.map(({ id, ...token }) => [String(id), token])),
    ...specialTokensMap,
    mask_token: MASK,
    clean_up_tokenization_spaces: true,
    do_lower_case: true,
    model_input_names: ["input_ids", "attention_mask"],
    model_max_length: spec.maxSequenceLength,
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: "MPNetTokenizer",
  };
  const config = {
    architectures: ["MPNetModel"],
    attention_probs_dropout_prob: 0.1,
    bos_token_id: 0,
    eos_token_id: 2,
    hidden_act: "gelu",
    hidden_dropout_prob: 0.1,
    hidden_size: spec.hiddenSize,
    initializer_range: spec.initializerRange,
    intermediate_size: spec.intermediateSize,
    layer_norm_eps: 1e-5,
    max_position_embeddings: maxPositionEmbeddings,
    model_type: "mpnet",
    num_attention_heads: spec.numAttentionHeads,
    num_hidden_layers: spec.numHiddenLayers,
    pad_token_id: MPNET_PADDING_INDEX,
    relative_attention_num_buckets: 32,
    torch_dtype: "float32",
    vocab_size: vocab.length,
  };
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    config,
    tokenizerFiles: new Map([
      // formatTokenizerJson only reorders model.vocab; the post-processor differs from BERT's TemplateProcessing.
      ["tokenizer.json", `${formatTokenizerJson(tokenizerJson as unknown as Parameters<typeof formatTokenizerJson>[0])}\n`],
      ["tokenizer_config.json", json(tokenizerConfig)],
      ["special_tokens_map.json", json(specialTokensMap)],
      ["vocab.txt", bert["vocab.txt"]],
    ]),
  };
}
