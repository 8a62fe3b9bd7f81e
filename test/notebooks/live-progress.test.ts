// Live progress in a real tslab kernel (through jupyter_client): training a tiny model in a cell shows one
// HTML display that update_display_data messages redraw with step/total, ETA and loss while it runs, and
// that ends as one "done" line; none of it on stderr; each log printed once (showTrainingProgress's line,
// no JSON line beside it); showTrainingProgress's handle reads as one line as the cell's last expression.
// An encode of many sentences with showProgressBar shows the same kind of live line.

import assert from "node:assert/strict";
import { join } from "node:path";
import { before, test } from "node:test";
import { jupyterSkipReason, prepareNotebookRun } from "../support/jupyter.ts";
import { cellText, runInKernel, type KernelCellResult, type KernelOutput } from "../support/kernel.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { prepareFixture, type TrainingFixture } from "../reliability/training-helpers.ts";

const skip = jupyterSkipReason();

/** The outputs of the cell's display (display_data then its update_display_data), by display id, as text. */
function progressDisplays(cell: KernelCellResult, label: string): Map<string, { type: KernelOutput["type"]; text: string; html: string }[]> {
  const displays = new Map<string, { type: KernelOutput["type"]; text: string; html: string }[]>();
  for (const output of cell.outputs) {
    const id = output.transient?.display_id;
    if (!id || (output.type !== "display_data" && output.type !== "update_display_data")) continue;
    const text = String(output.data?.["text/plain"] ?? "");
    if (!displays.has(id) && !text.startsWith(label)) continue;
    if (!displays.has(id)) displays.set(id, []);
    displays.get(id)!.push({ type: output.type, text, html: String(output.data?.["text/html"] ?? "") });
  }
  return displays;
}

let fixture: TrainingFixture;
let cells: KernelCellResult[];

before(async () => {
  if (skip) return;
  prepareNotebookRun();
  fixture = await prepareFixture(temporaryDirectory());
  const output = join(fixture.workspace, "run");
  cells = runInKernel([
    {
      code: [
        'import { loadDataset, loadModel, SentenceTransformerTrainer, SentenceTransformerTrainingArguments, showTrainingProgress } from "embedtune";',
        `const model = await loadModel(${JSON.stringify(fixture.model)});`,
        `const pairs = await loadDataset("parquet", { dataFiles: ${JSON.stringify(fixture.train)}, split: "train" });`,
        "pairs.numRows",
      ].join("\n"),
    },
    {
      code: [
        "const args = new SentenceTransformerTrainingArguments({",
        `  outputDir: ${JSON.stringify(output)}, numTrainEpochs: 4, perDeviceTrainBatchSize: 8, learningRate: 1e-3, loggingSteps: 20, saveStrategy: "no", seed: 42,`,
        "});",
        "const trainer = new SentenceTransformerTrainer({ model: model, args: args, trainDataset: pairs });",
        'const progress = showTrainingProgress(trainer, { chart: false });',
        "await trainer.train();",
        "progress",
      ].join("\n"),
      timeout: 120,
    },
    {
      code: [
        "const sentences = Array.from({ length: 6000 }, (_, i) => `sentence ${i}: ${pairs.row(i % pairs.numRows).sentence1}`);",
        "const embeddings = await model.encode(sentences, { batchSize: 8, showProgressBar: true });",
        "embeddings.length",
      ].join("\n"),
      timeout: 120,
    },
  ]);
});

test("the set-up cell runs", { skip }, () => assert.equal(cells[0].status, "ok", JSON.stringify(cells[0])));

test("training in a cell: one live HTML line updated by its display id with step/total, ETA and loss, ending as 'done'", { skip }, (t) => {
  const cell = cells[1];
  assert.equal(cell.status, "ok", cellText(cell));
  const displays = progressDisplays(cell, "Training");
  assert.equal(displays.size, 1, `one progress display: ${JSON.stringify([...displays.values()])}`);
  const [messages] = [...displays.values()];
  assert.equal(messages[0].type, "display_data");
  assert.equal(messages[0].text, "Training 0/200 · 0.0 s");
  const updates = messages.slice(1);
  assert.ok(updates.every((message) => message.type === "update_display_data"));
  const live = updates.filter((message) => /^Training \d+\/200 · [\d.:]+( s)? · ETA [\d.:]+( s)? · loss \d+\.\d{4}$/.test(message.text));
  assert.ok(live.length >= 1, `live lines with ETA and loss while training:\n${updates.map((message) => message.text).join("\n")}`);
  assert.ok(live.every((message) => Number(/^Training (\d+)\//.exec(message.text)![1]) < 200));
  assert.match(live[0].html, /<progress value="0\.\d+" max="1"/);
  assert.match(updates.at(-1)!.text, /^Training done: 200\/200 in [\d.:]+( s)? · loss \d+\.\d{4}$/);
  t.diagnostic(`${updates.length} updates; first live: ${live[0].text}; final: ${updates.at(-1)!.text}`);
});

test("training in a cell: nothing of the progress on stderr, each log printed once, the handle as one line", { skip }, () => {
  const cell = cells[1];
  const stderr = cellText(cell, "stderr");
  assert.doesNotMatch(stderr, /Training|\d+\/200/, stderr);
  const stdout = cellText(cell, "stdout").split("\n");
  assert.deepEqual(stdout.filter((line) => line.includes('"loss"')), [], "no raw JSON log lines in a notebook");
  const logLines = stdout.filter((line) => /^step \d+\/200 {2}epoch/.test(line));
  assert.deepEqual(
    logLines.map((line) => Number(/^step (\d+)/.exec(line)![1])),
    Array.from({ length: 10 }, (_, i) => 20 * (i + 1)),
    `one line per log (every 20 steps):\n${stdout.join("\n")}`,
  );
  assert.match(cellText(cell), /TrainingProgress: a line per log and evaluation \(eval_loss at each evaluation\); \.stop\(\) detaches it/);
  assert.doesNotMatch(cellText(cell), /\[Function/);
});

test("encode with showProgressBar in a cell: the same live line (Batches n/750, ETA), ending as 'done', nothing on stderr", { skip }, (t) => {
  const cell = cells[2];
  assert.equal(cell.status, "ok", cellText(cell));
  assert.match(cellText(cell), /6000/);
  const displays = progressDisplays(cell, "Batches");
  assert.equal(displays.size, 1);
  const [messages] = [...displays.values()];
  assert.equal(messages[0].text, "Batches 0/750 · 0.0 s");
  const live = messages.slice(1, -1);
  assert.ok(live.length >= 1 && live.every((message) => message.type === "update_display_data" && /^Batches \d+\/750 · [\d.:]+( s)? · ETA /.test(message.text)), messages.map((message) => message.text).join("\n"));
  assert.match(messages.at(-1)!.text, /^Batches done: 750\/750 in /);
  t.diagnostic(`${messages.length - 1} updates; final: ${messages.at(-1)!.text}`);
  assert.doesNotMatch(cellText(cell, "stderr"), /Batches/);
});
