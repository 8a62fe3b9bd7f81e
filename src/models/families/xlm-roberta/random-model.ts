// A random XLM-RoBERTa's config.json and a SentencePiece Unigram tokenizer.json in the form Hugging Face's
// XLMRobertaConverter writes: <s> <pad> </s> <unk> first, the pieces, <mask> last; Metaspace(▁, always,
// split) pre-tokenizer and decoder, <s> $A </s> post-processor; pieces are every character seen in the
// spec's texts (alone and as "▁c") and the commonest "▁word"s up to vocabSize, scored by their log
// relative frequency. The normalizer is NFKC + runs of spaces to one: sentencepiece's
// nmt_nfkc charsmap (a binary table a real conversion copies from the .model file) is not generated.

import { randomPostLnConfig } from "../bert/config.ts";
import type { RandomModelFiles, RandomModelSpec } from "../family.ts";

const SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"];
const MASK = "<mask>";
const SPACE = "\u2581";

/** Unigram pieces with log-probability scores, most probable first: words of `texts` and their characters, by count. */
function unigramPieces(texts: string[], count: number): [string, number][] {
  const weights = new Map<string, number>();
  const add = (piece: string, weight: number) => weights.set(piece, (weights.get(piece) ?? 0) + weight);
  for (const text of texts) {
    for (const word of text.normalize("NFKC").split(/\s+/u).filter((w) => w !== "")) {
      add(SPACE + word, 1);
      for (const character of word) {
        add(character, 1);
        add(SPACE + character, 0.25);
      }
    }
  }
  add(SPACE, 1);
  const ranked = [...weights.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // Every character piece stays (so any text of these characters tokenizes without <unk>), then the likeliest words.
  const kept = new Set(ranked.map(([piece]) => piece).filter((piece) => [...piece.replace(SPACE, "")].length <= 1));
  for (const [piece] of ranked) {
    if (kept.size >= count) break;
    kept.add(piece);
  }
  const total = [...kept].reduce((sum, piece) => sum + weights.get(piece)!, 0);
  return ranked.filter(([piece]) => kept.has(piece)).map(([piece, weight]) => [piece, Math.log(weight / total)]);
}

function addedToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: content === MASK, rstrip: false, normalized: false, special: true };
}

export function randomXlmRobertaModel(spec: RandomModelSpec): RandomModelFiles {
  const pieces = unigramPieces(spec.words, Math.max(1, spec.vocabSize - SPECIALS.length - 1));
  const vocab: [string, number][] = [...SPECIALS.map((token): [string, number] => [token, 0]), ...pieces, [MASK, 0]];
  const maskId = vocab.length - 1;
  const metaspace = { type: "Metaspace", replacement: SPACE, prepend_scheme: "always", split: true };
  const special = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  const sequence = (id: "A" | "B") => ({ Sequence: { id, type_id: 0 } });
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [...SPECIALS.map((token, id) => addedToken(id, token)), addedToken(maskId, MASK)],
    normalizer: { type: "Sequence", normalizers: [{ type: "NFKC" }, { type: "Replace", pattern: { Regex: " {2,}" }, content: " " }] },
    pre_tokenizer: metaspace,
    post_processor: {
      type: "TemplateProcessing",
      single: [special("<s>"), sequence("A"), special("</s>")],
      pair: [special("<s>"), sequence("A"), special("</s>"), special("</s>"), sequence("B"), special("</s>")],
      special_tokens: { "</s>": { id: "</s>", ids: [2], tokens: ["</s>"] }, "<s>": { id: "<s>", ids: [0], tokens: ["<s>"] } },
    },
    decoder: metaspace,
    model: { type: "Unigram", unk_id: 3, vocab, byte_fallback: false },
  };
  const decoder: Record<string, unknown> = {};
  for (const token of tokenizerJson.added_tokens) {
    const { id, content, ...flags } = token;
    decoder[String(id)] = { content, lstrip: flags.lstrip, normalized: false, rstrip: false, single_word: false, special: true };
  }
  const tokenizerConfig = {
    added_tokens_decoder: decoder,
    bos_token: "<s>",
    clean_up_tokenization_spaces: true,
    cls_token: "<s>",
    eos_token: "</s>",
    mask_token: "<mask>",
    model_max_length: spec.maxSequenceLength,
    pad_token: "<pad>",
    sep_token: "</s>",
    tokenizer_class: "XLMRobertaTokenizer",
    unk_token: "<unk>",
  };
  const specialTokensMap = {
    bos_token: "<s>",
    cls_token: "<s>",
    eos_token: "</s>",
    mask_token: { content: MASK, lstrip: true, normalized: false, rstrip: false, single_word: false },
    pad_token: "<pad>",
    sep_token: "</s>",
    unk_token: "<unk>",
  };
  const padTokenId = 1;
  const config = randomPostLnConfig(spec, {
    architectures: ["XLMRobertaModel"],
    bos_token_id: 0,
    classifier_dropout: null,
    eos_token_id: 2,
    layer_norm_eps: 1e-5,
    max_position_embeddings: spec.maxSequenceLength + padTokenId + 1,
    model_type: "xlm-roberta",
    pad_token_id: padTokenId,
    type_vocab_size: 1,
    use_cache: true,
    vocab_size: vocab.length,
  });
  return {
    config,
    tokenizerFiles: new Map([
      ["tokenizer.json", `${JSON.stringify(tokenizerJson, null, 2)}\n`],
      ["tokenizer_config.json", `${JSON.stringify(tokenizerConfig, null, 2)}\n`],
      ["special_tokens_map.json", `${JSON.stringify(specialTokensMap, null, 2)}\n`],
    ]),
  };
}
