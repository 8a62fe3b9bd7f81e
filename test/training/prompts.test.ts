// SentenceTransformerTrainingArguments.prompts, resolved and applied as sentence-transformers' data collator
// does (prompt + text per input column; a string for all columns, { column: prompt }, per dataset), with
// Pooling include_prompt false masking each column's prompt tokens in training, eval loss and the data check.
// The embeddings the loss receives are compared with model.encode(text, { prompt }) — itself checked against a
// hand-masked mean in test/models/pooling-include-prompt.test.ts — on ../shared/models/tiny-bert-uncased with
// dropout 0 (so the training pass is deterministic), for both engines; then e5-style and bge-style prompts end
// to end through the trainer, and one-line errors for prompts naming no column.

import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { Dataset } from "../../src/data/dataset.ts";
import { ArgumentError } from "../../src/errors.ts";
import type { Loss } from "../../src/losses/loss.ts";
import { MultipleNegativesRankingLoss } from "../../src/losses/multiple-negatives-ranking.ts";
import { renderModelCard } from "../../src/models/model-card.ts";
import { SentenceTransformer, type EngineName } from "../../src/models/sentence-transformer.ts";
import { SentenceTransformerTrainingArguments, type TrainingArgumentsInit } from "../../src/training/arguments.ts";
import { columnPrompts, type TrainingPrompts } from "../../src/training/prompts.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";
import { temporaryDirectory } from "../support/temp.ts";

const TINY = "models/tiny-bert-uncased";
const skip = skipUnlessShared(TINY);
const BGE_QUERY = "Represent this sentence for searching relevant passages: ";

function args(overrides: Partial<TrainingArgumentsInit> = {}): SentenceTransformerTrainingArguments {
  return new SentenceTransformerTrainingArguments({
    outputDir: join(temporaryDirectory(), "output"),
    perDeviceTrainBatchSize: 4,
    perDeviceEvalBatchSize: 4,
    saveStrategy: "no",
    disableTqdm: true,
    ...overrides,
  });
}

function oneLineError(action: () => unknown, message: string): void {
  assert.throws(action, (error: Error) => {
    assert.ok(error instanceof ArgumentError, `${error.name}: ${error.message}`);
    assert.equal(error.message, message);
    assert.ok(!error.message.includes("\n"));
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------
// The argument and ST's resolution

test("prompts argument: the four ST forms are kept; anything else is a one-line ArgumentError", () => {
  assert.equal(args().prompts, undefined);
  assert.equal(args({ prompts: "query: " }).prompts, "query: ");
  assert.deepEqual(args({ prompts: { anchor: "query: " } }).prompts, { anchor: "query: " });
  assert.deepEqual(args({ prompts: { stsb: { sentence1: "a: " } } }).prompts, { stsb: { sentence1: "a: " } });
  const bad = (prompts: unknown) => args({ prompts: prompts as TrainingPrompts });
  oneLineError(() => bad(3), "prompts: must be a string, { column: prompt } or { dataset: { column: prompt } }, got number");
  oneLineError(() => bad(["query: "]), "prompts: must be a string, { column: prompt } or { dataset: { column: prompt } }, got an array");
  oneLineError(() => bad({ anchor: 1 }), "prompts.anchor: must be a string or { column: prompt }, got number");
  oneLineError(() => bad({ nli: { anchor: null } }), "prompts.nli.anchor: must be a string, got null");
  oneLineError(() => bad({ anchor: "q: ", nli: { anchor: "q: " } }), "prompts: mixes prompts (anchor) with dataset mappings (nli); use one form");
});

test("prompts are a hyperparameter: listed when set (Python repr, as ST's model card), not when unset", () => {
  const prompts = { anchor: "query: ", positive: "passage: " };
  assert.deepEqual(args({ prompts }).nonDefault().prompts, prompts);
  assert.equal("prompts" in args().nonDefault(), false);
  assert.equal(args().toJSON().prompts, undefined);
});

test("column prompts as ST's collator picks them (string, per column, per dataset, nested, empty)", () => {
  const pick = (prompts: TrainingPrompts | undefined, dataset?: string) => Object.fromEntries(columnPrompts(prompts, ["anchor", "positive"], dataset));
  assert.deepEqual(pick(undefined), {});
  assert.deepEqual(pick("query: "), { anchor: "query: ", positive: "query: " });
  assert.deepEqual(pick({ anchor: "query: " }), { anchor: "query: " });
  assert.deepEqual(pick({ anchor: "query: ", positive: "" }), { anchor: "query: " }); // "" is no prompt (ST: `if prompt:`)
  assert.deepEqual(pick({}), {});
  // Multi-dataset: a dataset's own entry wins (a string for all its columns, or its columns' prompts)...
  assert.deepEqual(pick({ nli: "x: ", stsb: "y: " }, "stsb"), { anchor: "y: ", positive: "y: " });
  assert.deepEqual(pick({ nli: { anchor: "x: " }, stsb: { positive: "y: " } }, "stsb"), { positive: "y: " });
  // ... a nested mapping without this dataset gives it no prompts; a flat one is read as column → prompt.
  assert.deepEqual(pick({ nli: { anchor: "x: " } }, "stsb"), {});
  assert.deepEqual(pick({ anchor: "q: " }, "stsb"), { anchor: "q: " });
  // A nested mapping without dataset names is ST's ValueError.
  assert.throws(() => pick({ nli: { anchor: "x: " } }), /^ArgumentError: prompts: maps dataset names \(nli\) to prompts, but the training data is one Dataset/);
});

// ---------------------------------------------------------------------------------------------------
// The trainer: what the loss receives

/** tiny-bert-uncased with dropout 0, so training-mode embeddings equal inference ones. */
function noDropoutModelDirectory(): string {
  const directory = join(temporaryDirectory(), "tiny-bert-no-dropout");
  cpSync(sharedPath(TINY), directory, { recursive: true });
  const configPath = join(directory, "config.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  writeFileSync(configPath, JSON.stringify({ ...config, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }));
  return directory;
}

/** Records the embeddings of every call (per column, as arrays); the loss is −mean(a·b) so gradients exist. */
class RecordingLoss implements Loss {
  readonly name = "RecordingLoss";
  readonly calls: number[][][][] = [];
  computeLoss(embeddings: tf.Tensor2D[]): tf.Scalar {
    this.calls.push(embeddings.map((tensor) => tensor.arraySync()));
    return tf.neg(tf.mean(tf.mul(embeddings[0], embeddings[1]))) as tf.Scalar;
  }
  getConfigDict() {
    return {};
  }
}

const PAIRS = Dataset.fromColumns({
  anchor: ["how do planes fly", "what is the capital of france", "who wrote hamlet", "how tall is mount everest"],
  positive: [
    "wings generate lift as air flows over them",
    "paris is the capital and largest city of france",
    "hamlet is a tragedy written by william shakespeare",
    "mount everest is 8849 metres above sea level",
  ],
});

function closest(row: number[], candidates: number[][]): { index: number; distance: number } {
  let best = { index: -1, distance: Infinity };
  candidates.forEach((candidate, index) => {
    const distance = Math.max(...row.map((value, i) => Math.abs(value - candidate[i])));
    if (distance < best.distance) best = { index, distance };
  });
  return best;
}

/** Every recorded row matches a distinct expected row (batches come in the sampler's order) within 1e-5. */
function assertSameRows(recorded: number[][], expected: number[][], label: string): void {
  const used = new Set<number>();
  for (const row of recorded) {
    const { index, distance } = closest(row, expected);
    assert.ok(distance < 1e-5, `${label}: a row is ${distance} from every expected embedding`);
    assert.ok(!used.has(index), `${label}: two rows match the same text`);
    used.add(index);
  }
}

for (const engine of ["tfjs", "onnxruntime"] as EngineName[]) {
  test(`per-column prompts with include_prompt false reach the loss (training step, eval loss; the data check's shape; ${engine})`, { skip }, async (t) => {
    const model = await SentenceTransformer.load(noDropoutModelDirectory(), { quiet: true, engine });
    if (model.engine !== engine) return t.skip(`${engine} cannot run here`);
    try {
      model.setPoolingIncludePrompt(false);
      const prompts = { anchor: "query: ", positive: "passage: " };
      const anchors = PAIRS.column("anchor") as string[];
      const positives = PAIRS.column("positive") as string[];
      const expected = [await model.encode(anchors, { prompt: "query: " }), await model.encode(positives, { prompt: "passage: " })];
      // What ST would give if the prompt were pooled (include_prompt true) and with no prompt at all: both must differ.
      const pooledPrompt = await model.encode(anchors.map((text) => `query: ${text}`));
      const unprompted = await model.encode(anchors);
      const loss = new RecordingLoss();
      const trainer = new SentenceTransformerTrainer({
        model,
        loss,
        trainDataset: PAIRS,
        evalDataset: PAIRS,
        args: args({ prompts, maxSteps: 1, learningRate: 1e-12, engine }),
      });
      await trainer.train();
      await trainer.evaluate();
      assert.equal(loss.calls.length, 3); // data check (2 rows), one training step, one eval batch
      const [check, step, evaluation] = loss.calls;
      for (const [column, name] of ["anchor", "positive"].entries()) {
        // The data check runs the loss on stand-in embeddings of the first 2 rows' shape, not through the encoder.
        assert.deepEqual(check[column], [0, 1].map(() => new Array(model.getSentenceEmbeddingDimension()).fill(0)), `data check ${name}`);
        assertSameRows(step[column], expected[column], `training ${name}`);
        assertSameRows(evaluation[column], expected[column], `eval ${name}`);
      }
      for (const row of step[0]) {
        assert.ok(closest(row, pooledPrompt).distance > 1e-3, "the prompt's tokens were pooled");
        assert.ok(closest(row, unprompted).distance > 1e-3, "the prompt was not applied");
      }
    } finally {
      model.dispose();
    }
  });
}

test("a string prompt with include_prompt true: the loss gets model.encode(prompt + text) for every column", { skip }, async () => {
  const model = await SentenceTransformer.load(noDropoutModelDirectory(), { quiet: true, engine: "tfjs" });
  try {
    const loss = new RecordingLoss();
    const trainer = new SentenceTransformerTrainer({ model, loss, trainDataset: PAIRS, args: args({ prompts: "query: ", maxSteps: 1, learningRate: 1e-12 }) });
    await trainer.train();
    const step = loss.calls[1];
    for (const [column, name] of ["anchor", "positive"].entries()) {
      const texts = (PAIRS.column(name) as string[]).map((text) => `query: ${text}`);
      assertSameRows(step[column], await model.encode(texts), name);
    }
  } finally {
    model.dispose();
  }
});

// ---------------------------------------------------------------------------------------------------
// End to end

const QA = Dataset.fromColumns({
  anchor: [
    "how do planes fly",
    "what is the capital of france",
    "who wrote hamlet",
    "how tall is mount everest",
    "what do bees make",
    "when did the titanic sink",
    "what is the boiling point of water",
    "which planet is the largest",
  ],
  positive: [
    "wings generate lift as air flows over them",
    "paris is the capital and largest city of france",
    "hamlet is a tragedy written by william shakespeare",
    "mount everest is 8849 metres above sea level",
    "bees make honey from the nectar of flowers",
    "the titanic sank in april 1912 after striking an iceberg",
    "water boils at one hundred degrees celsius at sea level",
    "jupiter is the largest planet in the solar system",
  ],
});

async function trainEndToEnd(prompts: TrainingPrompts, includePrompt: boolean) {
  const model = await SentenceTransformer.load(sharedPath(TINY), { quiet: true });
  model.setPoolingIncludePrompt(includePrompt);
  const trainer = new SentenceTransformerTrainer({
    model,
    loss: new MultipleNegativesRankingLoss(model),
    trainDataset: QA,
    evalDataset: QA,
    args: args({ prompts, maxSteps: 6, learningRate: 5e-4, perDeviceTrainBatchSize: 8, perDeviceEvalBatchSize: 8, seed: 3 }),
  });
  const before = (await trainer.evaluate()).eval_loss;
  const output = await trainer.train();
  const after = (await trainer.evaluate()).eval_loss;
  return { model, trainer, before, after, output };
}

test("e5 prompts end to end: query:/passage: training lowers the (prompted) eval loss; card and saved model carry them", { skip }, async () => {
  const prompts = { anchor: "query: ", positive: "passage: " };
  const { model, trainer, before, after, output } = await trainEndToEnd(prompts, false);
  try {
    assert.equal(output.globalStep, 6);
    assert.ok(Number.isFinite(output.trainingLoss));
    assert.ok(after < before - 0.05, `eval loss ${before} → ${after}`);
    const card = renderModelCard(model);
    assert.ok(card.includes("- `prompts`: {'anchor': 'query: ', 'positive': 'passage: '}"), "Non-Default Hyperparameters list the prompts");
    const directory = join(temporaryDirectory(), "e5");
    await trainer.saveModel(directory);
    assert.equal(JSON.parse(readFileSync(join(directory, "1_Pooling", "config.json"), "utf8")).include_prompt, false);
    // After training, each query ranks its own passage first (encoded with the prompts it was trained with).
    const queries = await model.encode(QA.column("anchor") as string[], { prompt: "query: " });
    const passages = await model.encode(QA.column("positive") as string[], { prompt: "passage: " });
    const scores = model.similarity(queries, passages);
    const top1 = scores.filter((row, i) => row.indexOf(Math.max(...row)) === i).length;
    assert.ok(top1 >= 6, `${top1}/8 queries rank their passage first`);
  } finally {
    model.dispose();
  }
});

test("bge's query instruction on the anchor column only, include_prompt true, trains end to end", { skip }, async () => {
  const { model, before, after } = await trainEndToEnd({ anchor: BGE_QUERY }, true);
  try {
    assert.ok(after < before - 0.05, `eval loss ${before} → ${after}`);
    assert.ok(renderModelCard(model).includes(`- \`prompts\`: {'anchor': '${BGE_QUERY}'}`));
  } finally {
    model.dispose();
  }
});

// ---------------------------------------------------------------------------------------------------
// Names that do not exist

test("prompts naming no input column (or datasets, for one Dataset) fail at construction in one line", { skip }, async () => {
  const model = await SentenceTransformer.load(sharedPath(TINY), { quiet: true, engine: "tfjs" });
  try {
    const make = (prompts: TrainingPrompts, extra: { evalDataset?: Dataset; trainDataset?: Dataset } = {}) =>
      new SentenceTransformerTrainer({ model, loss: new MultipleNegativesRankingLoss(model), trainDataset: PAIRS, ...extra, args: args({ prompts, maxSteps: 1 }) });
    oneLineError(() => make({ question: "query: " }), 'prompts.question: "question" is not an input column of trainDataset (input columns: anchor, positive)');
    const scored = Dataset.fromColumns({ sentence1: ["a", "b"], sentence2: ["c", "d"], score: [0.5, 1] });
    oneLineError(
      () => new SentenceTransformerTrainer({ model, trainDataset: scored, args: args({ prompts: { score: "x: " }, perDeviceTrainBatchSize: 2, maxSteps: 1 }) }),
      'prompts.score: "score" is not an input column of trainDataset (input columns: sentence1, sentence2)',
    );
    oneLineError(
      () => make({ qa: { anchor: "query: " } }),
      "prompts: maps dataset names (qa) to prompts, but the training data is one Dataset, which has no dataset names; map its columns (anchor, positive) to prompts instead",
    );
    // A column only the eval dataset has is a valid key.
    const evalDataset = Dataset.fromColumns({ anchor: ["a", "b"], positive: ["c", "d"], negative: ["e", "f"] });
    assert.ok(make({ negative: "passage: " }, { evalDataset }) instanceof SentenceTransformerTrainer);
  } finally {
    model.dispose();
  }
});
