// tiny-modernbert through the whole model (SentenceTransformer.load → the family registry → each engine) against
// golden.json: token ids, encode()'s mean-pooled normalized embeddings within 1e-4 and one CoSENT + AdamW step
// through the real training code (test/support/golden-step.ts): loss, gradient norm, the clipped gradient slices
// and the weight change, on the tfjs and the onnxruntime engine. Skips until src/models/families/index.ts
// registers modernBertFamily.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { familyNamed } from "../../../src/models/families/index.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { loadAndCheckEmbeddings, runGoldenStep, type GoldenStep } from "../../support/golden-step.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";

const folder = "models/tiny-modernbert";
const skip =
  skipUnlessShared(`${folder}/golden.json`) ||
  (familyNamed("modernbert") === undefined ? "model_type modernbert is not registered in src/models/families/index.ts" : false);
const golden = skip ? undefined : JSON.parse(readFileSync(sharedPath(`${folder}/golden.json`), "utf8"));

interface Slice {
  head: number[];
  abs_sum: number;
  sum: number;
}

for (const engine of ["tfjs", "onnxruntime"] as const) {
  test(`tiny-modernbert on the ${engine} engine: token ids, embeddings and a CoSENT + AdamW step equal PyTorch's`, { skip }, async () => {
    const model = await loadAndCheckEmbeddings(sharedPath(folder), golden, engine);

    const step = golden.train_step;
    const result = await runGoldenStep(model, step as GoldenStep);
    assert.ok(Math.abs(result.loss - step.loss) < 1e-4, `loss ${result.loss} vs ${step.loss}`);
    assert.ok(Math.abs(result.gradNorm - step.grad_norm_before_clip) < 1e-4, `grad norm ${result.gradNorm} vs ${step.grad_norm_before_clip}`);
    const hidden = model.getSentenceEmbeddingDimension();
    const clsId = golden.special_ids.cls as number;
    const specs = new Map(model.transformer.namedParameters().map(({ name, tensor }) => [name, tensor.shape]));
    /** The first 8 entries of a tensor as torch stores it (Linear weights [out, in]; ours are [in, out]), or an embedding row. */
    const torchHead = (key: string, values: (name: string) => Float32Array): number[] => {
      const row = /^(.*)\[cls_id\]$/.exec(key);
      if (row) return Array.from(values(row[1]).subarray(clsId * hidden, clsId * hidden + 8));
      const shape = specs.get(key)!;
      const isLinear = shape.length === 2 && !key.includes("tok_embeddings");
      return Array.from({ length: 8 }, (_, i) => (isLinear ? values(key)[i * shape[1]] : values(key)[i]));
    };
    for (const [key, expected] of Object.entries(step.grad_after_clip as Record<string, Slice>)) {
      const actual = torchHead(key, (name) => result.gradients.get(name)!);
      assert.ok(maxAbsoluteDifference(actual, expected.head) < 1e-4, `${key}: clipped gradient ${actual} vs ${expected.head}`);
    }
    const delta = (name: string) => result.after.get(name)!.map((value, i) => value - result.before.get(name)![i]);
    for (const [key, expected] of Object.entries(step.weight_delta_after_1_step_head as Record<string, number[]>)) {
      assert.ok(maxAbsoluteDifference(torchHead(key, delta), expected) < 1e-6, `${key}: weight change`);
    }
    // The [PAD] row (padding_idx) gets no gradient.
    const pad = golden.special_ids.pad as number;
    const table = result.gradients.get("embeddings.tok_embeddings.weight")!;
    assert.deepEqual(Array.from(table.subarray(pad * hidden, (pad + 1) * hidden)), new Array(hidden).fill(0));
    model.dispose();
  });
}
