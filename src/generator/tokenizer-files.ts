// The Hugging Face tokenizer files of a BERT WordPiece model (tokenizer.json, tokenizer_config.json,
// special_tokens_map.json, vocab.txt) for a given vocab in id order, laid out exactly as Hugging Face writes
// them; the vocab must hold [PAD] [UNK] [CLS] [SEP] [MASK] once each, at any ids.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ArgumentError } from "../errors.ts";
import { BERT_SPECIAL_TOKENS, CONTINUING_SUBWORD_PREFIX, MAX_INPUT_CHARS_PER_WORD } from "./wordpiece-vocab.ts";

export interface BertTokenizerOptions {
  /** Lowercase and strip accents before WordPiece (an uncased BERT). Default true. */
  lowercase?: boolean;
  /** tokenizer_config.json `model_max_length`. Default 512. */
  modelMaxLength?: number;
}

export interface AddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

type TemplatePiece = { SpecialToken: { id: string; type_id: number } } | { Sequence: { id: "A" | "B"; type_id: number } };

export interface BertTokenizerJson {
  version: "1.0";
  truncation: null;
  padding: null;
  added_tokens: AddedToken[];
  normalizer: {
    type: "BertNormalizer";
    clean_text: true;
    handle_chinese_chars: true;
    strip_accents: null;
    lowercase: boolean;
  };
  pre_tokenizer: { type: "BertPreTokenizer" };
  post_processor: {
    type: "TemplateProcessing";
    single: TemplatePiece[];
    pair: TemplatePiece[];
    special_tokens: Record<string, { id: string; ids: number[]; tokens: string[] }>;
  };
  decoder: { type: "WordPiece"; prefix: string; cleanup: true };
  model: {
    type: "WordPiece";
    unk_token: string;
    continuing_subword_prefix: string;
    max_input_chars_per_word: number;
    vocab: Record<string, number>;
  };
}

export interface BertSpecialTokensMap {
  unk_token: "[UNK]";
  sep_token: "[SEP]";
  pad_token: "[PAD]";
  cls_token: "[CLS]";
  mask_token: "[MASK]";
}

export interface BertTokenizerConfig extends BertSpecialTokensMap {
  tokenizer_class: "BertTokenizer";
  do_lower_case: boolean;
  tokenize_chinese_chars: true;
  strip_accents: null;
  model_max_length: number;
  clean_up_tokenization_spaces: true;
}

export interface BertTokenizerFiles {
  "tokenizer.json": BertTokenizerJson;
  "tokenizer_config.json": BertTokenizerConfig;
  "special_tokens_map.json": BertSpecialTokensMap;
  "vocab.txt": string;
}

const SPECIAL_TOKENS_MAP: BertSpecialTokensMap = {
  unk_token: "[UNK]",
  sep_token: "[SEP]",
  pad_token: "[PAD]",
  cls_token: "[CLS]",
  mask_token: "[MASK]",
};

/** Token → id, after checking the vocab can be written to vocab.txt and read back unchanged. */
function vocabIds(vocab: string[]): Map<string, number> {
  const ids = new Map<string, number>();
  vocab.forEach((token, id) => {
    if (token === "" || /[\r\n]/.test(token)) {
      throw new ArgumentError("vocab", `token ${id} (${JSON.stringify(token)}) is empty or holds a line break`);
    }
    if (ids.has(token)) throw new ArgumentError("vocab", `token ${JSON.stringify(token)} appears at ids ${ids.get(token)} and ${id}`);
    ids.set(token, id);
  });
  for (const special of BERT_SPECIAL_TOKENS) {
    if (!ids.has(special)) throw new ArgumentError("vocab", `special token ${special} is missing`);
  }
  return ids;
}

function specialToken(id: string, typeId: number): TemplatePiece {
  return { SpecialToken: { id, type_id: typeId } };
}

function sequence(id: "A" | "B", typeId: number): TemplatePiece {
  return { Sequence: { id, type_id: typeId } };
}

/** The four tokenizer files of a BERT WordPiece tokenizer over `vocab` (tokens in id order). */
export function bertTokenizerFiles(vocab: string[], options: BertTokenizerOptions = {}): BertTokenizerFiles {
  const { lowercase = true, modelMaxLength = 512 } = options;
  if (!Number.isInteger(modelMaxLength) || modelMaxLength < 1) {
    throw new ArgumentError("modelMaxLength", `must be a positive integer, got ${modelMaxLength}`);
  }
  const ids = vocabIds(vocab);
  const idOf = (token: string) => ids.get(token)!;

  const addedTokens: AddedToken[] = BERT_SPECIAL_TOKENS.map((content) => ({
    id: idOf(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  })).sort((a, b) => a.id - b.id);

  const tokenizerJson: BertTokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [specialToken("[CLS]", 0), sequence("A", 0), specialToken("[SEP]", 0)],
      pair: [specialToken("[CLS]", 0), sequence("A", 0), specialToken("[SEP]", 0), sequence("B", 1), specialToken("[SEP]", 1)],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [idOf("[CLS]")], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [idOf("[SEP]")], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: CONTINUING_SUBWORD_PREFIX, cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: CONTINUING_SUBWORD_PREFIX,
      max_input_chars_per_word: MAX_INPUT_CHARS_PER_WORD,
      // fromEntries defines own properties, so even a token such as "__proto__" stays an ordinary key.
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  };

  const tokenizerConfig: BertTokenizerConfig = {
    tokenizer_class: "BertTokenizer",
    do_lower_case: lowercase,
    tokenize_chinese_chars: true,
    strip_accents: null,
    model_max_length: modelMaxLength,
    clean_up_tokenization_spaces: true,
    ...SPECIAL_TOKENS_MAP,
  };

  return {
    "tokenizer.json": tokenizerJson,
    "tokenizer_config.json": tokenizerConfig,
    "special_tokens_map.json": { ...SPECIAL_TOKENS_MAP },
    "vocab.txt": vocab.map((token) => `${token}\n`).join(""),
  };
}

/**
 * tokenizer.json text with 2-space indentation and the vocab in id order. (JSON.stringify alone would move
 * integer-like tokens such as "0" or "42" to the front of the vocab object.)
 */
export function formatTokenizerJson(tokenizerJson: BertTokenizerJson): string {
  const vocabPlaceholder = "\u0000vocab\u0000";
  const text = JSON.stringify({ ...tokenizerJson, model: { ...tokenizerJson.model, vocab: vocabPlaceholder } }, null, 2);
  const entries = Object.entries(tokenizerJson.model.vocab)
    .sort(([, a], [, b]) => a - b)
    .map(([token, id]) => `      ${JSON.stringify(token)}: ${id}`);
  const vocabText = entries.length === 0 ? "{}" : `{\n${entries.join(",\n")}\n    }`;
  return text.replace(JSON.stringify(vocabPlaceholder), () => vocabText);
}

/** Writes the four tokenizer files into `directory` (created if missing); JSON with 2-space indentation. */
export function writeBertTokenizerFiles(directory: string, vocab: string[], options: BertTokenizerOptions = {}): void {
  const files = bertTokenizerFiles(vocab, options);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, "tokenizer.json"), `${formatTokenizerJson(files["tokenizer.json"])}\n`);
  writeFileSync(join(directory, "tokenizer_config.json"), `${JSON.stringify(files["tokenizer_config.json"], null, 2)}\n`);
  writeFileSync(join(directory, "special_tokens_map.json"), `${JSON.stringify(files["special_tokens_map.json"], null, 2)}\n`);
  writeFileSync(join(directory, "vocab.txt"), files["vocab.txt"]);
}
