// Issue 11 item 4 through a real tslab kernel: a 3-epoch run leaves its checkpoints in the output
// folder; running that configuration again starts over with a note on stdout (no red stderr box) and
// writes the same checkpoints; a 1-epoch run resumed there refuses to take them, and a new 1-epoch run
// ends its cell with the one line saying whose checkpoints they are, what differs and the ways on
// (nothing trained or written). Skipped, saying why, where jupyter is missing.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { prepareFixture } from "../reliability/training-helpers.ts";
import { jupyterSkipReason, prepareNotebookRun } from "../support/jupyter.ts";
import { cellText, runInKernel, type KernelCellResult } from "../support/kernel.ts";
import { temporaryDirectory } from "../support/temp.ts";

const skip = jupyterSkipReason();

/** The cell's last stdout line, parsed. */
function printedJson(cell: KernelCellResult): unknown {
  assert.equal(cell.status, "ok", cellText(cell));
  return JSON.parse(cellText(cell, "stdout").trim().split("\n").at(-1)!);
}

test("in a notebook, a run into a folder holding another configuration's checkpoints ends its cell with one line; the same configuration starts over with a note", { skip, timeout: 600_000 }, async () => {
  prepareNotebookRun();
  const workspace = temporaryDirectory("embedtune-run-configuration-kernel-");
  const fixture = await prepareFixture(workspace);
  const output = join(workspace, "run");
  const trainCell = (epochs: number, trainOptions = "") => `
{
  const model = await SentenceTransformer.load(${JSON.stringify(fixture.model)}, { quiet: true });
  const trainer = new SentenceTransformerTrainer({ model: model, args: argsFor(${epochs}), trainDataset: rows, loss: new CoSENTLoss(model) });
  await trainer.train(${trainOptions});
  console.log(JSON.stringify(listed()));
}`;
  // The refused 1-epoch run is the last cell: a cell ending in an error makes Jupyter abort the queued ones.
  const [setup, earlier, again, otherResumed, other] = runInKernel([
    {
      code: `
import { readdirSync } from "node:fs";
import { CoSENTLoss, loadDataset, SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments } from "embedtune";
const data = await loadDataset("parquet", { dataFiles: ${JSON.stringify(fixture.train)}, split: "train" });
const rows = data.select(Array.from({ length: 96 }, (_, i) => i));
const argsFor = (epochs: number) => new SentenceTransformerTrainingArguments({
  outputDir: ${JSON.stringify(output)}, numTrainEpochs: epochs, perDeviceTrainBatchSize: 8, learningRate: 1e-3, saveStrategy: "epoch", disableTqdm: true,
});
const listed = () => readdirSync(${JSON.stringify(output)}).filter((name) => name.startsWith("checkpoint-")).sort();
console.log("ready", rows.numRows);`,
    },
    { code: trainCell(3) },
    { code: trainCell(3) },
    { code: `try {${trainCell(1, "{ resumeFromCheckpoint: true }")}
} catch (error) {
  console.log(String(error));
}` },
    { code: trainCell(1) },
  ]);
  assert.match(cellText(setup), /ready 96/, cellText(setup));
  assert.deepEqual(printedJson(earlier), ["checkpoint-12", "checkpoint-24", "checkpoint-36"]);

  const checkpoint36 = JSON.stringify(join(output, "checkpoint-36"));
  assert.equal(other.status, "error");
  assert.ok(
    cellText(other).includes(
      `outputDir: ${output} holds checkpoints of another run configuration: checkpoint-12, checkpoint-24, checkpoint-36 (numTrainEpochs 3 → 1); ` +
        `resume one by its path (resumeFromCheckpoint: ${checkpoint36}), choose another outputDir, or pass overwriteOutputDir: true to delete them`,
    ),
    cellText(other),
  );
  assert.ok(
    cellText(otherResumed, "stdout").includes(`resumeFromCheckpoint: no checkpoint in ${output} is of this run configuration: checkpoint-12, checkpoint-24, checkpoint-36 (numTrainEpochs 3 → 1)`),
    cellText(otherResumed),
  );

  assert.deepEqual(printedJson(again), ["checkpoint-12", "checkpoint-24", "checkpoint-36"]);
  assert.deepEqual(readdirSync(output).filter((name) => name.startsWith("checkpoint-")).sort(), ["checkpoint-12", "checkpoint-24", "checkpoint-36"], "the refused runs wrote nothing");
  assert.ok(
    cellText(again, "stdout").includes(`embedtune: ${output} holds checkpoint-12, checkpoint-24, checkpoint-36 of this same run configuration: starting over`),
    cellText(again),
  );
  assert.doesNotMatch(cellText(again, "stderr"), /starting over/);
});
