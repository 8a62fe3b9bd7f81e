// One CoSENT + AdamW training step on ../shared/models/tiny-bert against PyTorch's values in
// golden.json (train_step): loss, gradient norm before clipping, a clipped gradient slice and the
// weight change after one AdamW step, on both engines. Dropout is off, as in the reference.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CoSENTLoss } from "../../src/losses/cosent.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { clipGradientsByGlobalNorm } from "../../src/training/gradient-clipping.ts";
import { engineLossAndGradients } from "../../src/training/train-step.ts";
import { toDense } from "../../src/engines/row-gradient.ts";
import { maxAbsoluteDifference } from "../support/compare.ts";
import { goldenAdamW, torchRowHead } from "../support/golden-step.ts";
import { sharedPath, skipUnlessShared } from "../support/shared.ts";

const skip = skipUnlessShared("models/tiny-bert/golden.json");

const variants = [
  { engine: "tfjs", checkpointLayers: false },
  { engine: "tfjs", checkpointLayers: true },
  { engine: "onnxruntime", checkpointLayers: false },
] as const;

for (const { engine, checkpointLayers } of variants) {
  test(`tiny-bert CoSENT step matches PyTorch (${engine} engine${engine === "tfjs" ? `, checkpointed layers: ${checkpointLayers}` : ""})`, { skip }, async () => {
    const step = JSON.parse(readFileSync(sharedPath("models/tiny-bert/golden.json"), "utf8")).train_step;
    const model = await SentenceTransformer.load(sharedPath("models/tiny-bert"), { quiet: true, engine });
    assert.equal(model.engine, engine);
    const loss = new CoSENTLoss(model, { scale: step.scale });
    const columns = [step.pairs.map((p: string[]) => p[0]), step.pairs.map((p: string[]) => p[1])];
    const result = await engineLossAndGradients(model, loss, columns, step.labels, { training: false, checkpointLayers });
    assert.ok(Math.abs(result.loss - step.loss) < 1e-4, `loss ${result.loss} vs ${step.loss}`);

    const gradients = result.gradients;
    const norm = clipGradientsByGlobalNorm(gradients, step.clip_max_norm);
    assert.ok(Math.abs(norm - step.grad_norm_before_clip) < 1e-4 * step.grad_norm_before_clip, `norm ${norm} vs ${step.grad_norm_before_clip}`);
    const queryName = "encoder.layer.0.attention.self.query.weight";
    const hidden = model.transformer.hiddenSize;
    const gradientHead = torchRowHead(toDense(gradients.get(queryName)!), hidden);
    assert.ok(maxAbsoluteDifference(gradientHead, step.layer0_query_weight_grad_after_clip_head) < 1e-6, `${gradientHead}`);

    const parameters = model.transformer.namedParameters();
    const query = parameters.find((p) => p.name === queryName)!.tensor;
    const before = torchRowHead(query.dataSync(), hidden);
    goldenAdamW(parameters, step.adamw).applyGradients(gradients);
    const delta = torchRowHead(query.dataSync(), hidden).map((value, i) => value - before[i]);
    // float32 weights of magnitude ~0.1 resolve changes of ~1e-8; the reference deltas are ±2e-5.
    assert.ok(maxAbsoluteDifference(delta, step.layer0_query_weight_delta_after_1_step_head) < 5e-8, `${delta}`);
    model.dispose();
  });
}
