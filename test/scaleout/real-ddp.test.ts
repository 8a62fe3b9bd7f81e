// The README's several-GPU launch line with the real libraries, on CPU: an exported CoSENT run (device "cpu", which
// the script passes as use_cpu=True: without it transformers 5 on a machine without CUDA does not join the
// processes, each trains alone) started by `torchrun --standalone --nproc_per_node 2 train.py` trains as one DDP run
// (gloo): both processes exit 0, a step takes 2 × per_device_train_batch_size rows (an epoch of 24 rows is 3 steps),
// one process writes the final model, and it loads back in embedtune.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { exportTrainingScript } from "../../src/scaleout/export.ts";
import { SentenceTransformerTrainingArguments } from "../../src/training/arguments.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";
import { corpusPairScores } from "../support/pair-scores.ts";
import { interopPython, skipUnlessPython } from "../support/python-interop.ts";
import { temporaryDirectory } from "../support/temp.ts";

test("torchrun --nproc_per_node 2 train.py: one DDP run over two processes, the final model loads back", { skip: skipUnlessPython("sentence_transformers", "accelerate") }, async () => {
  const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  const folder = temporaryDirectory("embedtune-real-ddp-");
  const args = new SentenceTransformerTrainingArguments({
    outputDir: join(folder, "output"),
    device: "cpu",
    maxSteps: 3,
    perDeviceTrainBatchSize: 4,
    learningRate: 1e-3,
    loggingSteps: 1,
    saveStrategy: "steps",
    saveSteps: 3,
    disableTqdm: true,
  });
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: corpusPairScores(0, 24), loss: new CoSENTLoss(model) });
  const script = join(folder, "script");
  await exportTrainingScript(trainer, script);
  model.dispose();

  const started = Date.now();
  const run = spawnSync(interopPython(), ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "train.py"], {
    cwd: script,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, CUDA_VISIBLE_DEVICES: "", HF_HUB_OFFLINE: "1", OMP_NUM_THREADS: "1", PYTHONWARNINGS: "ignore", PYTHONDONTWRITEBYTECODE: "1" },
  });
  console.error(`torchrun --nproc_per_node 2 train.py: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(run.status, 0, run.stderr.slice(-3000));

  const state = JSON.parse(readFileSync(join(args.outputDir, "checkpoint-3", "trainer_state.json"), "utf8")) as { log_history: Record<string, number>[]; train_batch_size: number };
  const steps = state.log_history.filter((entry) => "loss" in entry);
  // 24 rows, 2 processes × 4 rows a step: 3 steps an epoch (alone, one process would need 6).
  assert.deepEqual(steps.map((entry) => [entry.step, Number(entry.epoch.toFixed(4))]), [[1, 0.3333], [2, 0.6667], [3, 1]]);
  assert.equal(state.train_batch_size, 4);

  const trained = await SentenceTransformer.load(join(args.outputDir, "final"), { quiet: true });
  const [embedding] = await trained.encode(["a sentence"]);
  assert.equal(embedding.length, 16);
  assert.ok(embedding.every(Number.isFinite));
  trained.dispose();
});
