// ONNX export: the folder exportOnnx writes loads in transformers.js (@huggingface/transformers,
// local files only, onnx/model.onnx via dtype "fp32") and gives embedtune's embeddings; it still
// loads in embedtune with identical embeddings; the graph's inputs and output are Optimum's names.
// Models: a generated tiny BERT (mean pooling) and ../shared/models/tiny-bert (CLS, golden values).
// Texts are short: transformers.js truncation drops the final [SEP] of over-long texts, Python's does not.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { test } from "node:test";
import { env, pipeline } from "@huggingface/transformers";
import * as ort from "onnxruntime-node";
import { exportOnnxCommand } from "../../../src/cli/export-onnx.ts";
import { exportOnnx, ONNX_MODEL_PATH } from "../../../src/engines/onnxruntime/export.ts";
import { initModel } from "../../../src/generator/init-model.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";
import { temporaryDirectory } from "../../support/temp.ts";

const TEXTS = ["Hi.", "A man is playing a guitar.", "The weather will be sunny tomorrow afternoon.", "Dogs run in the park!"];

env.allowRemoteModels = false;

/** transformers.js feature-extraction embeddings of `texts` from the exported folder. */
async function transformersJsEmbeddings(folder: string, pooling: "mean" | "cls", texts: string[]): Promise<number[][]> {
  env.localModelPath = dirname(folder);
  const extractor = await pipeline("feature-extraction", basename(folder), { dtype: "fp32", local_files_only: true });
  try {
    const output = await extractor(texts, { pooling, normalize: true });
    assert.deepEqual(output.dims, [texts.length, output.dims[1]]);
    return output.tolist() as number[][];
  } finally {
    await extractor.dispose();
  }
}

/** Reference embeddings through the tfjs encoder, pooling and Normalize. */
function tfjsEmbeddings(model: SentenceTransformer, texts: string[]): number[][] {
  const embeddings = model.forward(texts);
  const rows = embeddings.arraySync();
  embeddings.dispose();
  return rows;
}

function assertClose(actual: number[][], expected: number[][], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((row, index) => {
    const difference = maxAbsoluteDifference(row, expected[index]);
    assert.ok(difference < tolerance, `${what}, row ${index}: max |difference| ${difference}`);
  });
}

async function checkExport(model: SentenceTransformer, folder: string, pooling: "mean" | "cls"): Promise<number[][]> {
  const { onnxBytes } = await exportOnnx(model, folder);
  for (const file of [ONNX_MODEL_PATH, "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json", join("1_Pooling", "config.json")]) {
    assert.ok(existsSync(join(folder, file)), `${file} is written`);
  }
  const onnxFile = readFileSync(join(folder, ONNX_MODEL_PATH));
  assert.equal(onnxFile.byteLength, onnxBytes);
  const parameterBytes = model.transformer.namedParameters().reduce((sum, { tensor }) => sum + 4 * tensor.size, 0);
  assert.ok(onnxBytes >= parameterBytes && onnxBytes < parameterBytes + 200_000, `weights stored as raw float data (${onnxBytes} bytes for ${parameterBytes})`);

  const session = await ort.InferenceSession.create(onnxFile);
  assert.deepEqual(session.inputNames, ["input_ids", "attention_mask", "token_type_ids"]);
  assert.deepEqual(session.outputNames, ["last_hidden_state"]);
  await session.release();

  const expected = await model.encode(TEXTS);
  assertClose(tfjsEmbeddings(model, TEXTS), expected, 1e-5, "tfjs reference vs encode");
  const fromTransformersJs = await transformersJsEmbeddings(folder, pooling, TEXTS);
  assertClose(fromTransformersJs, expected, 1e-4, "transformers.js vs embedtune");

  const reloaded = await SentenceTransformer.load(folder, { quiet: true });
  try {
    assert.deepEqual(reloaded.pooling.modes, [pooling]);
    assertClose(await reloaded.encode(TEXTS), expected, 1e-6, "reloaded export vs original");
  } finally {
    reloaded.dispose();
  }
  return fromTransformersJs;
}

test("a generated tiny model (mean pooling + Normalize) exports to a folder transformers.js loads", async () => {
  const source = join(temporaryDirectory(), "tiny-source");
  await initModel({ out: source, hidden: 32, layers: 2, heads: 2, intermediate: 64, vocabSize: 800, pooling: "mean", seed: 5 });
  const model = await SentenceTransformer.load(source, { quiet: true });
  try {
    await checkExport(model, join(temporaryDirectory(), "tiny-onnx"), "mean");
  } finally {
    model.dispose();
  }
});

const goldenSkip = skipUnlessShared("models/tiny-bert/golden.json");

test("shared tiny-bert (CLS + Normalize): transformers.js on the export gives the PyTorch embeddings", { skip: goldenSkip }, async () => {
  const model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true });
  try {
    const folder = join(temporaryDirectory(), "tiny-bert-onnx");
    await checkExport(model, folder, "cls");
    const cases: { input: string; input_ids: number[]; embedding_cls_normalized: number[] }[] = JSON.parse(
      readFileSync(sharedPath("models/tiny-bert/golden.json"), "utf8"),
    ).cases;
    // Inputs golden.json truncated at 128 tokens would differ (transformers.js truncates at 512).
    const short = cases.filter((c) => c.input_ids.length < 128);
    assert.ok(short.length >= 6);
    const embeddings = await transformersJsEmbeddings(folder, "cls", short.map((c) => c.input));
    assertClose(embeddings, short.map((c) => c.embedding_cls_normalized), 1e-4, "transformers.js vs PyTorch golden");
  } finally {
    model.dispose();
  }
});

test("exporting again into the same folder writes identical bytes", async () => {
  const source = join(temporaryDirectory(), "tiny-source-2");
  await initModel({ out: source, hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 600, pooling: "mean", seed: 9 });
  const model = await SentenceTransformer.load(source, { quiet: true });
  try {
    const folder = join(temporaryDirectory(), "replace-me");
    await exportOnnx(model, folder);
    const first = readFileSync(join(folder, ONNX_MODEL_PATH));
    await exportOnnx(model, folder);
    assert.deepEqual(readFileSync(join(folder, ONNX_MODEL_PATH)), first, "the export is deterministic");
  } finally {
    model.dispose();
  }
});

test("embedtune export-onnx --model DIR --out DIR", async () => {
  const source = join(temporaryDirectory(), "tiny-source-3");
  await initModel({ out: source, hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 600, pooling: "mean", seed: 9 });
  const out = join(temporaryDirectory(), "cli-onnx");
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    await exportOnnxCommand.run({ model: source, out }, []);
  } finally {
    console.log = log;
  }
  assert.ok(existsSync(join(out, ONNX_MODEL_PATH)));
  assert.match(lines.join("\n"), /wrote .*onnx\/model\.onnx \(\d+\.\d MB\)/);
  await assert.rejects(exportOnnxCommand.run({ model: source }, []), /--out: is required/);
});
