// A random ModernBERT's config.json (transformers 4.x keys, as released checkpoints have them) and a byte-level
// BPE tokenizer in ModernBERT's form: the 256 byte symbols (GPT-2's bytes_to_unicode), merges learnt greedily
// from spec.words (each word as " word", weighted by its rank: most frequent first), then the specials
// [UNK] [CLS] [SEP] [PAD] [MASK]; NFC normalizer, ByteLevel pre-tokenizer (no prefix space), TemplateProcessing
// [CLS] $A [SEP].

import { ArgumentError } from "../../../errors.ts";
import type { RandomModelFiles, RandomModelSpec } from "../family.ts";

const SPECIALS = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"] as const;

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to 256 + n. */
export function byteSymbols(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const symbols: string[] = [];
  let next = 0;
  for (let b = 0; b < 256; b++) symbols.push(String.fromCodePoint(printable(b) ? b : 256 + next++));
  return symbols;
}

/** Greedy BPE merges: the most frequent adjacent pair (weighted), first seen on ties, until `count` merges. */
export function learnMerges(words: string[], count: number): [string, string][] {
  const symbols = byteSymbols();
  const encoder = new TextEncoder();
  const sequences = words.map((word, rank) => ({
    parts: Array.from(encoder.encode(` ${word}`), (byte) => symbols[byte]),
    weight: words.length - rank,
  }));
  const merges: [string, string][] = [];
  while (merges.length < count) {
    const counts = new Map<string, number>();
    for (const { parts, weight } of sequences) {
      for (let i = 0; i + 1 < parts.length; i++) {
        const key = `${parts[i]}\u0000${parts[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + weight);
      }
    }
    let best: string | undefined;
    for (const [key, value] of counts) if (best === undefined || value > counts.get(best)!) best = key;
    if (best === undefined) break;
    const [left, right] = best.split("\u0000");
    merges.push([left, right]);
    for (const sequence of sequences) {
      const merged: string[] = [];
      for (let i = 0; i < sequence.parts.length; i++) {
        if (i + 1 < sequence.parts.length && sequence.parts[i] === left && sequence.parts[i + 1] === right) {
          merged.push(left + right);
          i++;
        } else merged.push(sequence.parts[i]);
      }
      sequence.parts = merged;
    }
  }
  return merges;
}

export function modernBertRandomModel(spec: RandomModelSpec): RandomModelFiles {
  const mergeCount = spec.vocabSize - 256 - SPECIALS.length;
  if (!Number.isInteger(mergeCount) || mergeCount < 0) {
    throw new ArgumentError("vocabSize", `must hold ModernBERT's 256 byte symbols and 5 special tokens, got ${spec.vocabSize}`);
  }
  const merges = learnMerges(spec.words, mergeCount);
  const vocab = new Map<string, number>();
  for (const symbol of byteSymbols()) vocab.set(symbol, vocab.size);
  for (const [left, right] of merges) if (!vocab.has(left + right)) vocab.set(left + right, vocab.size);
  const ids = Object.fromEntries(SPECIALS.map((token, k) => [token, vocab.size + k])) as Record<(typeof SPECIALS)[number], number>;
  const vocabSize = vocab.size + SPECIALS.length;
  const addedTokens = SPECIALS.map((content) => ({
    id: ids[content],
    content,
    single_word: false,
    lstrip: content === "[MASK]",
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: { type: "NFC" },
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [ids["[CLS]"]], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [ids["[SEP]"]], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
  const specialTokensMap = { cls_token: "[CLS]", mask_token: "[MASK]", pad_token: "[PAD]", sep_token: "[SEP]", unk_token: "[UNK]" };
  const tokenizerConfig = {
    added_tokens_decoder: Object.fromEntries(addedTokens.map(({ id, ...token }) => [String(id), token])),
    clean_up_tokenization_spaces: true,
    ...specialTokensMap,
    model_input_names: ["input_ids", "attention_mask"],
    model_max_length: spec.maxSequenceLength,
    tokenizer_class: "PreTrainedTokenizerFast",
  };
  const config = {
    architectures: ["ModernBertModel"],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: ids["[CLS]"],
    classifier_activation: "gelu",
    classifier_bias: false,
    classifier_dropout: 0.0,
    classifier_pooling: "mean",
    cls_token_id: ids["[CLS]"],
    decoder_bias: true,
    embedding_dropout: 0.0,
    eos_token_id: ids["[SEP]"],
    global_attn_every_n_layers: 3,
    global_rope_theta: 160000.0,
    hidden_activation: "gelu",
    hidden_size: spec.hiddenSize,
    initializer_cutoff_factor: 2.0,
    initializer_range: spec.initializerRange,
    intermediate_size: spec.intermediateSize,
    local_attention: 128,
    local_rope_theta: 10000.0,
    max_position_embeddings: spec.maxSequenceLength,
    mlp_bias: false,
    mlp_dropout: 0.0,
    model_type: "modernbert",
    norm_bias: false,
    norm_eps: 1e-5,
    num_attention_heads: spec.numAttentionHeads,
    num_hidden_layers: spec.numHiddenLayers,
    pad_token_id: ids["[PAD]"],
    sep_token_id: ids["[SEP]"],
    torch_dtype: "float32",
    vocab_size: vocabSize,
  };
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    config,
    tokenizerFiles: new Map([
      ["tokenizer.json", json(tokenizerJson)],
      ["tokenizer_config.json", json(tokenizerConfig)],
      ["special_tokens_map.json", json(specialTokensMap)],
    ]),
  };
}
