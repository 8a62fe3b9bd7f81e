// File-system failures while saving are one line (issue 13, defect 2): disk full (a real 1 MB tmpfs,
// else a simulated writer failure), a read-only mount and --out under a regular file give a
// FileSystemError naming the path and the cause; the CLI exits 1 with that one line (no stack), no
// staging folder is left and what was there before is intact. Bugs print `embedtune: internal error`
// with their stack and exit 70; an errno error that escapes unwrapped is still one line.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import { exportOnnx } from "../../src/engines/onnxruntime/export.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { FileSystemError } from "../../src/io/file-system-errors.ts";
import { writeFolderAtomically } from "../../src/io/model-folder.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { snapshot } from "../support/files.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";
import { mountTmpfs, NO_TMPFS, remountReadOnly } from "../support/mounts.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";
import * as cli from "./cli.ts";

await initializeBackend({ quiet: true });

const workspace = temporaryDirectory("embedtune-save-errors-");

// ---- mounts -------------------------------------------------------------------------------------

/** A fresh 1 MB (or `size`) tmpfs at a new folder `name` of the workspace; undefined where mounting is not permitted. */
function mountDisk(name: string, size = "1m"): string | undefined {
  return mountTmpfs(join(workspace, name), size);
}

const probe = mountDisk("probe");
const MOUNT_SKIP = probe === undefined ? NO_TMPFS : false;

// ---- helpers ------------------------------------------------------------------------------------

function embedtune(...args: string[]): cli.Run {
  return cli.embedtune(args, { cache: join(workspace, "cache"), timeout: 60_000 });
}

/**
 * A user error from the CLI: exit 1, and stderr is one line `embedtune: error: …` (after the
 * informational backend line where a model was loaded), no stack, under 400 characters. Returns it.
 */
function oneErrorLine(result: { status: number | null; stdout: string; stderr: string }): string {
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stdout, "");
  assert.ok(result.stderr.length < 400, `stderr is ${result.stderr.length} characters:\n${result.stderr.slice(0, 2000)}`);
  assert.doesNotMatch(result.stderr, /^\s+at /m, result.stderr);
  const lines = result.stderr.split("\n").filter((line) => line !== "" && !/^embedtune: tfjs backend /.test(line));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^embedtune: error: \S/);
  return lines[0];
}

/** Staging (.tmp-) or backup (.old-) folders anywhere directly under `directory`. */
function stagingFolders(directory: string): string[] {
  return readdirSync(directory).filter((entry) => /\.(tmp|old)-\d+-/.test(entry));
}

/**
 * A vocabulary of 8,000 tokens: with hidden 32 the word embeddings alone are 1 MB, more than the
 * tmpfs holds. Written as a vocab.txt so init-model need not learn it.
 */
const bigVocabulary = join(workspace, "big-vocab.txt");
writeFileSync(bigVocabulary, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...Array.from({ length: 7995 }, (_, i) => `w${i}`)].join("\n") + "\n");
const BIG = ["--vocab", bigVocabulary, "--hidden", "32", "--layers", "1", "--heads", "2", "--intermediate", "64"];
const SMALL = ["--hidden", "16", "--layers", "1", "--heads", "2", "--intermediate", "32", "--vocab-size", "600"];

let bigModelFolder: Promise<string> | undefined;
function bigModel(): Promise<string> {
  bigModelFolder ??= (async () => {
    const out = join(workspace, "big-model");
    await initModel({ out, vocab: bigVocabulary, hidden: 32, layers: 1, heads: 2, intermediate: 64, seed: 1 });
    return out;
  })();
  return bigModelFolder;
}

const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write" });

// ---- disk full ----------------------------------------------------------------------------------

test("disk full during savePretrained: one-line FileSystemError, no staging folder, the earlier model intact", async () => {
  const disk = mountDisk("disk-save");
  const parent = disk ?? join(workspace, "simulated-save");
  const target = join(parent, "out");
  const small = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  await small.savePretrained(target);
  small.dispose();
  const before = snapshot(target);

  const big = await SentenceTransformer.load(await bigModel(), { quiet: true });
  if (disk === undefined) {
    // Simulated: the weights writer fails as a full disk would.
    big.transformer.save = () => {
      throw enospc();
    };
  }
  try {
    await assert.rejects(big.savePretrained(target), (error: unknown) => {
      assert.ok(error instanceof FileSystemError, String(error));
      assert.equal(error.code, "ENOSPC");
      assert.equal(error.message, `no space left on the device holding ${target} (ENOSPC) while writing the model: nothing was changed there`);
      return true;
    });
  } finally {
    big.dispose();
  }
  assert.deepEqual(snapshot(target), before);
  assert.deepEqual(stagingFolders(parent), []);
});

test("disk full during export-onnx and init-model (CLI): exit 1, one line, no staging folder, earlier contents intact", { skip: MOUNT_SKIP }, async () => {
  const disk = mountDisk("disk-cli")!;
  const target = join(disk, "model");
  const first = embedtune("init-model", "--out", target, ...SMALL);
  assert.equal(first.status, 0, first.stderr);
  const before = snapshot(target);

  const init = oneErrorLine(embedtune("init-model", "--out", target, ...BIG));
  assert.equal(init, `embedtune: error: no space left on the device holding ${target} (ENOSPC) while writing the new model: nothing was changed there`);
  assert.deepEqual(snapshot(target), before);
  assert.deepEqual(stagingFolders(disk), []);

  const exported = oneErrorLine(embedtune("export-onnx", "--model", await bigModel(), "--out", target));
  assert.equal(exported, `embedtune: error: no space left on the device holding ${target} (ENOSPC) while writing the ONNX export: nothing was changed there`);
  assert.deepEqual(snapshot(target), before);
  assert.deepEqual(stagingFolders(disk), []);
  assert.ok(!existsSync(join(target, "onnx")));
});

test("disk full in exportOnnx (library): the staging folder is removed", async () => {
  const disk = mountDisk("disk-export");
  const parent = disk ?? join(workspace, "simulated-export");
  const target = join(parent, "onnx-out");
  const big = await SentenceTransformer.load(await bigModel(), { quiet: true });
  if (disk === undefined) {
    big.writeFiles = () => {
      throw enospc();
    };
  }
  try {
    await assert.rejects(exportOnnx(big, target), /^FileSystemError: no space left on the device holding .*onnx-out \(ENOSPC\) while writing the ONNX export: nothing was changed there$/);
  } finally {
    big.dispose();
  }
  assert.ok(!existsSync(target), "a failed first write creates no folder");
  assert.deepEqual(stagingFolders(parent), []);
});

test("writeFolderAtomically (checkpoints): disk full is a FileSystemError and the temporary folder is removed", async () => {
  const disk = mountDisk("disk-checkpoint");
  const parent = disk ?? join(workspace, "simulated-checkpoint");
  const target = join(parent, "checkpoint-6");
  await writeFolderAtomically(target, (temporary) => writeFileSync(join(temporary, "trainer_state.json"), "{}"));
  await assert.rejects(
    writeFolderAtomically(target, (temporary) => {
      if (disk === undefined) throw enospc();
      writeFileSync(join(temporary, "big.bin"), Buffer.alloc(2 * 1024 * 1024));
    }),
    (error: unknown) => {
      assert.ok(error instanceof FileSystemError);
      assert.equal(error.message, `no space left on the device holding ${target} (ENOSPC) while writing checkpoint-6: nothing was changed there`);
      return true;
    },
  );
  assert.deepEqual(readdirSync(target), ["trainer_state.json"]);
  assert.deepEqual(stagingFolders(parent), []);
});

// ---- read-only, a file in the way, a mount point as the target ---------------------------------

test("a read-only mount: savePretrained and init-model give one line naming the folder (EROFS)", { skip: MOUNT_SKIP }, async () => {
  const disk = mountDisk("read-only")!;
  const target = join(disk, "model");
  const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  try {
    await model.savePretrained(target);
    const before = snapshot(target);
    remountReadOnly(disk);
    await assert.rejects(model.savePretrained(target), (error: unknown) => {
      assert.ok(error instanceof FileSystemError);
      assert.equal(error.message, `${target}: read-only file system (EROFS) while writing the model: nothing was changed there`);
      return true;
    });
    assert.deepEqual(snapshot(target), before);
  } finally {
    model.dispose();
  }
  const line = oneErrorLine(embedtune("init-model", "--out", join(disk, "new"), ...SMALL));
  assert.equal(line, `embedtune: error: ${join(disk, "new")}: read-only file system (EROFS) while writing the new model: nothing was changed there`);
});

test("--out under a regular file (ENOTDIR): one line naming the file in the way", async () => {
  const file = join(workspace, "a-file");
  writeFileSync(file, "not a folder");
  const line = oneErrorLine(embedtune("init-model", "--out", join(file, "model"), ...SMALL));
  assert.equal(line, `embedtune: error: ${join(file, "model")}: ${file} is a file, not a folder (ENOTDIR) while writing the new model: nothing was changed there`);
  const itself = oneErrorLine(embedtune("init-model", "--out", file, ...SMALL));
  assert.equal(itself, `embedtune: error: ${file} is a file, not a folder (ENOTDIR) while writing the new model: nothing was changed there`);

  const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  try {
    await assert.rejects(model.savePretrained(join(file, "deeper", "model")), new RegExp(`: ${file} is a file, not a folder \\(ENOTDIR\\)`));
  } finally {
    model.dispose();
  }
  assert.equal(readFileSync(file, "utf8"), "not a folder");
});

test("the target is itself a mount point: files are staged inside it (rename cannot cross devices)", { skip: MOUNT_SKIP }, async () => {
  const point = mountDisk("mount-point", "4m")!;
  writeFileSync(join(point, "config.json"), "{}");
  writeFileSync(join(point, "keep.txt"), "keep");
  const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  try {
    await model.savePretrained(point);
  } finally {
    model.dispose();
  }
  assert.equal(readFileSync(join(point, "keep.txt"), "utf8"), "keep");
  assert.ok(existsSync(join(point, "model.safetensors")));
  assert.deepEqual(stagingFolders(point), []);
  assert.deepEqual(stagingFolders(join(point, "..")), []);
});

// ---- the CLI's handling of unexpected errors ---------------------------------------------------

/** Runs `embedtune encode` in a child whose SentenceTransformer.load throws what `thrown` builds. */
function encodeThrowing(thrown: string) {
  const script = `
    import { SentenceTransformer } from "./src/models/sentence-transformer.ts";
    import { initializeBackend } from "./src/backend.ts";
    import { main } from "./src/cli/main.ts";
    await initializeBackend({ quiet: true });
    SentenceTransformer.load = async () => { throw ${thrown}; };
    process.exitCode = await main(["encode", "--model", "somewhere", "a sentence"]);
  `;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: projectRoot,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return result;
}

test("a bug prints `embedtune: internal error` with its stack and exits 70; an unwrapped errno error is one line, exit 1", () => {
  const bug = encodeThrowing(`new TypeError("cannot read properties of undefined (reading 'shape')")`);
  assert.equal(bug.status, 70, bug.stderr.slice(0, 3000));
  const lines = bug.stderr.trimEnd().split("\n");
  assert.match(lines[0], /^embedtune: internal error: cannot read properties of undefined \(reading 'shape'\) \(a bug in embedtune/);
  assert.ok(lines.length > 1 && lines.slice(1).every((line) => /^\s+at /.test(line)), bug.stderr);
  assert.ok(lines.every((line) => line.length <= 520), "no minified source line");

  const errno = encodeThrowing(
    `Object.assign(new Error("EACCES: permission denied, open '/data/model/config.json'"), { code: "EACCES", errno: -13, syscall: "open", path: "/data/model/config.json" })`,
  );
  assert.equal(oneErrorLine(errno), "embedtune: error: /data/model/config.json: permission denied (EACCES) while opening it");
});
