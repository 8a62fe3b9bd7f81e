// `embedtune encode` streams (issue 13): 20k sentences from --input give 20k lines equal (1e-6) to one
// library call over all of them, with a peak RSS close to that of a 100-sentence run (buffering every
// embedding, as before, added ~260 MB here; streaming adds ~60 MB); and with `--input -` embeddings
// reach stdout while stdin is still open. The model has hidden size 128 (1 layer): small enough to be
// fast, wide enough that buffered output is large beside the process's own ~220 MB.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { embedtune, show } from "./cli.ts";
import { assertClose, assertSuccess, sentences, tinyModel } from "./encode-cli.ts";

const workspace = temporaryDirectory("embedtune-encode-streaming-");
const model = await tinyModel(128);

/** Peak RSS allowed above a 100-sentence run: streaming measured +60 MB, buffering +260 MB. */
const RSS_MARGIN_MB = 160;

/** A module preloaded into the child that writes its peak RSS (kB) to $EMBEDTUNE_TEST_MAXRSS at exit. */
const preload = join(workspace, "maxrss.mjs");
writeFileSync(
  preload,
  'import { writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(process.env.EMBEDTUNE_TEST_MAXRSS, String(process.resourceUsage().maxRSS)));\n',
);

/** Encodes `input` with stdout to `output`; returns the child's peak RSS in MB. */
function encodeMeasured(input: string, output: string): number {
  const rssFile = join(workspace, "maxrss");
  const fd = openSync(output, "w");
  try {
    const run = embedtune(["encode", "--model", model, "--input", input], {
      stdout: fd,
      env: { EMBEDTUNE_TEST_MAXRSS: rssFile },
      nodeOptions: ["--import", pathToFileURL(preload).href],
    });
    assertSuccess(run);
  } finally {
    closeSync(fd);
  }
  return Number(readFileSync(rssFile, "utf8")) / 1024;
}

function readLines(path: string): string[] {
  const text = readFileSync(path, "utf8");
  assert.ok(text.endsWith("\n"), `${path} does not end with a newline`);
  return text.slice(0, -1).split("\n");
}

test("20k sentences from --input: 20k lines equal to one library call, peak RSS near a 100-sentence run's", async () => {
  const all = sentences(20_000);
  const small = join(workspace, "small.txt");
  const large = join(workspace, "large.txt");
  writeFileSync(small, `${all.slice(0, 100).join("\n")}\n`);
  writeFileSync(large, `${all.join("\n")}\n`);

  const smallPeak = encodeMeasured(small, join(workspace, "small.jsonl"));
  const largePeak = encodeMeasured(large, join(workspace, "large.jsonl"));

  const lines = readLines(join(workspace, "large.jsonl"));
  assert.equal(lines.length, all.length);
  const rows = lines.map((line) => JSON.parse(line) as number[]);
  const library = await SentenceTransformer.load(model, { quiet: true });
  const expected = await library.encode(all, { normalizeEmbeddings: true });
  library.dispose();
  assertClose(rows, expected, 1e-6);

  assert.ok(
    largePeak - smallPeak < RSS_MARGIN_MB,
    `peak RSS ${largePeak.toFixed(0)} MB for 20k sentences vs ${smallPeak.toFixed(0)} MB for 100: the output is not streamed`,
  );
});

test("--input -: embeddings reach stdout while stdin is still open", async () => {
  const child = spawn(process.execPath, ["bin/embedtune.js", "encode", "--model", model, "--input", "-"], {
    cwd: projectRoot,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
  const input = sentences(5000);
  child.stdin.write(`${input.join("\n")}\n`);

  const deadline = Date.now() + 30_000;
  while (!stdout.includes("\n") && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const linesBeforeClose = stdout.split("\n").length - 1;
  child.stdin.end();
  const status = await closed;

  const run = { status, stdout, stderr };
  assert.ok(linesBeforeClose > 0, `nothing was written in 30 s while standard input stayed open:\n${show(run)}`);
  assertSuccess(run);
  const rows = stdout.slice(0, -1).split("\n").map((line) => JSON.parse(line) as number[]);
  assert.equal(rows.length, input.length);
  assert.ok(rows.every((row) => row.length === 128 && row.every(Number.isFinite)));
});
