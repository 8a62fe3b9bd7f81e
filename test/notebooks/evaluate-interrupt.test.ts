// Jupyter's stop button (SIGINT to the tslab kernel) during an evaluation and during hard-negative mining,
// through a real kernel. Both spend most of their time scoring after their last encode (synchronous work
// where no encode owns the interrupt): an InformationRetrievalEvaluator over a generated corpus (one default
// corpus chunk), run through the evaluate step, and mineHardNegatives over generated pairs, each interrupted
// 2 s into its cell. Each cell
// ends within seconds with one line (EvaluationInterruptedError / MiningInterruptedError), never tslab's
// "Interrupted asynchronously"; nothing prints afterwards and no work runs on (the next cell's process uses
// next to no CPU); the next cell evaluates and mines again. Skipped, saying why, where jupyter is missing.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { initModel } from "../../src/generator/init-model.ts";
import { jupyterSkipReason, prepareNotebookRun } from "../support/jupyter.ts";
import { cellText, runInKernel, type KernelCellResult } from "../support/kernel.ts";
import { temporaryDirectory } from "../support/temp.ts";

const skip = jupyterSkipReason();
const QUERIES = 4000;
const DOCUMENTS = 40_000;

/** Everything a cell showed, late outputs included. */
function allText(cell: KernelCellResult): string {
  return cellText(cell) + cellText({ outputs: cell.late });
}

/** The cell's last stdout line, parsed. */
function printedJson(cell: KernelCellResult): Record<string, unknown> {
  assert.equal(cell.status, "ok", allText(cell));
  return JSON.parse(cellText(cell, "stdout").trim().split("\n").at(-1)!) as Record<string, unknown>;
}

/** The one line naming `errorName` in an interrupted cell, checked: an error status, no tslab line, nothing late, ended soon. */
function interruptedLine(cell: KernelCellResult, errorName: string, forbidden: RegExp): string {
  const text = allText(cell);
  assert.notEqual(cell.interrupted_at, null, "the interrupt was sent");
  assert.equal(cell.status, "error", text);
  assert.doesNotMatch(text, /Interrupted asynchronously/);
  assert.doesNotMatch(text, forbidden);
  assert.deepEqual(cell.late, [], "nothing printed into the cell after it ended");
  assert.ok(cell.seconds - cell.interrupted_at! < 5, `the cell ended ${(cell.seconds - cell.interrupted_at!).toFixed(1)} s after the interrupt`);
  const lines = text.split("\n").filter((line) => line.includes(errorName));
  assert.equal(lines.length, 1, text);
  return lines[0];
}

/** A cell that checks nothing runs on in the background: CPU time used while it waits 1.5 s. */
const IDLE_CELL = `
const cpuBefore = process.cpuUsage();
await new Promise((resolve) => setTimeout(resolve, 1500));
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({ busy: (cpu.user + cpu.system) / 1000 > 500, sigintListeners: process.listenerCount("SIGINT") }));`;

test("a kernel interrupt stops an evaluation and mining in their scoring: one line each, nothing left running, the kernel stays usable", { skip, timeout: 600_000 }, async () => {
  prepareNotebookRun();
  const model = join(temporaryDirectory("embedtune-evaluate-interrupt-"), "model");
  await initModel({ out: model, hidden: 32, layers: 1, heads: 2, intermediate: 64, vocabSize: 1500, seed: 9 });
  const [setup, evaluation, afterEvaluation, evaluationAgain, mining, afterMining, miningAgain] = runInKernel([
    {
      code: `
import { Dataset, evaluate, InformationRetrievalEvaluator, mineHardNegatives, SentenceTransformer } from "embedtune";
const model = await SentenceTransformer.load(${JSON.stringify(model)}, { quiet: true });
const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => prefix + i);
const queries = Object.fromEntries(ids("q", ${QUERIES}).map((id, i) => [id, "question number " + i]));
const corpus = Object.fromEntries(ids("d", ${DOCUMENTS}).map((id, i) => [id, "document number " + i]));
const relevant = Object.fromEntries(ids("q", ${QUERIES}).map((id, i) => [id, ["d" + i]]));
const pairs = Dataset.fromColumns({ anchor: Object.values(queries), positive: Object.values(corpus).slice(0, ${QUERIES}) });
console.log("ready");`,
    },
    {
      code: `
const metrics = await evaluate(model, new InformationRetrievalEvaluator(queries, corpus, relevant, { name: "generated", batchSize: 256 }));
console.log("evaluated", metrics["generated_cosine_ndcg@10"]);`,
      interruptAfter: 2,
      linger: 4,
      timeout: 120,
    },
    { code: IDLE_CELL },
    {
      code: `
const small = await new InformationRetrievalEvaluator({ q0: "question number 0" }, { d0: "document number 0", d1: "document number 1" }, { q0: ["d0"] }, { accuracyAtK: [1], precisionRecallAtK: [1], mrrAtK: [1], ndcgAtK: [1], mapAtK: [1] }).evaluate(model);
console.log(JSON.stringify({ keys: Object.keys(small).length }));`,
    },
    {
      code: `
const mined = await mineHardNegatives(pairs, model, { corpus: Object.values(corpus), verbose: false, batchSize: 256 });
console.log("mined", mined.numRows);`,
      interruptAfter: 2,
      linger: 4,
      timeout: 120,
    },
    { code: IDLE_CELL },
    {
      code: `
const minedSmall = await mineHardNegatives(pairs.select([0, 1, 2]), model, { verbose: false, numNegatives: 1 });
console.log(JSON.stringify({ rows: minedSmall.numRows }));`,
    },
  ]);
  assert.match(cellText(setup), /ready/, allText(setup));

  const evaluationLine = interruptedLine(evaluation, "EvaluationInterruptedError", /evaluated/);
  const stopped = /^EvaluationInterruptedError: evaluation interrupted \(InformationRetrievalEvaluator "generated"\) (.+); no metrics were returned$/.exec(evaluationLine);
  assert.ok(stopped, evaluationLine);
  assert.deepEqual(printedJson(afterEvaluation), { busy: false, sigintListeners: 1 });
  assert.deepEqual(printedJson(evaluationAgain), { keys: 6 });

  const miningLine = interruptedLine(mining, "MiningInterruptedError", /mined/);
  const mined = /^MiningInterruptedError: mining interrupted after (\d+) of (\d+) queries; no dataset was returned$/.exec(miningLine);
  assert.ok(mined, miningLine);
  assert.equal(Number(mined[2]), QUERIES);
  assert.deepEqual(printedJson(afterMining), { busy: false, sigintListeners: 1 });
  assert.deepEqual(printedJson(miningAgain), { rows: 3 });
  console.log(
    `# evaluation interrupted ${evaluation.interrupted_at!.toFixed(1)} s into its cell, stopped ${stopped[1]}, cell ended ${(evaluation.seconds - evaluation.interrupted_at!).toFixed(1)} s later; ` +
      `mining stopped after ${mined[1]} of ${QUERIES} queries, ${(mining.seconds - mining.interrupted_at!).toFixed(1)} s after the interrupt`,
  );
});
