// The real `embedtune` command as a child process (bin/embedtune.js through tsx): help, exit codes,
// one-line user errors without stack traces, init-model → encode, input files, and parity with the
// PyTorch golden values of ../shared/models/tiny-bert. Each start costs about a second, so the
// assertions are batched into few invocations.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { maxAbsoluteDifference } from "../support/compare.ts";
import { freshTinyModel, readJson, writeJson } from "../support/model-fixtures.ts";
import { projectRoot, sharedPath, skipUnlessShared } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

const cache = temporaryDirectory("embedtune-cli-cache-");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function embedtune(...args: string[]): Run {
  const result = spawnSync(process.execPath, ["bin/embedtune.js", ...args], {
    cwd: projectRoot,
    env: { ...process.env, EMBEDTUNE_CACHE: cache },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function show(run: Run): string {
  return `exit ${run.status}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
}

/** The line a model load prints before loading (informational, not part of an error). */
const BACKEND_LINE = /^embedtune: tfjs backend \S/;

/**
 * A user error: exit code `status`, nothing on stdout, no stack frames, and stderr exactly one line
 * `embedtune: error: …`. Where a model had started loading, the backend report line may precede it.
 */
function assertUserError(run: Run, options: { status?: number; afterBackendLine?: boolean } = {}): string {
  assert.equal(run.status, options.status ?? 1, show(run));
  assert.equal(run.stdout, "", show(run));
  assert.doesNotMatch(run.stderr, /^\s+at /m, `stack trace on stderr:\n${run.stderr}`);
  assert.ok(run.stderr.endsWith("\n"), show(run));
  let lines = run.stderr.slice(0, -1).split("\n");
  if (options.afterBackendLine && lines.length === 2) {
    assert.match(lines[0], BACKEND_LINE, show(run));
    lines = lines.slice(1);
  }
  assert.equal(lines.length, 1, `stderr is not one line:\n${run.stderr}`);
  assert.match(lines[0], /^embedtune: error: \S/);
  return lines[0];
}

/** stdout as one parsed JSON value per line. */
function jsonLines(run: Run): unknown[] {
  assert.equal(run.status, 0, show(run));
  assert.ok(run.stdout.endsWith("\n"), show(run));
  return run.stdout.slice(0, -1).split("\n").map((line) => JSON.parse(line));
}

function embeddingLines(run: Run, count: number, dimension: number): number[][] {
  const rows = jsonLines(run) as number[][];
  assert.equal(rows.length, count, show(run));
  for (const row of rows) {
    assert.ok(Array.isArray(row) && row.length === dimension && row.every((value) => typeof value === "number" && Number.isFinite(value)), show(run));
  }
  return rows;
}

const norm = (row: number[]) => Math.hypot(...row);

describe("commands and usage", () => {
  test("--help lists the commands and exits 0; an unknown command exits 2 with one line", () => {
    const help = embedtune("--help");
    assert.equal(help.status, 0, show(help));
    for (const command of ["encode", "tokenize", "init-model", "info", "demo"]) {
      assert.match(help.stdout, new RegExp(`^  ${command} `, "m"), `--help does not list ${command}`);
    }
    const unknown = embedtune("frobnicate");
    const line = assertUserError(unknown, { status: 2 });
    assert.match(line, /unknown command "frobnicate"/);
  });
});

describe("one-line errors for bad models and bad options", () => {
  test("encode --model <missing folder>", () => {
    const missing = join(temporaryDirectory(), "no-such-model");
    const line = assertUserError(embedtune("encode", "--model", missing, "hello"));
    assert.ok(line.includes(missing), line);
    assert.match(line, /does not exist/);
  });

  test("encode --model <folder with a corrupt model.safetensors>", async () => {
    const folder = await freshTinyModel();
    const weights = join(folder, "model.safetensors");
    writeFileSync(weights, readFileSync(weights).subarray(0, 1000));
    const line = assertUserError(embedtune("encode", "--model", folder, "hello"), { afterBackendLine: true });
    assert.ok(line.includes(weights), line);
    assert.match(line, /outside the \d+ data bytes|truncated|runs past the end/);
  });

  test('encode --model <folder whose config.json says model_type "t5">', async () => {
    const folder = await freshTinyModel();
    writeJson(join(folder, "config.json"), { ...readJson(join(folder, "config.json")), model_type: "t5" });
    const line = assertUserError(embedtune("encode", "--model", folder, "hello"), { afterBackendLine: true });
    assert.ok(line.includes(join(folder, "config.json")), line);
    assert.match(line, /model_type "t5" is not supported/);
  });

  test("--batch-size 0, init-model without --out, --heads 3 with hidden 16", async () => {
    const folder = await freshTinyModel();
    const batch = assertUserError(embedtune("encode", "--model", folder, "--batch-size", "0", "hello"));
    assert.match(batch, /--batch-size/);
    assert.match(batch, /"0"/);
    const noOut = assertUserError(embedtune("init-model", "--hidden", "16"));
    assert.match(noOut, /--out/);
    const out = join(temporaryDirectory(), "three-heads");
    const heads = assertUserError(embedtune("init-model", "--out", out, "--hidden", "16", "--layers", "1", "--heads", "3", "--vocab-size", "600"));
    assert.match(heads, /--heads/);
    assert.match(heads, /16/);
  });
});

describe("init-model, then encode", () => {
  const workspace = temporaryDirectory("embedtune-cli-");
  const model = join(workspace, "model");
  /** The same model without the Normalize module: its raw output is not unit length. */
  const rawModel = join(workspace, "raw-model");
  const hidden = 16;

  before(() => {
    const init = embedtune(
      "init-model", "--out", model, "--hidden", "16", "--layers", "1", "--heads", "2", "--intermediate", "32", "--vocab-size", "600",
    );
    assert.equal(init.status, 0, show(init));
    assert.match(init.stdout, /^wrote .*model: [\d,]+ parameters, vocabulary of 600\n$/);
    cpSync(model, rawModel, { recursive: true });
    const modules = readJson(join(rawModel, "modules.json")) as unknown as { type: string }[];
    writeJson(join(rawModel, "modules.json"), modules.filter((module) => !module.type.endsWith(".Normalize")));
    rmSync(join(rawModel, "2_Normalize"), { recursive: true });
  });

  test("encode prints one JSON array of 16 numbers per sentence, unit length by default", async () => {
    const normalized = embeddingLines(embedtune("encode", "--model", model, "a", "b c"), 2, hidden);
    for (const row of normalized) assert.ok(Math.abs(norm(row) - 1) < 1e-5, `norm ${norm(row)}`);

    // Without a Normalize module: still unit length by default, the model's raw output with --no-normalize.
    const byDefault = embeddingLines(embedtune("encode", "--model", rawModel, "a", "b c"), 2, hidden);
    const raw = embeddingLines(embedtune("encode", "--model", rawModel, "--no-normalize", "a", "b c"), 2, hidden);
    const library = await SentenceTransformer.load(rawModel, { quiet: true });
    assert.equal(library.normalize, undefined);
    const expected = await library.encode(["a", "b c"]);
    library.dispose();
    assert.ok(maxAbsoluteDifference(raw.flat(), expected.flat()) < 1e-6, "--no-normalize differs from the model's output");
    for (const row of raw) assert.ok(Math.abs(norm(row) - 1) > 1e-3, `raw output has norm ${norm(row)}`);
    for (const [index, row] of byDefault.entries()) {
      assert.ok(Math.abs(norm(row) - 1) < 1e-5);
      assert.ok(maxAbsoluteDifference(row, raw[index].map((value) => value / norm(raw[index]))) < 1e-6);
      assert.ok(maxAbsoluteDifference(row, normalized[index]) < 1e-6, "same weights, with and without the Normalize module");
    }
  });

  test("--input FILE keeps input order; a .jsonl input lets a sentence hold a newline", () => {
    // Lengths deliberately out of order, so batching by length reorders them internally.
    const lines = [
      "short",
      "a considerably longer sentence about a man playing a flute by the river",
      "medium length sentence here",
      "x",
      "another fairly long sentence that needs several more tokens than most",
    ];
    const jsonl = ["first line\nsecond line", "plain"];
    const textFile = join(workspace, "sentences.txt");
    const jsonlFile = join(workspace, "sentences.jsonl");
    writeFileSync(textFile, `${lines.join("\n")}\n`);
    writeFileSync(jsonlFile, `${jsonl.map((sentence) => JSON.stringify(sentence)).join("\n")}\n`);

    const fromFile = embeddingLines(embedtune("encode", "--model", model, "--input", textFile, "--batch-size", "2"), lines.length, hidden);
    const fromJsonl = embeddingLines(embedtune("encode", "--model", model, "--input", jsonlFile), jsonl.length, hidden);
    // --batch-size 1: every sentence encoded alone, no padding.
    const alone = embeddingLines(embedtune("encode", "--model", model, "--batch-size", "1", "--", ...lines, ...jsonl), lines.length + jsonl.length, hidden);
    fromFile.forEach((row, index) => assert.ok(maxAbsoluteDifference(row, alone[index]) < 1e-5, `line ${index + 1} (${lines[index]})`));
    fromJsonl.forEach((row, index) => assert.ok(maxAbsoluteDifference(row, alone[lines.length + index]) < 1e-5, `jsonl line ${index + 1}`));
  });
});

const goldenSkip = skipUnlessShared("models/tiny-bert/golden.json");

describe("the shared tiny-bert through the CLI", { skip: goldenSkip }, () => {
  const tinyBert = sharedPath("models/tiny-bert");
  const golden = goldenSkip
    ? { cases: [] }
    : (JSON.parse(readFileSync(sharedPath("models/tiny-bert/golden.json"), "utf8")) as {
        cases: { input: string; tokens: string[]; input_ids: number[]; embedding_cls_normalized: number[] }[];
      });
  const inputs = golden.cases.map((c) => c.input);

  test("golden inputs: tokenize ids, --tokens and encode match PyTorch", () => {
    assert.equal(inputs.length, 8);
    assert.ok(inputs.some((input) => input.includes("\n")), "one golden input holds a newline");

    const tokens = jsonLines(embedtune("tokenize", "--model", tinyBert, "--tokens", "--", ...inputs)) as string[][];
    assert.deepEqual(tokens[0], ["[CLS]", "h", "##i", ".", "[SEP]"]);
    assert.deepEqual(tokens, golden.cases.map((c) => c.tokens));

    const ids = jsonLines(embedtune("tokenize", "--model", tinyBert, "--", ...inputs));
    assert.deepEqual(ids, golden.cases.map((c) => c.input_ids));

    const embeddings = embeddingLines(embedtune("encode", "--model", tinyBert, "--", ...inputs), inputs.length, 64);
    golden.cases.forEach((c, index) => {
      const difference = maxAbsoluteDifference(embeddings[index], c.embedding_cls_normalized);
      assert.ok(difference < 1e-4, `embedding of ${JSON.stringify(c.input)}: max |Δ| ${difference}`);
    });
  });
});
