// Round trip of a fine-tuned model of each family (tiny-xlm-roberta, tiny-mpnet, tiny-modernbert; tiny-bert-mean
// as the control): CoSENT + AdamW for a few steps on STS-B rows, then
//   savePretrained → SentenceTransformer.load gives the trained model's embeddings exactly (max |Δ| = 0) on
//   both engines (the same engine on both sides: the file keeps every float32 bit). The trained model is
//   put on each engine afresh, as a loaded one is: onnxruntime's engine runs a session with the weights
//   baked in for weights as loaded and one fed the weights while they change (training), whose sums may
//   differ in the last bit (measured 6e-8 on tiny-xlm-roberta), so right after training it is only ≤ 1e-6;
//   exportOnnx → transformers.js (local files only, onnx/model.onnx, the pooling 1_Pooling/config.json names,
//   normalised as 2_Normalize does) gives them within 1e-4;
//   the saved folder in the real sentence-transformers 6.0.1 (.venv) gives them within 1e-4.
// The texts are short (no truncation: transformers.js truncates at the tokenizer's model_max_length, not at
// max_seq_length) and mix English, German and Chinese. Training moves the weights away from the shared
// folder's, so a loader that silently read the original files instead would fail.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { test } from "node:test";
import { env, pipeline } from "@huggingface/transformers";
import { readParquetFile } from "../../../src/data/parquet.ts";
import type { EngineName } from "../../../src/engines/engine.ts";
import { exportOnnx } from "../../../src/engines/onnxruntime/export.ts";
import { CoSENTLoss } from "../../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments } from "../../../src/training/arguments.ts";
import { SentenceTransformerTrainer } from "../../../src/training/trainer.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { interopPython, skipUnlessPython } from "../../support/python-interop.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";
import { temporaryDirectory } from "../../support/temp.ts";

const MODELS = ["tiny-bert-mean", "tiny-xlm-roberta", "tiny-mpnet", "tiny-modernbert"] as const;
const ENGINES: readonly EngineName[] = ["tfjs", "onnxruntime"];
const TEXTS = ["Hi.", "A man is playing a guitar.", "Zwei Hunde rennen über die Wiese.", "今天天气很好。", "The weather will be sunny tomorrow."];
const STSB_TRAIN = "data/stsb/train.parquet";

env.allowRemoteModels = false;

const workspace = temporaryDirectory();

/** `model` after 4 CoSENT + AdamW steps (batch 8, lr 1e-3, no warmup) on the first 32 STS-B train pairs. */
async function fineTune(model: SentenceTransformer, output: string): Promise<void> {
  const rows = (await readParquetFile(sharedPath(STSB_TRAIN))).select(Array.from({ length: 32 }, (_, index) => index));
  const args = new SentenceTransformerTrainingArguments({
    outputDir: output,
    maxSteps: 4,
    perDeviceTrainBatchSize: 8,
    learningRate: 1e-3,
    saveStrategy: "no",
    evalStrategy: "no",
    reportTo: "none",
    disableTqdm: true,
    seed: 7,
  });
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: rows, loss: new CoSENTLoss(model) });
  await trainer.train();
}

/** The pooling mode 1_Pooling/config.json sets, in transformers.js' words. */
function poolingOf(folder: string): "mean" | "cls" {
  const config = JSON.parse(readFileSync(join(folder, "1_Pooling", "config.json"), "utf8")) as Record<string, unknown>;
  if (config.pooling_mode_mean_tokens === true) return "mean";
  if (config.pooling_mode_cls_token === true) return "cls";
  throw new Error(`${folder}: a pooling transformers.js' feature-extraction pipeline does not have`);
}

async function transformersJsEmbeddings(folder: string): Promise<number[][]> {
  env.localModelPath = dirname(folder);
  const extractor = await pipeline("feature-extraction", basename(folder), { dtype: "fp32", local_files_only: true });
  try {
    return (await extractor(TEXTS, { pooling: poolingOf(folder), normalize: true })).tolist() as number[][];
  } finally {
    await extractor.dispose();
  }
}

function sentenceTransformersEmbeddings(folder: string): number[][] {
  const script = [
    "import json, sys",
    "from sentence_transformers import SentenceTransformer",
    "model = SentenceTransformer(sys.argv[1], device='cpu')",
    "print(json.dumps(model.encode(json.loads(sys.argv[2])).tolist()))",
  ].join("\n");
  const result = spawnSync(interopPython(), ["-c", script, folder, JSON.stringify(TEXTS)], { encoding: "utf8", maxBuffer: 1 << 24 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as number[][];
}

function largestDifference(actual: number[][], expected: number[][]): number {
  assert.equal(actual.length, expected.length);
  return Math.max(...actual.map((row, index) => maxAbsoluteDifference(row, expected[index])));
}

async function encodeWith(model: SentenceTransformer, engine: EngineName): Promise<number[][]> {
  await model.setEngine(engine, { quiet: true });
  return model.encode(TEXTS);
}

const skipPython = skipUnlessPython("sentence_transformers", "torch");


for (const name of MODELS) {
  const skip = skipUnlessShared(`models/${name}/config.json`) || skipUnlessShared(STSB_TRAIN);
  test(`${name} fine-tuned 4 steps: saved and loaded back identical on both engines, its ONNX export in transformers.js and the folder in sentence-transformers within 1e-4`, { skip, timeout: 300_000 }, async (t) => {
    const original = await SentenceTransformer.load(sharedPath(`models/${name}`), { quiet: true, engine: "onnxruntime" });
    const saved = join(workspace, `${name}-saved`);
    const trained: Partial<Record<EngineName, number[][]>> = {};
    try {
      const untrained = await original.encode(TEXTS);
      await fineTune(original, join(workspace, `${name}-run`));
      const inPlace = await original.encode(TEXTS);
      for (const engine of ENGINES) trained[engine] = await encodeWith(original, engine);
      const bakedVsFed = largestDifference(trained.onnxruntime!, inPlace);
      assert.ok(bakedVsFed <= 1e-6, `onnxruntime right after training vs afresh: max |Δ| ${bakedVsFed}`);
      const moved = largestDifference(trained.onnxruntime!, untrained);
      assert.ok(moved > 1e-3, `training moved the embeddings by only ${moved}`);
      await original.savePretrained(saved);
    } finally {
      original.dispose();
    }

    for (const engine of ENGINES) {
      const reloaded = await SentenceTransformer.load(saved, { quiet: true, engine });
      try {
        assert.equal(reloaded.engine, engine);
        assert.equal(largestDifference(await reloaded.encode(TEXTS), trained[engine]!), 0, `${engine}: reloaded vs trained`);
      } finally {
        reloaded.dispose();
      }
    }

    const exported = join(workspace, `${name}-onnx`);
    const reloaded = await SentenceTransformer.load(saved, { quiet: true, engine: "onnxruntime" });
    try {
      await exportOnnx(reloaded, exported);
    } finally {
      reloaded.dispose();
    }
    const viaTransformersJs = largestDifference(await transformersJsEmbeddings(exported), trained.onnxruntime!);
    assert.ok(viaTransformersJs < 1e-4, `transformers.js on the export: max |Δ| ${viaTransformersJs}`);

    await t.test("the saved folder in sentence-transformers 6.0.1", { skip: skipPython }, () => {
      const viaPython = largestDifference(sentenceTransformersEmbeddings(saved), trained.tfjs!);
      assert.ok(viaPython < 1e-4, `sentence-transformers on the saved folder: max |Δ| ${viaPython}`);
    });
  });
}
