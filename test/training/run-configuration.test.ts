// Run configurations and the checkpoints of other runs (issue 11, item 4): the fingerprint changes with
// every argument that changes the weights, with the data, the loss and the starting weights, and not
// with the cadence ones (which really leave the run's steps unchanged); a new run into a folder holding
// another configuration's checkpoints refuses in one line and resume never takes them (overwriteOutputDir
// deletes them, saying so); resume takes the latest checkpoint of the same configuration, naming later
// foreign ones; rotation keeps other runs' checkpoints; a same-configuration re-run starts over with one
// note and writes the same checkpoints; checkpoints without embedtune_run.json are "configuration
// unknown"; `embedtune train --resume` picks the same way.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { writeParquet } from "../../src/data/parquet.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import { MultipleNegativesRankingLoss } from "../../src/losses/multiple-negatives-ranking.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments, type TrainingArgumentsInit } from "../../src/training/arguments.ts";
import { configurationDifferences, describeRun, RUN_CONFIGURATION_FILE, TRAJECTORY_ARGUMENTS } from "../../src/training/run-configuration.ts";
import { BatchSamplers } from "../../src/training/samplers.ts";
import { trainableParameters } from "../../src/training/train-step.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { corpusPairScores } from "../support/pair-scores.ts";
import { projectRoot } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

const workspace = temporaryDirectory("embedtune-run-configuration-");
const modelDirectory = join(workspace, "model");
const otherModelDirectory = join(workspace, "other-model");

async function freshModel(directory = modelDirectory): Promise<SentenceTransformer> {
  if (!existsSync(directory)) {
    await initModel({ out: directory, hidden: 32, layers: 1, heads: 2, intermediate: 64, vocabSize: 1500, seed: directory === modelDirectory ? 5 : 6 });
  }
  return SentenceTransformer.load(directory, { quiet: true });
}

const train = corpusPairScores(0, 96);
const dev = corpusPairScores(400, 16);

function trainingArguments(overrides: Partial<TrainingArgumentsInit> = {}): SentenceTransformerTrainingArguments {
  return new SentenceTransformerTrainingArguments({
    outputDir: join(temporaryDirectory(), "output"),
    maxSteps: 3,
    perDeviceTrainBatchSize: 8,
    learningRate: 1e-3,
    saveStrategy: "no",
    disableTqdm: true,
    ...overrides,
  });
}

/** Runs `body` with console.error collected (and not printed); returns the lines. */
async function stderrOf(body: () => Promise<unknown>): Promise<{ lines: string[]; error?: unknown }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...values: unknown[]) => lines.push(values.join(" "));
  try {
    await body();
    return { lines };
  } catch (error) {
    return { lines, error };
  } finally {
    console.error = original;
  }
}

function checkpointsIn(directory: string): string[] {
  return readdirSync(directory).filter((name) => name.startsWith("checkpoint-")).sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
}

function weightsOf(model: SentenceTransformer): Float32Array[] {
  return model.transformer.namedParameters().map(({ tensor }) => tensor.dataSync().slice() as Float32Array);
}

// ---- the fingerprint ----------------------------------------------------------------------------

/** A different value for every training argument (typed: a new argument must get one here). */
const VARIATIONS: Record<keyof TrainingArgumentsInit, Partial<TrainingArgumentsInit>> = {
  outputDir: { outputDir: join(workspace, "elsewhere") },
  overwriteOutputDir: { overwriteOutputDir: true },
  numTrainEpochs: { numTrainEpochs: 2 },
  maxSteps: { maxSteps: 5 },
  perDeviceTrainBatchSize: { perDeviceTrainBatchSize: 4 },
  perDeviceEvalBatchSize: { perDeviceEvalBatchSize: 4 },
  learningRate: { learningRate: 2e-3 },
  weightDecay: { weightDecay: 0.1 },
  adamBeta1: { adamBeta1: 0.8 },
  adamBeta2: { adamBeta2: 0.99 },
  adamEpsilon: { adamEpsilon: 1e-6 },
  maxGradNorm: { maxGradNorm: 0.5 },
  lrSchedulerType: { lrSchedulerType: "cosine" },
  warmupRatio: { warmupRatio: 0.5 },
  warmupSteps: { warmupSteps: 2 },
  gradientAccumulationSteps: { gradientAccumulationSteps: 2 },
  evalStrategy: { evalStrategy: "steps", evalSteps: 1 },
  evalSteps: { evalSteps: 2 },
  saveStrategy: { saveStrategy: "steps", saveSteps: 1 },
  saveSteps: { saveSteps: 2 },
  saveTotalLimit: { saveTotalLimit: 1 },
  loggingStrategy: { loggingStrategy: "epoch" },
  loggingSteps: { loggingSteps: 1 },
  loggingFirstStep: { loggingFirstStep: true },
  loadBestModelAtEnd: { loadBestModelAtEnd: true, evalStrategy: "steps", evalSteps: 1, saveStrategy: "steps", saveSteps: 1 },
  metricForBestModel: { metricForBestModel: "eval_loss" },
  greaterIsBetter: { greaterIsBetter: true },
  seed: { seed: 7 },
  dataSeed: { dataSeed: 3 },
  fp16: { fp16: true },
  bf16: { bf16: true },
  prompts: { prompts: "query: " },
  batchSampler: { batchSampler: BatchSamplers.NO_DUPLICATES },
  dataloaderDropLast: { dataloaderDropLast: true },
  runName: { runName: "another-name" },
  reportTo: { reportTo: "csv" },
  loggingDir: { loggingDir: "elsewhere" },
  device: { device: "cpu" },
  disableTqdm: { disableTqdm: false },
  engine: { engine: "tfjs" },
};

/** The arguments that leave the weights a run goes through unchanged. */
const CADENCE_AND_REPORTING = [
  "outputDir", "overwriteOutputDir", "perDeviceEvalBatchSize", "evalStrategy", "evalSteps", "saveStrategy", "saveSteps", "saveTotalLimit",
  "loggingStrategy", "loggingSteps", "loggingFirstStep", "loadBestModelAtEnd", "metricForBestModel", "greaterIsBetter", "fp16", "bf16",
  "runName", "reportTo", "loggingDir", "device", "disableTqdm", "engine",
];

test("the fingerprint changes with every argument that changes the trajectory, and only with those", async () => {
  const model = await freshModel();
  const loss = new CoSENTLoss(model);
  const fingerprint = (args: SentenceTransformerTrainingArguments) =>
    describeRun({ args, trainDataset: train, loss, model, weights: trainableParameters(model, loss) }).fingerprint;
  const base = fingerprint(trainingArguments());
  assert.equal(fingerprint(trainingArguments()), base, "the same arguments, the same fingerprint");
  const unchanged = Object.entries(VARIATIONS)
    .filter(([, variation]) => fingerprint(trainingArguments(variation)) === base)
    .map(([name]) => name);
  assert.deepEqual(unchanged.sort(), [...CADENCE_AND_REPORTING].sort());
  assert.deepEqual(Object.keys(TRAJECTORY_ARGUMENTS).filter((name) => !TRAJECTORY_ARGUMENTS[name as keyof TrainingArgumentsInit]).sort(), [...CADENCE_AND_REPORTING].sort());
  model.dispose();
});

test("the arguments left out of the fingerprint really leave every step's loss and gradient norm unchanged", { timeout: 120_000 }, async () => {
  const steps = async (overrides: Partial<TrainingArgumentsInit>) => {
    const model = await freshModel();
    const trainer = new SentenceTransformerTrainer({ model, args: trainingArguments(overrides), trainDataset: train, evalDataset: dev, loss: new CoSENTLoss(model) });
    const seen: number[][] = [];
    trainer.on("step", ({ loss, gradNorm }) => seen.push([loss, gradNorm]));
    await stderrOf(() => trainer.train());
    model.dispose();
    return seen;
  };
  const base = await steps({});
  assert.equal(base.length, 3);
  // The engine is left out by design (where the run computes, as Hugging Face's device): it changes float rounding.
  for (const name of CADENCE_AND_REPORTING.filter((name) => name !== "engine")) {
    assert.deepEqual(await steps(VARIATIONS[name as keyof TrainingArgumentsInit]), base, name);
  }
});

test("the fingerprint changes with the train data, the loss and the starting model; the differences read as phrases", async () => {
  const model = await freshModel();
  const args = trainingArguments();
  const describe = (parts: { trainDataset?: typeof train; loss?: CoSENTLoss | MultipleNegativesRankingLoss; model?: SentenceTransformer; args?: SentenceTransformerTrainingArguments } = {}) => {
    const subject = parts.model ?? model;
    const loss = parts.loss ?? new CoSENTLoss(subject);
    return describeRun({ args: parts.args ?? args, trainDataset: parts.trainDataset ?? train, loss, model: subject, weights: trainableParameters(subject, loss) });
  };
  const base = describe();
  const reloaded = await freshModel();
  assert.equal(describe({ model: reloaded }).fingerprint, base.fingerprint, "the same model loaded again");

  const scores = train.column("score") as number[];
  const cases: [string, ReturnType<typeof describe>, string[]][] = [
    ["one score changed", describe({ trainDataset: train.map((row, index) => (index === 7 ? { ...row, score: 1 - scores[7] } : row)) }), ["train data differs"]],
    ["rows in another order", describe({ trainDataset: train.select([...Array(96).keys()].reverse()) }), ["train data differs"]],
    ["fewer rows", describe({ trainDataset: train.select([...Array(80).keys()]) }), ["train data 96 → 80 rows"]],
    ["the loss's scale", describe({ loss: new CoSENTLoss(model, { scale: 30 }) }), ["loss scale 20 → 30"]],
    ["another loss", describe({ loss: new MultipleNegativesRankingLoss(model) }), ["loss CoSENTLoss → MultipleNegativesRankingLoss"]],
    ["another model's weights", describe({ model: await freshModel(otherModelDirectory) }), ["starting weights differ"]],
    ["numTrainEpochs", describe({ args: trainingArguments({ numTrainEpochs: 1 }) }), ["numTrainEpochs 3 → 1"]],
  ];
  for (const [what, configuration, differences] of cases) {
    assert.notEqual(configuration.fingerprint, base.fingerprint, what);
    assert.deepEqual(configurationDifferences(base, configuration), differences, what);
  }
  // One weight nudged (a model trained a little, e.g. a notebook's training cell run twice).
  const first = reloaded.transformer.namedParameters()[0].tensor;
  first.assign(first.add(1e-3));
  assert.deepEqual(configurationDifferences(base, describe({ model: reloaded })), ["starting weights differ"]);
  reloaded.maxSeqLength = 64;
  assert.ok(configurationDifferences(base, describe({ model: reloaded })).includes(`maxSeqLength ${model.maxSeqLength} → 64`));
  reloaded.dispose();
  model.dispose();
});

// ---- the folder's checkpoints -------------------------------------------------------------------

test("the issue's scenario: a 3-epoch run's checkpoints, then a 1-epoch run into the same folder refuses in one line and resume never takes them", { timeout: 120_000 }, async () => {
  const outputDir = join(temporaryDirectory(), "output");
  const earlier = { outputDir, maxSteps: -1, numTrainEpochs: 3, saveStrategy: "epoch" as const, saveTotalLimit: 2 };
  const firstModel = await freshModel();
  await stderrOf(() => new SentenceTransformerTrainer({ model: firstModel, args: trainingArguments(earlier), trainDataset: train, loss: new CoSENTLoss(firstModel) }).train());
  firstModel.dispose();
  assert.deepEqual(checkpointsIn(outputDir), ["checkpoint-24", "checkpoint-36"]);
  const weightsBefore = readFileSync(join(outputDir, "checkpoint-36", "model.safetensors"));

  const model = await freshModel();
  const startingWeights = weightsOf(model);
  const trainer = new SentenceTransformerTrainer({ model, args: trainingArguments({ ...earlier, numTrainEpochs: 1 }), trainDataset: train, loss: new CoSENTLoss(model) });
  let steps = 0;
  trainer.on("step", () => (steps += 1));
  const fresh = await stderrOf(() => trainer.train());
  assert.equal(
    (fresh.error as Error)?.message,
    `outputDir: ${outputDir} holds checkpoints of another run configuration: checkpoint-24, checkpoint-36 (numTrainEpochs 3 → 1); ` +
      `resume one by its path (resumeFromCheckpoint: ${JSON.stringify(join(outputDir, "checkpoint-36"))}), choose another outputDir, or pass overwriteOutputDir: true to delete them`,
  );
  const resumed = await stderrOf(() => trainer.train({ resumeFromCheckpoint: true }));
  assert.equal(
    (resumed.error as Error)?.message,
    `resumeFromCheckpoint: no checkpoint in ${outputDir} is of this run configuration: checkpoint-24, checkpoint-36 (numTrainEpochs 3 → 1); ` +
      `to resume one anyway pass its path (resumeFromCheckpoint: ${JSON.stringify(join(outputDir, "checkpoint-36"))}), or train into another outputDir`,
  );
  assert.equal(steps, 0, "nothing trained");
  assert.deepEqual(weightsOf(model), startingWeights, "the model is untouched");
  assert.deepEqual(checkpointsIn(outputDir), ["checkpoint-24", "checkpoint-36"]);
  assert.deepEqual(readFileSync(join(outputDir, "checkpoint-36", "model.safetensors")), weightsBefore, "the earlier run's checkpoints are intact");

  // overwriteOutputDir: true deletes them, saying so, and the run goes on.
  const overwriting = new SentenceTransformerTrainer({ model, args: trainingArguments({ ...earlier, numTrainEpochs: 1, overwriteOutputDir: true }), trainDataset: train, loss: new CoSENTLoss(model) });
  const overwritten = await stderrOf(() => overwriting.train());
  assert.equal(overwritten.error, undefined);
  assert.ok(
    overwritten.lines.includes(`embedtune: deleting the checkpoints of another run configuration in ${outputDir} (overwriteOutputDir: true): checkpoint-24, checkpoint-36 (numTrainEpochs 3 → 1)`),
    overwritten.lines.join("\n"),
  );
  assert.deepEqual(checkpointsIn(outputDir), ["checkpoint-12"]);
  model.dispose();
});

test("resume takes the latest checkpoint of the same configuration, saying which later ones are another run's; rotation keeps other runs' checkpoints", { timeout: 120_000 }, async () => {
  const outputDir = join(temporaryDirectory(), "output");
  const runA = { outputDir, maxSteps: 6, saveStrategy: "steps" as const, saveSteps: 2 };
  const runB = { outputDir, maxSteps: 8, saveStrategy: "steps" as const, saveSteps: 2, saveTotalLimit: 1, learningRate: 2e-3 };
  const trainerFor = (model: SentenceTransformer, overrides: Partial<TrainingArgumentsInit>) =>
    new SentenceTransformerTrainer({ model, args: trainingArguments(overrides), trainDataset: train, loss: new CoSENTLoss(model) });

  const straightModel = await freshModel();
  await stderrOf(() => trainerFor(straightModel, { ...runA, outputDir: join(temporaryDirectory(), "straight") }).train());

  // Run A stops at step 4 (checkpoint-2, checkpoint-4).
  const modelA = await freshModel();
  const stopped = trainerFor(modelA, runA);
  stopped.on("step", ({ step }) => step === 4 && stopped.stop());
  await stderrOf(() => stopped.train());
  modelA.dispose();

  // Run B continues A's checkpoint-4 by its path, with another learning rate, keeping one checkpoint of its own.
  const modelB = await freshModel();
  const b = await stderrOf(() => trainerFor(modelB, runB).train({ resumeFromCheckpoint: join(outputDir, "checkpoint-4") }));
  modelB.dispose();
  assert.equal(b.error, undefined);
  assert.ok(
    b.lines.includes(`embedtune: resuming from ${join(outputDir, "checkpoint-4")} at step 4: taken as given, though its run configuration differs (learningRate 0.001 → 0.002, maxSteps 6 → 8)`),
    b.lines.join("\n"),
  );
  assert.deepEqual(checkpointsIn(outputDir), ["checkpoint-2", "checkpoint-4", "checkpoint-8"], "rotation removed B's checkpoint-6, never A's");

  // Run A again, resumed: its own checkpoint-4, not B's later checkpoint-8; it ends as the uninterrupted A.
  const resumedModel = await freshModel();
  const resumedA = await stderrOf(() => trainerFor(resumedModel, runA).train({ resumeFromCheckpoint: true }));
  assert.equal(resumedA.error, undefined);
  assert.ok(
    resumedA.lines.includes(
      `embedtune: resuming from ${join(outputDir, "checkpoint-4")} at step 4: the latest checkpoint of this run configuration; checkpoint-8 (learningRate 0.002 → 0.001, maxSteps 8 → 6) is of another run configuration`,
    ),
    resumedA.lines.join("\n"),
  );
  assert.deepEqual(weightsOf(resumedModel), weightsOf(straightModel));
  assert.deepEqual(checkpointsIn(outputDir), ["checkpoint-2", "checkpoint-4", "checkpoint-6", "checkpoint-8"]);
  resumedModel.dispose();
  straightModel.dispose();

  // A run resumed into steps where another configuration's checkpoints lie refuses to save over them.
  const modelC = await freshModel();
  const overB = await stderrOf(() => trainerFor(modelC, runB).train({ resumeFromCheckpoint: join(outputDir, "checkpoint-4") }));
  assert.equal(
    (overB.error as Error)?.message,
    `outputDir: this run (steps 5–8) would save over checkpoints of another run configuration in ${outputDir}: checkpoint-6 (learningRate 0.001 → 0.002, maxSteps 6 → 8); ` +
      "move it elsewhere, choose another outputDir, or pass overwriteOutputDir: true to delete it",
  );
  assert.ok(existsSync(join(outputDir, "checkpoint-6")));

  // No checkpoint of a third configuration: one line naming them all, grouped by configuration.
  const third = await stderrOf(() => trainerFor(modelC, { ...runB, learningRate: 3e-3 }).train({ resumeFromCheckpoint: true }));
  assert.match(
    (third.error as Error)?.message ?? "",
    /^resumeFromCheckpoint: no checkpoint in \S+ is of this run configuration: checkpoint-2, checkpoint-4, checkpoint-6 \(learningRate 0\.001 → 0\.003, maxSteps 6 → 8\); checkpoint-8 \(learningRate 0\.002 → 0\.003\); to resume one anyway pass its path \(resumeFromCheckpoint: "\S+checkpoint-8"\), or train into another outputDir$/,
  );
  modelC.dispose();
});

test("re-running the same configuration into its folder starts over with one note and writes the same checkpoints", { timeout: 120_000 }, async () => {
  const outputDir = join(temporaryDirectory(), "output");
  const args = { outputDir, maxSteps: 4, saveStrategy: "steps" as const, saveSteps: 2 };
  const run = async () => {
    const model = await freshModel();
    const result = await stderrOf(() => new SentenceTransformerTrainer({ model, args: trainingArguments(args), trainDataset: train, loss: new CoSENTLoss(model) }).train());
    model.dispose();
    assert.equal(result.error, undefined);
    return result.lines;
  };
  await run();
  const files = ["model.safetensors", "optimizer.safetensors", RUN_CONFIGURATION_FILE].map((name) => readFileSync(join(outputDir, "checkpoint-4", name)));
  const lines = await run();
  assert.deepEqual(lines.filter((line) => line.includes(outputDir)), [
    `embedtune: ${outputDir} holds checkpoint-2, checkpoint-4 of this same run configuration: starting over (the run saves the same checkpoints again); to continue from checkpoint-4 instead, pass resumeFromCheckpoint: true`,
  ]);
  assert.deepEqual(["model.safetensors", "optimizer.safetensors", RUN_CONFIGURATION_FILE].map((name) => readFileSync(join(outputDir, "checkpoint-4", name))), files);
});

test("a run stopped in this process resumes on the same model (the same trainer, or a new one as a notebook cell run again); a new run on the trained model is told why", { timeout: 120_000 }, async () => {
  const outputDir = join(temporaryDirectory(), "output");
  const args = trainingArguments({ outputDir, maxSteps: 6, saveStrategy: "steps", saveSteps: 2 });
  const straightModel = await freshModel();
  await stderrOf(() => new SentenceTransformerTrainer({ model: straightModel, args: trainingArguments({ maxSteps: 6 }), trainDataset: train, loss: new CoSENTLoss(straightModel) }).train());

  const model = await freshModel();
  const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: train, loss: new CoSENTLoss(model) });
  trainer.on("step", ({ step }) => step === 3 && trainer.stop());
  await stderrOf(() => trainer.train());
  assert.deepEqual(checkpointsIn(outputDir), ["checkpoint-2", "checkpoint-3"]);

  // A new trainer on the model as it is now (trained 3 steps): a new run is refused, saying why.
  const again = new SentenceTransformerTrainer({ model, args, trainDataset: train, loss: new CoSENTLoss(model) });
  const fresh = await stderrOf(() => again.train());
  assert.match(
    (fresh.error as Error)?.message ?? "",
    /holds checkpoints of another run configuration: checkpoint-2 \(starting weights differ\); checkpoint-3 \(starting weights differ: the model holds this checkpoint's trained weights\); resume one by its path/,
  );
  // Resumed, it continues checkpoint-3's run; the same trainer would too.
  const resumed = await stderrOf(() => again.train({ resumeFromCheckpoint: true }));
  assert.equal(resumed.error, undefined);
  assert.ok(resumed.lines.includes(`embedtune: resuming from ${join(outputDir, "checkpoint-3")} at step 3`), resumed.lines.join("\n"));
  assert.deepEqual(weightsOf(model), weightsOf(straightModel), "the same weights as the uninterrupted run");
  assert.deepEqual(checkpointsIn(outputDir), ["checkpoint-2", "checkpoint-3", "checkpoint-4", "checkpoint-6"]);
  const [first, last] = ["checkpoint-2", "checkpoint-6"].map((name) => JSON.parse(readFileSync(join(outputDir, name, RUN_CONFIGURATION_FILE), "utf8")).fingerprint);
  assert.equal(last, first, "the continued run's checkpoints carry the run's configuration");
  model.dispose();

  const sameTrainerModel = await freshModel();
  const sameTrainer = new SentenceTransformerTrainer({ model: sameTrainerModel, args: trainingArguments({ maxSteps: 6, saveStrategy: "steps", saveSteps: 2 }), trainDataset: train, loss: new CoSENTLoss(sameTrainerModel) });
  sameTrainer.on("step", ({ step }) => step === 3 && sameTrainer.stop());
  await stderrOf(() => sameTrainer.train());
  const continued = await stderrOf(() => sameTrainer.train({ resumeFromCheckpoint: true }));
  assert.equal(continued.error, undefined);
  assert.deepEqual(weightsOf(sameTrainerModel), weightsOf(straightModel));
  sameTrainerModel.dispose();
  straightModel.dispose();
});

test("checkpoints without embedtune_run.json are of unknown configuration: resume takes one saying so, a new run refuses them", { timeout: 120_000 }, async () => {
  const outputDir = join(temporaryDirectory(), "output");
  const args = { outputDir, maxSteps: 6, saveStrategy: "steps" as const, saveSteps: 2 };
  const model = await freshModel();
  const stopped = new SentenceTransformerTrainer({ model, args: trainingArguments(args), trainDataset: train, loss: new CoSENTLoss(model) });
  stopped.on("step", ({ step }) => step === 4 && stopped.stop());
  await stderrOf(() => stopped.train());
  model.dispose();
  for (const name of checkpointsIn(outputDir)) rmSync(join(outputDir, name, RUN_CONFIGURATION_FILE));

  const again = await freshModel();
  const fresh = await stderrOf(() => new SentenceTransformerTrainer({ model: again, args: trainingArguments(args), trainDataset: train, loss: new CoSENTLoss(again) }).train());
  assert.match((fresh.error as Error)?.message ?? "", /^outputDir: \S+ holds checkpoints of an unknown run configuration: checkpoint-2, checkpoint-4 \(configuration unknown\); resume one by its path/);
  const resumed = await stderrOf(() => new SentenceTransformerTrainer({ model: again, args: trainingArguments(args), trainDataset: train, loss: new CoSENTLoss(again) }).train({ resumeFromCheckpoint: true }));
  assert.equal(resumed.error, undefined);
  assert.ok(
    resumed.lines.includes(
      `embedtune: resuming from ${join(outputDir, "checkpoint-4")} at step 4: its run configuration is unknown (no embedtune_run.json: saved by an older embedtune or another trainer) and no checkpoint is of this one`,
    ),
    resumed.lines.join("\n"),
  );
  assert.deepEqual(checkpointsIn(outputDir), ["checkpoint-2", "checkpoint-4", "checkpoint-6"]);
  again.dispose();
});

// ---- embedtune train --resume -------------------------------------------------------------------

test("`embedtune train --resume` takes the latest checkpoint of its own configuration; another configuration gets one line", { timeout: 300_000 }, async () => {
  const model = join(workspace, "cli-model");
  const trainFile = join(workspace, "train.parquet");
  await initModel({ out: model, hidden: 32, layers: 1, heads: 2, intermediate: 64, vocabSize: 1500, seed: 9 });
  writeParquet(trainFile, corpusPairScores(0, 200));
  const embedtune = (output: string, extra: string[]) =>
    spawnSync(
      process.execPath,
      ["bin/embedtune.js", "train", "--model", model, "--train", trainFile, "--output", output, "--batch-size", "8", "--save-steps", "2", "--seed", "42", ...extra],
      { cwd: projectRoot, env: { ...process.env, EMBEDTUNE_CACHE: join(workspace, "cache") }, encoding: "utf8", timeout: 120_000 },
    );
  const errorLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("embedtune: error:"));
  const output = join(workspace, "cli-output");
  const runA = ["--max-steps", "4", "--learning-rate", "1e-3"];
  // Run A, as if killed after its checkpoint-2; beside it, run B's checkpoint-6 (another learning rate).
  assert.equal(embedtune(output, runA).status, 0);
  rmSync(join(output, "checkpoint-4"), { recursive: true });
  rmSync(join(output, "final"), { recursive: true });
  const elsewhere = join(workspace, "cli-elsewhere");
  assert.equal(embedtune(elsewhere, ["--max-steps", "6", "--learning-rate", "2e-3", "--save-total-limit", "1"]).status, 0);
  renameSync(join(elsewhere, "checkpoint-6"), join(output, "checkpoint-6"));

  const resumed = embedtune(output, [...runA, "--resume"]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.ok(
    resumed.stderr.includes(
      `embedtune: resuming from ${join(output, "checkpoint-2")} at step 2: the latest checkpoint of this run configuration; checkpoint-6 (learningRate 0.002 → 0.001, maxSteps 6 → 4) is of another run configuration\n`,
    ),
    resumed.stderr,
  );
  assert.match(resumed.stdout, /trained 4 steps/);
  assert.deepEqual(checkpointsIn(output), ["checkpoint-2", "checkpoint-4", "checkpoint-6"]);

  const other = embedtune(output, ["--max-steps", "4", "--learning-rate", "5e-3", "--resume"]);
  assert.equal(other.status, 1, other.stderr);
  assert.deepEqual(errorLines(other.stderr), [
    `embedtune: error: --resume: no checkpoint in ${output} is of this run configuration: checkpoint-2, checkpoint-4 (learningRate 0.001 → 0.005); ` +
      `checkpoint-6 (learningRate 0.002 → 0.005, maxSteps 6 → 4); to resume one anyway pass its path (--resume-from ${join(output, "checkpoint-6")}), or train into another --output`,
  ]);
  const fresh = embedtune(output, ["--max-steps", "4", "--learning-rate", "5e-3"]);
  assert.equal(fresh.status, 1, fresh.stderr);
  assert.match(errorLines(fresh.stderr)[0] ?? fresh.stderr, /^embedtune: error: --output: \S+ holds checkpoints of another run configuration: .*, or pass --overwrite to delete them$/);
  assert.deepEqual(checkpointsIn(output), ["checkpoint-2", "checkpoint-4", "checkpoint-6"], "nothing deleted");
});
