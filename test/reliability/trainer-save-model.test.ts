// trainer.saveModel() with no folder saves into the run's own outputDir, as sentence-transformers'
// trainer.save_model() does: the model's files are added beside the run's checkpoints, which stay.
// Any other non-empty folder without a model is still refused (output-folders.test.ts).

import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { initModel } from "../../src/generator/init-model.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments } from "../../src/training/arguments.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { corpusPairScores } from "../support/pair-scores.ts";
import { temporaryDirectory } from "../support/temp.ts";

test("trainer.saveModel() writes the model into outputDir beside its checkpoints", async () => {
  const workspace = temporaryDirectory();
  const modelDirectory = join(workspace, "model");
  await initModel({ out: modelDirectory, hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 600, seed: 3 });
  const model = await SentenceTransformer.load(modelDirectory, { quiet: true });
  const outputDir = join(workspace, "run");
  const args = new SentenceTransformerTrainingArguments({
    outputDir, maxSteps: 2, perDeviceTrainBatchSize: 8, saveStrategy: "steps", saveSteps: 1, disableTqdm: true,
  });
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: corpusPairScores(0, 32) });
  await trainer.train();
  await trainer.saveModel();
  const names = readdirSync(outputDir);
  assert.ok(names.includes("checkpoint-1") && names.includes("checkpoint-2"), names.join(", "));
  for (const file of ["config.json", "modules.json", "model.safetensors", "README.md"]) assert.ok(existsSync(join(outputDir, file)), file);
  const reloaded = await SentenceTransformer.load(outputDir, { quiet: true });
  assert.deepEqual(await reloaded.encode(["a test"]), await model.encode(["a test"]));
  reloaded.dispose();
  model.dispose();
});
