// initializeBackend() picks wasm here (tfjs-node is absent) and says why, prints one line once,
// switches when a call forces another backend, and rejects a bad or unloadable EMBEDTUNE_BACKEND
// with a one-line EmbedtuneError. Tests run in order and share the process's tfjs state.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { BackendUnavailableError, backendInfo, initializeBackend, type BackendInfo } from "../src/backend.ts";
import { ArgumentError, EmbedtuneError } from "../src/errors.ts";
import { projectRoot } from "./support/shared.ts";

const tensorflowInstalled = ["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"].some((name) => {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
});
const skipWhereTensorflowIsInstalled = tensorflowInstalled
  ? "@tensorflow/tfjs-node is installed here, so the automatic choice is not wasm"
  : false;

const savedEnvironment = process.env.EMBEDTUNE_BACKEND;
before(() => {
  delete process.env.EMBEDTUNE_BACKEND;
});
after(() => {
  if (savedEnvironment === undefined) delete process.env.EMBEDTUNE_BACKEND;
  else process.env.EMBEDTUNE_BACKEND = savedEnvironment;
});

/** Runs `action` and returns what it wrote to stderr. */
async function capturingStderr<T>(action: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const write = process.stderr.write;
  let stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await action(), stderr };
  } finally {
    process.stderr.write = write;
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail("expected a rejection");
}

let automaticChoice: BackendInfo;

test("the automatic choice here is wasm, with the reason in backendInfo() and one line on stderr", { skip: skipWhereTensorflowIsInstalled }, async () => {
  const { result, stderr } = await capturingStderr(() => initializeBackend());
  automaticChoice = result;
  assert.equal(stderr, "embedtune: tfjs backend wasm (SIMD, 1 thread)\n");
  assert.deepEqual(
    { ...result, reason: undefined },
    { name: "wasm", package: "@tensorflow/tfjs-backend-wasm", gpu: false, simd: true, threads: 1, reason: undefined },
  );
  assert.match(result.reason, /^automatic choice; tensorflow unavailable \(/);
  assert.match(result.reason, /@tensorflow\/tfjs-node-gpu is not installed; @tensorflow\/tfjs-node is not installed/);
  assert.equal(backendInfo(), result);
  assert.equal(tf.getBackend(), "wasm");
  assert.ok(tf.getKernel("UnsortedSegmentSum", "wasm"), "the wasm training kernels are registered");
});

test("later calls return the cached info without reinitialising or printing", { skip: skipWhereTensorflowIsInstalled }, async () => {
  const { result, stderr } = await capturingStderr(async () => {
    const [a, b] = await Promise.all([initializeBackend(), initializeBackend({ backend: "wasm" })]);
    assert.equal(a, b);
    return a;
  });
  assert.equal(result, automaticChoice);
  assert.equal(stderr, "");
});

test("forcing cpu with the option switches, and backendInfo() says so; quiet prints nothing", async () => {
  const { result, stderr } = await capturingStderr(() => initializeBackend({ backend: "cpu", quiet: true }));
  assert.equal(stderr, "");
  assert.deepEqual(result, { name: "cpu", package: "@tensorflow/tfjs-backend-cpu", gpu: false, reason: "forced by backend option" });
  assert.equal(backendInfo(), result);
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(await initializeBackend(), result, "an unforced call keeps the current backend");
  const gradient = tf.grad((table: tf.Tensor) => tf.sum(tf.gather(table, tf.tensor1d([1, 1], "int32"))))(tf.ones([2, 2]));
  assert.deepEqual(Array.from(gradient.dataSync()), [0, 0, 2, 2]);
});

test("EMBEDTUNE_BACKEND forces a backend; the option wins over it", async () => {
  process.env.EMBEDTUNE_BACKEND = "wasm";
  try {
    const fromEnvironment = await initializeBackend({ quiet: true });
    assert.equal(fromEnvironment.name, "wasm");
    assert.equal(fromEnvironment.reason, "forced by EMBEDTUNE_BACKEND=wasm");
    assert.equal(tf.getBackend(), "wasm");
    const fromOption = await initializeBackend({ backend: "cpu", quiet: true });
    assert.equal(fromOption.name, "cpu");
    assert.equal(tf.getBackend(), "cpu");
  } finally {
    delete process.env.EMBEDTUNE_BACKEND;
  }
});

test("EMBEDTUNE_BACKEND=bogus is an ArgumentError with a one-line message, and nothing changes", async () => {
  const before = backendInfo();
  process.env.EMBEDTUNE_BACKEND = "bogus";
  try {
    const error = await rejection(initializeBackend({ quiet: true }));
    assert.ok(error instanceof ArgumentError);
    assert.equal(error.argument, "EMBEDTUNE_BACKEND");
    assert.equal(error.message, 'EMBEDTUNE_BACKEND: "bogus" must be one of tensorflow, wasm, cpu');
  } finally {
    delete process.env.EMBEDTUNE_BACKEND;
  }
  assert.equal(backendInfo(), before);
  assert.equal(tf.getBackend(), before.name);
});

test("forcing tensorflow here is a one-line error naming the missing packages, and nothing changes", { skip: skipWhereTensorflowIsInstalled }, async () => {
  const before = backendInfo();
  const error = await rejection(initializeBackend({ backend: "tensorflow", quiet: true }));
  assert.ok(error instanceof BackendUnavailableError);
  assert.ok(error instanceof EmbedtuneError);
  assert.doesNotMatch(error.message, /\n/);
  assert.match(error.message, /^backend option: @tensorflow\/tfjs-node-gpu is not installed; @tensorflow\/tfjs-node is not installed \(npm install @tensorflow\/tfjs-node/);
  assert.equal(backendInfo(), before);
  assert.equal(tf.getBackend(), before.name);
});

test("in a fresh process: backendInfo() before init throws; EMBEDTUNE_BACKEND=tensorflow fails in one line", { skip: skipWhereTensorflowIsInstalled }, async () => {
  const script = `
    const { initializeBackend, backendInfo } = await import("./src/backend.ts");
    const { EmbedtuneError } = await import("./src/errors.ts");
    try { backendInfo(); } catch (error) { console.log("before init: " + error.message); }
    try { await initializeBackend(); console.log("loaded"); }
    catch (error) { console.log((error instanceof EmbedtuneError ? "EmbedtuneError " : "other ") + error.message); }`;
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    { cwd: projectRoot, env: { ...process.env, EMBEDTUNE_BACKEND: "tensorflow" } },
  );
  assert.equal(stderr, "");
  assert.deepEqual(stdout.trimEnd().split("\n"), [
    "before init: backendInfo() called before initializeBackend()",
    "EmbedtuneError EMBEDTUNE_BACKEND=tensorflow: @tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is not installed " +
      "(npm install @tensorflow/tfjs-node, or choose another of tensorflow, wasm, cpu)",
  ]);
});
