// `embedtune encode --output FILE` (issue 13): .jsonl, .npy and .parquet hold the library's embeddings
// (1e-6) for an input spanning 10 blocks; the .npy file is byte for byte what numpy.save writes (header
// checked by hand, and against numpy when python3 has it); the .parquet file reads back through
// src/data/parquet.ts (and pyarrow when present) with text + list<float> columns. A CRLF input loses its
// \r. An unknown extension or an output folder that does not exist is one line before the model loads;
// a disk that fills up (a 1 MB tmpfs, where mounting is permitted) is one line, leaves no temporary file
// and an earlier output intact.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readParquetFile } from "../../src/data/parquet.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { mountTmpfs, NO_TMPFS } from "../support/mounts.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { embedtune, show } from "./cli.ts";
import { assertClose, assertOneLineError, assertSuccess, sentences, tinyModel } from "./encode-cli.ts";

const workspace = temporaryDirectory("embedtune-encode-outputs-");
const model = await tinyModel(32);
const DIMENSION = 32;

// A newline inside a sentence (so the input is .jsonl), non-ASCII text and an empty sentence; with
// --batch-size 8 the blocks hold 256 sentences, so 2,500 sentences make 10 blocks (10 row groups).
const texts = [...sentences(2497), "first line\nsecond line", "café naïve — ünïcödé 😀", ""];
const input = join(workspace, "input.jsonl");
writeFileSync(input, texts.map((text) => `${JSON.stringify(text)}\n`).join(""));

const library = await SentenceTransformer.load(model, { quiet: true });
const expected = await library.encode(texts, { normalizeEmbeddings: true });
library.dispose();

function python(module: string): boolean {
  return spawnSync("python3", ["-c", `import ${module}`], { stdio: "ignore" }).status === 0;
}
const NUMPY_SKIP = python("numpy") ? false : "python3 with numpy is not installed";
const PYARROW_SKIP = python("pyarrow") ? false : "python3 with pyarrow is not installed";

function runPython(script: string, ...args: string[]): unknown {
  const result = spawnSync("python3", ["-c", script, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

function encodeTo(output: string, inputFile = input): void {
  assertSuccess(embedtune(["encode", "--model", model, "--input", inputFile, "--batch-size", "8", "--output", output]));
  assert.deepEqual(leftovers(workspace), [], "a temporary file was left beside the output");
}

const encoded = new Map<string, string>();
/** out.EXTENSION encoded from the 2,500 sentences, once per extension (the tests of a format share it). */
function encodedFile(extension: string): string {
  let path = encoded.get(extension);
  if (path === undefined) {
    path = join(workspace, `out${extension}`);
    encodeTo(path);
    encoded.set(extension, path);
  }
  return path;
}

/** Temporary files (`.NAME.PID.tmp`) in `directory`. */
function leftovers(directory: string): string[] {
  return readdirSync(directory).filter((entry) => entry.endsWith(".tmp"));
}

test(".jsonl: one JSON array per sentence, equal to the library's", () => {
  const path = encodedFile(".jsonl");
  const text = readFileSync(path, "utf8");
  assert.ok(text.endsWith("\n"));
  assertClose(text.slice(0, -1).split("\n").map((line) => JSON.parse(line) as number[]), expected, 1e-6);
});

test(".npy: numpy's format 1.0 header, float32 rows equal to the library's", () => {
  const path = encodedFile(".npy");
  const bytes = readFileSync(path);
  // Magic, version 1.0, header length 118 (little-endian), the dict, room for a 21-digit count, '\n' at byte 127.
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${texts.length}, ${DIMENSION}), }`;
  const header = Buffer.concat([Buffer.from([0x93]), Buffer.from("NUMPY"), Buffer.from([1, 0, 118, 0]), Buffer.from(`${dict.padEnd(117)}\n`, "latin1")]);
  assert.equal(header.length, 128);
  assert.deepEqual(bytes.subarray(0, 128), header, `header: ${JSON.stringify(bytes.subarray(0, 128).toString("latin1"))}`);
  assert.equal(bytes.length, 128 + texts.length * DIMENSION * 4);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 128, bytes.byteOffset + bytes.length));
  const rows = texts.map((_, row) => Array.from(values.subarray(row * DIMENSION, (row + 1) * DIMENSION)));
  assertClose(rows, expected, 1e-6);
});

test(".npy: numpy.load reads it, and numpy.save of that array writes the same bytes", { skip: NUMPY_SKIP }, () => {
  const path = encodedFile(".npy");
  const script = [
    "import io, json, sys, numpy as np",
    "a = np.load(sys.argv[1])",
    "buffer = io.BytesIO(); np.save(buffer, a)",
    "print(json.dumps({'shape': list(a.shape), 'dtype': str(a.dtype), 'same': buffer.getvalue() == open(sys.argv[1], 'rb').read(), 'rows': a.tolist()}))",
  ].join("\n");
  const result = runPython(script, path) as { shape: number[]; dtype: string; same: boolean; rows: number[][] };
  assert.deepEqual(result.shape, [texts.length, DIMENSION]);
  assert.equal(result.dtype, "float32");
  assert.ok(result.same, "numpy.save writes different bytes for the same array");
  assertClose(result.rows, expected, 1e-6);
});

test(".parquet: text and embedding columns, read back by the project's parquet reader", async () => {
  const path = encodedFile(".parquet");
  const dataset = await readParquetFile(path);
  assert.deepEqual(dataset.columnNames, ["text", "embedding"]);
  assert.deepEqual(dataset.column("text"), texts);
  assertClose(dataset.column("embedding") as number[][], expected, 1e-6);
});

test(".parquet: pyarrow reads list<float> embeddings in 10 row groups", { skip: PYARROW_SKIP }, () => {
  const path = encodedFile(".parquet");
  const script = [
    "import json, sys, pyarrow.parquet as pq",
    "t = pq.read_table(sys.argv[1])",
    "print(json.dumps({'schema': [f'{f.name}: {f.type}' for f in t.schema], 'groups': pq.ParquetFile(sys.argv[1]).metadata.num_row_groups,",
    "  'text': t.column('text').to_pylist(), 'embedding': t.column('embedding').to_pylist()}))",
  ].join("\n");
  const result = runPython(script, path) as { schema: string[]; groups: number; text: string[]; embedding: number[][] };
  assert.deepEqual(result.schema, ["text: string", "embedding: list<element: float not null>"]);
  assert.equal(result.groups, 10);
  assert.deepEqual(result.text, texts);
  assertClose(result.embedding, expected, 1e-6);
});

test("a CRLF text input: the lines without their \\r", async () => {
  const crlf = join(workspace, "crlf.txt");
  writeFileSync(crlf, "a man plays\r\n\r\nthe dog runs\r\n");
  const path = join(workspace, "crlf.parquet");
  encodeTo(path, crlf);
  assert.deepEqual((await readParquetFile(path)).column("text"), ["a man plays", "", "the dog runs"]);
});

test("an unknown extension, no extension, a missing folder: one line naming --output or the path, before the model loads", () => {
  const missingModel = join(workspace, "no-such-model");
  for (const output of ["out.csv", "embeddings"]) {
    const line = assertOneLineError(embedtune(["encode", "--model", missingModel, "--output", join(workspace, output), "hello"]));
    assert.match(line, /--output: .*(unknown extension "\.csv"|has no extension).*\.jsonl.*\.npy.*\.parquet/);
  }
  const inMissingFolder = join(workspace, "no-such-folder", "out.npy");
  const line = assertOneLineError(embedtune(["encode", "--model", missingModel, "--output", inMissingFolder, "hello"]));
  assert.ok(line.includes(inMissingFolder), line);
  assert.match(line, /ENOENT/);
  assert.ok(!existsSync(join(workspace, "no-such-folder")));
});

// ---- a full disk ---------------------------------------------------------------------------------

const tmpfs = mountTmpfs(join(workspace, "tmpfs"), "1m");

test("disk full while writing .npy: one line, no temporary file, the earlier file intact", { skip: tmpfs ? false : NO_TMPFS }, () => {
  const folder = tmpfs!;
  const target = join(folder, "out.npy");
  writeFileSync(target, "earlier output");
  const big = join(workspace, "big.txt");
  writeFileSync(big, `${sentences(10_000).join("\n")}\n`); // 10,000 × 32 × 4 bytes: more than 1 MB
  const run = embedtune(["encode", "--model", model, "--input", big, "--output", target]);
  const line = assertOneLineError(run);
  assert.match(line, /\(ENOSPC\) while writing the embeddings to /, show(run));
  assert.ok(line.includes(target), line);
  assert.deepEqual(readdirSync(folder), ["out.npy"]);
  assert.equal(readFileSync(target, "utf8"), "earlier output");
});
