// SentenceTransformer.savePretrained: the sentence-transformers v3 folder layout (reference §1.9), weights
// written back byte for byte in torch layout, embeddings unchanged after a round trip; saving over an
// existing model folder replaces the model's files and keeps the others (output-folder.ts); and
// writeFolderAtomically (checkpoints) replaces a whole folder and leaves nothing behind on failure.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { writeFolderAtomically } from "../../src/io/model-folder.ts";
import { readSafetensors } from "../../src/io/safetensors.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { maxAbsoluteDifference } from "../support/compare.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

await initializeBackend({ quiet: true });

const SENTENCES = [
  "A man is playing a guitar.",
  "Someone plays the guitar.",
  "A woman is slicing onions in the kitchen.",
  "Hi.",
  "  The quick brown fox jumps over the lazy dog, again and again and again.  ",
];

const HIDDEN = 16;
const INTERMEDIATE = 32;
const workspace = temporaryDirectory();
const original = join(workspace, "original");
await initModel({ out: original, hidden: HIDDEN, layers: 1, heads: 2, intermediate: INTERMEDIATE, vocabSize: 600, seed: 11 });

/** Every file and folder under `directory`, relative, sorted ("1_Pooling/config.json", …). */
function listTree(directory: string): string[] {
  return (readdirSync(directory, { recursive: true }) as string[]).map((entry) => entry.split("\\").join("/")).sort();
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Entries of `parent` that look like writeFolderAtomically's temporary or backup siblings of `name`. */
function leftovers(parent: string, name: string): string[] {
  return readdirSync(parent).filter((entry) => entry.startsWith(`.${name}.tmp-`) || entry.startsWith(`.${name}.old-`));
}

const V3_LAYOUT = [
  "1_Pooling",
  "1_Pooling/config.json",
  "2_Normalize",
  "README.md",
  "config.json",
  "config_sentence_transformers.json",
  "model.safetensors",
  "modules.json",
  "sentence_bert_config.json",
  "special_tokens_map.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "vocab.txt",
];

const V3_MODULES = [
  { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
  { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" },
  { idx: 2, name: "2", path: "2_Normalize", type: "sentence_transformers.models.Normalize" },
];

test("save → reload gives exactly the same embeddings (float32 round trip)", async () => {
  const model = await SentenceTransformer.load(original, { quiet: true });
  const before = await model.encode(SENTENCES, { batchSize: 2 });
  const saved = join(workspace, "roundtrip");
  await model.savePretrained(saved);
  model.dispose();
  const reloaded = await SentenceTransformer.load(saved, { quiet: true });
  const after = await reloaded.encode(SENTENCES, { batchSize: 2 });
  reloaded.dispose();
  assert.equal(after.length, SENTENCES.length);
  assert.equal(after[0].length, HIDDEN);
  assert.deepEqual(after, before);
});

test("the saved folder has exactly the sentence-transformers v3 layout", async () => {
  const model = await SentenceTransformer.load(original, { quiet: true });
  model.prompts = { query: "query: ", passage: "passage: " };
  model.defaultPromptName = "query";
  const saved = join(workspace, "layout");
  await model.savePretrained(saved);
  model.dispose();

  assert.deepEqual(listTree(saved), V3_LAYOUT);
  assert.ok(statSync(join(saved, "2_Normalize")).isDirectory());
  assert.deepEqual(readdirSync(join(saved, "2_Normalize")), [], "2_Normalize/ is empty, as Normalize.save() writes nothing");
  assert.deepEqual(readJson(join(saved, "modules.json")), V3_MODULES);

  const pooling = readJson(join(saved, "1_Pooling", "config.json")) as Record<string, unknown>;
  assert.deepEqual(Object.keys(pooling), [
    "word_embedding_dimension",
    "pooling_mode_cls_token",
    "pooling_mode_mean_tokens",
    "pooling_mode_max_tokens",
    "pooling_mode_mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens",
    "pooling_mode_lasttoken",
    "include_prompt",
  ]);
  assert.deepEqual(pooling, {
    word_embedding_dimension: HIDDEN,
    pooling_mode_cls_token: false,
    pooling_mode_mean_tokens: true, // the "tiny" preset's pooling
    pooling_mode_max_tokens: false,
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: false,
    include_prompt: true,
  });

  assert.deepEqual(readJson(join(saved, "sentence_bert_config.json")), { max_seq_length: 128, do_lower_case: false });

  const stConfig = readJson(join(saved, "config_sentence_transformers.json")) as Record<string, unknown>;
  assert.equal(stConfig.similarity_fn_name, "cosine");
  assert.deepEqual(stConfig.prompts, { query: "query: ", passage: "passage: " });
  assert.equal(stConfig.default_prompt_name, "query");
  assert.equal(typeof (stConfig.__version__ as Record<string, unknown>)?.sentence_transformers, "string");

  const config = readJson(join(saved, "config.json")) as Record<string, unknown>;
  assert.equal(config.model_type, "bert");
  assert.deepEqual(config.architectures, ["BertModel"]);
  assert.equal(config.hidden_size, HIDDEN);
  assert.equal(config.num_hidden_layers, 1);
  assert.equal(config.num_attention_heads, 2);
  assert.equal(config.intermediate_size, INTERMEDIATE);
  assert.equal(config.vocab_size, 600);
  assert.equal(config.pad_token_id, 0);

  // Tokenizer files are copied verbatim.
  for (const name of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]) {
    assert.ok(readFileSync(join(saved, name)).equals(readFileSync(join(original, name))), `${name} is copied unchanged`);
  }

  // And the saved prompts come back on load.
  const reloaded = await SentenceTransformer.load(saved, { quiet: true });
  assert.deepEqual(reloaded.prompts, { query: "query: ", passage: "passage: " });
  assert.equal(reloaded.defaultPromptName, "query");
  reloaded.dispose();
});

test("model.safetensors is F32 in torch layout, byte-identical to the loaded original's tensors", async () => {
  const model = await SentenceTransformer.load(original, { quiet: true });
  const saved = join(workspace, "weights");
  await model.savePretrained(saved);
  model.dispose();
  const before = readSafetensors(join(original, "model.safetensors"));
  const after = readSafetensors(join(saved, "model.safetensors"));
  assert.deepEqual([...after.tensors.keys()].sort(), [...before.tensors.keys()].sort());
  for (const [name, entry] of after.tensors) {
    const source = before.tensors.get(name)!;
    assert.equal(entry.dtype, "F32", `${name} dtype`);
    assert.deepEqual(entry.shape, source.shape, `${name} shape`);
    assert.ok(Buffer.from(entry.bytes).equals(Buffer.from(source.bytes)), `${name}: bytes differ from the original`);
  }
  // torch Linear.weight is [out_features, in_features]: a non-square layer shows the orientation.
  assert.deepEqual(after.tensors.get("encoder.layer.0.attention.self.query.weight")!.shape, [HIDDEN, HIDDEN]);
  assert.deepEqual(after.tensors.get("encoder.layer.0.intermediate.dense.weight")!.shape, [INTERMEDIATE, HIDDEN]);
  assert.deepEqual(after.tensors.get("encoder.layer.0.output.dense.weight")!.shape, [HIDDEN, INTERMEDIATE]);
  assert.deepEqual(after.tensors.get("embeddings.word_embeddings.weight")!.shape, [600, HIDDEN]);
  assert.deepEqual(after.tensors.get("encoder.layer.0.intermediate.dense.bias")!.shape, [INTERMEDIATE]);
});

const tinyBertSkip = skipUnlessShared("models/tiny-bert") || skipUnlessShared("models/tiny-bert/golden.json");

test("the shared tiny-bert saves and reloads to PyTorch's golden embeddings within 1e-4", { skip: tinyBertSkip }, async () => {
  const golden = readJson(sharedPath("models/tiny-bert/golden.json")) as {
    cases: { input: string; embedding_cls_normalized: number[] }[];
  };
  const model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true });
  const saved = join(workspace, "tiny-bert-copy");
  await model.savePretrained(saved);
  model.dispose();

  assert.deepEqual(listTree(saved), V3_LAYOUT, "2_Normalize/ is written although the source folder lacks it");
  assert.deepEqual(readJson(join(saved, "modules.json")), V3_MODULES);
  assert.deepEqual(readJson(join(saved, "sentence_bert_config.json")), { max_seq_length: 128, do_lower_case: true });
  const pooling = readJson(join(saved, "1_Pooling", "config.json")) as Record<string, unknown>;
  assert.equal(pooling.pooling_mode_cls_token, true);
  assert.equal(pooling.pooling_mode_mean_tokens, false);
  assert.equal(pooling.word_embedding_dimension, 64);

  // Every tensor, the unused pooler included, is written back unchanged.
  const source = readSafetensors(sharedPath("models/tiny-bert/model.safetensors"));
  const copy = readSafetensors(join(saved, "model.safetensors"));
  for (const [name, entry] of copy.tensors) {
    assert.equal(entry.dtype, "F32");
    assert.ok(Buffer.from(entry.bytes).equals(Buffer.from(source.tensors.get(name)!.bytes)), `${name} differs`);
  }
  assert.deepEqual([...copy.tensors.keys()].sort(), [...source.tensors.keys()].sort());

  const reloaded = await SentenceTransformer.load(saved, { quiet: true });
  const embeddings = await reloaded.encode(golden.cases.map((c) => c.input));
  reloaded.dispose();
  golden.cases.forEach((c, row) => {
    const difference = maxAbsoluteDifference(embeddings[row], c.embedding_cls_normalized);
    assert.ok(difference < 1e-4, `embedding of ${JSON.stringify(c.input)} differs by ${difference}`);
  });
});

test("saving over an existing model folder replaces the model's files, keeps the others, and leaves no temporary siblings", async () => {
  const parent = join(workspace, "replace");
  const target = join(parent, "model");
  mkdirSync(join(target, "1_Pooling"), { recursive: true });
  writeFileSync(join(target, "stale.txt"), "from an older save");
  writeFileSync(join(target, "1_Pooling", "stale.json"), "{}");
  writeFileSync(join(target, "config.json"), "{\"old\": true}");

  const model = await SentenceTransformer.load(original, { quiet: true });
  await model.savePretrained(target);
  // A second save over the first also works.
  await model.save(target);
  model.dispose();

  // Files the model does not have are not embedtune's to delete (sentence-transformers' save() keeps them too).
  assert.deepEqual(listTree(target), [...V3_LAYOUT, "1_Pooling/stale.json", "stale.txt"].sort());
  assert.equal(readFileSync(join(target, "stale.txt"), "utf8"), "from an older save");
  assert.equal((readJson(join(target, "config.json")) as Record<string, unknown>).hidden_size, HIDDEN);
  assert.deepEqual(leftovers(parent, "model"), []);
  assert.deepEqual(readdirSync(parent), ["model"]);
});

/** A snapshot of a folder: relative path → contents ("<dir>" for folders). */
function snapshot(directory: string): Map<string, string> {
  return new Map(
    listTree(directory).map((entry) => {
      const path = join(directory, entry);
      return [entry, statSync(path).isDirectory() ? "<dir>" : readFileSync(path).toString("base64")];
    }),
  );
}

test("a write that fails mid-way leaves the previous folder untouched and no temporary folder", async () => {
  const parent = join(workspace, "failing");
  const target = join(parent, "model");
  const model = await SentenceTransformer.load(original, { quiet: true });
  await model.savePretrained(target);
  const before = snapshot(target);

  // Synchronous failure after writing a file.
  let temporaryUsed = "";
  await assert.rejects(
    writeFolderAtomically(target, (temporary) => {
      temporaryUsed = temporary;
      writeFileSync(join(temporary, "config.json"), "half-written");
      throw new Error("disk full");
    }),
    /disk full/,
  );
  assert.notEqual(temporaryUsed, "");
  assert.ok(!existsSync(temporaryUsed), "the temporary folder is removed");
  assert.deepEqual(snapshot(target), before);
  assert.deepEqual(leftovers(parent, "model"), []);

  // Asynchronous failure (a rejected promise) after writing a file.
  await assert.rejects(
    writeFolderAtomically(target, async (temporary) => {
      writeFileSync(join(temporary, "model.safetensors"), "partial");
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error("interrupted");
    }),
    /interrupted/,
  );
  assert.deepEqual(snapshot(target), before);
  assert.deepEqual(leftovers(parent, "model"), []);

  // savePretrained itself failing after the Transformer wrote its files.
  const transformerSave = model.transformer.save.bind(model.transformer);
  model.transformer.save = (directory: string) => {
    transformerSave(directory);
    throw new Error("failed after the weights");
  };
  await assert.rejects(model.savePretrained(target), /failed after the weights/);
  model.dispose();
  assert.deepEqual(snapshot(target), before);
  assert.deepEqual(readdirSync(parent), ["model"]);

  // A failing first write does not create the target at all.
  const fresh = join(parent, "never");
  await assert.rejects(
    writeFolderAtomically(fresh, (temporary) => {
      writeFileSync(join(temporary, "a.txt"), "a");
      throw new Error("nope");
    }),
    /nope/,
  );
  assert.ok(!existsSync(fresh));
  assert.deepEqual(readdirSync(parent), ["model"]);
});

test("writeFolderAtomically creates missing parents and replaces the target with exactly what fill wrote", async () => {
  const target = join(workspace, "deep", "er", "folder");
  await writeFolderAtomically(target, (temporary) => {
    writeFileSync(join(temporary, "one.txt"), "1");
  });
  assert.deepEqual(listTree(target), ["one.txt"]);
  await writeFolderAtomically(target, async (temporary) => {
    mkdirSync(join(temporary, "sub"));
    writeFileSync(join(temporary, "sub", "two.txt"), "2");
  });
  assert.deepEqual(listTree(target), ["sub", "sub/two.txt"]);
  assert.equal(readFileSync(join(target, "sub", "two.txt"), "utf8"), "2");
  assert.deepEqual(readdirSync(join(workspace, "deep", "er")), ["folder"]);
});
