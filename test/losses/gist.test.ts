// GISTEmbedLoss and CachedGISTEmbedLoss against a hand-worked case. The guide's embeddings are unit
// vectors at chosen angles, so every guide similarity is the cosine of an angle difference, and the
// entries each row drops were worked out by hand (listed in DROPPED); the expected loss is then plain
// arithmetic over the kept entries of the model's own cosine similarities. Also: margins (absolute
// and relative), contrastAnchors/contrastPositives off, gradients finite and zero on dropped entries,
// the guide through prepareBatch, and on both engines CachedGISTEmbedLoss's step equal to GISTEmbedLoss's.

import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { toDense } from "../../src/engines/row-gradient.ts";
import { initializeBackend } from "../../src/backend.ts";
import { ArgumentError } from "../../src/errors.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { CachedGISTEmbedLoss, GISTEmbedLoss, type GISTEmbedLossOptions } from "../../src/losses/index.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { Dataset } from "../../src/data/dataset.ts";
import { pickLoss } from "../../src/steps.ts";
import { SentenceTransformerTrainingArguments } from "../../src/training/arguments.ts";
import { SentenceTransformerTrainer } from "../../src/training/trainer.ts";
import { engineLossAndGradients, type LossAndGradients } from "../../src/training/train-step.ts";
import { corpus } from "../support/pair-scores.ts";
import { temporaryDirectory } from "../support/temp.ts";
import { assertClose, cos, logSumExp, mean, type Matrix } from "./reference.ts";

before(async () => {
  await initializeBackend({ quiet: true });
});

const unit = (degrees: number) => [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];

// Guide: anchors at 0°, 60°, 180°; positives at 40°, 110°, 150°; negatives at 170°, 20°, 175°.
// Thresholds g(a_i, p_i): row 0 cos 40° = 0.766, row 1 cos 50° = 0.643, row 2 cos 30° = 0.866.
// Candidates the guide rates above the row's threshold (margin 0), by hand:
//   ap: row 1 · p0 (60° vs 40°: cos 20° = 0.940 > 0.643)           (own positives are never dropped)
//   aa: every diagonal (cos 0° = 1); nothing else (row 1 · a0: cos 60° = 0.5 < 0.643)
//   pp: every diagonal; row 1 · p2 (110° vs 150°: cos 40° = 0.766 > 0.643)
//   an: row 0 · n1 (cos 20° = 0.940 > 0.766), row 1 · n1 (cos 40° = 0.766 > 0.643),
//       row 2 · n0 (180° vs 170°: cos 10° = 0.985 > 0.866), row 2 · n2 (cos 5° = 0.996 > 0.866)
const GUIDE = { anchor: [0, 60, 180].map(unit), positive: [40, 110, 150].map(unit), negative: [170, 20, 175].map(unit) };
type Block = "ap" | "aa" | "pp" | "an";
const DROPPED: Record<Block, [number, number][]> = {
  ap: [[1, 0]],
  aa: [[0, 0], [1, 1], [2, 2]],
  pp: [[0, 0], [1, 1], [2, 2], [1, 2]],
  an: [[0, 1], [1, 1], [2, 0], [2, 2]],
};
// margin 0.2, absolute (limits 0.766 − 0.2, 0.643 − 0.2, 0.866 − 0.2 = 0.566, 0.443, 0.666) also drops
//   aa row 1 · a0 (cos 60° = 0.5) and pp row 2 · p1 (150° vs 110°: cos 40° = 0.766);
// margin 0.2, relative (limits × 0.8 = 0.613, 0.514, 0.693) drops only pp row 2 · p1 besides (0.5 < 0.514).
const MARGIN_ABSOLUTE: Partial<Record<Block, [number, number][]>> = { aa: [[1, 0]], pp: [[2, 1]] };
const MARGIN_RELATIVE: Partial<Record<Block, [number, number][]>> = { pp: [[2, 1]] };

// The model's embeddings: arbitrary 3-d vectors.
const A = [[1, 0.2, 0.1], [0.3, 1, -0.2], [-0.5, 0.4, 1]];
const P = [[0.9, 0.5, 0], [0.6, 0.8, 0.1], [-0.2, 0.3, 0.9]];
const N = [[0.1, 1, 0.3], [0.8, -0.1, 0.4], [-0.6, 0.6, 0.7]];

/** mean_i [ logsumexp(kept logits of row i) − cos(a_i, p_i)/T ] with the dropped entries listed. */
function expectedLoss(
  temperature: number,
  dropped: Partial<Record<Block, [number, number][]>>,
  blocks: { aa?: boolean; pp?: boolean; an?: boolean } = { aa: true, pp: true, an: true },
): number {
  const isDropped = (block: Block, i: number, j: number) => (dropped[block] ?? []).some(([r, c]) => r === i && c === j);
  const rows = A.map((anchor, i) => {
    const logits: number[] = [];
    const add = (block: Block, candidates: Matrix, from: number[]) =>
      candidates.forEach((candidate, j) => {
        if (!isDropped(block, i, j)) logits.push(cos(from, candidate) / temperature);
      });
    add("ap", P, anchor);
    if (blocks.aa) add("aa", A, anchor);
    if (blocks.pp) add("pp", P, P[i]);
    if (blocks.an) add("an", N, anchor);
    return logSumExp(logits) - cos(anchor, P[i]) / temperature;
  });
  return mean(rows);
}

function merge(...lists: Partial<Record<Block, [number, number][]>>[]): Partial<Record<Block, [number, number][]>> {
  const merged: Partial<Record<Block, [number, number][]>> = {};
  for (const list of lists) for (const [block, entries] of Object.entries(list) as [Block, [number, number][]][]) merged[block] = [...(merged[block] ?? []), ...entries];
  return merged;
}

/** A stand-in guide for losses given the guide's embeddings directly. */
const GUIDE_MODEL = { embed: () => undefined, forward: () => undefined, toString: () => "SentenceTransformer(guide)" } as unknown as SentenceTransformer;

function gistLossOf(options: Omit<GISTEmbedLossOptions, "guide">, columns: Matrix[] = [A, P, N], guide: Matrix[] = [GUIDE.anchor, GUIDE.positive, GUIDE.negative]): number {
  return tf.tidy(() => {
    const loss = new GISTEmbedLoss(null, { guide: GUIDE_MODEL, ...options });
    const guideEmbeddings = guide.slice(0, columns.length).map((values) => tf.tensor2d(values));
    return loss.computeLoss(columns.map((values) => tf.tensor2d(values)), undefined, { guideEmbeddings }).dataSync()[0];
  });
}

describe("GISTEmbedLoss: hand-worked masking", () => {
  test("(anchor, positive, negative), margin 0: the hand-listed entries dropped, the rest kept", () => {
    for (const temperature of [1, 0.05, 0.01]) {
      const expected = expectedLoss(temperature, DROPPED);
      assertClose(gistLossOf({ temperature }), expected, 1e-5, `temperature ${temperature}`);
      // The masking matters: with nothing dropped but the diagonals the loss is another.
      const diagonalsOnly = expectedLoss(temperature, { aa: DROPPED.aa, pp: DROPPED.pp.slice(0, 3) });
      assert.ok(diagonalsOnly - expected > 0.02, `temperature ${temperature}: ${diagonalsOnly} vs ${expected}`);
    }
    // At temperature 1 every single hand-listed entry shows: keeping any one of them moves the loss by > 1e-3.
    for (const [block, entries] of Object.entries(DROPPED) as [Block, [number, number][]][]) {
      for (const entry of entries) {
        const kept = { ...DROPPED, [block]: entries.filter((other) => other !== entry) };
        assert.ok(expectedLoss(1, kept) - expectedLoss(1, DROPPED) > 1e-3, `${block} ${entry} is visible in the loss`);
      }
    }
    // Default temperature 0.01.
    assertClose(gistLossOf({}), expectedLoss(0.01, DROPPED));
  });

  test("margins: absolute 0.2 and relative 0.2 drop the hand-listed extra entries", () => {
    for (const temperature of [1, 0.05]) {
      assertClose(gistLossOf({ temperature, margin: 0.2 }), expectedLoss(temperature, merge(DROPPED, MARGIN_ABSOLUTE)));
      assertClose(gistLossOf({ temperature, margin: 0.2, marginStrategy: "relative" }), expectedLoss(temperature, merge(DROPPED, MARGIN_RELATIVE)));
    }
    assert.ok(expectedLoss(1, merge(DROPPED, MARGIN_RELATIVE)) - expectedLoss(1, merge(DROPPED, MARGIN_ABSOLUTE)) > 1e-3);
  });

  test("a candidate the guide rates exactly as high as the positive stays (only strictly higher ones go)", () => {
    // Guide negative 0 at 40°, the same vector as guide positive 0: row 0 · n0 ties its threshold (kept);
    // row 1 · n0 (cos 20° = 0.940 > 0.643) is dropped; row 2 · n0 (cos 140°) kept.
    const guide = [GUIDE.anchor, GUIDE.positive, [unit(40), unit(20), unit(175)]];
    const dropped = { ...DROPPED, an: [[0, 1], [1, 0], [1, 1], [2, 2]] as [number, number][] };
    assertClose(gistLossOf({ temperature: 1 }, [A, P, N], guide), expectedLoss(1, dropped));
    assert.ok(expectedLoss(1, dropped) - expectedLoss(1, { ...dropped, an: [...dropped.an, [0, 0]] }) > 1e-3, "the tie is visible in the loss");
  });

  test("contrastAnchors / contrastPositives off leave out their blocks; pairs have no an block", () => {
    assertClose(gistLossOf({ temperature: 1, contrastAnchors: false }), expectedLoss(1, DROPPED, { pp: true, an: true }));
    assertClose(gistLossOf({ temperature: 1, contrastPositives: false }), expectedLoss(1, DROPPED, { aa: true, an: true }));
    assertClose(gistLossOf({ temperature: 1 }, [A, P]), expectedLoss(1, DROPPED, { aa: true, pp: true }));
  });

  test("gradients: finite, zero for a candidate whose every entry is dropped", () => {
    const loss = new GISTEmbedLoss(null, { guide: GUIDE_MODEL, temperature: 0.05 });
    const [gradientA, gradientN] = tf.tidy(() => {
      const guideEmbeddings = [GUIDE.anchor, GUIDE.positive, GUIDE.negative].map((values) => tf.tensor2d(values));
      const [a, p, n] = [A, P, N].map((values) => tf.tensor2d(values));
      const gradients = tf.grads((x: tf.Tensor, y: tf.Tensor) => loss.computeLoss([x as tf.Tensor2D, p, y as tf.Tensor2D], undefined, { guideEmbeddings }))([a, n]);
      return gradients.map((gradient) => gradient.arraySync() as Matrix);
    });
    assert.ok([...gradientA.flat(), ...gradientN.flat()].every(Number.isFinite));
    assert.ok(gradientA.flat().some((value) => Math.abs(value) > 1e-4));
    // A negative dropped from every row gets no gradient at all: guide n1 at 90° and margin 1 (limits
    // −0.234, −0.357, −0.134) put it above every row's limit (cos 90° = 0, cos 30° = 0.866, cos 90° = 0).
    const everywhere = tf.tidy(() => {
      const guide = [GUIDE.anchor, GUIDE.positive, [unit(170), unit(90), unit(175)]].map((values) => tf.tensor2d(values));
      const loose = new GISTEmbedLoss(null, { guide: GUIDE_MODEL, temperature: 0.05, margin: 1 });
      const [a, p] = [A, P].map((values) => tf.tensor2d(values));
      return (tf.grad((y: tf.Tensor) => loose.computeLoss([a, p, y as tf.Tensor2D], undefined, { guideEmbeddings: guide }))(tf.tensor2d(N)).arraySync() as Matrix)[1];
    });
    assert.ok(everywhere.every((value) => value === 0), `n1's gradient: ${everywhere}`);
  });

  test("errors, config dict, pickLoss", async () => {
    assert.throws(() => new GISTEmbedLoss(null, {} as GISTEmbedLossOptions), (error: Error) => error instanceof ArgumentError && error.message === "guide: must be a SentenceTransformer (the guide model), got undefined");
    const withMessage = (message: string) => (error: Error) => error instanceof ArgumentError && error.message === message;
    assert.throws(() => new GISTEmbedLoss(null, { guide: GUIDE_MODEL, temperature: 0 }), withMessage("temperature: must be a positive number, got 0"));
    assert.throws(() => new GISTEmbedLoss(null, { guide: GUIDE_MODEL, marginStrategy: "max" as "relative" }), withMessage('marginStrategy: must be "absolute" or "relative", got "max"'));
    const loss = new GISTEmbedLoss(null, { guide: GUIDE_MODEL });
    const columns = (count: number) => Array.from({ length: count }, () => tf.tensor2d(A));
    assert.throws(() => loss.computeLoss(columns(2)), (error: Error) => error instanceof ArgumentError && /^GISTEmbedLoss: needs its guide model's embeddings of the batch/.test(error.message));
    assert.throws(() => loss.computeLoss(columns(4), undefined, { guideEmbeddings: columns(4) }), withMessage("GISTEmbedLoss: needs 2 to 3 input columns (anchor, positive[, negative]), got 4"));
    assert.throws(() => loss.computeLoss(columns(2), undefined, { guideEmbeddings: columns(3) }), withMessage("GISTEmbedLoss: the guide's embeddings have 3 columns, the model's 2"));
    assert.deepEqual(loss.getConfigDict(), {
      guide: "SentenceTransformer(guide)", temperature: 0.01, margin_strategy: "absolute", margin: 0, contrast_anchors: true, contrast_positives: true, gather_across_devices: false,
    });
    const cached = new CachedGISTEmbedLoss(null, { guide: GUIDE_MODEL, miniBatchSize: 2, margin: 0.1 });
    assert.deepEqual(Object.keys(cached.getConfigDict()), ["guide", "temperature", "mini_batch_size", "margin_strategy", "margin", "contrast_anchors", "contrast_positives", "gather_across_devices"]);
    // CachedGISTEmbedLoss takes any number of negative columns (ST's loops over them); same hand-worked loss.
    const fourColumns = tf.tidy(() =>
      new CachedGISTEmbedLoss(null, { guide: GUIDE_MODEL, temperature: 0.05 })
        .computeLoss([A, P, N, N].map((values) => tf.tensor2d(values)), undefined, { guideEmbeddings: [GUIDE.anchor, GUIDE.positive, GUIDE.negative, GUIDE.negative].map((values) => tf.tensor2d(values)) })
        .dataSync()[0],
    );
    // The an block twice: every kept negative entry counted twice in row i's logsumexp.
    const isDropped = (i: number, j: number) => DROPPED.an.some(([r, c]) => r === i && c === j);
    const expected = mean(
      A.map((anchor, i) => {
        const logits = [
          ...P.flatMap((p, j) => (DROPPED.ap.some(([r, c]) => r === i && c === j) ? [] : [cos(anchor, p) / 0.05])),
          ...A.flatMap((a, j) => (DROPPED.aa.some(([r, c]) => r === i && c === j) ? [] : [cos(anchor, a) / 0.05])),
          ...P.flatMap((p, j) => (DROPPED.pp.some(([r, c]) => r === i && c === j) ? [] : [cos(P[i], p) / 0.05])),
          ...[...N, ...N].flatMap((n, j) => (isDropped(i, j % 3) ? [] : [cos(anchor, n) / 0.05])),
        ];
        return logSumExp(logits) - cos(anchor, P[i]) / 0.05;
      }),
    );
    assertClose(fourColumns, expected);
    assert.ok(pickLoss(null as unknown as SentenceTransformer, "GISTEmbedLoss", { guide: GUIDE_MODEL }) instanceof GISTEmbedLoss);
  });
});

// ---------------------------------------------------------------- through real models

let modelDirectory: string | undefined;
let guideDirectory: string | undefined;

async function models(engine: "tfjs" | "onnxruntime"): Promise<{ model: SentenceTransformer; guide: SentenceTransformer }> {
  if (!modelDirectory || !guideDirectory) {
    modelDirectory = join(temporaryDirectory(), "model");
    guideDirectory = join(temporaryDirectory(), "guide");
    await initModel({ out: modelDirectory, hidden: 32, layers: 2, heads: 4, intermediate: 64, vocabSize: 1200, pooling: "mean", seed: 13 });
    await initModel({ out: guideDirectory, hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 800, pooling: "cls", seed: 5 });
  }
  return {
    model: await SentenceTransformer.load(modelDirectory, { quiet: true, engine }),
    guide: await SentenceTransformer.load(guideDirectory, { quiet: true, engine }),
  };
}

const COLUMNS = [0, 1, 301].map((offset) => Array.from({ length: 7 }, (_, i) => corpus[(2 * i + offset) % corpus.length]));

function compareGradients(actual: LossAndGradients, expected: LossAndGradients, what: string): void {
  assert.ok(Math.abs(actual.loss - expected.loss) <= 1e-6 * Math.max(1, expected.loss), `${what}: loss ${actual.loss} vs ${expected.loss}`);
  let largest = 0;
  let worst = 0;
  for (const [name, referenceGradient] of expected.gradients) {
    const gradient = actual.gradients.get(name);
    assert.ok(gradient, `${what}: ${name} missing`);
    const values = toDense(gradient);
    const reference = toDense(referenceGradient);
    reference.forEach((value, i) => {
      largest = Math.max(largest, Math.abs(value));
      worst = Math.max(worst, Math.abs(value - values[i]));
    });
  }
  assert.ok(largest > 1e-3, `${what}: gradients not all ~0`);
  assert.ok(worst <= 1e-5 * largest, `${what}: max |Δ| ${worst} vs max |g| ${largest}`);
}

describe("GISTEmbedLoss with a guide model", () => {
  test("prepareBatch: the guide's embeddings of every column (its own engine and tokenizer, inference mode); computeLoss from texts alone agrees", async () => {
    const { model, guide } = await models("tfjs");
    for (const loss of [new GISTEmbedLoss(model, { guide }), new CachedGISTEmbedLoss(model, { guide, miniBatchSize: 3 })]) {
      const context = await loss.prepareBatch(COLUMNS);
      const expected = await guide.encode(COLUMNS[2]);
      const actual = context.guideEmbeddings![2].arraySync();
      assert.equal(actual.length, 7);
      actual.forEach((row, i) => row.forEach((value, j) => assert.ok(Math.abs(value - expected[i][j]) < 1e-5, `${loss.name} row ${i}`)));
      const fromTexts = tf.tidy(() => loss.computeLoss(COLUMNS.map((texts) => model.forward(texts)), undefined, { texts: COLUMNS }).dataSync()[0]);
      const fromEmbeddings = tf.tidy(() => loss.computeLoss(COLUMNS.map((texts) => model.forward(texts)), undefined, context).dataSync()[0]);
      assert.ok(Math.abs(fromTexts - fromEmbeddings) < 1e-4, `${fromTexts} vs ${fromEmbeddings}`);
      tf.dispose(context.guideEmbeddings);
    }
    model.dispose();
    guide.dispose();
  });

  test("the trainer runs both (its data check computes the guide from the texts), and the eval loss", async () => {
    const { model, guide } = await models("onnxruntime");
    const dataset = Dataset.fromColumns({ anchor: COLUMNS[0], positive: COLUMNS[1], negative: COLUMNS[2] });
    for (const loss of [new GISTEmbedLoss(model, { guide }), new CachedGISTEmbedLoss(model, { guide, miniBatchSize: 2 })]) {
      const args = new SentenceTransformerTrainingArguments({
        outputDir: join(temporaryDirectory(), loss.name), maxSteps: 3, perDeviceTrainBatchSize: 4, perDeviceEvalBatchSize: 7,
        evalStrategy: "steps", evalSteps: 3, saveStrategy: "no", loggingSteps: 1, disableTqdm: true,
      });
      const trainer = new SentenceTransformerTrainer({ model, args, trainDataset: dataset, evalDataset: dataset, loss });
      await trainer.train();
      const losses = trainer.state.log_history.filter((entry) => "loss" in entry).map((entry) => entry.loss as number);
      assert.equal(losses.length, 3, loss.name);
      assert.ok(losses.every(Number.isFinite), `${loss.name}: ${losses}`);
      const evalLoss = trainer.state.log_history.find((entry) => "eval_loss" in entry)?.eval_loss as number;
      assert.ok(Number.isFinite(evalLoss) && evalLoss > 0, `${loss.name} eval_loss ${evalLoss}`);
    }
    // A guide that is no model: a one-line error before any step.
    assert.throws(() => new GISTEmbedLoss(model, { guide: "BAAI/bge-small" as unknown as SentenceTransformer }), /guide: must be a SentenceTransformer \(the guide model\), got string/);
    model.dispose();
    guide.dispose();
  });

  for (const engine of ["tfjs", "onnxruntime"] as const) {
    test(`${engine}: CachedGISTEmbedLoss's step equals GISTEmbedLoss's (dropout off, and on with miniBatchSize ≥ batch); no tensors left behind`, async (t) => {
      const { model, guide } = await models(engine);
      if (model.engine !== engine) return t.skip("onnxruntime unavailable here");
      const before = tf.memory().numTensors;
      const plainOff = await engineLossAndGradients(model, new GISTEmbedLoss(model, { guide }), COLUMNS, undefined, { training: false });
      const cachedOff = await engineLossAndGradients(model, new CachedGISTEmbedLoss(model, { guide, miniBatchSize: 3 }), COLUMNS, undefined, { training: false });
      compareGradients(cachedOff, plainOff, "dropout off, mini-batches of 3");
      const options = { training: true, dropoutSeed: 99, checkpointLayers: true };
      const plainOn = await engineLossAndGradients(model, new GISTEmbedLoss(model, { guide }), COLUMNS, undefined, options);
      const cachedOn = await engineLossAndGradients(model, new CachedGISTEmbedLoss(model, { guide, miniBatchSize: 7 }), COLUMNS, undefined, options);
      compareGradients(cachedOn, plainOn, "dropout on, one mini-batch");
      assert.equal(tf.memory().numTensors, before, "the guide's embeddings are disposed after the step");
      model.dispose();
      guide.dispose();
    });
  }
});
