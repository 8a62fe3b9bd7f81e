// Which files a model by id brings (modules, sharded safetensors, plain HF folders), the refusals (pickles only,
// remote code, paths leaving the repo), local folders winning over ids, and an end-to-end load of the tiny
// model served by the Hub double.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { looksLikeRepoId, openRepository, resolveModelFolder, selectModelFiles, UnsupportedRepoError } from "../../src/hub/index.ts";
import { ModelLoadError } from "../../src/errors.ts";
import { filesOfFolder, HubDouble } from "../support/hub-double.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { useHubTestEnv } from "./hub-test-env.ts";

let hub: HubDouble;
before(async () => {
  hub = await HubDouble.start({ lfsThreshold: 1024 });
  const modules = (...paths: string[]) => JSON.stringify(paths.map((path, idx) => ({ idx, name: String(idx), path, type: "sentence_transformers.models.X" })));
  hub.addRepo("org/sharded").commit({
    "modules.json": modules("", "1_Pooling", "2_Dense"),
    "config.json": "{}",
    "vocab.txt": "[PAD]\n",
    "1_Pooling/config.json": "{}",
    "2_Dense/config.json": "{}",
    "2_Dense/model.safetensors": randomBytes(2000),
    "2_Dense/pytorch_model.bin": randomBytes(2000),
    "model.safetensors.index.json": JSON.stringify({ weight_map: { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors", c: "model-00001-of-00002.safetensors" } }),
    "model-00001-of-00002.safetensors": randomBytes(1500),
    "model-00002-of-00002.safetensors": randomBytes(1500),
    "tf_model.h5": randomBytes(1500),
    "flax_model.msgpack": randomBytes(1500),
    "openvino/openvino_model.xml": "<xml/>",
    "train_script.py": "print()",
  });
  hub.addRepo("org/plain-hf").commit({ "config.json": "{}", "tokenizer.json": "{}", "tokenizer_config.json": "{}", "model.safetensors": randomBytes(2000), "pytorch_model.bin": randomBytes(2000) });
  hub.addRepo("org/pickles").commit({ "config.json": "{}", "tokenizer.json": "{}", "pytorch_model.bin": randomBytes(2000) });
  hub.addRepo("org/st-pickles").commit({ "modules.json": modules("", "1_Pooling"), "config.json": "{}", "1_Pooling/config.json": "{}", "pytorch_model.bin": randomBytes(2000) });
  hub.addRepo("org/remote-code").commit({ "config.json": JSON.stringify({ auto_map: { AutoModel: "modeling_custom.CustomModel" } }), "modeling_custom.py": "x", "model.safetensors": randomBytes(2000) });
  hub.addRepo("org/escape").commit({ "modules.json": modules("", "../outside"), "config.json": "{}", "model.safetensors": randomBytes(2000) });
  hub.addRepoFromFolder("org/tiny", await tinyModelTemplate());
});
after(() => hub.close());
const env = useHubTestEnv(() => hub);

describe("file selection", () => {
  test("modules.json's folders, the index and each shard once; never pickles, h5, msgpack, openvino or scripts", async () => {
    const snapshot = await openRepository("org/sharded", "model");
    assert.deepEqual((await selectModelFiles(snapshot)).sort(), [
      "1_Pooling/config.json", "2_Dense/config.json", "2_Dense/model.safetensors", "config.json", "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors", "model.safetensors.index.json", "modules.json", "vocab.txt",
    ]);
    const { folder } = await resolveModelFolder("org/sharded");
    assert.deepEqual(readdirSync(folder).sort(), ["1_Pooling", "2_Dense", "config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json", "modules.json", "vocab.txt"]);
  });

  test("a plain Hugging Face folder (no modules.json): config, tokenizer files and model.safetensors", async () => {
    const { folder } = await resolveModelFolder("org/plain-hf");
    assert.deepEqual(readdirSync(folder).sort(), ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
  });

  test("a repo with only pytorch_model.bin: one line with the conversion one-liner, nothing downloaded but the metadata", async () => {
    await assert.rejects(resolveModelFolder("org/pickles"), (error: Error) => {
      assert.ok(error instanceof UnsupportedRepoError);
      assert.ok(!error.message.includes("\n"));
      assert.match(error.message, /^org\/pickles: the repo root has only PyTorch pickle weights \(pytorch_model\.bin\), which embedtune never loads; convert them once with python -c "from transformers import AutoModel, AutoTokenizer; r, d = 'org\/pickles', 'org-pickles-safetensors'; AutoModel\.from_pretrained\(r\)\.save_pretrained\(d, safe_serialization=True\); AutoTokenizer\.from_pretrained\(r\)\.save_pretrained\(d\)" \(or the Hub's Space https:\/\/huggingface\.co\/spaces\/safetensors\/convert\) and load the folder org-pickles-safetensors$/);
      return true;
    });
    assert.deepEqual(hub.requests.filter((request) => request.path.includes("/resolve/")), []);
    await assert.rejects(resolveModelFolder("org/st-pickles"), /from sentence_transformers import SentenceTransformer; SentenceTransformer\('org\/st-pickles', revision='[0-9a-f]{40}'\)\.save\('org-st-pickles-safetensors', safe_serialization=True\)/);
  });

  test("remote code named by auto_map: one line naming the Python file", async () => {
    await assert.rejects(resolveModelFolder("org/remote-code"), {
      message: "org/remote-code: config.json auto_map needs modeling_custom.py (remote code, trust_remote_code), which embedtune does not run",
    });
    assert.ok(!hub.requests.some((request) => request.origin === "cdn"), "refused before the weights are fetched");
  });

  test("a module path leaving the repo is refused before any download", async () => {
    await assert.rejects(resolveModelFolder("org/escape"), { message: 'org/escape: refusing the file path "../outside" (absolute, or leaves the repo folder)' });
  });
});

describe("ids and local folders", () => {
  test("looksLikeRepoId follows huggingface_hub's validate_repo_id", () => {
    for (const id of ["bert-base-uncased", "BAAI/bge-small-en-v1.5", "intfloat/multilingual-e5-small", "a.b_c-d/e"]) assert.ok(looksLikeRepoId(id), id);
    for (const text of ["./model", "/abs/path", "a/b/c", "org--name", "a..b", "x.git", "", "-a", "org/name/", "with space"]) assert.ok(!looksLikeRepoId(text), text);
  });

  test("an existing local folder wins over an id of the same name, with no request", async () => {
    const cwd = process.cwd();
    const workspace = temporaryDirectory();
    mkdirSync(join(workspace, "org", "tiny"), { recursive: true });
    process.chdir(workspace);
    try {
      assert.deepEqual(await resolveModelFolder("org/tiny"), { folder: "org/tiny" });
    } finally {
      process.chdir(cwd);
    }
    assert.deepEqual(hub.requests, []);
  });

  test("text that is neither a folder nor an id: the loader's 'model folder does not exist'", async () => {
    await assert.rejects(resolveModelFolder("./no/such/model"), (error: Error) =>
      error instanceof ModelLoadError && error.message === "./no/such/model: model folder does not exist");
    assert.deepEqual(hub.requests, []);
  });
});

describe("end to end", () => {
  test("the tiny model served as org/tiny: byte-identical files, loadable, and offline afterwards", async () => {
    const original = filesOfFolder(await tinyModelTemplate());
    const { folder, repoId } = await resolveModelFolder("org/tiny");
    assert.equal(repoId, "org/tiny");
    const downloaded = filesOfFolder(folder);
    const expected = Object.keys(original).filter((path) => !/\.(bin|onnx)$/.test(path)).sort();
    assert.deepEqual(Object.keys(downloaded).sort(), expected);
    for (const path of expected) assert.deepEqual(downloaded[path], original[path], path);
    const model = await SentenceTransformer.load(folder, { quiet: true });
    const [embedding] = await model.encode(["a sentence"]);
    assert.ok(embedding.length > 0);
    process.env.HF_HUB_OFFLINE = "1";
    hub.requests.length = 0;
    assert.equal((await resolveModelFolder("org/tiny")).folder, folder);
    assert.deepEqual(hub.requests, []);
    assert.equal(readFileSync(join(env.cache, "models--org--tiny", "refs", "main"), "utf8").length, 40);
  });
});
