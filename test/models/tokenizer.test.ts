// Tokenisation as sentence-transformers 6's Transformer.tokenize does it: texts as they are (no strip), optional lowercasing
// (sentence_bert_config do_lower_case), truncation to max_seq_length that keeps [CLS] … [SEP], padding to the
// longest row with the pad id, attention mask 0 on padding, token type ids 0. Expected ids come from
// golden.json (the Python tokenizer's output), vocab.txt look-ups, well-known bert-base-uncased ids, and
// the real sentence-transformers 6.0.1 (.venv) on whitespace cases for each family's tiny model.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import type { EncoderInputs } from "../../src/engines/architecture.ts";
import { ArgumentError } from "../../src/errors.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { writeBertTokenizerFiles } from "../../src/generator/tokenizer-files.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { SentenceTokenizer } from "../../src/models/tokenizer.ts";
import { interopPython, skipUnlessPython } from "../support/python-interop.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

await initializeBackend({ quiet: true });

/** Row `row` of a batch: ids, mask and type ids over the full (padded) length. */
function row(batch: EncoderInputs, index: number) {
  const slice = (values: Int32Array) => Array.from(values.subarray(index * batch.seqLength, (index + 1) * batch.seqLength));
  return { ids: slice(batch.inputIds), mask: slice(batch.attentionMask), types: slice(batch.tokenTypeIds) };
}

const repeat = <T>(values: T[], times: number): T[] => Array.from({ length: times }, () => values).flat();

// ---- the shared tiny-bert ([PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3; max_seq_length 128, do_lower_case true) ----

const tinySkip = skipUnlessShared("models/tiny-bert") || skipUnlessShared("models/tiny-bert/golden.json");
// From golden.json (Python tokenizer): "Hi." → [CLS] h ##i . [SEP]; "A man is playing a flute." below.
const HI = [2, 12, 81, 54, 3];
const FLUTE = [2, 5, 153, 148, 166, 5, 505, 54, 3];

test("tiny-bert: golden.json ids are what these expectations assume", { skip: tinySkip }, () => {
  const golden = JSON.parse(readFileSync(sharedPath("models/tiny-bert/golden.json"), "utf8")) as { cases: { input: string; input_ids: number[] }[] };
  const byInput = new Map(golden.cases.map((c) => [c.input, c.input_ids]));
  assert.deepEqual(byInput.get("Hi."), HI);
  assert.deepEqual(byInput.get("A man is playing a flute."), FLUTE);
});

test("tiny-bert: a text longer than max_seq_length is cut to exactly max_seq_length ids, [CLS] first and [SEP] last", { skip: tinySkip }, async () => {
  const model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true });
  try {
    assert.equal(model.maxSeqLength, 128);
    const batch = model.tokenize([repeat(["Hi."], 100).join(" ")]);
    assert.equal(batch.seqLength, 128);
    const { ids, mask } = row(batch, 0);
    // Content "h ##i ." × 100 = 300 tokens; 126 fit between [CLS] and [SEP].
    const content = repeat([12, 81, 54], 100).slice(0, 126);
    assert.deepEqual(ids, [2, ...content, 3]);
    assert.equal(ids[0], 2);
    assert.equal(ids[127], 3, "the final [SEP] is kept (transformers.js would drop it)");
    assert.deepEqual(mask, repeat([1], 128));
  } finally {
    model.dispose();
  }
});

test("tiny-bert: rows are padded to the longest with pad id 0, mask 0 there, token types all 0", { skip: tinySkip }, async () => {
  const model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true });
  try {
    const batch = model.tokenize(["Hi.", "A man is playing a flute."]);
    assert.equal(batch.batchSize, 2);
    assert.equal(batch.seqLength, FLUTE.length);
    assert.deepEqual(row(batch, 0), { ids: [...HI, 0, 0, 0, 0], mask: [1, 1, 1, 1, 1, 0, 0, 0, 0], types: repeat([0], 9) });
    assert.deepEqual(row(batch, 1), { ids: FLUTE, mask: repeat([1], 9), types: repeat([0], 9) });
    assert.ok(batch.tokenTypeIds.every((value) => value === 0));
  } finally {
    model.dispose();
  }
});

test("tiny-bert: whitespace around a text gives the stripped text's ids (BERT's pre-tokenizer drops it)", { skip: tinySkip }, async () => {
  const model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true });
  try {
    const batch = model.tokenize(["  Hi.\t\n ", "Hi.", "\n\nHi.   "]);
    assert.equal(batch.seqLength, 5);
    for (let i = 0; i < 3; i++) assert.deepEqual(row(batch, i).ids, HI);
  } finally {
    model.dispose();
  }
});

test("tiny-bert: model.maxSeqLength = 8 truncates to 8 tokens and encode uses it", { skip: tinySkip }, async () => {
  const model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true });
  try {
    const full = await model.encode("A man is playing a flute");
    model.maxSeqLength = 8;
    assert.equal(model.maxSeqLength, 8);
    const batch = model.tokenize(["A man is playing a flute.", repeat(["Hi."], 20).join(" ")]);
    assert.equal(batch.seqLength, 8);
    // 9 ids → the last content token "." goes: [CLS] a man is playing a flute [SEP].
    assert.deepEqual(row(batch, 0).ids, [2, 5, 153, 148, 166, 5, 505, 3]);
    assert.deepEqual(row(batch, 1).ids, [2, 12, 81, 54, 12, 81, 54, 3]);
    // "A man is playing a flute" (no ".") has exactly those 8 ids untruncated, so the embeddings agree.
    const truncated = await model.encode("A man is playing a flute.");
    assert.equal(truncated.length, 64);
    const difference = Math.max(...truncated.map((value, i) => Math.abs(value - full[i])));
    assert.ok(difference < 1e-6, `embedding of the truncated text differs by ${difference}`);
    assert.throws(() => (model.maxSeqLength = 1), ArgumentError);
    assert.throws(() => (model.maxSeqLength = 513), ArgumentError);
    assert.throws(() => (model.maxSeqLength = 7.5), ArgumentError);
    assert.equal(model.maxSeqLength, 8);
  } finally {
    model.dispose();
  }
});

// ---- the real bert-base-uncased tokenizer ------------------------------------------------------------

const bertSkip = skipUnlessShared("models/bert-base-uncased-tokenizer/tokenizer.json");

test("bert-base-uncased: 'Hello world!' → [101, 7592, 2088, 999, 102]", { skip: bertSkip }, () => {
  const tokenizer = SentenceTokenizer.load(sharedPath("models/bert-base-uncased-tokenizer"));
  assert.equal(tokenizer.vocabSize, 30522);
  assert.equal(tokenizer.padTokenId, 0);
  assert.deepEqual(tokenizer.ids("Hello world!", { maxSeqLength: 512 }), [101, 7592, 2088, 999, 102]);
  assert.deepEqual(tokenizer.ids("  HELLO   World!  ", { maxSeqLength: 512 }), [101, 7592, 2088, 999, 102]);
  assert.deepEqual(tokenizer.tokens("Hello world!", { maxSeqLength: 512 }), ["[CLS]", "hello", "world", "!", "[SEP]"]);

  const batch = tokenizer.encodeBatch(["Hello world!", "Hello"], { maxSeqLength: 512 });
  assert.deepEqual(row(batch, 1), { ids: [101, 7592, 102, 0, 0], mask: [1, 1, 1, 0, 0], types: [0, 0, 0, 0, 0] });

  const long = tokenizer.ids(repeat(["hello world"], 50).join(" "), { maxSeqLength: 16 });
  assert.deepEqual(long, [101, ...repeat([7592, 2088], 7), 102]);
});

// ---- a generated model ([PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3 from the WordPiece builder) ----------------

const generated = join(temporaryDirectory(), "generated");
await initModel({ out: generated, hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 600, maxSeqLength: 16, seed: 5 });
const vocab = readFileSync(join(generated, "vocab.txt"), "utf8").split("\n").slice(0, -1);
const idOf = (token: string) => {
  const id = vocab.indexOf(token);
  assert.ok(id >= 0, `${token} is in the generated vocab`);
  return id;
};

test("generated model: special ids, truncation to max_seq_length 16 and padding", async () => {
  assert.deepEqual(vocab.slice(0, 5), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
  const model = await SentenceTransformer.load(generated, { quiet: true });
  try {
    assert.equal(model.maxSeqLength, 16);
    const the = idOf("the");
    const man = idOf("man");
    const batch = model.tokenize([repeat(["the man"], 30).join(" "), "man"]);
    assert.equal(batch.seqLength, 16);
    assert.deepEqual(row(batch, 0).ids, [2, ...repeat([the, man], 7), 3]);
    assert.deepEqual(row(batch, 1), { ids: [2, man, 3, ...repeat([0], 13)], mask: [1, 1, 1, ...repeat([0], 13)], types: repeat([0], 16) });
    model.maxSeqLength = 8;
    assert.equal(model.tokenize([repeat(["the man"], 30).join(" ")]).seqLength, 8);
    assert.equal((await model.encode("the man ".repeat(30))).length, 16);
  } finally {
    model.dispose();
  }
});

test("do_lower_case in sentence_bert_config lowercases before a cased tokenizer", async () => {
  const folder = join(temporaryDirectory(), "cased");
  await initModel({ out: folder, hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 600, seed: 5 });
  const tokens = readFileSync(join(folder, "vocab.txt"), "utf8").split("\n").slice(0, -1);
  writeBertTokenizerFiles(folder, tokens, { lowercase: false });
  const tokenizerJson = JSON.parse(readFileSync(join(folder, "tokenizer.json"), "utf8"));
  assert.equal(tokenizerJson.normalizer.lowercase, false);
  assert.ok(!tokens.includes("M") && !tokens.includes("Man") && !tokens.includes("MAN"), "the vocab is lowercase only");
  const man = tokens.indexOf("man");
  assert.ok(man > 4);

  const setLowerCase = (value: boolean) =>
    writeFileSync(join(folder, "sentence_bert_config.json"), JSON.stringify({ max_seq_length: 128, do_lower_case: value }));

  setLowerCase(false);
  let model = await SentenceTransformer.load(folder, { quiet: true });
  assert.equal(model.transformer.doLowerCase, false);
  let batch = model.tokenize(["Man", "man"]);
  assert.deepEqual(row(batch, 0).ids, [2, 1, 3], "a cased tokenizer maps 'Man' to [UNK]");
  assert.deepEqual(row(batch, 1).ids, [2, man, 3]);
  model.dispose();

  setLowerCase(true);
  model = await SentenceTransformer.load(folder, { quiet: true });
  assert.equal(model.transformer.doLowerCase, true);
  batch = model.tokenize(["Man", "  MAN ", "man"]);
  for (let i = 0; i < 3; i++) assert.deepEqual(row(batch, i).ids, [2, man, 3]);
  model.dispose();
});

// ---- whitespace as sentence-transformers 6.0.1 tokenizes it (no strip; transformers 5's XLMRobertaTokenizer pipeline) ----

const WHITESPACE_TEXTS = ["  leading", "trailing  ", "a  b   c", "\ttabs\tinside", "new\nline", " ", "", "x \n y\t", "  tabs\tand  spaces  ", "Hi."];
// tiny-modernbert is left out: transformers 5.18 gives its whitespace added tokens ("  ", "   ") new ids past the
// vocabulary (1473, 1474) where tokenizer.json and the family's golden.json have 1458, 1457.
const WHITESPACE_MODELS = ["tiny-bert", "tiny-xlm-roberta", "tiny-mpnet"];

test("whitespace (leading, trailing, runs, tabs, newlines): ids equal sentence-transformers 6's tokenize()", { skip: skipUnlessShared("models/tiny-xlm-roberta") || skipUnlessPython("sentence_transformers") }, async () => {
  const script = [
    "import json, sys",
    "from sentence_transformers import SentenceTransformer",
    "texts = json.loads(sys.argv[1])",
    "out = {}",
    "for folder in sys.argv[2:]:",
    "    features = SentenceTransformer(folder, device='cpu').tokenize(texts)",
    "    out[folder] = [[i for i, m in zip(r, k) if m] for r, k in zip(features['input_ids'].tolist(), features['attention_mask'].tolist())]",
    "print(json.dumps(out))",
  ].join("\n");
  const folders = WHITESPACE_MODELS.map((name) => sharedPath(`models/${name}`));
  const result = spawnSync(interopPython(), ["-c", script, JSON.stringify(WHITESPACE_TEXTS), ...folders], { encoding: "utf8", maxBuffer: 1 << 24 });
  assert.equal(result.status, 0, result.stderr);
  const expected = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as Record<string, number[][]>;
  for (const folder of folders) {
    const tokenizer = SentenceTokenizer.load(folder, folder);
    WHITESPACE_TEXTS.forEach((text, index) => {
      assert.deepEqual(tokenizer.ids(text, { maxSeqLength: 128 }), expected[folder][index], `${folder}: ${JSON.stringify(text)}`);
    });
  }
});
