// fp16 / bf16 (sentence-transformers' tutorial sets fp16): the trainer notes that training runs in float32,
// naming the engine the run actually uses — the model's after args.engine is applied, so onnxruntime by
// default — once per process, when train() starts (constructing a trainer says nothing). Outside a notebook
// the note is on stderr (stdout carries results); in a notebook it is on stdout (kernel-interrupt.test.ts).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { before, test } from "node:test";
import { prepareFixture, type TrainingFixture } from "../reliability/training-helpers.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

const workspace = temporaryDirectory("embedtune-precision-note-");
let fixture: TrainingFixture;
before(async () => {
  fixture = await prepareFixture(workspace);
});

const source = (path: string) => JSON.stringify(pathToFileURL(join(projectRoot, path)).href);

/**
 * Runs trainers one after another in one process, each `{ precision, engine }`; prints "constructed" after
 * each constructor and the model's engine after each train(). Returns stdout and stderr.
 */
function runTrainers(name: string, runs: { precision: "fp16" | "bf16"; engine?: "tfjs" | "onnxruntime" }[]): { stdout: string; stderr: string } {
  const script = join(workspace, `${name}.mts`);
  writeFileSync(
    script,
    `
import { loadDataFile } from ${source("src/data/load-dataset.ts")};
import { CoSENTLoss } from ${source("src/losses/cosent.ts")};
import { SentenceTransformer } from ${source("src/models/sentence-transformer.ts")};
import { SentenceTransformerTrainingArguments } from ${source("src/training/arguments.ts")};
import { SentenceTransformerTrainer } from ${source("src/training/trainer.ts")};
const model = await SentenceTransformer.load(${JSON.stringify(fixture.model)}, { quiet: true });
const trainDataset = await loadDataFile("parquet", ${JSON.stringify(fixture.train)});
for (const [index, run] of ${JSON.stringify(runs)}.entries()) {
  const args = new SentenceTransformerTrainingArguments({
    outputDir: ${JSON.stringify(join(workspace, name))} + "-" + index, maxSteps: 1, saveStrategy: "no", perDeviceTrainBatchSize: 8,
    disableTqdm: true, [run.precision]: true, ...(run.engine ? { engine: run.engine } : {}),
  });
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset, loss: new CoSENTLoss(model) });
  console.error("constructed");
  await trainer.train();
  console.error("trained on " + model.engine);
}
`,
  );
  const result = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: projectRoot, encoding: "utf8", timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  return { stdout: result.stdout, stderr: result.stderr };
}

const noteLines = (text: string) => text.split("\n").filter((line) => /fp16|bf16/.test(line));

test("fp16 with the default engine: one note on stderr naming the engine in use (onnxruntime where it loads), after the constructor", () => {
  const { stdout, stderr } = runTrainers("default", [{ precision: "fp16" }]);
  const engine = /trained on (\S+)/.exec(stderr)?.[1] ?? assert.fail(stderr);
  assert.deepEqual(noteLines(stderr), [`embedtune: note: fp16 requested; the ${engine} engine computes in float32, so training runs in float32.`]);
  assert.ok(stderr.indexOf("constructed") < stderr.indexOf("embedtune: note:"), stderr);
  assert.deepEqual(noteLines(stdout), []);
});

test("bf16 with args.engine tfjs on a model loaded on its default engine: the note names tfjs; a second run in the process says nothing", () => {
  const { stdout, stderr } = runTrainers("switched", [{ precision: "bf16", engine: "tfjs" }, { precision: "fp16", engine: "onnxruntime" }]);
  assert.deepEqual(noteLines(stderr), ["embedtune: note: bf16 requested; the tfjs engine computes in float32, so training runs in float32."]);
  assert.equal(stderr.match(/trained on/g)?.length, 2, stderr);
  assert.deepEqual(noteLines(stdout), []);
});
