// `embedtune init-model` (initModel): deterministic output, config.json with the requested sizes, weights
// initialised as Hugging Face's BertPreTrainedModel._init_weights does (Linear/Embedding ~ N(0, 0.02²), biases 0,
// LayerNorm weight 1 / bias 0, padding row 0), a vocabulary that covers its source text, --vocab, presets,
// and ArgumentErrors for impossible arguments; --family xlm-roberta checked against real sentence-transformers.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import { ArgumentError } from "../../src/errors.ts";
import { PRESETS, initModel } from "../../src/generator/init-model.ts";
import { readSafetensors, toFloat32 } from "../../src/io/safetensors.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { SentenceTokenizer } from "../../src/models/tokenizer.ts";
import { interopPython, skipUnlessPython } from "../support/python-interop.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

await initializeBackend({ quiet: true });

const workspace = temporaryDirectory();
const SMALL = { hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 600 };

/** Every file under `directory` (relative path → bytes), sorted by path. */
function filesOf(directory: string): Map<string, Buffer> {
  const entries = (readdirSync(directory, { recursive: true }) as string[]).sort();
  return new Map(entries.filter((entry) => statSync(join(directory, entry)).isFile()).map((entry) => [entry, readFileSync(join(directory, entry))]));
}

test("the same seed gives byte-identical files; another seed gives other weights", async () => {
  const a = join(workspace, "seed-a");
  const b = join(workspace, "seed-b");
  const c = join(workspace, "seed-c");
  await initModel({ out: a, ...SMALL, seed: 123 });
  await initModel({ out: b, ...SMALL, seed: 123 });
  await initModel({ out: c, ...SMALL, seed: 124 });
  const weightsA = readFileSync(join(a, "model.safetensors"));
  assert.ok(weightsA.equals(readFileSync(join(b, "model.safetensors"))), "same seed → same model.safetensors");
  assert.ok(!weightsA.equals(readFileSync(join(c, "model.safetensors"))), "different seed → different model.safetensors");
  assert.equal(weightsA.length, readFileSync(join(c, "model.safetensors")).length);
  const filesA = filesOf(a);
  const filesB = filesOf(b);
  assert.deepEqual([...filesA.keys()], [...filesB.keys()]);
  for (const [name, bytes] of filesA) assert.ok(bytes.equals(filesB.get(name)!), `${name} is identical for the same seed`);
  // The tokenizer does not depend on the seed.
  assert.ok(readFileSync(join(a, "vocab.txt")).equals(readFileSync(join(c, "vocab.txt"))));
});

test("config.json and the ST files carry the requested sizes", async () => {
  const out = join(workspace, "sizes");
  const result = await initModel({ out, hidden: 24, layers: 2, heads: 3, intermediate: 40, vocabSize: 700, maxSeqLength: 64, pooling: "cls", seed: 1 });
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
  assert.equal(config.model_type, "bert");
  assert.deepEqual(config.architectures, ["BertModel"]);
  assert.equal(config.hidden_size, 24);
  assert.equal(config.num_hidden_layers, 2);
  assert.equal(config.num_attention_heads, 3);
  assert.equal(config.intermediate_size, 40);
  assert.equal(config.vocab_size, 700);
  assert.equal(config.max_position_embeddings, 512);
  assert.equal(config.type_vocab_size, 2);
  assert.equal(config.initializer_range, 0.02);
  assert.equal(config.pad_token_id, 0);
  assert.equal(config.hidden_act, "gelu");
  assert.equal(result.vocabSize, 700);
  assert.equal(readFileSync(join(out, "vocab.txt"), "utf8").split("\n").length - 1, 700);
  // Parameters: embeddings (700 + 512 + 2)·24 + LN 2·24; per layer 4·(24·24 + 24) + 2·2·24 + (24·40 + 40) + (40·24 + 24).
  const perLayer = 4 * (24 * 24 + 24) + 2 * 2 * 24 + (24 * 40 + 40) + (40 * 24 + 24);
  assert.equal(result.parameterCount, (700 + 512 + 2) * 24 + 2 * 24 + 2 * perLayer);
  assert.deepEqual(JSON.parse(readFileSync(join(out, "sentence_bert_config.json"), "utf8")), { max_seq_length: 64, do_lower_case: false });
  const pooling = JSON.parse(readFileSync(join(out, "1_Pooling", "config.json"), "utf8"));
  assert.equal(pooling.word_embedding_dimension, 24);
  assert.equal(pooling.pooling_mode_cls_token, true);
  assert.equal(pooling.pooling_mode_mean_tokens, false);

  const model = await SentenceTransformer.load(out, { quiet: true });
  assert.equal(model.maxSeqLength, 64);
  assert.equal(model.getSentenceEmbeddingDimension(), 24);
  assert.deepEqual(model.pooling.modes, ["cls"]);
  assert.ok(model.normalize);
  model.dispose();

  // --hidden without --intermediate gives 4 × hidden, as BERT does.
  const defaults = join(workspace, "defaults");
  await initModel({ out: defaults, hidden: 16, layers: 1, heads: 2, vocabSize: 600, normalize: false });
  const defaultConfig = JSON.parse(readFileSync(join(defaults, "config.json"), "utf8"));
  assert.equal(defaultConfig.intermediate_size, 64);
  const modules = JSON.parse(readFileSync(join(defaults, "modules.json"), "utf8")) as { path: string }[];
  assert.deepEqual(modules.map((m) => m.path), ["", "1_Pooling"], "normalize: false leaves Normalize out");
});

test("weights follow BERT's initialisation: N(0, 0.02²) matrices, zero biases, LayerNorm 1/0, zero padding row", async () => {
  const out = join(workspace, "stats");
  // Larger sizes so the statistics rest on enough samples.
  await initModel({ out, hidden: 64, layers: 2, heads: 4, intermediate: 128, vocabSize: 600, seed: 99 });
  const file = readSafetensors(join(out, "model.safetensors"));
  const hidden = 64;
  const expectedNames = [
    "embeddings.LayerNorm.bias",
    "embeddings.LayerNorm.weight",
    "embeddings.position_embeddings.weight",
    "embeddings.token_type_embeddings.weight",
    "embeddings.word_embeddings.weight",
    ...[0, 1].flatMap((i) =>
      [
        "attention.output.LayerNorm.bias",
        "attention.output.LayerNorm.weight",
        "attention.output.dense.bias",
        "attention.output.dense.weight",
        "attention.self.key.bias",
        "attention.self.key.weight",
        "attention.self.query.bias",
        "attention.self.query.weight",
        "attention.self.value.bias",
        "attention.self.value.weight",
        "intermediate.dense.bias",
        "intermediate.dense.weight",
        "output.LayerNorm.bias",
        "output.LayerNorm.weight",
        "output.dense.bias",
        "output.dense.weight",
      ].map((suffix) => `encoder.layer.${i}.${suffix}`),
    ),
  ].sort();
  assert.deepEqual([...file.tensors.keys()].sort(), expectedNames);

  const values = (name: string) => toFloat32(file.tensors.get(name)!, name);
  const std = 0.02;
  const checkNormal = (name: string, data: Float32Array) => {
    const n = data.length;
    let sum = 0;
    for (const v of data) sum += v;
    const mean = sum / n;
    let squares = 0;
    let withinOneSigma = 0;
    for (const v of data) {
      squares += (v - mean) ** 2;
      if (Math.abs(v) <= std) withinOneSigma++;
    }
    const sampleStd = Math.sqrt(squares / (n - 1));
    // Five standard errors: SE(mean) = σ/√n, SE(std) ≈ σ/√(2n), SE(fraction) = √(p(1−p)/n) with p = 0.6827.
    assert.ok(Math.abs(mean) < (5 * std) / Math.sqrt(n), `${name}: mean ${mean} (n = ${n})`);
    assert.ok(Math.abs(sampleStd - std) < (5 * std) / Math.sqrt(2 * n), `${name}: std ${sampleStd} (n = ${n})`);
    const p = 0.6827;
    assert.ok(Math.abs(withinOneSigma / n - p) < 5 * Math.sqrt((p * (1 - p)) / n), `${name}: ${withinOneSigma / n} within 1σ, normal gives ${p}`);
  };

  const pooled: number[] = [];
  for (const [name, entry] of file.tensors) {
    const data = values(name);
    if (name.endsWith(".bias")) {
      assert.ok(data.every((v) => v === 0), `${name} is zero`);
    } else if (name.includes("LayerNorm")) {
      assert.ok(data.every((v) => v === 1), `${name} is one`);
    } else if (name === "embeddings.word_embeddings.weight") {
      assert.deepEqual(entry.shape, [600, hidden]);
      assert.ok(data.subarray(0, hidden).every((v) => v === 0), "the [PAD] row (id 0) is zero");
      assert.ok(data.subarray(hidden, 2 * hidden).some((v) => v !== 0), "other rows are not");
      checkNormal(name, data.subarray(hidden));
    } else {
      assert.equal(entry.dtype, "F32");
      checkNormal(name, data);
      if (name.startsWith("encoder.")) pooled.push(...data);
    }
  }
  checkNormal("all linear weights", Float32Array.from(pooled));
  // Linear weights are stored [out, in].
  assert.deepEqual(file.tensors.get("encoder.layer.1.intermediate.dense.weight")!.shape, [128, hidden]);
  assert.deepEqual(file.tensors.get("encoder.layer.1.output.dense.weight")!.shape, [hidden, 128]);
});

test("a vocabulary learnt from a text file covers its words without [UNK]", async () => {
  const corpus = join(workspace, "corpus.txt");
  const lines = [
    "Zebras graze quietly near the riverbank.",
    "Xylophones chime; jugglers whistle — quixotic fjords!",
    "The zebra's xylophone is quiet, but the juggler's whistle isn't.",
    "Numbers like 42 and 1999 matter too.",
  ];
  writeFileSync(corpus, `${lines.join("\n")}\n\n`);
  const out = join(workspace, "from-text");
  const result = await initModel({ out, ...SMALL, vocabSize: 300, vocabFrom: corpus });
  assert.equal(result.vocabSize, 300);
  const vocab = readFileSync(join(out, "vocab.txt"), "utf8").split("\n").slice(0, -1);
  assert.equal(vocab.length, 300);
  assert.deepEqual(vocab.slice(0, 5), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
  assert.ok(vocab.at(-1)!.startsWith("[unused"), "a small text leaves room that is padded with [unusedN]");
  const tokenizer = SentenceTokenizer.load(out);
  for (const line of lines) {
    const ids = tokenizer.ids(line, { maxSeqLength: 512 });
    assert.equal(ids[0], 2);
    assert.equal(ids.at(-1), 3);
    assert.ok(!ids.includes(1), `${JSON.stringify(line)} tokenizes without [UNK]: ${tokenizer.tokens(line, { maxSeqLength: 512 }).join(" ")}`);
  }
  // A character never seen in the text is unknown.
  assert.ok(tokenizer.ids("✈", { maxSeqLength: 512 }).includes(1));
});

test("--vocab with bert-base-uncased's vocab.txt gives vocab_size 30522 and its token ids", { skip: skipUnlessShared("models/bert-base-uncased-tokenizer/vocab.txt") }, async () => {
  const out = join(workspace, "bert-vocab");
  const result = await initModel({ out, hidden: 8, layers: 1, heads: 2, intermediate: 16, vocab: sharedPath("models/bert-base-uncased-tokenizer/vocab.txt") });
  assert.equal(result.vocabSize, 30522);
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
  assert.equal(config.vocab_size, 30522);
  assert.equal(config.pad_token_id, 0);
  assert.ok(readFileSync(join(out, "vocab.txt")).equals(readFileSync(sharedPath("models/bert-base-uncased-tokenizer/vocab.txt"))));
  const tokenizer = SentenceTokenizer.load(out);
  assert.deepEqual(tokenizer.ids("Hello world!", { maxSeqLength: 512 }), [101, 7592, 2088, 999, 102]);
  const file = readSafetensors(join(out, "model.safetensors"));
  assert.deepEqual(file.tensors.get("embeddings.word_embeddings.weight")!.shape, [30522, 8]);
});

test("preset bge-small has BAAI/bge-small-en-v1.5's architecture", () => {
  const preset = PRESETS["bge-small"];
  assert.equal(preset.hidden, 384);
  assert.equal(preset.layers, 12);
  assert.equal(preset.heads, 12);
  assert.equal(preset.intermediate, 1536);
  assert.equal(preset.vocabSize, 30522);
  assert.equal(preset.pooling, "cls");
  assert.equal(preset.maxSeqLength, 512);
});

test("the bge-small preset with small overrides uses the preset's remaining settings", async () => {
  // Only the sizes are overridden (the full preset is 33M parameters); pooling and max_seq_length come from it.
  const out = join(workspace, "bge-like");
  await initModel({ out, preset: "bge-small", hidden: 12, layers: 1, heads: 12, intermediate: 24, vocabSize: 600 });
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
  assert.equal(config.num_attention_heads, 12);
  assert.equal(config.hidden_size, 12);
  assert.equal(JSON.parse(readFileSync(join(out, "1_Pooling", "config.json"), "utf8")).pooling_mode_cls_token, true);
  assert.equal(JSON.parse(readFileSync(join(out, "sentence_bert_config.json"), "utf8")).max_seq_length, 512);
});

async function assertArgumentError(options: Parameters<typeof initModel>[0], argument: string, pattern?: RegExp): Promise<void> {
  await assert.rejects(initModel(options), (error: unknown) => {
    assert.ok(error instanceof ArgumentError, `expected ArgumentError, got ${String(error)}`);
    assert.equal(error.argument, argument);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
  assert.ok(!existsSync(options.out), `${options.out} is not created on error`);
}

test("impossible arguments are ArgumentErrors and write nothing", async () => {
  await assertArgumentError({ out: join(workspace, "bad-heads"), ...SMALL, heads: 3 }, "--heads", /16/);
  await assertArgumentError({ out: join(workspace, "bad-vocab-from"), ...SMALL, vocabFrom: join(workspace, "no-such-file.txt") }, "--vocab-from", /no-such-file\.txt/);
  await assertArgumentError({ out: join(workspace, "bad-vocab"), ...SMALL, vocab: join(workspace, "no-such-vocab.txt") }, "--vocab", /no-such-vocab\.txt/);
  await assertArgumentError({ out: join(workspace, "bad-length"), ...SMALL, maxSeqLength: 1 }, "--max-seq-length");
  await assertArgumentError({ out: join(workspace, "long-length"), ...SMALL, maxSeqLength: 513 }, "--max-seq-length");
  await assertArgumentError({ out: join(workspace, "zero-hidden"), ...SMALL, hidden: 0 }, "--hidden");
});

test("--family xlm-roberta: XLMRobertaModel config, SentencePiece Unigram tokenizer.json; real sentence-transformers 6 gives the same ids and embeddings", { skip: skipUnlessPython("sentence_transformers") }, async () => {
  const out = join(workspace, "xlm-roberta");
  await initModel({ out, family: "xlm-roberta", hidden: 32, layers: 2, heads: 4, intermediate: 64, vocabSize: 500, seed: 3 });
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
  assert.deepEqual([config.model_type, config.pad_token_id, config.type_vocab_size, config.layer_norm_eps, config.max_position_embeddings], ["xlm-roberta", 1, 1, 1e-5, 514]);
  const tokenizer = JSON.parse(readFileSync(join(out, "tokenizer.json"), "utf8"));
  assert.equal(tokenizer.model.type, "Unigram");
  assert.deepEqual(tokenizer.model.vocab.slice(0, 4).map(([piece]: [string]) => piece), ["<s>", "<pad>", "</s>", "<unk>"]);
  assert.equal(tokenizer.model.vocab.at(-1)[0], "<mask>");
  assert.ok(tokenizer.model.vocab.slice(4, -1).every(([, score]: [string, number]) => score < 0), "pieces carry log-probabilities");
  const texts = ["A man is playing a guitar.", "Zwei Hunde rennen über die Wiese.", "trailing  "];
  const script = [
    "import json, sys",
    "from sentence_transformers import SentenceTransformer",
    "model = SentenceTransformer(sys.argv[1], device='cpu')",
    "texts = json.loads(sys.argv[2])",
    "print(json.dumps({'ids': model.tokenize(texts)['input_ids'].tolist(), 'embeddings': model.encode(texts).tolist()}))",
  ].join("\n");
  const result = spawnSync(interopPython(), ["-c", script, out, JSON.stringify(texts)], { encoding: "utf8", maxBuffer: 1 << 24 });
  assert.equal(result.status, 0, result.stderr);
  const reference = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { ids: number[][]; embeddings: number[][] };
  const model = await SentenceTransformer.load(out, { quiet: true });
  try {
    const batch = model.tokenize(texts);
    assert.deepEqual(Array.from(batch.inputIds), reference.ids.flat());
    assert.ok(batch.inputIds.every((id) => id !== 3), "the corpus' characters need no <unk>");
    const embeddings = await model.encode(texts);
    embeddings.forEach((row, i) => row.forEach((value, j) => assert.ok(Math.abs(value - reference.embeddings[i][j]) < 1e-5)));
  } finally {
    model.dispose();
  }
});

test("an unknown --family is one line naming the supported ones", async () => {
  await assert.rejects(initModel({ out: join(workspace, "gpt2"), family: "gpt2" }), (error) => error instanceof ArgumentError && /^--family: "gpt2" is not one of bert, (.+, )?xlm-roberta/.test(error.message) && !error.message.includes("\n"));
  assert.equal(existsSync(join(workspace, "gpt2")), false);
});
