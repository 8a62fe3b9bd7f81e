// One CoSENT + AdamW step of a golden.json's train_step (../shared/models/*/golden.json) through the real
// training code, and the golden's slices read back from our tensors:
//   runGoldenStep(model, step)   loss, gradient norm before clipping, the clipped gradients, and the
//                                weights before and after one AdamW step with the golden's settings;
//   goldenSlices(record)         the golden's "name[index] (note)" keys parsed: [r,:k], [:k], [r] (+ "abs max",
//                                "before"); keys without an index (the pooler, which gets no gradient) are left out;
//   torchSlice(values, spec, …)  those entries of a tensor in our layout, indexed as torch stores it;
//   torchRowHead(kernel, out, n) torch Linear.weight[0][0..n) of a kernel kept [in, out];
//   goldenAdamW(parameters, adamw)          AdamW with the golden's settings;
//   loadAndCheckEmbeddings(folder, golden, engine)  the model on an engine, its token ids and embeddings checked.

import assert from "node:assert/strict";
import type { ParameterSpec } from "../../src/engines/architecture.ts";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { toDense, type Gradient } from "../../src/engines/row-gradient.ts";
import { AdamW, type NamedParameter } from "../../src/training/adamw.ts";
import { maxAbsoluteDifference } from "./compare.ts";
import { clipGradientsByGlobalNorm } from "../../src/training/gradient-clipping.ts";
import { engineLossAndGradients } from "../../src/training/train-step.ts";

export interface GoldenStep {
  pairs: [string, string][];
  labels: number[];
  scale: number;
  loss: number;
  grad_norm_before_clip: number;
  clip_max_norm: number;
  adamw: { lr: number; weight_decay: number; betas: [number, number]; eps: number };
  grad_after_clip: Record<string, unknown>;
  delta_after_1_step: Record<string, unknown>;
}

export interface GoldenSlice {
  key: string;
  parameter: string;
  /** "r,:k", ":k" or "r". */
  index: string;
  absMax: boolean;
  before: boolean;
  expected: number[] | number;
}

/** torch Linear.weight[0][0..count) = our kernel[0..count)[0] (kernels [in, out] are stored transposed, row-major). */
export function torchRowHead(kernel: ArrayLike<number>, outputs: number, count = 8): number[] {
  return Array.from({ length: count }, (_, i) => kernel[i * outputs]);
}

export function goldenSlices(record: Record<string, unknown>): GoldenSlice[] {
  const slices: GoldenSlice[] = [];
  for (const [key, expected] of Object.entries(record)) {
    const match = /^(\S+)\[([^\]]+)\](.*)$/.exec(key);
    if (!match || (typeof expected !== "number" && !Array.isArray(expected))) continue;
    const [, parameter, index, rest] = match;
    slices.push({ key, parameter, index, absMax: /abs max/.test(rest), before: /\bbefore\b/.test(rest), expected: expected as number[] | number });
  }
  return slices;
}

/** Entries of `values` (our layout) at a torch index "r,:k", ":k" or "r" (a whole row). */
export function torchSlice(values: ArrayLike<number>, spec: ParameterSpec, index: string): number[] {
  const [rows, columns] = spec.torchShape;
  const at = (r: number, c: number) => (spec.linear ? values[c * rows + r] : values[r * columns + c]);
  const rowHead = /^(\d+),:(\d+)$/.exec(index);
  if (rowHead) return Array.from({ length: Number(rowHead[2]) }, (_, c) => at(Number(rowHead[1]), c));
  const head = /^:(\d+)$/.exec(index);
  if (head) return Array.from({ length: Number(head[1]) }, (_, i) => values[i]);
  const row = /^(\d+)$/.exec(index);
  if (row) return columns === undefined ? [values[Number(row[1])]] : Array.from({ length: columns }, (_, c) => at(Number(row[1]), c));
  throw new Error(`unknown index [${index}]`);
}

export interface GoldenStepResult {
  loss: number;
  gradNorm: number;
  /** Clipped gradients by parameter name (our layout), dense. */
  gradients: Map<string, Float32Array>;
  before: Map<string, Float32Array>;
  after: Map<string, Float32Array>;
}

/** The golden's step through engineLossAndGradients (dropout off, as the references), clipping and AdamW. */
export async function runGoldenStep(model: SentenceTransformer, step: GoldenStep, options: { checkpointLayers?: boolean } = {}): Promise<GoldenStepResult> {
  const loss = new CoSENTLoss(model, { scale: step.scale });
  const columns = [step.pairs.map((p) => p[0]), step.pairs.map((p) => p[1])];
  const result = await engineLossAndGradients(model, loss, columns, step.labels, { training: false, checkpointLayers: options.checkpointLayers ?? false });
  const gradNorm = clipGradientsByGlobalNorm(result.gradients, step.clip_max_norm);
  const parameters = model.transformer.namedParameters();
  const snapshot = () => new Map(parameters.map(({ name, tensor }) => [name, Float32Array.from(tensor.dataSync() as Float32Array)]));
  const before = snapshot();
  goldenAdamW(parameters, step.adamw).applyGradients(result.gradients);
  return { loss: result.loss, gradNorm, gradients: denseGradients(result.gradients), before, after: snapshot() };
}

/** AdamW with a golden file's settings (lr, weight_decay, betas, eps). */
export function goldenAdamW(parameters: NamedParameter[], adamw: GoldenStep["adamw"]): AdamW {
  return new AdamW(parameters, { learningRate: adamw.lr, weightDecay: adamw.weight_decay, beta1: adamw.betas[0], beta2: adamw.betas[1], epsilon: adamw.eps });
}

/**
 * Loads a golden model folder on `engine` and checks token ids exactly and encode()'s embeddings within 1e-4
 * against the golden cases' `embedding_mean_normalized`; returns the model for more checks.
 */
export async function loadAndCheckEmbeddings(folder: string, golden: { cases: unknown[] }, engine: "tfjs" | "onnxruntime"): Promise<SentenceTransformer> {
  const model = await SentenceTransformer.load(folder, { quiet: true, engine });
  assert.equal(model.engine, engine);
  const cases = golden.cases as { input: string; input_ids: number[]; embedding_mean_normalized: number[] }[];
  const batch = model.tokenize(cases.map((c) => c.input));
  cases.forEach((c, row) => {
    const ids = Array.from(batch.inputIds.subarray(row * batch.seqLength, row * batch.seqLength + c.input_ids.length));
    assert.deepEqual(ids, c.input_ids, c.input);
  });
  const embeddings = await model.encode(cases.map((c) => c.input), { batchSize: 3 });
  cases.forEach((c, row) => assert.ok(maxAbsoluteDifference(embeddings[row], c.embedding_mean_normalized) < 1e-4, `embedding of ${c.input}`));
  return model;
}

/** Every gradient as its dense table (a row-sparse embedding gradient expanded; a dense one as it is). */
export function denseGradients(gradients: ReadonlyMap<string, Gradient>): Map<string, Float32Array> {
  return new Map([...gradients].map(([name, gradient]) => [name, toDense(gradient)]));
}

/** Each golden slice of `values` (by parameter) as [actual, expected] pairs; abs-max slices as one number each. */
export function compareSlices(slices: GoldenSlice[], specs: ParameterSpec[], values: (slice: GoldenSlice) => ArrayLike<number>): { key: string; actual: number[]; expected: number[] }[] {
  return slices.map((slice) => {
    const spec = specs.find((s) => s.name === slice.parameter);
    if (spec === undefined) throw new Error(`golden names ${slice.parameter}, which the model does not have`);
    const entries = torchSlice(values(slice), spec, slice.index);
    const actual = slice.absMax ? [entries.reduce((m, v) => Math.max(m, Math.abs(v)), 0)] : entries;
    return { key: slice.key, actual, expected: [slice.expected].flat() };
  });
}
