// The family registry and BERT specifics: an unknown model_type is one line naming the supported ones;
// a "multilingual" BERT as intfloat/multilingual-e5-small ships it (model_type bert, the XLM-R SentencePiece
// tokenizer, config pad_token_id 0 while the tokenizer pads with 1) takes the tokenizer and the config's ids
// as they are: XLM-R ids, absolute positions, and nn.Embedding's padding_idx 0 — row 0 (<s>) never trained,
// row 1 (<pad>) trained — in both engines alike; and the Hugging Face Trainer's weight-decay rule.

import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ModelLoadError } from "../../../src/errors.ts";
import { initModel } from "../../../src/generator/init-model.ts";
import { familyOf } from "../../../src/models/families/index.ts";
import { SentenceTransformer } from "../../../src/models/sentence-transformer.ts";
import { usesWeightDecay } from "../../../src/training/adamw.ts";
import { createRandom } from "../../../src/util/random.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { denseGradients } from "../../support/golden-step.ts";
import { sharedPath, skipUnlessShared } from "../../support/shared.ts";
import { temporaryDirectory } from "../../support/temp.ts";

test("an unknown model_type is one line naming the supported families (and remote code when auto_map is there)", () => {
  assert.throws(
    () => familyOf({ model_type: "gpt2" }, "/m/config.json"),
    (error) => error instanceof ModelLoadError && /model_type "gpt2" is not supported \(embedtune supports bert, (.+, )?xlm-roberta/.test(error.message) && !error.message.includes("\n"),
  );
  assert.throws(() => familyOf({ model_type: "nomic_bert", auto_map: { AutoModel: "x.Y" } }, "/m/config.json"), /remote code, which embedtune never runs/);
  assert.equal(familyOf({ model_type: "xlm-roberta" }, "config.json").modelType, "xlm-roberta");
});

test("weight decay follows the Hugging Face Trainer: none for names with \"bias\" or norm modules", () => {
  const decayed = ["encoder.layer.0.attention.self.query.weight", "embeddings.word_embeddings.weight", "layers.0.mlp.Wi.weight"];
  const undecayed = [
    "encoder.layer.0.output.dense.bias",
    "embeddings.LayerNorm.weight",
    "encoder.relative_attention_bias.weight",
    "layers.1.attn_norm.weight",
    "layers.0.mlp_norm.weight",
    "final_norm.weight",
    "embeddings.norm.weight",
  ];
  assert.deepEqual(decayed.filter((name) => !usesWeightDecay(name)), []);
  assert.deepEqual(undecayed.filter(usesWeightDecay), []);
});

const skip = skipUnlessShared("models/tiny-xlm-roberta/tokenizer.json");

test("model_type bert with the XLM-R tokenizer (multilingual-e5-small's layout): the tokenizer's ids, config's padding_idx", { skip }, async () => {
  const folder = join(temporaryDirectory(), "e5-small-like");
  await initModel({ out: folder, hidden: 32, layers: 2, heads: 4, intermediate: 64, vocabSize: 2100, seed: 9 });
  for (const file of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) copyFileSync(sharedPath(`models/tiny-xlm-roberta/${file}`), join(folder, file));
  const configPath = join(folder, "config.json");
  writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, "utf8")), pad_token_id: 0 }));
  const models = await Promise.all((["tfjs", "onnxruntime"] as const).map((engine) => SentenceTransformer.load(folder, { quiet: true, engine })));
  try {
    const [reference, fast] = models;
    assert.equal(reference.transformer.config.modelType, "bert");
    const batch = reference.tokenize(["Hi.", "Eine Frau schneidet eine Zwiebel."]);
    // tiny-xlm-roberta's golden ids for "Hi.", padded with the tokenizer's <pad> (1), not config.json's 0.
    assert.deepEqual(Array.from(batch.inputIds.subarray(0, 5)), [0, 108, 29, 5, 2]);
    assert.equal(batch.inputIds[batch.seqLength - 1], 1);
    const random = createRandom(4);
    const dHidden = Float32Array.from({ length: batch.batchSize * batch.seqLength * 32 }, () => random.normal());
    const [slow, quick] = await Promise.all(
      models.map(async (model) => {
        const pass = model.encoder.trainingPass(batch, { dropoutSeed: 5 });
        return { hidden: await pass.forward(), gradients: denseGradients(await pass.backward(dHidden)) };
      }),
    );
    assert.ok(maxAbsoluteDifference(quick.hidden, slow.hidden) < 1e-4);
    for (const { gradients } of [slow, quick]) {
      const words = gradients.get("embeddings.word_embeddings.weight")!;
      assert.ok(words.subarray(0, 32).every((v) => v === 0), "row 0 (config pad_token_id) gets no gradient");
      assert.ok(words.subarray(32, 64).some((v) => v !== 0), "row 1 (the tokenizer's <pad>) is an ordinary row for BERT");
      assert.ok(gradients.get("embeddings.position_embeddings.weight")!.subarray(0, 32).some((v) => v !== 0), "absolute position 0 is trained");
    }
    for (const [name, gradient] of slow.gradients) {
      const scale = gradient.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      assert.ok(maxAbsoluteDifference(quick.gradients.get(name)!, gradient) < 1e-4 * scale, name);
    }
    assert.ok(fast.engine === "onnxruntime");
  } finally {
    models.forEach((model) => model.dispose());
  }
});
