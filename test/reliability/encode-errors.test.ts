// `embedtune encode` never hides a write error and never prints null (issue 13, defects 2, 3, 7):
// stdout on /dev/full is one line `… (ENOSPC) while writing the embeddings to standard output`, exit 1,
// and so is stdout redirected to a file on a nearly full disk (a 1 MB tmpfs, where mounting is
// permitted) whose only write is cut short (Node's stdout stream dropped the rest and exited 0);
// a reader that closes the pipe early (`| head -1`) ends it quietly, exit 0 (the documented choice);
// a model whose output is NaN for one sentence (finite weights that overflow: the [UNK] embedding row
// set to 3e38) is one line naming that input line, exit 1, nothing printed, an earlier --output intact;
// a model with a NaN weight is refused in one line either when it loads or when it encodes.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, cpSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { projectRoot } from "../support/shared.ts";
import { float32Tensor, float32Values, rewriteTensors } from "../support/model-fixtures.ts";
import { mountTmpfs, NO_TMPFS } from "../support/mounts.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { embedtune, show } from "./cli.ts";
import { assertOneLineError, assertSuccess, sentences, tinyModel } from "./encode-cli.ts";

const workspace = temporaryDirectory("embedtune-encode-errors-");
const model = await tinyModel(32);
const input = join(workspace, "sentences.txt");
writeFileSync(input, `${sentences(5000).join("\n")}\n`);

/** A copy of the model with `tensor`'s values (or only row `row` of them) replaced by `value`. */
function brokenModel(name: string, tensor: string, value: number, row?: number): string {
  const folder = join(workspace, name);
  cpSync(model, folder, { recursive: true });
  rewriteTensors(folder, (tensors) =>
    tensors.map((entry) => {
      if (entry.name !== tensor && !entry.name.endsWith(`.${tensor}`)) return entry;
      const values = float32Values(entry);
      const width = entry.shape.at(-1)!;
      if (row === undefined) values.fill(value);
      else values.fill(value, row * width, (row + 1) * width);
      return float32Tensor(entry.name, entry.shape, values);
    }),
  );
  return folder;
}

test("stdout on a full disk (/dev/full): one line naming ENOSPC and standard output, exit 1", { skip: existsSync("/dev/full") ? false : "no /dev/full" }, () => {
  const fd = openSync("/dev/full", "w");
  try {
    const run = embedtune(["encode", "--model", model, "--input", input], { stdout: fd });
    const line = assertOneLineError(run);
    assert.match(line, /\(ENOSPC\) while writing the embeddings to standard output$/, show(run));
  } finally {
    closeSync(fd);
  }
});

const tmpfs = mountTmpfs(join(workspace, "tmpfs"), "1m");

test("stdout to a file on a disk that fills during the only write: one line naming the file, exit 1", { skip: tmpfs ? false : NO_TMPFS }, () => {
  writeFileSync(join(tmpfs!, "filler"), new Uint8Array(900_000));
  const few = join(workspace, "few.txt");
  writeFileSync(few, `${sentences(300).join("\n")}\n`); // one block of ~200 kB of JSON: only ~100 kB fit
  const target = join(tmpfs!, "out.jsonl");
  const fd = openSync(target, "w");
  try {
    const run = embedtune(["encode", "--model", model, "--input", few], { stdout: fd });
    const line = assertOneLineError(run);
    assert.match(line, /\(ENOSPC\) while writing the embeddings to standard output$/, show(run));
    assert.ok(line.includes(target), line);
  } finally {
    closeSync(fd);
  }
});

test("the reader closes stdout after the first line (| head -1): exit 0, nothing on stderr but the backend line", async () => {
  const child = spawn(process.execPath, ["bin/embedtune.js", "encode", "--model", model, "--input", input], { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
  let first = "";
  await new Promise<void>((resolve) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      first += chunk;
      if (first.includes("\n")) {
        child.stdout.destroy();
        resolve();
      }
    });
    child.on("close", () => resolve());
  });
  const status = await closed;
  assert.ok(first.includes("\n"), `nothing was printed:\n${stderr}`);
  assertSuccess({ status, stdout: "", stderr });
});

test("a NaN embedding for one sentence: one line naming its input line, exit 1, no null printed, an earlier --output intact", () => {
  const overflowing = brokenModel("overflowing", "word_embeddings.weight", 3e38, 1); // row 1 is [UNK]
  const file = join(workspace, "snowman.txt");
  writeFileSync(file, "a man plays\nthe dog runs\nthe ☃ melts\na cat\n");

  const run = embedtune(["encode", "--model", overflowing, "--input", file]);
  const line = assertOneLineError(run);
  assert.equal(run.stdout, "", show(run));
  assert.ok(line.includes(`${file} line 3 ("the ☃ melts")`), line);
  assert.match(line, /NaN/);
  assert.match(line, /non-finite or overflowing weights/);

  const arguments_ = assertOneLineError(embedtune(["encode", "--model", overflowing, "a man", "the ☃ melts"]));
  assert.match(arguments_, /sentence 2 \("the ☃ melts"\)/);

  const outputs = join(workspace, "outputs");
  cpSync(file, join(outputs, "keep.npy"));
  const toFile = embedtune(["encode", "--model", overflowing, "--input", file, "--output", join(outputs, "keep.npy")]);
  assertOneLineError(toFile);
  assert.deepEqual(readdirSync(outputs), ["keep.npy"]);
  assert.equal(readFileSync(join(outputs, "keep.npy"), "utf8"), readFileSync(file, "utf8"));
});

test("a NaN weight: refused in one line (when the model loads or when it encodes), exit 1, no null printed", () => {
  const nan = brokenModel("nan-weight", "embeddings.LayerNorm.weight", NaN);
  const run = embedtune(["encode", "--model", nan, "hello", "world"]);
  const line = assertOneLineError(run);
  assert.doesNotMatch(run.stdout, /null/);
  assert.ok(line.includes(join(nan, "model.safetensors")) || /sentence 1 \("hello"\)/.test(line), line);
});
