// export-script against the real libraries (issue 14 part 4): embedtune runs exported with trainer.exportScript(dir)
// and their train.py run to the end by interopPython() (sentence-transformers 6, transformers 5, torch; CPU,
// CUDA_VISIBLE_DEVICES="", HF_HUB_OFFLINE=1, the Hub double closed before Python starts):
//   CoSENTLoss + EmbeddingSimilarityEvaluator (cosine schedule with a warmup ratio, TensorBoard in loggingDir),
//   MultipleNegativesRankingLoss + NO_DUPLICATES + InformationRetrievalEvaluator from a model loaded by Hub id
//   (embedtune downloads it from the double into Python's cache layout; Python loads it from there offline),
//   MatryoshkaLoss(MultipleNegativesRankingLoss) and CachedMultipleNegativesRankingLoss.
// Each run: exit 0; <output_dir>/final loads in embedtune, encodes, and its weights moved from the start; the saved
// training_args hold every argument the script passed under its Python name with the run's value; trainer_state
// logs a finite loss every step, the run's max_steps and batch size; the evaluator's metric keys are embedtune's
// keys for the same evaluator. Equivalence: for the run's first training rows, the real Trainer's compute_loss
// (its collator, dropout off) gives embedtune's loss within 1e-5 and the same gradient norm; the CoSENT run's
// learning rate at every step is the one embedtune's schedule applies at that step.

import assert from "node:assert/strict";
import { toDense } from "../../src/engines/row-gradient.ts";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { inputColumnNames, labelColumnName } from "../../src/data/columns.ts";
import { Dataset } from "../../src/data/dataset.ts";
import type { SentenceEvaluator } from "../../src/evaluation/evaluator.ts";
import { EmbeddingSimilarityEvaluator } from "../../src/evaluation/embedding-similarity.ts";
import { InformationRetrievalEvaluator } from "../../src/evaluation/information-retrieval.ts";
import { CachedMultipleNegativesRankingLoss } from "../../src/losses/cached-multiple-negatives-ranking.ts";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import type { Loss } from "../../src/losses/loss.ts";
import { MatryoshkaLoss } from "../../src/losses/matryoshka.ts";
import { MultipleNegativesRankingLoss } from "../../src/losses/multiple-negatives-ranking.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { pythonTrainingArguments } from "../../src/scaleout/argument-names.ts";
import { exportTrainingScript } from "../../src/scaleout/export.ts";
import { PythonCode } from "../../src/scaleout/python.ts";
import { SentenceTransformerTrainingArguments, type TrainingArgumentsInit } from "../../src/training/arguments.ts";
import { BatchSamplers } from "../../src/training/samplers.ts";
import { learningRateFactor, warmupStepCount } from "../../src/training/schedules.ts";
import { engineLossAndGradients } from "../../src/training/train-step.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { HubDouble } from "../support/hub-double.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";
import { corpus, corpusPairScores } from "../support/pair-scores.ts";
import { interopPython, skipUnlessPython } from "../support/python-interop.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

const skip = skipUnlessPython("sentence_transformers", "accelerate", "tensorboard");
const RUN_SCRIPTS = join(projectRoot, "test/scaleout/python/run_scripts.py");
const HUB_ID = "embedtune-tests/tiny-bert";

/** Python sees no GPU, no network, no cache but the test's; one thread each, as the runs go in parallel. */
function pythonEnvironment(hfHome: string): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(HF_|HUGGING|TRANSFORMERS_|SENTENCE_TRANSFORMERS_|WANDB)/.test(name)));
  return {
    ...inherited,
    CUDA_VISIBLE_DEVICES: "",
    HF_HUB_OFFLINE: "1",
    HF_HOME: hfHome,
    OMP_NUM_THREADS: "1",
    TOKENIZERS_PARALLELISM: "false",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONWARNINGS: "ignore",
  };
}

interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Starts interopPython() with `args`; `release()` writes the line run_scripts.py waits for. */
function startPython(args: string[], env: NodeJS.ProcessEnv, cwd: string): { finished: Promise<Finished>; release: () => void } {
  const started = Date.now();
  const child = spawn(interopPython(), args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.on("error", () => {}); // it may have exited already; its status says why
  const finished = new Promise<Finished>((resolvePromise, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolvePromise({ status, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
  return { finished, release: () => child.stdin.end("go\n") };
}

/** An exported run: its embedtune parts and where Python wrote. */
interface Run {
  name: string;
  init: TrainingArgumentsInit;
  args: SentenceTransformerTrainingArguments;
  trainDataset: Dataset;
  loss: Loss;
  evaluator?: SentenceEvaluator;
  startFolder: string;
  scriptFolder: string;
  /** How many first training rows the equivalence check uses. */
  firstRows: number;
  /** How train.py ended: its own process's status and stderr, or run_scripts.py's traceback. */
  python?: { status: number | null; stderr: string; seconds: number };
  readBack?: { training_args: Record<string, unknown>; loss: number; grad_norm: number };
}

function anchorPositivePairs(start: number, count: number): Dataset {
  return Dataset.fromRows(Array.from({ length: count }, (_, i) => ({ anchor: corpus[start + 2 * i], positive: corpus[start + 2 * i + 1] })));
}

function retrievalEvaluator(): InformationRetrievalEvaluator {
  const queries: Record<string, string> = {};
  const documents: Record<string, string> = {};
  const relevant: Record<string, string[]> = {};
  for (let i = 0; i < 12; i++) {
    documents[`d${i}`] = corpus[301 + 2 * i];
    if (i < 6) {
      queries[`q${i}`] = corpus[300 + 2 * i];
      relevant[`q${i}`] = [`d${i}`];
    }
  }
  return new InformationRetrievalEvaluator(queries, documents, relevant, { name: "ir-dev" });
}

const COMMON: Partial<TrainingArgumentsInit> = { disableTqdm: true, maxSteps: 4, perDeviceTrainBatchSize: 4, loggingSteps: 1, saveStrategy: "steps", saveSteps: 4, seed: 11 };

const runs: Run[] = [];
let hfHome = "";

/** Exports one run into its own folder (output_dir inside it). */
async function exportRun(
  name: string,
  startFolder: string,
  model: SentenceTransformer,
  parts: { init: Partial<TrainingArgumentsInit>; tensorboard?: boolean; trainDataset: Dataset; evalDataset?: Dataset; loss: Loss; evaluator?: SentenceEvaluator; firstRows: number },
): Promise<Run> {
  const folder = temporaryDirectory(`embedtune-real-${name}-`);
  const init = { ...COMMON, ...parts.init, outputDir: join(folder, "output"), ...(parts.tensorboard ? { reportTo: "tensorboard", loggingDir: join(folder, "tensorboard") } : {}) } as TrainingArgumentsInit;
  const args = new SentenceTransformerTrainingArguments(init);
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: parts.trainDataset, evalDataset: parts.evalDataset, loss: parts.loss, evaluator: parts.evaluator });
  const scriptFolder = join(folder, "script");
  await exportTrainingScript(trainer, scriptFolder);
  const run: Run = { name, init, args, trainDataset: parts.trainDataset, loss: parts.loss, evaluator: parts.evaluator, startFolder, scriptFolder, firstRows: parts.firstRows };
  runs.push(run);
  return run;
}

/** The model folder embedtune downloads from the Hub double into a cache in Python's layout (the double then closes). */
async function downloadFromHubDouble(cacheFolder: string): Promise<SentenceTransformer> {
  const hub = await HubDouble.start({ lfsThreshold: 1024 });
  const saved = process.env.HF_ENDPOINT;
  try {
    hub.addRepoFromFolder(HUB_ID, await tinyModelTemplate());
    process.env.HF_ENDPOINT = hub.endpoint;
    return await SentenceTransformer.load(HUB_ID, { cacheFolder, quiet: true });
  } finally {
    if (saved === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = saved;
    await hub.close();
  }
}

function checkpointOf(run: Run): string {
  return join(run.args.outputDir, `checkpoint-${run.args.maxSteps}`);
}

before(async () => {
  if (skip) return;
  const started = Date.now();
  const template = await tinyModelTemplate();
  const load = () => SentenceTransformer.load(template, { quiet: true });
  hfHome = temporaryDirectory("embedtune-real-hf-home-");

  const stsDev = corpusPairScores(100, 8);
  const similarity = new EmbeddingSimilarityEvaluator(stsDev.column("sentence1") as string[], stsDev.column("sentence2") as string[], stsDev.column("score") as number[], { name: "sts-dev" });
  const cosentModel = await load();
  await exportRun("cosent", template, cosentModel, {
    init: { learningRate: 1e-3, lrSchedulerType: "cosine", warmupRatio: 0.25, weightDecay: 0.01, maxGradNorm: 0.5, evalStrategy: "steps", evalSteps: 2, perDeviceEvalBatchSize: 4, runName: "h7-cosent" },
    tensorboard: true,
    trainDataset: corpusPairScores(0, 24),
    evalDataset: stsDev,
    loss: new CoSENTLoss(cosentModel),
    evaluator: similarity,
    firstRows: 4,
  });

  const hubModel = await downloadFromHubDouble(join(hfHome, "hub"));
  await exportRun("mnrl-hub", hubModel.sourceDirectory!, hubModel, {
    init: { batchSampler: BatchSamplers.NO_DUPLICATES, learningRate: 5e-4, warmupSteps: 1, evalStrategy: "steps", evalSteps: 4 },
    trainDataset: anchorPositivePairs(0, 24),
    loss: new MultipleNegativesRankingLoss(hubModel, { scale: 30 }),
    evaluator: retrievalEvaluator(),
    firstRows: 4,
  });
  const matryoshkaModel = await load();
  await exportRun("matryoshka", template, matryoshkaModel, {
    init: { learningRate: 1e-3, lrSchedulerType: "constant" },
    trainDataset: anchorPositivePairs(100, 24),
    loss: new MatryoshkaLoss(matryoshkaModel, new MultipleNegativesRankingLoss(matryoshkaModel), { matryoshkaDims: [16, 8], matryoshkaWeights: [1, 0.5] }),
    firstRows: 4,
  });
  const cachedModel = await load();
  await exportRun("cached-mnrl", template, cachedModel, {
    init: { learningRate: 1e-3, perDeviceTrainBatchSize: 6, maxSteps: 3, saveSteps: 3 },
    trainDataset: anchorPositivePairs(200, 24),
    loss: new CachedMultipleNegativesRankingLoss(cachedModel, { miniBatchSize: 2 }),
    firstRows: 6,
  });
  const exported = Date.now();

  // The CoSENT run's train.py as a user starts it (`python train.py`); the others one after the other in one
  // interpreter (run_scripts.py: the ~10 s import of torch and sentence-transformers paid once), which then reads
  // every run back.
  const [standalone, ...inDriver] = runs;
  const environment = pythonEnvironment(hfHome);
  const own = startPython([join(standalone.scriptFolder, "train.py")], environment, standalone.scriptFolder);
  const jobs = runs.map((run) => ({ script: join(run.scriptFolder, "train.py"), run: run !== standalone, training_args: join(checkpointOf(run), "training_args.bin"), rows: run.firstRows }));
  const driver = startPython([RUN_SCRIPTS, JSON.stringify(jobs)], environment, temporaryDirectory("embedtune-real-driver-"));
  void own.finished.then(driver.release, driver.release);
  const [ownRun, driverRun] = await Promise.all([own.finished, driver.finished]);
  const finished = Date.now();
  standalone.python = ownRun;
  assert.equal(ownRun.status, 0, `${standalone.name}: python train.py failed\n${ownRun.stderr.slice(-3000)}`);
  assert.equal(driverRun.status, 0, driverRun.stderr.slice(-3000));
  const results = JSON.parse(driverRun.stdout.trim().split("\n").at(-1)!) as ({ error?: string } & Run["readBack"])[];
  runs.forEach((run, index) => {
    const { error, ...readBack } = results[index]!;
    if (run !== standalone) run.python = { status: error ? 1 : 0, stderr: error ?? "", seconds: driverRun.seconds };
    assert.equal(error, undefined, `${run.name}: train.py raised\n${error}`);
    run.readBack = readBack as Run["readBack"];
  });
  const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
  console.error(
    `real sentence-transformers: export ${seconds(started, exported)} s; python train.py (${standalone.name}) ${ownRun.seconds.toFixed(1)} s; ` +
      `run_scripts.py (${inDriver.map(({ name }) => name).join(", ")}, then the read-back) ${driverRun.seconds.toFixed(1)} s; ` +
      `all done ${seconds(started, finished)} s`,
  );
});

function runNamed(name: string): Run {
  const run = runs.find((candidate) => candidate.name === name);
  assert.ok(run, `run ${name} was exported`);
  return run;
}

function trainerState(run: Run): { max_steps: number; train_batch_size: number; log_history: Record<string, number>[] } {
  return JSON.parse(readFileSync(join(checkpointOf(run), "trainer_state.json"), "utf8"));
}

/** The value a saved Python argument must have for the keyword the script passed. */
function savedForm(keyword: string, value: unknown): unknown {
  if (value instanceof PythonCode) return BatchSamplers[value.source.replace("BatchSamplers.", "") as keyof typeof BatchSamplers];
  if (keyword === "report_to") return value === "none" ? [] : typeof value === "string" ? [value] : value;
  return value;
}

/** Every run's common checks (see the header). */
async function checkRun(run: Run): Promise<void> {
  assert.equal(run.python?.status, 0);
  const final = join(run.args.outputDir, "final");
  const trained = await SentenceTransformer.load(final, { quiet: true });
  const start = await SentenceTransformer.load(run.startFolder, { quiet: true });
  try {
    const [embedding] = await trained.encode(["a sentence to encode"]);
    assert.equal(embedding.length, 16);
    assert.ok(embedding.every(Number.isFinite));
    const startWeights = new Map(start.transformer.namedParameters().map(({ name, tensor }) => [name, tensor.dataSync()]));
    const moved = trained.transformer.namedParameters().map(({ name, tensor }) => {
      const before = startWeights.get(name);
      assert.ok(before, `${name} is a weight of the start model`);
      const after = tensor.dataSync();
      return Math.max(...after.map((value, index) => Math.abs(value - before[index])));
    });
    assert.equal(moved.length, startWeights.size);
    assert.ok(Math.max(...moved) > 1e-5, `${run.name}: the weights moved (largest change ${Math.max(...moved)})`);
  } finally {
    trained.dispose();
    start.dispose();
  }

  const { keywords } = pythonTrainingArguments(run.args);
  const saved = run.readBack!.training_args;
  for (const [keyword, value] of Object.entries(keywords)) {
    assert.deepEqual(saved[keyword], savedForm(keyword, value), `${run.name}: training_args.${keyword}`);
  }
  const state = trainerState(run);
  assert.equal(state.max_steps, run.args.maxSteps);
  assert.equal(state.train_batch_size, run.args.perDeviceTrainBatchSize);
  const losses = state.log_history.filter((entry) => "loss" in entry);
  assert.deepEqual(losses.map((entry) => entry.step), Array.from({ length: run.args.maxSteps }, (_, i) => i + 1));
  assert.ok(losses.every((entry) => Number.isFinite(entry.loss) && entry.loss >= 0), `${run.name}: a finite loss every step: ${JSON.stringify(losses)}`);
}

/** The loss and gradient norm of the run's first rows in embedtune, dropout off (the start weights). */
async function embedtuneFirstRows(run: Run): Promise<{ loss: number; gradNorm: number }> {
  const model = await SentenceTransformer.load(run.startFolder, { quiet: true });
  try {
    const columns = inputColumnNames(run.trainDataset).map((name) => (run.trainDataset.column(name) as string[]).slice(0, run.firstRows));
    const label = labelColumnName(run.trainDataset);
    const labels = label === undefined ? undefined : (run.trainDataset.column(label) as number[]).slice(0, run.firstRows);
    // embedtune's losses compute on the embeddings they are given: the run's loss serves this model too.
    const { loss: value, gradients } = await engineLossAndGradients(model, run.loss, columns, labels, { training: false, checkpointLayers: false });
    let squares = 0;
    for (const gradient of gradients.values()) for (const item of toDense(gradient)) squares += item * item;
    return { loss: value, gradNorm: Math.sqrt(squares) };
  } finally {
    model.dispose();
  }
}

async function checkFirstRows(run: Run): Promise<void> {
  const ours = await embedtuneFirstRows(run);
  const python = run.readBack!;
  console.error(`${run.name}: first ${run.firstRows} rows, dropout off: loss Python ${python.loss} / embedtune ${ours.loss}; gradient norm ${python.grad_norm} / ${ours.gradNorm}`);
  assert.ok(Math.abs(python.loss - ours.loss) <= 1e-5, `${run.name}: loss ${python.loss} (Python) vs ${ours.loss} (embedtune)`);
  assert.ok(Math.abs(python.grad_norm - ours.gradNorm) <= 1e-4 * python.grad_norm, `${run.name}: gradient norm ${python.grad_norm} (Python) vs ${ours.gradNorm} (embedtune)`);
}

/** eval_<name>_* keys of a log history. */
function evaluatorKeys(history: Record<string, number>[], name: string): string[] {
  return [...new Set(history.flatMap((entry) => Object.keys(entry)).filter((key) => key.startsWith(`eval_${name}_`)))].sort();
}

test("CoSENT + EmbeddingSimilarityEvaluator: trains, loads back, arguments and learning-rate schedule as embedtune's, the same metric keys, TensorBoard in loggingDir", { skip }, async () => {
  const run = runNamed("cosent");
  await checkRun(run);
  // transformers 5 logs the rate each step applied (read before the scheduler steps): embedtune's schedule for that step.
  const history = trainerState(run).log_history;
  const plan = { warmup: warmupStepCount(run.args.maxSteps, run.args.warmupSteps, run.args.warmupRatio), total: run.args.maxSteps };
  const applied = history.filter((entry) => "loss" in entry).map((entry) => [entry.step, entry.learning_rate]);
  const expected = applied.map(([step]) => [step, run.args.learningRate * learningRateFactor(run.args.lrSchedulerType, step - 1, plan.warmup, plan.total)]);
  assert.equal(plan.warmup, 1);
  for (const [index, [step, rate]] of applied.entries()) {
    assert.ok(Math.abs(rate - expected[index][1]) <= 1e-12, `step ${step}: learning rate ${rate} (Python) vs ${expected[index][1]} (embedtune); Python ${JSON.stringify(applied)}`);
  }
  const model = await SentenceTransformer.load(run.startFolder, { quiet: true });
  try {
    const ours = Object.keys(await run.evaluator!.evaluate(model)).map((key) => `eval_${key}`).sort();
    assert.deepEqual(evaluatorKeys(history, "sts-dev"), ours);
  } finally {
    model.dispose();
  }
  const events = readdirSync(run.init.loggingDir!).filter((file) => file.startsWith("events.out.tfevents."));
  assert.equal(events.length, 1, `one TensorBoard event file in loggingDir ${run.init.loggingDir}`);
  await checkFirstRows(run);
});

test("MNRL + NO_DUPLICATES + InformationRetrievalEvaluator from a model by Hub id: Python loads it offline from the cache embedtune filled", { skip }, async () => {
  const run = runNamed("mnrl-hub");
  const modelLine = readFileSync(join(run.scriptFolder, "train.py"), "utf8").split("\n").find((line) => line.startsWith("model = "));
  assert.match(modelLine ?? "", new RegExp(`^model = SentenceTransformer\\("${HUB_ID}", revision="[0-9a-f]{40}"\\)$`));
  assert.ok(existsSync(join(hfHome, "hub", `models--${HUB_ID.replace("/", "--")}`, "refs", "main")));
  await checkRun(run);
  const model = await SentenceTransformer.load(run.startFolder, { quiet: true });
  try {
    const ours = Object.keys(await run.evaluator!.evaluate(model)).map((key) => `eval_${key}`).sort();
    assert.deepEqual(evaluatorKeys(trainerState(run).log_history, "ir-dev"), ours);
  } finally {
    model.dispose();
  }
  await checkFirstRows(run);
});

test("MatryoshkaLoss(MultipleNegativesRankingLoss): trains, loads back, the same loss on the first rows", { skip }, async () => {
  const run = runNamed("matryoshka");
  await checkRun(run);
  await checkFirstRows(run);
});

test("CachedMultipleNegativesRankingLoss (mini-batches of 2): trains, loads back, the same loss and gradient on the first rows", { skip }, async () => {
  const run = runNamed("cached-mnrl");
  await checkRun(run);
  await checkFirstRows(run);
});
