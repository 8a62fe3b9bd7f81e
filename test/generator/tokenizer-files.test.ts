// bertTokenizerFiles / writeBertTokenizerFiles: the files match Hugging Face's own (the shared tiny-bert and
// bert-base-uncased folders) and, loaded through @huggingface/transformers, tokenize to hand-worked pieces
// and to the ids Python produced for the shared golden inputs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AutoTokenizer, type PreTrainedTokenizer } from "@huggingface/transformers";
import { ArgumentError } from "../../src/errors.ts";
import { bertTokenizerFiles, writeBertTokenizerFiles } from "../../src/generator/tokenizer-files.ts";
import { bertPreTokenize, buildWordPieceVocab } from "../../src/generator/wordpiece-vocab.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const TINY_BERT = "models/tiny-bert";
const BERT_BASE = "models/bert-base-uncased-tokenizer";

interface Encoding {
  input_ids: number[];
  token_type_ids: number[];
}

/** A tokenizer built the way the project loads one at run time: class from tokenizer_config.json. */
function loadTokenizer(tokenizerJson: unknown, tokenizerConfig: { tokenizer_class: string }): PreTrainedTokenizer {
  const classes: Record<string, typeof PreTrainedTokenizer> = AutoTokenizer.TOKENIZER_CLASS_MAPPING;
  const TokenizerClass = classes[tokenizerConfig.tokenizer_class];
  assert.ok(TokenizerClass, `no tokenizer class ${tokenizerConfig.tokenizer_class}`);
  return new TokenizerClass(tokenizerJson, tokenizerConfig);
}

/** Reads a tokenizer folder from disk, as a model loader would. */
function loadTokenizerFolder(directory: string): PreTrainedTokenizer {
  const read = (name: string) => JSON.parse(readFileSync(join(directory, name), "utf8"));
  return loadTokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
}

function encode(tokenizer: PreTrainedTokenizer, text: string, options: { add_special_tokens?: boolean; text_pair?: string } = {}): Encoding {
  return tokenizer(text, { ...options, return_tensor: false }) as Encoding;
}

function readVocabLines(relativePath: string): string[] {
  const text = readFileSync(sharedPath(relativePath), "utf8");
  assert.ok(text.endsWith("\n"));
  return text.slice(0, -1).split("\n");
}

function readSharedJson(relativePath: string): unknown {
  return JSON.parse(readFileSync(sharedPath(relativePath), "utf8"));
}

describe("bertTokenizerFiles structure", () => {
  test("lays out a small cased vocab as Hugging Face does", () => {
    const files = bertTokenizerFiles([...SPECIALS, "a", "##b"], { lowercase: false, modelMaxLength: 128 });
    const tokenizerJson = files["tokenizer.json"];
    assert.equal(tokenizerJson.version, "1.0");
    assert.equal(tokenizerJson.truncation, null);
    assert.equal(tokenizerJson.padding, null);
    assert.deepEqual(tokenizerJson.normalizer, {
      type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false,
    });
    assert.deepEqual(tokenizerJson.pre_tokenizer, { type: "BertPreTokenizer" });
    assert.deepEqual(tokenizerJson.decoder, { type: "WordPiece", prefix: "##", cleanup: true });
    assert.deepEqual(tokenizerJson.model, {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: { "[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, a: 5, "##b": 6 },
    });
    assert.deepEqual(files["tokenizer_config.json"], {
      tokenizer_class: "BertTokenizer",
      do_lower_case: false,
      tokenize_chinese_chars: true,
      strip_accents: null,
      model_max_length: 128,
      clean_up_tokenization_spaces: true,
      unk_token: "[UNK]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      cls_token: "[CLS]",
      mask_token: "[MASK]",
    });
    assert.deepEqual(files["special_tokens_map.json"], {
      unk_token: "[UNK]", sep_token: "[SEP]", pad_token: "[PAD]", cls_token: "[CLS]", mask_token: "[MASK]",
    });
    assert.equal(files["vocab.txt"], "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n##b\n");
  });

  test("takes the special tokens' ids from where they stand in the vocab", () => {
    const files = bertTokenizerFiles(["hello", "[SEP]", "[MASK]", "[CLS]", "[UNK]", "[PAD]"], {});
    const tokenizerJson = files["tokenizer.json"];
    assert.deepEqual(
      tokenizerJson.added_tokens.map(({ id, content }) => [id, content]),
      [[1, "[SEP]"], [2, "[MASK]"], [3, "[CLS]"], [4, "[UNK]"], [5, "[PAD]"]],
    );
    assert.deepEqual(tokenizerJson.post_processor.special_tokens, {
      "[CLS]": { id: "[CLS]", ids: [3], tokens: ["[CLS]"] },
      "[SEP]": { id: "[SEP]", ids: [1], tokens: ["[SEP]"] },
    });
    assert.equal(tokenizerJson.normalizer.lowercase, true);
    assert.equal(files["tokenizer_config.json"].do_lower_case, true);
    assert.equal(files["tokenizer_config.json"].model_max_length, 512);
  });

  test("rejects a vocab without all specials, with a repeated token, or with a line break", () => {
    assert.throws(() => bertTokenizerFiles(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a"], {}), /special token \[MASK\] is missing/);
    assert.throws(() => bertTokenizerFiles([...SPECIALS, "a", "a"], {}), /"a" appears at ids 5 and 6/);
    assert.throws(() => bertTokenizerFiles([...SPECIALS, "a\nb"], {}), ArgumentError);
    assert.throws(() => bertTokenizerFiles([...SPECIALS, ""], {}), ArgumentError);
    assert.throws(() => bertTokenizerFiles(SPECIALS, { modelMaxLength: 0 }), ArgumentError);
  });

  test("equals the shared tiny-bert tokenizer files for its vocab", { skip: skipUnlessShared(TINY_BERT) }, () => {
    const files = bertTokenizerFiles(readVocabLines(`${TINY_BERT}/vocab.txt`), {});
    assert.deepEqual(files["tokenizer.json"], readSharedJson(`${TINY_BERT}/tokenizer.json`));
    assert.deepEqual(files["special_tokens_map.json"], readSharedJson(`${TINY_BERT}/special_tokens_map.json`));
    // The shared tokenizer_config.json predates clean_up_tokenization_spaces (true is the BertTokenizer default).
    const sharedConfig = readSharedJson(`${TINY_BERT}/tokenizer_config.json`) as object;
    assert.deepEqual(files["tokenizer_config.json"], { ...sharedConfig, clean_up_tokenization_spaces: true });
    assert.equal(files["vocab.txt"], readFileSync(sharedPath(`${TINY_BERT}/vocab.txt`), "utf8"));
  });

  test("equals bert-base-uncased's tokenizer.json for its vocab (specials at ids 0, 100–103)", { skip: skipUnlessShared(BERT_BASE) }, () => {
    const files = bertTokenizerFiles(readVocabLines(`${BERT_BASE}/vocab.txt`), {});
    // That file predates the model's "type" key (tiny-bert's, newer, has it); otherwise they are the same.
    const reference = readSharedJson(`${BERT_BASE}/tokenizer.json`) as { model: object };
    assert.deepEqual(files["tokenizer.json"], { ...reference, model: { type: "WordPiece", ...reference.model } });
    assert.equal(files["vocab.txt"], readFileSync(sharedPath(`${BERT_BASE}/vocab.txt`), "utf8"));
  });
});

describe("writeBertTokenizerFiles", () => {
  test("writes the four files, JSON with 2-space indentation and the vocab in id order", () => {
    const directory = join(temporaryDirectory(), "new-model");
    writeBertTokenizerFiles(directory, [...SPECIALS, "7", "a", "##7"], { modelMaxLength: 64 });
    const tokenizerText = readFileSync(join(directory, "tokenizer.json"), "utf8");
    assert.ok(tokenizerText.startsWith('{\n  "version": "1.0",\n  "truncation": null,\n  "padding": null,\n'));
    // JSON.stringify alone would put the integer-like key "7" first; the file keeps id order.
    assert.ok(tokenizerText.endsWith(
      '    "vocab": {\n      "[PAD]": 0,\n      "[UNK]": 1,\n      "[CLS]": 2,\n      "[SEP]": 3,\n' +
        '      "[MASK]": 4,\n      "7": 5,\n      "a": 6,\n      "##7": 7\n    }\n  }\n}\n',
    ));
    assert.deepEqual(JSON.parse(tokenizerText).model.vocab, { "[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, 7: 5, a: 6, "##7": 7 });
    const configText = readFileSync(join(directory, "tokenizer_config.json"), "utf8");
    assert.ok(configText.startsWith('{\n  "tokenizer_class": "BertTokenizer",\n  "do_lower_case": true,\n'));
    assert.equal(JSON.parse(configText).model_max_length, 64);
    assert.equal(
      readFileSync(join(directory, "special_tokens_map.json"), "utf8"),
      '{\n  "unk_token": "[UNK]",\n  "sep_token": "[SEP]",\n  "pad_token": "[PAD]",\n  "cls_token": "[CLS]",\n  "mask_token": "[MASK]"\n}\n',
    );
    assert.equal(readFileSync(join(directory, "vocab.txt"), "utf8"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n7\na\n##7\n");
  });

  test("writes exactly the shared tiny-bert tokenizer.json and vocab.txt bytes", { skip: skipUnlessShared(TINY_BERT) }, () => {
    const directory = temporaryDirectory();
    writeBertTokenizerFiles(directory, readVocabLines(`${TINY_BERT}/vocab.txt`), {});
    // The shared tokenizer.json (written by Hugging Face tokenizers) has no final newline; ours adds one.
    assert.equal(readFileSync(join(directory, "tokenizer.json"), "utf8"), `${readFileSync(sharedPath(`${TINY_BERT}/tokenizer.json`), "utf8")}\n`);
    assert.equal(readFileSync(join(directory, "vocab.txt"), "utf8"), readFileSync(sharedPath(`${TINY_BERT}/vocab.txt`), "utf8"));
  });
});

describe("generated tokenizer loaded through @huggingface/transformers", () => {
  // Vocab of "walked talked walking talking", worked out by hand in wordpiece-vocab.test.ts:
  //  0–4 specials | 5 a 6 d 7 e 8 g 9 i 10 k 11 l 12 n 13 t 14 w | 15 ##a 16 ##d 17 ##e 18 ##g 19 ##i 20 ##k
  //  21 ##l 22 ##n | 23 ##al 24 ##alk 25 ##alke 26 ##alki 27 ##alked 28 ##alkin 29 ##alking | 30 talked
  //  31 talking 32 walked 33 walking
  function walkTalkTokenizer(): PreTrainedTokenizer {
    const directory = temporaryDirectory();
    writeBertTokenizerFiles(directory, buildWordPieceVocab(["walked talked walking talking"], { vocabSize: 100 }), {});
    return loadTokenizerFolder(directory);
  }

  test("corpus words are whole tokens; other words split greedily; unseen characters give [UNK]", () => {
    const tokenizer = walkTalkTokenizer();
    assert.deepEqual(tokenizer.tokenize("Walked, TALKING walking!"), ["walked", "[UNK]", "talking", "walking", "[UNK]"]);
    // talk → t ##alk; lag → l ##a ##g; walks has an unseen "s", so the whole word is [UNK]; 日 was never seen.
    assert.deepEqual(tokenizer.tokenize("talk lag walks 日"), ["t", "##alk", "l", "##a", "##g", "[UNK]", "[UNK]"]);
    assert.deepEqual(encode(tokenizer, "talk lag", { add_special_tokens: false }).input_ids, [13, 24, 11, 15, 18]);
  });

  test("adds [CLS] (id 2) and [SEP] (id 3), with type ids 1 for the second text of a pair", () => {
    const tokenizer = walkTalkTokenizer();
    assert.deepEqual(encode(tokenizer, "walked").input_ids, [2, 32, 3]);
    const pair = encode(tokenizer, "talk", { text_pair: "walking" });
    assert.deepEqual(pair.input_ids, [2, 13, 24, 3, 33, 3]);
    assert.deepEqual(pair.token_type_ids, [0, 0, 0, 0, 1, 1]);
    assert.equal(tokenizer.decode([2, 13, 24, 3], { skip_special_tokens: true }), "talk");
  });

  test("a cased vocab keeps case and accents", () => {
    // Vocab of "Café café" with lowercase false (hand-worked in wordpiece-vocab.test.ts): … C a c f é ##a ##f ##é
    // ##af ##afé Café café. cafe → c ##af, then no ##e (e was never seen), so the whole word is [UNK];
    // CAFÉ → C, then no piece starting with ##A, so [UNK] too.
    const files = bertTokenizerFiles(buildWordPieceVocab(["Café café"], { vocabSize: 100, lowercase: false }), { lowercase: false });
    const tokenizer = loadTokenizer(files["tokenizer.json"], files["tokenizer_config.json"]);
    assert.deepEqual(tokenizer.tokenize("Café café cafe CAFÉ"), ["Café", "café", "[UNK]", "[UNK]"]);
  });

  test("every word of a mixed corpus tokenizes without [UNK], however small the vocab", () => {
    const corpus = [
      "The quick brown fox jumps over the lazy dog; naïve café-goers don't mind.",
      "Prices rose 3.5% to $1,299.99 (see §4) — «quoted» text, ellipsis… and ½ cup.",
      "東京と日本語のテキスト, Ελληνικά κείμενα, русский текст, and emoji 🙂🎉 too.",
      "THE DOGS WERE RUNNING QUICKLY; tabs\tand\nnewlines   everywhere",
    ];
    const words = corpus.flatMap((text) => bertPreTokenize(text));
    for (const vocabSize of [240, 400]) {
      const vocab = buildWordPieceVocab(corpus, { vocabSize });
      assert.ok(vocab.length <= vocabSize);
      const files = bertTokenizerFiles(vocab, {});
      const tokenizer = loadTokenizer(files["tokenizer.json"], files["tokenizer_config.json"]);
      for (const text of corpus) assert.ok(!tokenizer.tokenize(text).includes("[UNK]"), `[UNK] in ${text}`);
      for (const word of words) assert.ok(!tokenizer.tokenize(word).includes("[UNK]"), `[UNK] for ${word}`);
      // The run-time pre-tokenization agrees with bertPreTokenize: joined pieces give back the words.
      const pieces = corpus.flatMap((text) => tokenizer.tokenize(text));
      const rejoined = pieces.reduce<string[]>((acc, piece) => {
        if (piece.startsWith("##")) acc[acc.length - 1] += piece.slice(2);
        else acc.push(piece);
        return acc;
      }, []);
      assert.deepEqual(rejoined, words);
      // Every character seen is a token alone, even one seen only inside a word (🎉); ж never occurs.
      assert.deepEqual(tokenizer.tokenize("🎉 ж"), ["🎉", "[UNK]"]);
    }
  });

  test("from the tiny-bert vocab, reproduces the golden ids Python produced", { skip: skipUnlessShared(`${TINY_BERT}/golden.json`) }, () => {
    const golden = readSharedJson(`${TINY_BERT}/golden.json`) as { cases: { input: string; input_ids: number[] }[] };
    assert.equal(golden.cases.length, 8);
    const files = bertTokenizerFiles(readVocabLines(`${TINY_BERT}/vocab.txt`), {});
    const tokenizer = loadTokenizer(files["tokenizer.json"], files["tokenizer_config.json"]);
    for (const { input, input_ids } of golden.cases) {
      assert.deepEqual(encode(tokenizer, input).input_ids, input_ids, `ids for ${JSON.stringify(input)}`);
    }
  });

  test("from the bert-base-uncased vocab, gives the same ids as bert-base-uncased's own tokenizer.json", { skip: skipUnlessShared(BERT_BASE) }, () => {
    const files = bertTokenizerFiles(readVocabLines(`${BERT_BASE}/vocab.txt`), {});
    const generated = loadTokenizer(files["tokenizer.json"], files["tokenizer_config.json"]);
    const reference = loadTokenizer(readSharedJson(`${BERT_BASE}/tokenizer.json`), { tokenizer_class: "BertTokenizer" });
    const sentences = [
      "A man is playing a flute.",
      "The unbelievably quick brown foxes jumped over lazy dogs' kennels!",
      "Wait -- what?! (Really...) \"Yes\", she said; it's 50% off: $9.99!",
      "日本語 🙂 Café naïve RÉSUMÉ Ελληνικά",
      "  tabs\tand\nnewlines   everywhere  ",
    ];
    for (const sentence of sentences) {
      assert.deepEqual(encode(generated, sentence).input_ids, encode(reference, sentence).input_ids, sentence);
    }
    // A hand-checked anchor: [CLS] a man ... [SEP] in bert-base-uncased ids.
    assert.deepEqual(encode(generated, "A man is playing a flute.").input_ids, [101, 1037, 2158, 2003, 2652, 1037, 8928, 1012, 102]);
  });
});
