// Weights saved in half precision (F16 as gte-modernbert-base ships them, BF16) load and compute in
// float32: sentence-transformers 6 (.venv) saves a tiny model of each family in that dtype, and embedtune's
// embeddings of the saved folder equal ST's after it widens the same weights back to float32
// (model.float()); embedtune says so once per process (the first load), and saves float32.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readSafetensors } from "../../../src/io/safetensors.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { interopPython, skipUnlessPython } from "../../support/python-interop.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";
import { temporaryDirectory } from "../../support/temp.ts";

const SCRIPT = new URL("./half_precision_reference.py", import.meta.url).pathname;
const TEXTS = ["Hi.", "A man is playing a guitar.", "Ein Mann spielt Gitarre."];
const CASES = [
  { model: "tiny-modernbert", dtype: "float16", stored: "F16" },
  { model: "tiny-xlm-roberta", dtype: "bfloat16", stored: "BF16" },
  { model: "tiny-mpnet", dtype: "float16", stored: "F16" },
] as const;
let widenedNotes = 0;

for (const { model: name, dtype, stored } of CASES) {
  const skip = skipUnlessShared(`models/${name}`) || skipUnlessPython("sentence_transformers", "torch");
  test(`${name} saved as ${stored} by sentence-transformers: float32 embeddings equal ST's, one note per process, saved back as F32`, { skip, timeout: 180_000 }, async () => {
    const workspace = temporaryDirectory();
    const folder = join(workspace, `${name}-${dtype}`);
    const python = spawnSync(interopPython(), [SCRIPT, sharedPath(`models/${name}`), folder, dtype, JSON.stringify(TEXTS)], { encoding: "utf8" });
    assert.equal(python.status, 0, python.stderr.slice(-2000));
    const dtypes = new Set([...readSafetensors(join(folder, "model.safetensors")).tensors.values()].map((entry) => entry.dtype));
    assert.deepEqual([...dtypes], [stored], "ST saved the weights in half precision");
    const reference = JSON.parse(readFileSync(`${folder}.json`, "utf8")) as { embeddings: number[][] };

    const notes: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => (notes.push(String(chunk)), true)) as typeof process.stderr.write;
    let model: SentenceTransformer;
    try {
      model = await SentenceTransformer.load(folder, { engine: "onnxruntime" });
    } finally {
      process.stderr.write = write;
    }
    const widened = notes.filter((line) => line.includes("widened to float32"));
    widenedNotes += widened.length;
    assert.equal(widenedNotes, 1, "one note in the whole process, at the first half-precision load");
    if (widened.length === 1) assert.match(widened[0], new RegExp(`model\\.safetensors stores weights as ${stored}; they are widened to float32`));
    const embeddings = await model.encode(TEXTS);
    assert.ok(maxAbsoluteDifference(embeddings.flat(), reference.embeddings.flat()) < 1e-5, "embeddings equal ST's on the widened weights");

    const saved = join(workspace, "saved");
    await model.save(saved);
    const savedTypes = new Set([...readSafetensors(join(saved, "model.safetensors")).tensors.values()].map((entry) => entry.dtype));
    assert.deepEqual([...savedTypes], ["F32"]);
    model.dispose();
  });
}
