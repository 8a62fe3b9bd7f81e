// src/util/interruption.ts in one process: a tslab kernel is simulated as tslab makes one (globalThis.__tslab__
// and its SIGINT listener, here a recorder), and SIGINT is sent to this process. In a kernel the operation
// takes SIGINT from tslab's listener until end(), a second SIGINT hands over to it, only the outermost
// operation listens; outside a kernel encode adds no listener (Node's default stays) and the trainer's mode
// listens to SIGINT and SIGTERM until end(). An operation begun inside vm's breakOnSigint (tslab runs a
// cell's synchronous part so) leaves the process alive on the next SIGINT (a child process). Inner operations
// follow a "kernel" owner's interrupt (they listen and see it) but never an "always" owner's. Then encode,
// an InformationRetrievalEvaluator, mineHardNegatives, the evaluate step and trainer.train() in the simulated
// kernel: each rejects with its one-line error (an evaluation inside a trainer's run finishes), and the run
// resumes from the interrupted step's checkpoint.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { loadDataFile } from "../../src/data/load-dataset.ts";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments } from "../../src/training/arguments.ts";
import { TrainingInterruptedError } from "../../src/training/errors.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { Dataset } from "../../src/data/dataset.ts";
import { EmbeddingSimilarityEvaluator } from "../../src/evaluation/embedding-similarity.ts";
import { InformationRetrievalEvaluator } from "../../src/evaluation/information-retrieval.ts";
import { mineHardNegatives } from "../../src/mining/hard-negatives.ts";
import type { EncodeOptions } from "../../src/models/sentence-transformer.ts";
import { evaluate } from "../../src/steps.ts";
import {
  beginInterruptible,
  EncodeInterruptedError,
  EvaluationInterruptedError,
  inTslabKernel,
  MiningInterruptedError,
} from "../../src/util/interruption.ts";
import { prepareFixture, type TrainingFixture } from "../reliability/training-helpers.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

/** tslab's SIGINT listener, recording its calls. */
const tslabCalls: string[] = [];
const tslabListener = () => void tslabCalls.push("interrupt");

/** Runs `body` as in a tslab kernel (its global and its SIGINT listener), and leaves it afterwards. */
async function inSimulatedKernel(body: () => Promise<void>): Promise<void> {
  (globalThis as Record<string, unknown>).__tslab__ = {};
  process.on("SIGINT", tslabListener);
  tslabCalls.length = 0;
  try {
    await body();
  } finally {
    delete (globalThis as Record<string, unknown>).__tslab__;
    process.off("SIGINT", tslabListener);
  }
}

/** Sends SIGINT to this process and waits until `delivered` says it arrived. */
async function interrupt(delivered: () => boolean): Promise<void> {
  process.kill(process.pid, "SIGINT");
  for (let turn = 0; !delivered(); turn++) {
    if (turn > 10_000) assert.fail("SIGINT never arrived");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const sigintListeners = () => process.listeners("SIGINT");

/** In a kernel the listeners change in a microtask after beginInterruptible. */
const swapped = () => Promise.resolve();

test("in a kernel: the operation takes SIGINT from tslab until end(), tslab's listener comes back alone", async () => {
  await inSimulatedKernel(async () => {
    assert.ok(inTslabKernel());
    const seen: string[] = [];
    const operation = beginInterruptible({ listen: "kernel", onInterrupt: (signal) => seen.push(signal) });
    await swapped();
    assert.equal(operation.listening, true);
    assert.equal(operation.inKernel, true);
    assert.ok(!sigintListeners().includes(tslabListener));
    assert.equal(sigintListeners().length, 1);
    await interrupt(() => operation.received !== undefined);
    assert.equal(operation.received, "SIGINT");
    assert.deepEqual(seen, ["SIGINT"]);
    assert.deepEqual(tslabCalls, [], "tslab did not see the first interrupt");
    operation.end();
    operation.end();
    assert.deepEqual(sigintListeners(), [tslabListener]);
  });
});

test("in a kernel: a second SIGINT hands over to tslab's listener at once (no exit), and end() then adds nothing", async () => {
  await inSimulatedKernel(async () => {
    const operation = beginInterruptible({ listen: "always" });
    await swapped();
    await interrupt(() => operation.received !== undefined);
    await interrupt(() => tslabCalls.length > 0);
    assert.deepEqual(tslabCalls, ["interrupt"]);
    assert.deepEqual(sigintListeners(), [tslabListener], "SIGINT is tslab's again before end()");
    operation.end();
    assert.deepEqual(sigintListeners(), [tslabListener]);
  });
});

test("the outermost operation owns the signal: an inner one neither listens nor sees it, and its end() leaves the outer's listener", async () => {
  await inSimulatedKernel(async () => {
    const outer = beginInterruptible({ listen: "always" });
    const inner = beginInterruptible({ listen: "kernel" });
    assert.equal(inner.listening, false);
    await swapped();
    const during = sigintListeners();
    await interrupt(() => outer.received !== undefined);
    assert.equal(inner.received, undefined);
    inner.end();
    assert.deepEqual(sigintListeners(), during);
    outer.end();
    assert.deepEqual(sigintListeners(), [tslabListener]);
    const never = beginInterruptible({ listen: "never" });
    const nested = beginInterruptible({ listen: "kernel" });
    assert.equal(nested.listening, false, "a host that handles signals itself (the REPL's trainer) still owns them");
    assert.deepEqual(sigintListeners(), [tslabListener]);
    nested.end();
    never.end();
  });
});

test("inner operations of a \"kernel\" owner (evaluation, mining) listen and see its interrupt; its onInterrupt runs once; after end() the next operation owns again", async () => {
  await inSimulatedKernel(async () => {
    const seen: string[] = [];
    const outer = beginInterruptible({ listen: "kernel", onInterrupt: (signal) => seen.push(signal) });
    const inner = beginInterruptible({ listen: "kernel" });
    assert.equal(inner.listening, true, "an encode inside an evaluation yields between batches");
    assert.equal(inner.received, undefined);
    await swapped();
    assert.equal(sigintListeners().length, 1, "only the owner listens");
    await interrupt(() => outer.received !== undefined);
    assert.equal(inner.received, "SIGINT", "an encode inside an interrupted evaluation stops at its next batch");
    const later = beginInterruptible({ listen: "kernel" });
    assert.equal(later.received, "SIGINT", "an inner operation begun after the interrupt stops at once");
    later.end();
    inner.end();
    outer.end();
    assert.deepEqual(seen, ["SIGINT"]);
    assert.deepEqual(tslabCalls, []);
    assert.deepEqual(sigintListeners(), [tslabListener]);
    const next = beginInterruptible({ listen: "kernel" });
    assert.equal(next.received, undefined);
    assert.equal(next.listening, true);
    next.end();
    await swapped();
    assert.deepEqual(sigintListeners(), [tslabListener]);
  });
  const outside = beginInterruptible({ listen: "kernel" });
  const innerOutside = beginInterruptible({ listen: "kernel" });
  assert.equal(innerOutside.listening, false, "outside a kernel nothing listens");
  innerOutside.end();
  outside.end();
});

/** Queries q0…q5, each relevant to document d{i}, over 30 documents; 2-dimensional embeddings. */
function retrievalFixture(): InformationRetrievalEvaluator {
  const queries = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`q${i}`, `query ${i}`]));
  const corpus = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i}`, `document ${i}`]));
  const relevant = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`q${i}`, [`d${i}`]]));
  return new InformationRetrievalEvaluator(queries, corpus, relevant, { corpusChunkSize: 10, name: "toy" });
}

/** A model whose encode gives [1, n] for a text ending in number n, and sends SIGINT on its `interruptAt`-th call. */
function signallingModel(interruptAt: number) {
  let calls = 0;
  return {
    similarityFnName: "cosine" as const,
    async encode(sentences: string[], _options?: EncodeOptions): Promise<number[][]> {
      calls += 1;
      if (calls === interruptAt) process.kill(process.pid, "SIGINT");
      return sentences.map((text) => [1, Number(/(\d+)$/.exec(text)![1])]);
    },
  };
}

test("an InformationRetrievalEvaluator in a kernel: an interrupt between its encodes stops it at the next corpus chunk with one EvaluationInterruptedError line", async () => {
  await inSimulatedKernel(async () => {
    const evaluator = retrievalFixture();
    // Calls: the queries, then corpus chunks 1, 2, 3; the interrupt comes with chunk 2.
    const error = await evaluator.evaluate(signallingModel(3)).then(
      () => assert.fail("evaluate finished"),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof EvaluationInterruptedError, String(error));
    assert.match(error.message, /^evaluation interrupted \(InformationRetrievalEvaluator "toy"\) at corpus chunk [23] of 3; no metrics were returned$/);
    assert.deepEqual(tslabCalls, []);
    assert.deepEqual(sigintListeners(), [tslabListener]);
    const metrics = await evaluator.evaluate(signallingModel(0));
    assert.equal(typeof metrics["toy_cosine_ndcg@10"], "number");
  });
});

test("an evaluation inside a trainer's run (an \"always\" owner that got the interrupt) finishes: the trainer stops after its step", async () => {
  await inSimulatedKernel(async () => {
    const trainer = beginInterruptible({ listen: "always" });
    await swapped();
    await interrupt(() => trainer.received !== undefined);
    const metrics = await retrievalFixture().evaluate(signallingModel(0));
    assert.equal(typeof metrics["toy_cosine_ndcg@10"], "number");
    trainer.end();
    assert.deepEqual(tslabCalls, []);
    assert.deepEqual(sigintListeners(), [tslabListener]);
  });
});

test("mineHardNegatives in a kernel: an interrupt during its encodes stops it before scoring with one MiningInterruptedError line", async () => {
  await inSimulatedKernel(async () => {
    const pairs = Dataset.fromColumns({ anchor: ["query 1", "query 2", "query 3"], positive: ["document 1", "document 2", "document 3"] });
    // Calls: the corpus, then the queries; the interrupt comes with the queries.
    const error = await mineHardNegatives(pairs, signallingModel(2), { verbose: false, showProgressBar: false }).then(
      () => assert.fail("mining finished"),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof MiningInterruptedError, String(error));
    assert.equal(error.message, "mining interrupted after 0 of 3 queries; no dataset was returned");
    assert.deepEqual(tslabCalls, []);
    assert.deepEqual(sigintListeners(), [tslabListener]);
    const mined = await mineHardNegatives(pairs, signallingModel(0), { verbose: false, showProgressBar: false, numNegatives: 1 });
    assert.equal(mined.numRows, 3);
  });
});

test("outside a kernel: encode's mode leaves Node's default handling; the trainer's listens to SIGINT and SIGTERM until end()", () => {
  assert.equal(inTslabKernel(), false);
  const counts = () => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
  const before = counts();
  const encode = beginInterruptible({ listen: "kernel" });
  assert.equal(encode.listening, false);
  assert.deepEqual(counts(), before);
  encode.end();
  const training = beginInterruptible({ listen: "always" });
  assert.deepEqual(counts(), [before[0] + 1, before[1] + 1]);
  training.end();
  assert.deepEqual(counts(), before);
});

test("an operation begun in a cell's synchronous part (vm breakOnSigint, as tslab runs cells) takes SIGINT without leaving the kernel to die of the next one", () => {
  const script = join(temporaryDirectory(), "break-on-sigint.mts");
  writeFileSync(
    script,
    `
import vm from "node:vm";
import { beginInterruptible } from ${JSON.stringify(pathToFileURL(join(projectRoot, "src/util/interruption.ts")).href)};
const tick = () => new Promise((resolve) => setImmediate(resolve));
async function until(condition) { while (!condition()) await tick(); }
(globalThis as any).__tslab__ = {};
const calls: string[] = [];
process.on("SIGINT", () => calls.push("tslab"));
(globalThis as any).begin = () => beginInterruptible({ listen: "kernel" });
const operation = vm.runInThisContext("begin()", { breakOnSigint: true });
await tick();
process.kill(process.pid, "SIGINT");
await until(() => operation.received !== undefined);
operation.end();
process.kill(process.pid, "SIGINT");
await until(() => calls.length > 0);
console.log(JSON.stringify({ received: operation.received, calls }));
`,
  );
  const result = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: projectRoot, encoding: "utf8", timeout: 60_000 });
  assert.equal(result.status, 0, `the process died of SIGINT (status ${result.status}, ${result.signal}): ${result.stderr}`);
  assert.deepEqual(JSON.parse(result.stdout), { received: "SIGINT", calls: ["tslab"] });
});

let fixture: TrainingFixture;
let model: SentenceTransformer;
before(async () => {
  fixture = await prepareFixture(temporaryDirectory("embedtune-interruption-"));
  model = await SentenceTransformer.load(fixture.model, { quiet: true });
});
after(() => model?.dispose());

test("encode in a kernel: an interrupt ends it between batches with one EncodeInterruptedError line; the next encode works", async () => {
  await inSimulatedKernel(async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `sentence ${i}`);
    process.kill(process.pid, "SIGINT");
    const error = await model.encode(texts, { batchSize: 8 }).then(
      () => assert.fail("encode finished"),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof EncodeInterruptedError, String(error));
    assert.equal(error.total, 200);
    assert.ok(error.encoded % 8 === 0 && error.encoded < 200, String(error.encoded));
    assert.equal(error.message, `encode interrupted after ${error.encoded} of 200 sentences; no embeddings were returned`);
    assert.deepEqual(tslabCalls, []);
    assert.deepEqual(sigintListeners(), [tslabListener]);
    assert.equal((await model.encode(texts.slice(0, 3))).length, 3);
  });
});

test("trainer.train() in a kernel: SIGINT stops after the step with its checkpoint and rejects with TrainingInterruptedError; resuming finishes", async () => {
  await inSimulatedKernel(async () => {
    const output = join(fixture.workspace, "kernel-run");
    const args = new SentenceTransformerTrainingArguments({ outputDir: output, maxSteps: 12, saveSteps: 1000, perDeviceTrainBatchSize: 8, learningRate: 1e-3, disableTqdm: true });
    const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: await loadDataFile("parquet", fixture.train), loss: new CoSENTLoss(model) });
    const interruptAtThree = ({ step }: { step: number }) => {
      if (step === 3) process.kill(process.pid, "SIGINT");
    };
    trainer.on("step", interruptAtThree);
    const error = await trainer.train().then(
      () => assert.fail("train() finished"),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof TrainingInterruptedError, String(error));
    const step = trainer.state.global_step;
    assert.ok(step >= 3 && step < 12, String(step));
    assert.equal(error.step, step);
    const checkpoint = join(output, `checkpoint-${step}`);
    assert.equal(error.message, `training stopped by the interrupt at step ${step} of 12, saved ${checkpoint}; resume with trainer.train({ resumeFromCheckpoint: true })`);
    assert.deepEqual(readdirSync(output), [`checkpoint-${step}`]);
    assert.deepEqual(tslabCalls, []);
    assert.deepEqual(sigintListeners(), [tslabListener]);
    assert.equal(process.exitCode, undefined, "a kernel's exit code is left alone");
    trainer.off("step", interruptAtThree);
    const resumed = await trainer.train({ resumeFromCheckpoint: true });
    assert.equal(resumed.globalStep, 12);
    assert.equal(resumed.interrupted, false);
  });
});

test("the evaluate step in a kernel: an interrupt stops any evaluator's encode and rejects with one EvaluationInterruptedError line", async () => {
  await inSimulatedKernel(async () => {
    const texts = Array.from({ length: 120 }, (_, i) => `sentence ${i}`);
    const evaluator = new EmbeddingSimilarityEvaluator(texts, [...texts].reverse(), texts.map((_, i) => (i % 5) / 4), { name: "sts", batchSize: 8 });
    process.kill(process.pid, "SIGINT");
    const error = await evaluate(model, evaluator).then(
      () => assert.fail("evaluate finished"),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof EvaluationInterruptedError, String(error));
    assert.equal(error.message, 'evaluation interrupted (EmbeddingSimilarityEvaluator "sts") while encoding; no metrics were returned');
    assert.deepEqual(tslabCalls, []);
    assert.deepEqual(sigintListeners(), [tslabListener]);
    assert.equal(typeof (await evaluate(model, evaluator))["sts_pearson_cosine"], "number");
  });
});
