// tiny-mpnet through the whole model (SentenceTransformer.load → the family registry → each engine) against
// golden.json: token ids, encode()'s embeddings within 1e-4 and one CoSENT + AdamW step through the real training
// code (test/support/golden-step.ts) within 1e-4, on the tfjs and the onnxruntime engine. Skips until
// src/models/families/index.ts registers mpnetFamily.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { familyNamed } from "../../../src/models/families/index.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { loadAndCheckEmbeddings, runGoldenStep, type GoldenStep } from "../../support/golden-step.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";

const folder = "models/tiny-mpnet";
const skip =
  skipUnlessShared(`${folder}/golden.json`) ||
  (familyNamed("mpnet") === undefined ? "model_type mpnet is not registered in src/models/families/index.ts" : false);
const golden = skip ? undefined : JSON.parse(readFileSync(sharedPath(`${folder}/golden.json`), "utf8"));

function euclideanNorm(values: Float32Array): number {
  let sum = 0;
  for (const value of values) sum += value * value;
  return Math.sqrt(sum);
}

for (const engine of ["tfjs", "onnxruntime"] as const) {
  test(`tiny-mpnet on the ${engine} engine: token ids, embeddings and a CoSENT + AdamW step equal PyTorch's`, { skip }, async () => {
    const model = await loadAndCheckEmbeddings(sharedPath(folder), golden, engine);

    const step = golden.train_step;
    const result = await runGoldenStep(model, step as GoldenStep);
    assert.ok(Math.abs(result.loss - step.loss) < 1e-4, `loss ${result.loss} vs ${step.loss}`);
    assert.ok(Math.abs(result.gradNorm - step.grad_norm_before_clip) < 1e-4, `grad norm ${result.gradNorm} vs ${step.grad_norm_before_clip}`);
    const scale = result.gradNorm / step.clip_max_norm;
    for (const [name, norm] of Object.entries(step.grad_norm_per_parameter_before_clip as Record<string, number | null>)) {
      if (norm === null) continue; // the pooler: no gradient
      const unclipped = euclideanNorm(result.gradients.get(name)!) * scale;
      assert.ok(Math.abs(unclipped - norm) < 1e-4, `norm of ${name}: ${unclipped} vs ${norm}`);
    }
    const bias = "encoder.relative_attention_bias.weight";
    const delta = (name: string) => result.after.get(name)!.map((value, i) => value - result.before.get(name)![i]);
    assert.ok(maxAbsoluteDifference(result.gradients.get(bias)!, step.relative_attention_bias_grad_after_clip) < 1e-4);
    assert.ok(maxAbsoluteDifference(delta(bias), step.relative_attention_bias_delta_after_1_step) < 1e-4);
    const query = "encoder.layer.0.attention.attn.q.weight";
    const hidden = model.getSentenceEmbeddingDimension();
    const head = (values: Float32Array) => Array.from({ length: 8 }, (_, i) => values[i * hidden]);
    assert.ok(maxAbsoluteDifference(head(result.gradients.get(query)!), step.layer0_query_weight_grad_after_clip_head) < 1e-4);
    assert.ok(maxAbsoluteDifference(head(delta(query)), step.layer0_query_weight_delta_after_1_step_head) < 1e-4);
    // Row 1 (<pad>, padding_idx) of both embedding tables gets no gradient.
    for (const table of ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight"]) {
      assert.deepEqual(Array.from(result.gradients.get(table)!.subarray(hidden, 2 * hidden)), new Array(hidden).fill(0), table);
    }
    model.dispose();
  });
}
