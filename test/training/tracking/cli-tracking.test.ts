// `embedtune train --report-to/--run-name/--logging-dir` in a child process: a mistake is one error line
// before any data or model is read; a short run writes its TensorBoard file and CSV/JSONL log where
// --logging-dir says, named by --run-name, the JSONL equal to the final checkpoint's log_history.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { writeParquet } from "../../../src/data/parquet.ts";
import { errorLine, runEmbedtune, show } from "../../cli/embedtune-process.ts";
import { tinyModelTemplate } from "../../support/model-fixtures.ts";
import { corpusPairScores } from "../../support/pair-scores.ts";
import { temporaryDirectory } from "../../support/temp.ts";
import { readEventFile } from "../../support/tfevents-reader.ts";

const workspace = temporaryDirectory();
const trainFile = join(workspace, "train.parquet");
writeParquet(trainFile, corpusPairScores(0, 32));

test("--report-to mistakes and wandb: one line naming --report-to, before anything loads", async () => {
  const base = ["train", "--train", trainFile, "--output", join(workspace, "refused")];
  assert.match(errorLine(await runEmbedtune([...base, "--report-to", "tensorboard,mlflow"]), { beforeModel: true }), /^embedtune: error: --report-to: "mlflow" is not one of none, all, tensorboard, csv, wandb/);
  assert.match(errorLine(await runEmbedtune([...base, "--report-to", "wandb"]), { beforeModel: true }), /^embedtune: error: --report-to: "wandb" is not supported: .*wandb sync/);
  const blocker = join(workspace, "a-file");
  writeFileSync(blocker, "");
  assert.match(
    errorLine(await runEmbedtune([...base, "--report-to", "csv", "--logging-dir", join(blocker, "logs")]), { beforeModel: true }),
    /^embedtune: error: .*a-file is a file, not a folder \(ENOTDIR\) while checking that --logging-dir can be written/,
  );
});

test("--report-to tensorboard,csv --run-name --logging-dir: the files where asked, equal to log_history", { timeout: 120_000 }, async () => {
  const output = join(workspace, "output");
  const logs = join(workspace, "logs");
  const args = ["train", "--model", await tinyModelTemplate(), "--train", trainFile, "--output", output, "--max-steps", "4", "--batch-size", "8",
    "--logging-steps", "2", "--save-steps", "4", "--report-to", "tensorboard,csv", "--run-name", "cli-run", "--logging-dir", logs];
  const run = await runEmbedtune(args);
  assert.equal(run.status, 0, show(run));
  const files = readdirSync(logs).sort();
  assert.deepEqual(files.filter((name) => !name.startsWith("events.out.tfevents.")), ["cli-run.csv", "cli-run.jsonl"]);
  const history = (JSON.parse(readFileSync(join(output, "checkpoint-4", "trainer_state.json"), "utf8")) as { log_history: object[] }).log_history;
  const jsonl = readFileSync(join(logs, "cli-run.jsonl"), "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as object);
  assert.deepEqual(jsonl.slice(0, history.length), history);
  const eventFile = files.find((name) => name.startsWith("events.out.tfevents."))!;
  const losses = readEventFile(join(logs, eventFile)).flatMap((event) => event.values.filter((value) => value.tag === "train/loss").map(() => event.step));
  assert.deepEqual(losses, [2, 4]);
});
