// Broken model folders: each case copies a generated tiny model, breaks one thing, and checks that
// SentenceTransformer.load rejects with the named error class and a one-line message that names the
// offending file and says what is wrong, without leaving tensors allocated. Then the tolerated
// variations (Hugging Face "bert." names, extra tensors, F16/BF16 weights, plain HF folders, both
// pooling config dialects) load and give the expected embeddings.

import assert from "node:assert/strict";
import fs, { readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initializeBackend } from "../../src/backend.ts";
import { ModelLoadError, SafetensorsError } from "../../src/errors.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { maxAbsoluteDifference } from "../support/compare.ts";
import {
  TINY_SIZES,
  float32Tensor,
  freshTinyModel,
  readJson,
  readRawTensors,
  rewriteTensors,
  roundedThroughHalf,
  safetensorsBytes,
  tinyModelTemplate,
  toHalfTensor,
  writeJson,
  type RawTensor,
} from "../support/model-fixtures.ts";
import { temporaryDirectory } from "../support/temp.ts";

const SENTENCES = ["A man is playing a flute.", "hello world", "the quick brown fox jumps over the lazy dog near the river bank"];

/** What a Git LFS pointer looks like when the real file was never fetched (a common broken download). */
/** What a proxy or CDN returns for a missing file (nginx's 404 page), saved under the file's name. */
const HTML_ERROR_PAGE =
  "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n</body>\r\n</html>\r\n";

const LFS_POINTER =
  "version https://git-lfs.github.com/spec/v1\n" +
  "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n" +
  "size 90868376\n";

interface ExpectedFailure {
  type: typeof ModelLoadError;
  /** The path the message must start with (and error.file must equal). */
  file: string;
  /** Key words of what is wrong. */
  words: RegExp[];
}

async function assertLoadFails(directory: string, expected: ExpectedFailure): Promise<ModelLoadError> {
  const tensorsBefore = tf.memory().numTensors;
  let caught: unknown;
  await assert.rejects(SentenceTransformer.load(directory, { quiet: true }), (error) => {
    caught = error;
    return true;
  });
  const error = caught as ModelLoadError;
  const shown = `${(error as Error)?.name}: ${(error as Error)?.message}`;
  assert.equal(Object.getPrototypeOf(error)?.constructor, expected.type, `expected ${expected.type.name}, got ${shown}`);
  assert.equal(error.name, expected.type.name);
  assert.ok(!/[\r\n\u2028\u2029]/.test(error.message), `message is not one line: ${JSON.stringify(error.message)}`);
  assert.equal(error.file, expected.file, shown);
  assert.ok(error.message.startsWith(`${expected.file}: `), `message does not start with the file: ${error.message}`);
  for (const word of expected.words) assert.match(error.message, word);
  assert.equal(tf.memory().numTensors, tensorsBefore, `a failed load left tensors allocated (${error.message})`);
  return error;
}

const weightsPath = (folder: string) => join(folder, "model.safetensors");

/** The header entries of model.safetensors with consecutive offsets, plus the data bytes. */
function layout(tensors: RawTensor[]): { header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>; data: Uint8Array } {
  const header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> = {};
  let offset = 0;
  for (const tensor of tensors) {
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + tensor.bytes.byteLength] };
    offset += tensor.bytes.byteLength;
  }
  const data = new Uint8Array(offset);
  for (const tensor of tensors) data.set(tensor.bytes, header[tensor.name].data_offsets[0]);
  return { header, data };
}

let originalEmbeddings: number[][];

before(async () => {
  await initializeBackend({ quiet: true });
  const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  assert.deepEqual(model.pooling.modes, ["mean"]);
  assert.ok(model.normalize);
  originalEmbeddings = await model.encode(SENTENCES);
  model.dispose();
});

describe("the folder itself", () => {
  test("a folder that does not exist", async () => {
    const missing = join(temporaryDirectory(), "no-such-model");
    await assertLoadFails(missing, { type: ModelLoadError, file: missing, words: [/model folder does not exist/] });
  });

  test("a file where the folder should be", async () => {
    const file = join(temporaryDirectory(), "model.safetensors");
    writeFileSync(file, "not a folder");
    await assertLoadFails(file, { type: ModelLoadError, file, words: [/is not a folder/, /config\.json/] });
  });
});

describe("config.json", () => {
  test("missing", async () => {
    const folder = await freshTinyModel();
    rmSync(join(folder, "config.json"));
    await assertLoadFails(folder, { type: ModelLoadError, file: join(folder, "config.json"), words: [/\bmissing\b/] });
  });

  test("not JSON (an HTML error page; V8 quotes its start, newline included)", async () => {
    const folder = await freshTinyModel();
    writeFileSync(join(folder, "config.json"), HTML_ERROR_PAGE);
    await assertLoadFails(folder, { type: ModelLoadError, file: join(folder, "config.json"), words: [/is not valid JSON/] });
  });

  test('model_type "t5"', async () => {
    const folder = await freshTinyModel();
    writeJson(join(folder, "config.json"), { ...readJson(join(folder, "config.json")), model_type: "t5" });
    await assertLoadFails(folder, {
      type: ModelLoadError,
      file: join(folder, "config.json"),
      words: [/model_type "t5"/, /not supported/, /bert/],
    });
  });

  test("num_attention_heads does not divide hidden_size", async () => {
    const folder = await freshTinyModel();
    writeJson(join(folder, "config.json"), { ...readJson(join(folder, "config.json")), num_attention_heads: 3 });
    await assertLoadFails(folder, {
      type: ModelLoadError,
      file: join(folder, "config.json"),
      words: [/hidden_size 16/, /not a multiple of num_attention_heads 3/],
    });
  });
});

describe("model.safetensors: malformed file", () => {
  test("truncated: cut in half (inside the data)", async () => {
    const folder = await freshTinyModel();
    truncateSync(weightsPath(folder), Math.floor(statSync(weightsPath(folder)).size / 2));
    await assertLoadFails(folder, { type: SafetensorsError, file: weightsPath(folder), words: [/data_offsets/, /lie outside the \d+ data bytes/] });
  });

  test("truncated: shorter than the 8-byte header length", async () => {
    const folder = await freshTinyModel();
    truncateSync(weightsPath(folder), 5);
    await assertLoadFails(folder, { type: SafetensorsError, file: weightsPath(folder), words: [/truncated: 5 bytes/] });
  });

  test("header length beyond the end of the file", async () => {
    const folder = await freshTinyModel();
    const bytes = readFileSync(weightsPath(folder));
    bytes.writeBigUInt64LE(BigInt(bytes.byteLength), 0);
    writeFileSync(weightsPath(folder), bytes);
    await assertLoadFails(folder, {
      type: SafetensorsError,
      file: weightsPath(folder),
      words: [new RegExp(`header length ${bytes.byteLength} runs past the end of the file \\(${bytes.byteLength} bytes\\)`)],
    });
  });

  test("header length absurdly large (a Git LFS pointer instead of the weights)", async () => {
    const folder = await freshTinyModel();
    writeFileSync(weightsPath(folder), LFS_POINTER);
    await assertLoadFails(folder, { type: SafetensorsError, file: weightsPath(folder), words: [/header length \d+ exceeds/, /corrupt or not safetensors/] });
  });

  test("header not JSON", async () => {
    const folder = await freshTinyModel();
    const { data } = layout(readRawTensors(weightsPath(folder)).tensors);
    writeFileSync(weightsPath(folder), safetensorsBytes('{"embeddings.word_embeddings.weight": {"dtype": "F32",\n oops', data));
    await assertLoadFails(folder, { type: SafetensorsError, file: weightsPath(folder), words: [/header is not valid JSON/] });
  });

  test("header JSON but not an object", async () => {
    const folder = await freshTinyModel();
    writeFileSync(weightsPath(folder), safetensorsBytes("[1, 2, 3]", new Uint8Array(16)));
    await assertLoadFails(folder, { type: SafetensorsError, file: weightsPath(folder), words: [/header is \[1,2,3\], expected a JSON object/] });
  });

  test("data offsets outside the data", async () => {
    const folder = await freshTinyModel();
    const { tensors } = readRawTensors(weightsPath(folder));
    const { header, data } = layout(tensors);
    const moved = "encoder.layer.0.output.dense.bias";
    const length = header[moved].data_offsets[1] - header[moved].data_offsets[0];
    header[moved].data_offsets = [data.byteLength, data.byteLength + length];
    writeFileSync(weightsPath(folder), safetensorsBytes(JSON.stringify(header), data));
    await assertLoadFails(folder, {
      type: SafetensorsError,
      file: weightsPath(folder),
      words: [new RegExp(`tensor ${moved.replace(/\./g, "\\.")} data_offsets \\[${data.byteLength},${data.byteLength + length}\\] lie outside the ${data.byteLength} data bytes`)],
    });
  });

  test("two tensors overlapping", async () => {
    const folder = await freshTinyModel();
    const { header, data } = layout(readRawTensors(weightsPath(folder)).tensors);
    const query = "encoder.layer.0.attention.self.query.weight";
    const key = "encoder.layer.0.attention.self.key.weight";
    assert.deepEqual(header[query].shape, header[key].shape);
    // key starts half-way through query's bytes.
    const [begin, end] = header[query].data_offsets;
    const shift = (end - begin) / 2;
    header[key].data_offsets = [begin + shift, end + shift];
    writeFileSync(weightsPath(folder), safetensorsBytes(JSON.stringify(header), data));
    await assertLoadFails(folder, { type: SafetensorsError, file: weightsPath(folder), words: [/overlap/, new RegExp(query.replace(/\./g, "\\.")), new RegExp(key.replace(/\./g, "\\."))] });
  });

  test('unknown dtype "F7"', async () => {
    const folder = await freshTinyModel();
    const { header, data } = layout(readRawTensors(weightsPath(folder)).tensors);
    header["embeddings.LayerNorm.bias"].dtype = "F7";
    writeFileSync(weightsPath(folder), safetensorsBytes(JSON.stringify(header), data));
    await assertLoadFails(folder, { type: SafetensorsError, file: weightsPath(folder), words: [/embeddings\.LayerNorm\.bias/, /unsupported dtype F7/] });
  });

  test("a weight stored as I8 (valid safetensors, not a float type)", async () => {
    const folder = await freshTinyModel();
    rewriteTensors(folder, (tensors) =>
      tensors.map((tensor) =>
        tensor.name === "embeddings.word_embeddings.weight"
          ? { ...tensor, dtype: "I8", bytes: new Uint8Array(tensor.bytes.byteLength / 4).fill(3) }
          : tensor,
      ),
    );
    await assertLoadFails(folder, {
      type: SafetensorsError,
      file: weightsPath(folder),
      words: [/embeddings\.word_embeddings\.weight/, /dtype I8/, /reads F32, F16, BF16 and F64/],
    });
  });
});

describe("model.safetensors: tensors that do not fit config.json", () => {
  test("a shape that disagrees with config.json (intermediate_size changed)", async () => {
    const folder = await freshTinyModel();
    writeJson(join(folder, "config.json"), { ...readJson(join(folder, "config.json")), intermediate_size: 48 });
    await assertLoadFails(folder, {
      type: ModelLoadError,
      file: weightsPath(folder),
      words: [/tensor encoder\.layer\.0\.intermediate\.dense\.weight has shape \[32, 16\]/, /config\.json implies \[48, 16\]/],
    });
  });

  test("a required tensor missing", async () => {
    const folder = await freshTinyModel();
    const dropped = "encoder.layer.0.attention.self.value.bias";
    rewriteTensors(folder, (tensors) => {
      assert.ok(tensors.some((tensor) => tensor.name === dropped));
      return tensors.filter((tensor) => tensor.name !== dropped);
    });
    await assertLoadFails(folder, { type: ModelLoadError, file: weightsPath(folder), words: [/required tensor encoder\.layer\.0\.attention\.self\.value\.bias is missing/] });
  });

  test("only pytorch_model.bin: asks for safetensors and never reads the pickle", async (t) => {
    const folder = await freshTinyModel();
    rmSync(weightsPath(folder));
    const pickle = join(folder, "pytorch_model.bin");
    // A zip-framed pickle that would run os.system if anything unpickled it.
    writeFileSync(pickle, Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.from("cos\nsystem\n(S'echo pwned'\ntR.")]));
    // node:fs is a builtin: patching its methods and syncing updates the ESM bindings the loader imported.
    const methods = ["readFileSync", "openSync", "readFile", "open", "createReadStream"] as const;
    const spies = methods.map((name) => t.mock.method(fs, name));
    syncBuiltinESMExports();
    try {
      await assertLoadFails(folder, {
        type: ModelLoadError,
        file: pickle,
        words: [/does not load pickled PyTorch weights/, /convert/, /model\.safetensors/, /safe_serialization=True/],
      });
    } finally {
      t.mock.restoreAll();
      syncBuiltinESMExports();
    }
    const opened = spies.flatMap((spy) => spy.mock.calls.map((call) => String(call.arguments[0])));
    assert.ok(opened.includes(join(folder, "config.json")), `the fs spy saw no reads at all: ${opened.join(", ")}`);
    assert.deepEqual(opened.filter((path) => path.endsWith("pytorch_model.bin")), [], "pytorch_model.bin was opened");
  });
});

describe("tokenizer and sentence-transformers files", () => {
  test("tokenizer.json missing", async () => {
    const folder = await freshTinyModel();
    rmSync(join(folder, "tokenizer.json"));
    await assertLoadFails(folder, { type: ModelLoadError, file: join(folder, "tokenizer.json"), words: [/\bmissing\b/] });
  });

  test("tokenizer.json not JSON (an HTML error page; V8 quotes its start, newline included)", async () => {
    const folder = await freshTinyModel();
    writeFileSync(join(folder, "tokenizer.json"), HTML_ERROR_PAGE);
    await assertLoadFails(folder, { type: ModelLoadError, file: join(folder, "tokenizer.json"), words: [/is not valid JSON/] });
  });

  test("modules.json listing an unsupported module (LSTM)", async () => {
    const folder = await freshTinyModel();
    const modules = readJson(join(folder, "modules.json")) as unknown as Record<string, unknown>[];
    modules.splice(2, 0, { idx: 2, name: "2", path: "2_LSTM", type: "sentence_transformers.models.LSTM" });
    writeJson(join(folder, "modules.json"), modules);
    await assertLoadFails(folder, {
      type: ModelLoadError,
      file: join(folder, "modules.json"),
      words: [/sentence_transformers\.models\.LSTM/, /does not support/],
    });
  });

  test("1_Pooling/config.json with no mode enabled", async () => {
    const folder = await freshTinyModel();
    const path = join(folder, "1_Pooling", "config.json");
    writeJson(path, { ...readJson(path), pooling_mode_mean_tokens: false });
    await assertLoadFails(folder, { type: ModelLoadError, file: path, words: [/no pooling mode is enabled/] });
  });
});

describe("tolerated variations", () => {
  test('"bert." names, pooler weights and I64 position_ids load and give the same embeddings', async () => {
    const folder = await freshTinyModel();
    const hidden = TINY_SIZES.hidden;
    rewriteTensors(folder, (tensors) => {
      const positionIds = new BigInt64Array(512).map((_, index) => BigInt(index));
      return [
        ...tensors.map((tensor) => ({ ...tensor, name: `bert.${tensor.name}` })),
        float32Tensor("bert.pooler.dense.weight", [hidden, hidden], new Float32Array(hidden * hidden).fill(0.5)),
        float32Tensor("bert.pooler.dense.bias", [hidden], new Float32Array(hidden).fill(-1)),
        { name: "bert.embeddings.position_ids", dtype: "I64", shape: [1, 512], bytes: new Uint8Array(positionIds.buffer) },
      ];
    });
    assert.ok(readRawTensors(weightsPath(folder)).tensors.every((tensor) => tensor.name.startsWith("bert.")));
    const model = await SentenceTransformer.load(folder, { quiet: true });
    assert.deepEqual(await model.encode(SENTENCES), originalEmbeddings);
    model.dispose();
  });

  // F16 keeps 11 significant bits (relative rounding error ≤ 2^-11 ≈ 4.9e-4), BF16 keeps 8 (≤ 2^-9 ≈ 2e-3).
  // Decoding must be exact: a model whose F32 weights were rounded the same way gives identical
  // embeddings. Against the unrounded model the difference is that rounding error carried through
  // one layer and three LayerNorms (which do not amplify a relative perturbation of the weights much;
  // the embeddings are unit vectors): measured 1.2e-4 (F16) and 8.1e-4 (BF16) with this model, i.e.
  // a few times the weight rounding bound. Tolerances of 1e-3 and 1e-2 leave ~10x headroom and still
  // catch a wrong decoding (a byte-swapped or mis-scaled weight moves the embedding by O(0.1–1)).
  for (const [dtype, tolerance] of [["F16", 1e-3], ["BF16", 1e-2]] as const) {
    test(`${dtype} weights load (exactly the rounded values; within ${tolerance} of the F32 model)`, async () => {
      const halfFolder = await freshTinyModel();
      rewriteTensors(halfFolder, (tensors) => tensors.map((tensor) => toHalfTensor(tensor, dtype)));
      assert.ok(readRawTensors(weightsPath(halfFolder)).tensors.every((tensor) => tensor.dtype === dtype));
      const roundedFolder = await freshTinyModel();
      rewriteTensors(roundedFolder, (tensors) => tensors.map((tensor) => roundedThroughHalf(tensor, dtype)));

      const halfModel = await SentenceTransformer.load(halfFolder, { quiet: true });
      const roundedModel = await SentenceTransformer.load(roundedFolder, { quiet: true });
      const halfEmbeddings = await halfModel.encode(SENTENCES);
      assert.deepEqual(halfEmbeddings, await roundedModel.encode(SENTENCES));
      const difference = maxAbsoluteDifference(halfEmbeddings.flat(), originalEmbeddings.flat());
      assert.ok(difference < tolerance, `${dtype}: max |Δ| ${difference} ≥ ${tolerance}`);
      assert.ok(difference > 0, `${dtype}: rounding changed nothing, so the test proves nothing`);
      halfModel.dispose();
      roundedModel.dispose();
    });
  }

  test("no modules.json: a plain Hugging Face folder gets mean pooling and no Normalize", async () => {
    const folder = await freshTinyModel();
    rmSync(join(folder, "modules.json"));
    const model = await SentenceTransformer.load(folder, { quiet: true });
    assert.deepEqual(model.pooling.modes, ["mean"]);
    assert.equal(model.normalize, undefined);
    const raw = await model.encode(SENTENCES);
    const norms = raw.map((row) => Math.hypot(...row));
    assert.ok(norms.every((norm) => Math.abs(norm - 1) > 1e-3), `raw mean-pooled norms ${norms} look normalised`);
    const normalised = await model.encode(SENTENCES, { normalizeEmbeddings: true });
    assert.ok(maxAbsoluteDifference(normalised.flat(), originalEmbeddings.flat()) < 1e-6);
    model.dispose();
  });

  test("Normalize in modules.json without a 2_Normalize/ folder still normalises", async () => {
    const folder = await freshTinyModel();
    rmSync(join(folder, "2_Normalize"), { recursive: true });
    const model = await SentenceTransformer.load(folder, { quiet: true });
    assert.ok(model.normalize);
    const embeddings = await model.encode(SENTENCES);
    for (const row of embeddings) assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5);
    assert.deepEqual(embeddings, originalEmbeddings);
    model.dispose();
  });

  test('v5.4 pooling config {"embedding_dimension", "pooling_mode": "cls"} loads as CLS pooling', async () => {
    const folder = await freshTinyModel();
    const hidden = TINY_SIZES.hidden;
    writeJson(join(folder, "1_Pooling", "config.json"), { embedding_dimension: hidden, pooling_mode: "cls", include_prompt: true });
    const model = await SentenceTransformer.load(folder, { quiet: true });
    assert.deepEqual(model.pooling.modes, ["cls"]);
    assert.equal(model.getSentenceEmbeddingDimension(), hidden);
    assert.ok(model.normalize);
    const embeddings = await model.encode(SENTENCES);
    for (const [row, sentence] of SENTENCES.entries()) {
      const tokens = model.transformer.forward(model.tokenize([sentence]));
      const cls = ((await tokens.array()) as number[][][])[0][0];
      tokens.dispose();
      const norm = Math.hypot(...cls);
      assert.ok(maxAbsoluteDifference(embeddings[row], cls.map((value) => value / norm)) < 1e-5, `CLS embedding of ${sentence}`);
    }
    assert.ok(maxAbsoluteDifference(embeddings.flat(), originalEmbeddings.flat()) > 1e-2, "CLS pooling gave the mean-pooled embeddings");
    model.dispose();
  });
});
