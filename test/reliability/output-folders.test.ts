// Output folders never lose a user's files (issue 13, defect 1): init-model, export-onnx and
// savePretrained add or replace only the model's own files. A non-empty folder that holds no model is
// refused with one line naming --overwrite (overwrite: true in the library) unless that is given; a
// model folder keeps its foreign files (eval/, pytorch_model.bin). A move failing midway is rolled back.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import { exportOnnx, ONNX_MODEL_PATH } from "../../src/engines/onnxruntime/export.ts";
import { FileSystemError } from "../../src/io/file-system-errors.ts";
import { FolderNotEmptyError, writeModelFolder } from "../../src/io/output-folder.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { save } from "../../src/steps.ts";
import { snapshot } from "../support/files.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";
import { temporaryDirectory } from "../support/temp.ts";
import * as cli from "./cli.ts";

await initializeBackend({ quiet: true });

const workspace = temporaryDirectory("embedtune-output-folders-");
const SMALL = ["--hidden", "16", "--layers", "1", "--heads", "2", "--intermediate", "32", "--vocab-size", "600"];

function embedtune(...args: string[]): cli.Run {
  return cli.embedtune(args, { cache: join(workspace, "cache"), timeout: 60_000 });
}

/** The lines of stderr without the informational backend line a model load prints. */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "" && !/^embedtune: tfjs backend /.test(line));
}

/** Staging or backup siblings of `folder` left in its parent. */
function leftovers(folder: string): string[] {
  const name = folder.split("/").pop()!;
  return readdirSync(dirname(folder)).filter((entry) => entry.startsWith(`.${name}.tmp-`) || entry.startsWith(`.${name}.old-`));
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

test("init-model into a folder holding thesis.tex refuses with one line; --overwrite adds the model beside it", () => {
  const folder = join(workspace, "thesis");
  write(join(folder, "thesis.tex"), "\\documentclass{article}");
  write(join(folder, "figures", "plot.pdf"), "%PDF");
  const before = snapshot(folder);

  const refused = embedtune("init-model", "--out", folder, ...SMALL);
  assert.equal(refused.status, 1, refused.stderr);
  assert.equal(refused.stdout, "");
  assert.deepEqual(errorLines(refused.stderr), [
    `embedtune: error: ${folder}: folder is not empty and holds no model (figures, thesis.tex); ` +
      "choose a new or empty folder, or pass --overwrite to add the model's files beside what is there",
  ]);
  assert.deepEqual(snapshot(folder), before, "nothing was added or removed");
  assert.deepEqual(leftovers(folder), []);

  const added = embedtune("init-model", "--out", folder, ...SMALL, "--overwrite");
  assert.equal(added.status, 0, added.stderr);
  assert.equal(readFileSync(join(folder, "thesis.tex"), "utf8"), "\\documentclass{article}");
  assert.equal(readFileSync(join(folder, "figures", "plot.pdf"), "utf8"), "%PDF");
  for (const file of ["config.json", "model.safetensors", "modules.json", "tokenizer.json", "1_Pooling/config.json"]) {
    assert.ok(existsSync(join(folder, file)), `${file} was written`);
  }
  assert.deepEqual(leftovers(folder), []);
});

test("export-onnx --model M --out M keeps eval/ and pytorch_model.bin and adds onnx/model.onnx", async () => {
  const model = join(workspace, "own-folder");
  const copy = embedtune("init-model", "--out", model, ...SMALL, "--seed", "3");
  assert.equal(copy.status, 0, copy.stderr);
  write(join(model, "eval", "similarity_evaluation_results.csv"), "epoch,steps,cosine_pearson\n1,10,0.5\n");
  write(join(model, "pytorch_model.bin"), "torch weights");
  const weights = readFileSync(join(model, "model.safetensors"));

  const run = embedtune("export-onnx", "--model", model, "--out", model);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(readFileSync(join(model, "eval", "similarity_evaluation_results.csv"), "utf8"), "epoch,steps,cosine_pearson\n1,10,0.5\n");
  assert.equal(readFileSync(join(model, "pytorch_model.bin"), "utf8"), "torch weights");
  assert.ok(statSync(join(model, ONNX_MODEL_PATH)).size > 10_000);
  assert.deepEqual(readFileSync(join(model, "model.safetensors")), weights, "the same weights written back");
  assert.deepEqual(leftovers(model), []);
  const reloaded = await SentenceTransformer.load(model, { quiet: true });
  reloaded.dispose();
});

test("export-onnx into a folder with notes.txt and src/train.py: refused (CLI and library), then added beside them", async () => {
  const folder = join(workspace, "project");
  write(join(folder, "notes.txt"), "my notes");
  write(join(folder, "src", "train.py"), "import torch\n");
  const before = snapshot(folder);

  const refused = embedtune("export-onnx", "--model", await tinyModelTemplate(), "--out", folder);
  assert.equal(refused.status, 1, refused.stderr);
  const lines = errorLines(refused.stderr);
  assert.equal(lines.length, 1, refused.stderr);
  assert.match(lines[0], /^embedtune: error: .*project: folder is not empty and holds no model \(notes\.txt, src\); .*pass --overwrite /);
  assert.deepEqual(snapshot(folder), before);

  const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  try {
    await assert.rejects(exportOnnx(model, folder), (error: unknown) => {
      assert.ok(error instanceof FolderNotEmptyError);
      assert.match(error.message, /pass overwrite: true to add the model's files beside what is there$/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    assert.deepEqual(snapshot(folder), before);
    assert.deepEqual(leftovers(folder), []);

    await exportOnnx(model, folder, { overwrite: true });
    assert.equal(readFileSync(join(folder, "notes.txt"), "utf8"), "my notes");
    assert.equal(readFileSync(join(folder, "src", "train.py"), "utf8"), "import torch\n");
    assert.ok(existsSync(join(folder, ONNX_MODEL_PATH)));
    assert.ok(existsSync(join(folder, "modules.json")));
  } finally {
    model.dispose();
  }
});

test("savePretrained into a model folder replaces model.safetensors and keeps foreign files; saving twice works", async () => {
  const folder = join(workspace, "saved");
  const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  try {
    await model.savePretrained(folder);
    write(join(folder, "eval", "results.csv"), "a,b\n");
    write(join(folder, "notes.md"), "keep me");
    writeFileSync(join(folder, "model.safetensors"), "stale weights");
    writeFileSync(join(folder, "config.json"), "{\"stale\": true}");

    await model.savePretrained(folder);
    await save(model, folder);
    assert.equal(readFileSync(join(folder, "eval", "results.csv"), "utf8"), "a,b\n");
    assert.equal(readFileSync(join(folder, "notes.md"), "utf8"), "keep me");
    assert.deepEqual(readFileSync(join(folder, "model.safetensors")), readFileSync(join(await tinyModelTemplate(), "model.safetensors")));
    assert.equal((JSON.parse(readFileSync(join(folder, "config.json"), "utf8")) as { hidden_size: number }).hidden_size, 16);
    assert.deepEqual(leftovers(folder), []);
    const reloaded = await SentenceTransformer.load(folder, { quiet: true });
    reloaded.dispose();

    // An existing empty folder is fine; a non-empty one without a model needs overwrite: true.
    const empty = join(workspace, "empty");
    mkdirSync(empty);
    await model.savePretrained(empty);
    assert.ok(existsSync(join(empty, "modules.json")));
    const other = join(workspace, "other");
    write(join(other, "data.csv"), "x");
    await assert.rejects(model.savePretrained(other), /other: folder is not empty and holds no model \(data\.csv\);.*overwrite: true/);
    assert.deepEqual(readdirSync(other), ["data.csv"]);
    await model.savePretrained(other, { overwrite: true });
    assert.equal(readFileSync(join(other, "data.csv"), "utf8"), "x");
    assert.ok(existsSync(join(other, "model.safetensors")));
  } finally {
    model.dispose();
  }
});

test("a move that fails midway is rolled back: replaced files restored, new ones removed, one line naming the conflict", async () => {
  const folder = join(workspace, "conflict");
  write(join(folder, "config.json"), "old config");
  write(join(folder, "a.txt"), "old a");
  mkdirSync(join(folder, "c.txt"));
  write(join(folder, "mine.txt"), "mine");
  const before = snapshot(folder);
  await assert.rejects(
    writeModelFolder(folder, (staging) => {
      writeFileSync(join(staging, "a.txt"), "new a");
      writeFileSync(join(staging, "b.txt"), "new b");
      writeFileSync(join(staging, "c.txt"), "new c");
      writeFileSync(join(staging, "config.json"), "new config");
      mkdirSync(join(staging, "sub"));
      writeFileSync(join(staging, "sub", "d.txt"), "new d");
    }),
    (error: unknown) => {
      assert.ok(error instanceof FileSystemError);
      assert.equal(error.message, `${join(folder, "c.txt")} is a folder where the model has a file (EISDIR) while writing the model: nothing was changed there`);
      return true;
    },
  );
  assert.deepEqual(snapshot(folder), before, "a.txt restored, b.txt and sub/ removed");
  assert.deepEqual(leftovers(folder), []);

  // A file where the model has a folder: refused before anything moves.
  const second = join(workspace, "conflict-2");
  write(join(second, "modules.json"), "[]");
  write(join(second, "onnx"), "a file");
  await assert.rejects(
    writeModelFolder(second, (staging) => {
      mkdirSync(join(staging, "onnx"));
      writeFileSync(join(staging, "onnx", "model.onnx"), "graph");
      writeFileSync(join(staging, "modules.json"), "new");
    }),
    /onnx is a file where the model has a folder \(ENOTDIR\) while writing the model: nothing was changed there$/,
  );
  assert.equal(readFileSync(join(second, "modules.json"), "utf8"), "[]");
  assert.equal(readFileSync(join(second, "onnx"), "utf8"), "a file");
  assert.deepEqual(leftovers(second), []);
});
