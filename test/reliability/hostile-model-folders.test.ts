// Model folders that try to reach outside themselves, leak file contents through error messages, or
// carry broken weights (issue 13, defects 8, 9 and the loading part of 3). Each refusal is a one-line
// ModelLoadError naming the file, without quoting any text of the file it read and without leaving
// tensors allocated; the legitimate variants (Hugging Face cache symlinks into blobs/, auto_map configs,
// sharded weights) load and give the original embeddings.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs, { cpSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import { dirname, join, relative } from "node:path";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../src/backend.ts";
import { ModelLoadError } from "../../src/errors.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import {
  buildSafetensors,
  float32Tensor,
  float32Values,
  freshTinyModel,
  readJson,
  readRawTensors,
  rewriteTensors,
  safetensorsBytes,
  tinyModelTemplate,
  writeJson,
} from "../support/model-fixtures.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";
import * as cli from "./cli.ts";

const SENTENCES = ["A man is playing a flute.", "hello world"];
const SECRET = "root:x:0:0:SECRET-7f3a:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n";
const QUERY = "encoder.layer.0.attention.self.query.weight";

let originalEmbeddings: number[][];

before(async () => {
  await initializeBackend({ quiet: true });
  const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  originalEmbeddings = await model.encode(SENTENCES);
  model.dispose();
});

/** Loads `directory`, expects a one-line ModelLoadError for `file`, no tensors left behind; returns the message. */
async function loadFails(directory: string, file: string, words: RegExp[]): Promise<string> {
  const tensorsBefore = tf.memory().numTensors;
  let caught: unknown;
  await assert.rejects(SentenceTransformer.load(directory, { quiet: true }), (error) => {
    caught = error;
    return true;
  });
  const error = caught as ModelLoadError;
  assert.ok(error instanceof ModelLoadError, `expected a ModelLoadError, got ${(error as Error)?.stack}`);
  assert.ok(!/[\r\n\u2028\u2029]/.test(error.message), `message is not one line: ${JSON.stringify(error.message)}`);
  assert.equal(error.file, file, error.message);
  assert.ok(error.message.startsWith(`${file}: `), error.message);
  for (const word of words) assert.match(error.message, word);
  assert.doesNotMatch(error.message, /root:x|SECRET|daemon|nologin/, `the message quotes file contents: ${error.message}`);
  assert.equal(tf.memory().numTensors, tensorsBefore, `a failed load left tensors allocated (${error.message})`);
  return error.message;
}

async function assertLoadsOriginal(directory: string): Promise<void> {
  const model = await SentenceTransformer.load(directory, { quiet: true });
  try {
    assert.deepEqual(await model.encode(SENTENCES), originalEmbeddings);
  } finally {
    model.dispose();
  }
}

/** A fresh tiny model at <parent>/model, with a second valid model at <parent>/evil beside it. */
async function modelWithNeighbour(): Promise<{ folder: string; evil: string }> {
  const folder = await freshTinyModel();
  const evil = join(dirname(folder), "evil");
  cpSync(await tinyModelTemplate(), evil, { recursive: true });
  return { folder, evil };
}

function setModulePath(folder: string, index: number, path: string): void {
  const modules = readJson(join(folder, "modules.json")) as unknown as Record<string, unknown>[];
  modules[index].path = path;
  writeJson(join(folder, "modules.json"), modules);
}

/** A file outside every model folder holding "secrets". */
function secretFile(): string {
  const path = join(temporaryDirectory("embedtune-secrets-"), "passwd");
  writeFileSync(path, SECRET);
  return path;
}

describe("modules.json cannot reach outside the model folder", () => {
  test('"../evil" pointing at a valid model beside it is refused before anything in it is read', async (t) => {
    const { folder, evil } = await modelWithNeighbour();
    setModulePath(folder, 0, "../evil");
    const methods = ["readFileSync", "openSync", "existsSync", "statSync"] as const;
    const spies = methods.map((name) => t.mock.method(fs, name));
    syncBuiltinESMExports();
    try {
      await loadFails(folder, join(folder, "modules.json"), [/module 0 \(Transformer\)/, /"\.\.\/evil"/, /outside the model folder/]);
    } finally {
      t.mock.restoreAll();
      syncBuiltinESMExports();
    }
    const touched = spies.flatMap((spy) => spy.mock.calls.map((call) => String(call.arguments[0])));
    assert.ok(touched.includes(join(folder, "modules.json")), `the fs spy saw nothing: ${touched.join(", ")}`);
    assert.deepEqual(touched.filter((path) => path.startsWith(evil)), [], "a file of the neighbouring model was read");
  });

  for (const [path, why] of [
    ["/etc", /is an absolute path/],
    ["../../etc", /leads outside the model folder/],
    ["1_Pooling/../../evil/1_Pooling", /leads outside the model folder/],
  ] as const) {
    test(`pooling module path ${JSON.stringify(path)} is refused`, async () => {
      const { folder } = await modelWithNeighbour();
      setModulePath(folder, 1, path);
      await loadFails(folder, join(folder, "modules.json"), [/module 1 \(Pooling\)/, new RegExp(JSON.stringify(path).replace(/[./]/g, "\\$&")), why]);
    });
  }

  test("a module folder that is a symlink to a folder outside is refused", async () => {
    const { folder, evil } = await modelWithNeighbour();
    rmSync(join(folder, "1_Pooling"), { recursive: true });
    symlinkSync(join(evil, "1_Pooling"), join(folder, "1_Pooling"));
    await loadFails(folder, join(folder, "modules.json"), [/module 1 \(Pooling\)/, /"1_Pooling"/, /symlink to a folder outside the model folder/]);
  });

  test("a module path inside the folder (an old-style 0_Transformer/ subfolder) still loads", async () => {
    const folder = await freshTinyModel();
    const transformer = join(folder, "0_Transformer");
    mkdirSync(transformer);
    for (const name of ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "sentence_bert_config.json"]) {
      if (fs.existsSync(join(folder, name))) renameSync(join(folder, name), join(transformer, name));
    }
    setModulePath(folder, 0, "0_Transformer");
    await assertLoadsOriginal(folder);
  });
});

describe("files symlinked outside the folder are not read, and errors never quote contents", () => {
  for (const name of ["tokenizer.json", "config.json", "vocab.txt", "model.safetensors", "config_sentence_transformers.json"]) {
    test(`${name} symlinked to a secrets file outside is refused without quoting it`, async () => {
      const folder = await freshTinyModel();
      rmSync(join(folder, name));
      symlinkSync(secretFile(), join(folder, name));
      await loadFails(folder, join(folder, name), [/symlink to a file outside the model folder/]);
    });
  }

  test("1_Pooling/config.json symlinked outside is refused", async () => {
    const folder = await freshTinyModel();
    const path = join(folder, "1_Pooling", "config.json");
    const outside = join(temporaryDirectory("embedtune-secrets-"), "pooling.json");
    cpSync(path, outside);
    rmSync(path);
    symlinkSync(outside, path);
    await loadFails(folder, path, [/symlink to a file outside the model folder/]);
  });

  test("a symlink to a file inside the same folder is fine", async () => {
    const folder = await freshTinyModel();
    renameSync(join(folder, "tokenizer.json"), join(folder, "real-tokenizer.json"));
    symlinkSync("real-tokenizer.json", join(folder, "tokenizer.json"));
    await assertLoadsOriginal(folder);
  });

  for (const name of ["tokenizer.json", "config.json", "1_Pooling/config.json", "modules.json"]) {
    test(`${name} inside the folder that is not JSON: line and column, no quoted text`, async () => {
      const folder = await freshTinyModel();
      writeFileSync(join(folder, name), SECRET);
      const message = await loadFails(folder, join(folder, name), [/is not valid JSON \(unexpected character at line 1, column 1\)$/]);
      assert.doesNotMatch(message, /"/, message);
    });
  }

  test("JSON broken on a later line: the position is that line and column", async () => {
    const folder = await freshTinyModel();
    writeFileSync(join(folder, "config.json"), '{\n  "model_type": "bert",\n  "secret": SECRET-7f3a\n}\n');
    await loadFails(folder, join(folder, "config.json"), [/is not valid JSON \(unexpected character at line 3, column 13\)$/]);
  });

  test("a safetensors header that is not JSON: position only", async () => {
    const folder = await freshTinyModel();
    writeFileSync(join(folder, "model.safetensors"), safetensorsBytes(`{"a": ${SECRET}}`, new Uint8Array(8)));
    await loadFails(folder, join(folder, "model.safetensors"), [/header is not valid JSON \(unexpected character at line 1, column 7\)$/]);
  });
});

/** The model as the Hugging Face cache stores it: snapshots/<commit>/<path> → relative symlinks to blobs/<sha256>. */
async function hubCacheCopy(): Promise<{ cache: string; snapshot: string }> {
  const cache = temporaryDirectory("embedtune-hub-");
  const repo = join(cache, "models--org--tiny");
  const snapshot = join(repo, "snapshots", "0123456789abcdef0123456789abcdef01234567");
  mkdirSync(join(repo, "blobs"), { recursive: true });
  const template = await tinyModelTemplate();
  const visit = (relativeFolder: string): void => {
    for (const entry of readdirSync(join(template, relativeFolder), { withFileTypes: true })) {
      const path = join(relativeFolder, entry.name);
      mkdirSync(join(snapshot, relativeFolder), { recursive: true });
      if (entry.isDirectory()) {
        mkdirSync(join(snapshot, path), { recursive: true });
        visit(path);
        continue;
      }
      const bytes = readFileSync(join(template, path));
      const blob = join(repo, "blobs", createHash("sha256").update(bytes).digest("hex"));
      writeFileSync(blob, bytes);
      symlinkSync(relative(dirname(join(snapshot, path)), blob), join(snapshot, path));
    }
  };
  visit("");
  return { cache, snapshot };
}

describe("Hugging Face cache layout", () => {
  test("snapshots/<commit>/* symlinked to ../../blobs/<hash> load with the original embeddings", async () => {
    const { snapshot } = await hubCacheCopy();
    assert.ok(fs.lstatSync(join(snapshot, "model.safetensors")).isSymbolicLink());
    assert.match(fs.readlinkSync(join(snapshot, "model.safetensors")), /^\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
    assert.match(fs.readlinkSync(join(snapshot, "1_Pooling", "config.json")), /^\.\.\/\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
    await assertLoadsOriginal(snapshot);
  });

  test("a snapshot file pointing into another cache repo's blobs/ is refused", async () => {
    const { cache, snapshot } = await hubCacheCopy();
    const otherBlobs = join(cache, "models--other--repo", "blobs");
    mkdirSync(otherBlobs, { recursive: true });
    writeFileSync(join(otherBlobs, "abc"), SECRET);
    rmSync(join(snapshot, "vocab.txt"));
    symlinkSync(relative(snapshot, join(otherBlobs, "abc")), join(snapshot, "vocab.txt"));
    await loadFails(snapshot, join(snapshot, "vocab.txt"), [/symlink to a file outside the model folder/]);
  });
});

describe("config.json declaring remote code (auto_map)", () => {
  test("loads as BERT, says so once per process on stderr (not when quiet), and saves without auto_map", async () => {
    const folder = await freshTinyModel();
    const configPath = join(folder, "config.json");
    writeJson(configPath, {
      ...readJson(configPath),
      auto_map: { AutoConfig: "configuration_evil.EvilConfig", AutoModel: "modeling_evil.EvilModel" },
    });
    const saved = join(temporaryDirectory(), "saved");
    const script = join(temporaryDirectory(), "load-twice.mts");
    const source = new URL("../../src/models/sentence-transformer.ts", import.meta.url).pathname;
    writeFileSync(
      script,
      `import { SentenceTransformer } from ${JSON.stringify(source)};\n` +
        `const folder = ${JSON.stringify(folder)};\n` +
        `process.stderr.write("-- quiet\\n");\n` +
        `(await SentenceTransformer.load(folder, { quiet: true, engine: "tfjs" })).dispose();\n` +
        `process.stderr.write("-- first\\n");\n` +
        `const model = await SentenceTransformer.load(folder, { engine: "tfjs" });\n` +
        `process.stderr.write("-- second\\n");\n` +
        `(await SentenceTransformer.load(folder, { engine: "tfjs" })).dispose();\n` +
        `console.log(JSON.stringify(await model.encode(${JSON.stringify(SENTENCES)})));\n` +
        `await model.savePretrained(${JSON.stringify(saved)});\n`,
    );
    const run = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: projectRoot, encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    const notes = run.stderr.split("\n").filter((line) => line.includes("auto_map"));
    assert.deepEqual(
      notes,
      ['embedtune: config.json declares auto_map (remote code); embedtune ignores remote code and loads the model as model_type "bert" (saved models leave auto_map out)'],
      run.stderr,
    );
    assert.ok(run.stderr.indexOf(notes[0]) > run.stderr.indexOf("-- first"), `the quiet load printed the note:\n${run.stderr}`);
    assert.ok(run.stderr.indexOf(notes[0]) < run.stderr.indexOf("-- second"), run.stderr);
    const embeddings = JSON.parse(run.stdout) as number[][];
    assert.equal(embeddings.length, SENTENCES.length);
    embeddings.flat().forEach((value, index) => assert.ok(Math.abs(value - originalEmbeddings.flat()[index]) < 1e-6, `embedding value ${index}`));
    const savedConfig = readJson(join(saved, "config.json"));
    assert.equal(savedConfig.auto_map, undefined);
    assert.equal(savedConfig.model_type, "bert");
  });

  test("an auto_map config with an unsupported model_type says remote code never runs", async () => {
    const folder = await freshTinyModel();
    const configPath = join(folder, "config.json");
    writeJson(configPath, { ...readJson(configPath), model_type: "nomic_bert", auto_map: { AutoModel: "modeling_hf_nomic_bert.NomicBertModel" } });
    await loadFails(folder, configPath, [/model_type "nomic_bert" is not supported/, /auto_map names remote code, which embedtune never runs/]);
  });
});

/** Splits model.safetensors into two shards and an index (as transformers saves them) and removes it. */
function shard(folder: string): { index: Record<string, unknown>; first: string; second: string } {
  const { tensors, metadata } = readRawTensors(join(folder, "model.safetensors"));
  const half = Math.ceil(tensors.length / 2);
  const first = "model-00001-of-00002.safetensors";
  const second = "model-00002-of-00002.safetensors";
  writeFileSync(join(folder, first), buildSafetensors(tensors.slice(0, half), metadata));
  writeFileSync(join(folder, second), buildSafetensors(tensors.slice(half), metadata));
  const index = {
    metadata: { total_size: tensors.reduce((sum, tensor) => sum + tensor.bytes.byteLength, 0) },
    weight_map: Object.fromEntries(tensors.map((tensor, position) => [tensor.name, position < half ? first : second])),
  };
  writeJson(join(folder, "model.safetensors.index.json"), index);
  rmSync(join(folder, "model.safetensors"));
  return { index, first, second };
}

describe("sharded weights (model.safetensors.index.json)", () => {
  test("two shards + index load with identical embeddings", async () => {
    const folder = await freshTinyModel();
    const { first, second } = shard(folder);
    assert.ok(statSync(join(folder, first)).size > 1000 && statSync(join(folder, second)).size > 1000);
    await assertLoadsOriginal(folder);
  });

  test("a missing shard is named", async () => {
    const folder = await freshTinyModel();
    const { second } = shard(folder);
    rmSync(join(folder, second));
    await loadFails(folder, join(folder, second), [/missing/, /model\.safetensors\.index\.json lists it as a shard/]);
  });

  test("a tensor the index puts in the wrong shard is named", async () => {
    const folder = await freshTinyModel();
    const { index, first, second } = shard(folder);
    const weightMap = index.weight_map as Record<string, string>;
    const moved = Object.keys(weightMap).find((name) => weightMap[name] === first)!;
    writeJson(join(folder, "model.safetensors.index.json"), { ...index, weight_map: { ...weightMap, [moved]: second } });
    await loadFails(folder, join(folder, second), [new RegExp(`does not hold tensor ${moved.replace(/\./g, "\\.")}`)]);
  });

  test("a shard name leading outside the folder is refused", async () => {
    const { folder, evil } = await modelWithNeighbour();
    const { index } = shard(folder);
    const weightMap = index.weight_map as Record<string, string>;
    writeJson(join(folder, "model.safetensors.index.json"), { ...index, weight_map: { ...weightMap, [QUERY]: "../evil/model.safetensors" } });
    assert.ok(fs.existsSync(join(evil, "model.safetensors")));
    await loadFails(folder, join(folder, "model.safetensors.index.json"), [/"\.\.\/evil\/model\.safetensors"/, /not a file name in the model folder/]);
  });

  test("an index without weight_map is refused", async () => {
    const folder = await freshTinyModel();
    shard(folder);
    writeJson(join(folder, "model.safetensors.index.json"), { metadata: {} });
    await loadFails(folder, join(folder, "model.safetensors.index.json"), [/has no "weight_map" object/]);
  });
});

/** Writes NaN, NaN and +Inf into three values of `tensorName`. */
function poison(folder: string, tensorName = QUERY): void {
  rewriteTensors(folder, (tensors) =>
    tensors.map((tensor) => {
      if (tensor.name !== tensorName) return tensor;
      const values = float32Values(tensor);
      values[0] = NaN;
      values[5] = NaN;
      values[values.length - 1] = Infinity;
      return float32Tensor(tensor.name, tensor.shape, values);
    }),
  );
}

const NON_FINITE = new RegExp(
  `^.*: tensor ${QUERY.replace(/\./g, "\\.")} has 3 non-finite values \\(NaN/Inf\\); the model was probably saved from a diverged training run$`,
);

describe("non-finite weights", () => {
  test("NaN/Inf in a weight: one line naming the tensor and the count", async () => {
    const folder = await freshTinyModel();
    poison(folder);
    await loadFails(folder, join(folder, "model.safetensors"), [NON_FINITE]);
  });

  test("in a shard: the shard is named", async () => {
    const folder = await freshTinyModel();
    poison(folder);
    const { index } = shard(folder);
    const shardName = (index.weight_map as Record<string, string>)[QUERY];
    await loadFails(folder, join(folder, shardName), [NON_FINITE]);
  });

  test("loadWeightsFrom (a checkpoint) names the checkpoint's file", async () => {
    const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
    try {
      const checkpoint = await freshTinyModel();
      poison(checkpoint);
      const tensorsBefore = tf.memory().numTensors;
      assert.throws(
        () => model.loadWeightsFrom(checkpoint),
        (error: Error) => error instanceof ModelLoadError && error.file === join(checkpoint, "model.safetensors") && NON_FINITE.test(error.message),
      );
      assert.equal(tf.memory().numTensors, tensorsBefore);
      assert.deepEqual(await model.encode(SENTENCES), originalEmbeddings, "a failed loadWeightsFrom changed the weights");
    } finally {
      model.dispose();
    }
  });
});

describe("through the CLI", () => {
  function encode(folder: string): string {
    const run = cli.embedtune(["encode", "--model", folder, "hello"], { timeout: 60_000 });
    const shown = `exit ${run.status}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
    assert.equal(run.status, 1, shown);
    assert.equal(run.stdout, "", shown);
    const lines = run.stderr.trimEnd().split("\n").filter((line) => !/^embedtune: tfjs backend \S/.test(line));
    assert.equal(lines.length, 1, shown);
    assert.match(lines[0], /^embedtune: error: \S/, shown);
    return lines[0];
  }

  test("encode with a NaN model and with a ../evil model: exit 1, one line each", async () => {
    const nanModel = await freshTinyModel();
    poison(nanModel);
    assert.match(encode(nanModel), new RegExp(`^embedtune: error: ${join(nanModel, "model.safetensors").replace(/[./]/g, "\\$&")}: tensor .* 3 non-finite values`));
    const { folder } = await modelWithNeighbour();
    setModulePath(folder, 0, "../evil");
    assert.match(encode(folder), /^embedtune: error: .*modules\.json: module 0 \(Transformer\) has path "\.\.\/evil", which leads outside the model folder/);
  });
});
