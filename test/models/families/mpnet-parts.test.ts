// MPNet's own parts against ../shared/models/tiny-mpnet (golden.json from the PyTorch reference) and hand-worked
// cases: relative position buckets, config defaults, checkpoint names, position ids, token ids through
// SentenceTokenizer (RobertaProcessing as stored, and the TemplateProcessing form newer saves use), random model.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readSafetensors } from "../../../src/io/safetensors.ts";
import { ModelLoadError } from "../../../src/errors.ts";
import { SentenceTokenizer } from "../../../src/models/tokenizer.ts";
import { usesWeightDecay } from "../../../src/training/adamw.ts";
import { parseMpnetConfig } from "../../../src/models/families/mpnet/config.ts";
import { positionIds } from "../../../src/models/families/post-ln-encoder/layout.ts";
import { mpnetFamily } from "../../../src/models/families/mpnet/index.ts";
import { mpnetRandomModel } from "../../../src/models/families/mpnet/random-model.ts";
import { relativeBucketMatrix, relativePositionBucket } from "../../../src/models/families/mpnet/relative-position.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";
import { temporaryDirectory } from "../../support/temp.ts";

const folder = "models/tiny-mpnet";
const skip = skipUnlessShared(`${folder}/golden.json`);
const golden = skip ? undefined : JSON.parse(readFileSync(sharedPath(`${folder}/golden.json`), "utf8"));
const readConfig = () => JSON.parse(readFileSync(sharedPath(`${folder}/config.json`), "utf8"));

test("relative position buckets equal Hugging Face's for key − query in −140..140", { skip }, () => {
  const { relative_position_key_minus_query: relative, bucket } = golden.relative_position_buckets;
  assert.deepEqual(relative.map(relativePositionBucket), bucket);
});

test("relative position buckets by hand: exact below 8, log-spaced to 15, keys right of the query +16", () => {
  // n = i − j; |n| = 12: 8 + trunc(log(1.5)/log(16)·8) = 8 + trunc(1.170) = 9; |n| = 128: 8 + 8 → capped 15.
  assert.deepEqual([0, -1, -7, -8, -12, -128, 1, 7, 12, 128].map(relativePositionBucket), [0, 1, 7, 8, 9, 15, 17, 23, 25, 31]);
  assert.deepEqual(Array.from(relativeBucketMatrix(3)), [0, 17, 18, 1, 0, 17, 2, 1, 0]);
});

test("config: tiny-mpnet's values; MPNetConfig's defaults where keys are absent; bad values name the key", { skip }, () => {
  const config = parseMpnetConfig(readConfig(), "config.json");
  assert.equal(config.layerNormEps, 1e-5);
  assert.equal(config.maxPositionEmbeddings, 514);
  assert.equal(config.maxSequenceLength, 512);
  assert.equal(config.relativeAttentionNumBuckets, 32);
  assert.equal(config.padTokenId, 1);
  const { layer_norm_eps: _eps, max_position_embeddings: _max, ...withoutDefaults } = readConfig();
  const defaulted = parseMpnetConfig(withoutDefaults, "config.json");
  assert.equal(defaulted.layerNormEps, 1e-12);
  assert.equal(defaulted.maxPositionEmbeddings, 512);
  assert.throws(() => parseMpnetConfig({ ...readConfig(), relative_attention_num_buckets: 16 }, "c.json"), (error: Error) =>
    error instanceof ModelLoadError && /relative_attention_num_buckets/.test(error.message));
  assert.throws(() => parseMpnetConfig({ ...readConfig(), hidden_act: "relu" }, "c.json"), /hidden_act "relu"/);
  const written = mpnetFamily.configJson(config);
  assert.equal("type_vocab_size" in written, false);
  assert.deepEqual([written.model_type, written.layer_norm_eps, written.relative_attention_num_buckets, written.pad_token_id], ["mpnet", 1e-5, 32, 1]);
  assert.deepEqual(mpnetFamily.parseConfig(written, "config.json"), { ...config, raw: written });
});

test("parameters: the names and torch shapes of tiny-mpnet's tensors, the pooler left out; prefixes and heads", { skip }, () => {
  const config = mpnetFamily.parseConfig(readConfig(), "config.json");
  const stored = readSafetensors(sharedPath(`${folder}/model.safetensors`));
  const expected = new Map<string, number[]>();
  for (const [name, entry] of stored.tensors) {
    const canonical = mpnetFamily.canonicalName(name);
    if (canonical === undefined) assert.ok(mpnetFamily.keepsUnused(name), `${name} is dropped without being kept`);
    else expected.set(canonical, entry.shape);
  }
  const specs = mpnetFamily.parameters(config);
  assert.deepEqual(new Map(specs.map((spec) => [spec.name, spec.torchShape])), expected);
  assert.deepEqual([...expected.keys()].filter((name) => name.includes("pooler")), []);
  assert.ok(specs.some((spec) => spec.name === "encoder.relative_attention_bias.weight" && spec.torchShape.join() === "32,4"));
  assert.equal(mpnetFamily.canonicalName("mpnet.encoder.layer.1.attention.attn.q.weight"), "encoder.layer.1.attention.attn.q.weight");
  assert.equal(mpnetFamily.canonicalName("mpnet.pooler.dense.weight"), undefined);
  assert.equal(mpnetFamily.savedName?.("mpnet.pooler.dense.weight"), "pooler.dense.weight");
  assert.deepEqual(mpnetFamily.frozenRows(config), [
    { parameter: "embeddings.word_embeddings.weight", row: 1 },
    { parameter: "embeddings.position_embeddings.weight", row: 1 },
  ]);
  assert.ok(mpnetFamily.keepsUnused("mpnet.pooler.dense.bias"));
  for (const unused of ["lm_head.dense.weight", "mpnet.embeddings.position_ids", "embeddings.position_ids"]) {
    assert.equal(mpnetFamily.canonicalName(unused), undefined, unused);
    assert.equal(mpnetFamily.keepsUnused(unused), false, unused);
  }
});

test("weight decay: exactly the golden's no-decay parameters go undecayed, encoder.relative_attention_bias.weight among them", { skip }, () => {
  const config = mpnetFamily.parseConfig(readConfig(), "config.json");
  const undecayed = mpnetFamily.parameters(config).map((spec) => spec.name).filter((name) => !usesWeightDecay(name));
  const expected = (golden.train_step.adamw.no_decay_parameters as string[]).filter((name) => !name.startsWith("pooler.")); // never trained
  assert.ok(expected.includes("encoder.relative_attention_bias.weight"));
  assert.deepEqual(undecayed.sort(), expected.sort());
});

test("position ids: 2..n+1 for real tokens, 1 for <pad>, a literal <pad> inside a row does not advance", { skip }, () => {
  const config = mpnetFamily.parseConfig({ ...readConfig(), pad_token_id: 0 }, "config.json");
  assert.equal(config.padTokenId, 1, "padding_idx is hard-coded 1, whatever pad_token_id says");
  const rows = [...golden.cases, ...golden.extra_cases] as { input_ids: number[]; position_ids: number[] }[];
  const seqLength = Math.max(...rows.map((row) => row.position_ids.length));
  const ids = new Int32Array(rows.length * seqLength).fill(1);
  rows.forEach((row, index) => ids.set(row.input_ids, index * seqLength));
  const inputs = { inputIds: ids, attentionMask: new Int32Array(ids.length), tokenTypeIds: new Int32Array(ids.length), batchSize: rows.length, seqLength };
  const positions = positionIds(inputs, "padding-offset", config.padTokenId);
  rows.forEach((row, index) => {
    const got = Array.from(positions.subarray(index * seqLength, index * seqLength + row.position_ids.length));
    assert.deepEqual(got, row.position_ids);
  });
});

function goldenIds(tokenizer: SentenceTokenizer): void {
  for (const c of golden.cases as { input: string; input_ids: number[]; tokens: string[] }[]) {
    assert.deepEqual(tokenizer.ids(c.input, { maxSeqLength: golden.max_length }), c.input_ids, c.input);
    assert.deepEqual(tokenizer.tokens(c.input, { maxSeqLength: golden.max_length }), c.tokens, c.input);
  }
}

test("token ids: exactly the golden's through SentenceTokenizer (RobertaProcessing, as stored)", { skip }, () => {
  goldenIds(SentenceTokenizer.load(sharedPath(folder)));
});

test("token ids: the same with the TemplateProcessing post-processor current transformers writes", { skip }, () => {
  const directory = temporaryDirectory();
  const tokenizerJson = JSON.parse(readFileSync(sharedPath(`${folder}/tokenizer.json`), "utf8"));
  tokenizerJson.post_processor = {
    type: "TemplateProcessing",
    single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }],
    pair: [
      { SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } },
      { SpecialToken: { id: "</s>", type_id: 0 } }, { Sequence: { id: "B", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } },
    ],
    special_tokens: {
      "<s>": { id: "<s>", ids: [0], tokens: ["<s>"] },
      "</s>": { id: "</s>", ids: [2], tokens: ["</s>"] },
    },
  };
  writeFileSync(join(directory, "tokenizer.json"), JSON.stringify(tokenizerJson));
  writeFileSync(join(directory, "tokenizer_config.json"), readFileSync(sharedPath(`${folder}/tokenizer_config.json`)));
  goldenIds(SentenceTokenizer.load(directory));
});

test("random model: all-mpnet-base-v2's tokenizer form; unknown words become [UNK], not <unk>; config parses", () => {
  const files = mpnetRandomModel({
    hiddenSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 64, maxSequenceLength: 16,
    words: ["the cat sat on the mat", "the dog ran"], vocabSize: 60, initializerRange: 0.02,
  });
  const directory = temporaryDirectory();
  for (const [name, text] of files.tokenizerFiles) writeFileSync(join(directory, name), text);
  const tokenizer = SentenceTokenizer.load(directory);
  const vocab = files.tokenizerFiles.get("vocab.txt")!.trimEnd().split("\n");
  assert.deepEqual(vocab.slice(0, 4), ["<s>", "<pad>", "</s>", "<unk>"]);
  assert.equal(vocab.at(-1), "<mask>");
  assert.equal(tokenizer.padTokenId, 1);
  assert.deepEqual(tokenizer.tokens("The cat, €", { maxSeqLength: 16 }), ["<s>", "the", "cat", "[UNK]", "[UNK]", "</s>"]);
  const tokenizerJson = JSON.parse(files.tokenizerFiles.get("tokenizer.json")!);
  assert.equal(tokenizerJson.post_processor.type, "RobertaProcessing");
  assert.equal(tokenizerJson.model.unk_token, "[UNK]");
  assert.deepEqual(JSON.parse(files.tokenizerFiles.get("tokenizer_config.json")!).model_input_names, ["input_ids", "attention_mask"]);
  const config = parseMpnetConfig(files.config, "config.json");
  assert.equal(config.vocabSize, vocab.length);
  assert.equal(config.maxSequenceLength, 16);
  assert.equal(config.layerNormEps, 1e-5);
});
