// ModernBERT's config dialects, checkpoint names and random model: transformers 4.x keys (global/local rope
// theta, global_attn_every_n_layers) and 5.x keys (layer_types, rope_parameters) read alike, norm_eps (not
// layer_norm_eps) taken, unsupported activations refused in one line; MaskedLM names mapped; a random model's
// byte-level BPE tokenizer gives the ids Hugging Face tokenizers gives, and its ONNX inference graph, saved
// as onnx/model.onnx, runs in transformers.js 3.8.1's AutoModel with the tfjs forward's hidden states.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, test } from "node:test";
import { AutoModel, AutoTokenizer, env, Tensor } from "@huggingface/transformers";
import * as tf from "@tensorflow/tfjs";
import { ModelLoadError } from "../../../src/errors.ts";
import { modernBertFamily } from "../../../src/models/families/modernbert/index.ts";
import { SentenceTokenizer } from "../../../src/models/tokenizer.ts";
import { createRandom } from "../../../src/util/random.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { interopPython, skipUnlessPython } from "../../support/python-interop.ts";

const family = modernBertFamily;
env.allowRemoteModels = false;

const V4 = {
  model_type: "modernbert",
  vocab_size: 100,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 4,
  num_attention_heads: 2,
  global_attn_every_n_layers: 3,
  global_rope_theta: 80000.0,
  local_rope_theta: 5000.0,
  local_attention: 64,
  layer_norm_eps: 1e-12,
  norm_eps: 1e-5,
  pad_token_id: 3,
  max_position_embeddings: 8192,
};

describe("ModernBERT config and names", () => {
  test("4.x and 5.x keys give the same config; norm_eps is the epsilon; layer i is global iff i % every == 0", () => {
    const v4 = family.parseConfig(V4, "config.json");
    assert.deepEqual(v4.layerTypes, ["full_attention", "sliding_attention", "sliding_attention", "full_attention"]);
    assert.equal(v4.globalRopeTheta, 80000);
    assert.equal(v4.localRopeTheta, 5000);
    assert.equal(v4.normEps, 1e-5);
    assert.equal(v4.maxSequenceLength, 8192);
    const { global_attn_every_n_layers, global_rope_theta, local_rope_theta, ...rest } = V4;
    const v5 = family.parseConfig(
      {
        ...rest,
        layer_types: v4.layerTypes,
        rope_parameters: { full_attention: { rope_type: "default", rope_theta: global_rope_theta }, sliding_attention: { rope_type: "default", rope_theta: local_rope_theta } },
      },
      "config.json",
    );
    assert.deepEqual({ ...v5, raw: undefined }, { ...v4, raw: undefined });
    assert.equal(global_attn_every_n_layers, 3);
    // Defaults as ModernBertConfig: every 3rd layer global, θ 160000 / 10000, window 128; a null local θ is the global one.
    const defaults = family.parseConfig({ model_type: "modernbert", local_rope_theta: null, num_hidden_layers: 2 }, "config.json");
    assert.deepEqual([defaults.globalRopeTheta, defaults.localRopeTheta, defaults.localAttention, defaults.padTokenId], [160000, 160000, 128, 50283]);
    assert.deepEqual(family.configJson(v4), V4);
  });

  test("an activation other than gelu is one line naming the key", () => {
    assert.throws(
      () => family.parseConfig({ ...V4, hidden_activation: "silu" }, "config.json"),
      (error: Error) => error instanceof ModelLoadError && /hidden_activation "silu"/.test(error.message) && !error.message.includes("\n"),
    );
  });

  test("parameters follow the bias flags; MaskedLM's model. prefix is removed and its head is not used", () => {
    const names = family.parameters(family.parseConfig({ ...V4, num_hidden_layers: 2 }, "config.json")).map((p) => p.name);
    assert.deepEqual(names, [
      "embeddings.tok_embeddings.weight", "embeddings.norm.weight",
      "layers.0.attn.Wqkv.weight", "layers.0.attn.Wo.weight", "layers.0.mlp_norm.weight", "layers.0.mlp.Wi.weight", "layers.0.mlp.Wo.weight",
      "layers.1.attn_norm.weight", "layers.1.attn.Wqkv.weight", "layers.1.attn.Wo.weight", "layers.1.mlp_norm.weight", "layers.1.mlp.Wi.weight", "layers.1.mlp.Wo.weight",
      "final_norm.weight",
    ]);
    const withBiases = family.parameters(family.parseConfig({ ...V4, num_hidden_layers: 1, norm_bias: true, attention_bias: true, mlp_bias: true }, "config.json"));
    assert.equal(withBiases.filter((p) => p.name.endsWith(".bias")).length, 7);
    assert.deepEqual(withBiases.find((p) => p.name === "layers.0.mlp.Wi.weight"), { name: "layers.0.mlp.Wi.weight", torchShape: [48, 16], linear: true });
    assert.equal(family.canonicalName("model.layers.0.attn.Wqkv.weight"), "layers.0.attn.Wqkv.weight");
    assert.equal(family.canonicalName("model.head.dense.weight"), undefined);
    assert.equal(family.canonicalName("decoder.bias"), undefined);
    assert.deepEqual(family.frozenRows(family.parseConfig(V4, "config.json")), [{ parameter: "embeddings.tok_embeddings.weight", row: 3 }]);
  });
});

describe("ModernBERT random model", () => {
  const spec = {
    hiddenSize: 32,
    numHiddenLayers: 3,
    numAttentionHeads: 2,
    intermediateSize: 48,
    maxSequenceLength: 64,
    words: ["the", "man", "is", "playing", "a", "guitar", "dog", "runs", "in", "park", "weather"],
    vocabSize: 300,
    initializerRange: 0.02,
  };
  const texts = ["The man is playing a guitar.", "Dogs run in the park!", "weather: sunny, 25°C — naïve café"];

  function writeFolder(): string {
    const folder = mkdtempSync(join(tmpdir(), "modernbert-random-"));
    const files = family.randomModel(spec);
    writeFileSync(join(folder, "config.json"), JSON.stringify(files.config));
    for (const [name, text] of files.tokenizerFiles) writeFileSync(join(folder, name), text);
    return folder;
  }

  test("the byte-level BPE tokenizer gives Hugging Face tokenizers' ids, [CLS] … [SEP]", { skip: skipUnlessPython("tokenizers") }, () => {
    const folder = writeFolder();
    try {
      const config = family.parseConfig(family.randomModel(spec).config, "config.json");
      assert.ok(config.vocabSize <= spec.vocabSize && config.vocabSize > 261);
      const tokenizer = SentenceTokenizer.load(folder);
      const script = "import json, sys\nfrom tokenizers import Tokenizer\nt = Tokenizer.from_file(sys.argv[1])\nprint(json.dumps([e.ids for e in t.encode_batch(json.loads(sys.argv[2]))]))";
      const run = spawnSync(interopPython(), ["-c", script, join(folder, "tokenizer.json"), JSON.stringify(texts)], { encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      const expected = JSON.parse(run.stdout) as number[][];
      texts.forEach((text, k) => assert.deepEqual(tokenizer.ids(text, { maxSeqLength: 64 }), expected[k], text));
      assert.ok(expected[0].length < new TextEncoder().encode(texts[0]).length, "merges shorten known words");
      assert.equal(tokenizer.padTokenId, config.padTokenId);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test("its ONNX inference graph as onnx/model.onnx runs in transformers.js AutoModel with the tfjs hidden states", async () => {
    const folder = writeFolder();
    try {
      const config = family.parseConfig(family.randomModel(spec).config, "config.json");
      const random = createRandom(3);
      const values = new Map(
        family.parameters(config).map((p) => {
          const size = p.torchShape.reduce((a, b) => a * b, 1);
          return [p.name, Float32Array.from({ length: size }, () => (p.name.endsWith("norm.weight") ? 1 : 0) + 0.05 * random.normal())];
        }),
      );
      mkdirSync(join(folder, "onnx"));
      writeFileSync(join(folder, "onnx", "model.onnx"), family.onnx.buildEncoder(config, values));
      env.localModelPath = dirname(folder);
      const tokenizer = await AutoTokenizer.from_pretrained(basename(folder), { local_files_only: true });
      const model = await AutoModel.from_pretrained(basename(folder), { local_files_only: true, dtype: "fp32" });
      const encoded = tokenizer(texts, { padding: true });
      const output = await model(encoded);
      const hidden = output.last_hidden_state as Tensor;
      await model.dispose();

      const [batchSize, seqLength] = encoded.input_ids.dims as number[];
      const inputs = {
        inputIds: Int32Array.from(encoded.input_ids.data as BigInt64Array, Number),
        attentionMask: Int32Array.from(encoded.attention_mask.data as BigInt64Array, Number),
        tokenTypeIds: new Int32Array(batchSize * seqLength),
        batchSize,
        seqLength,
      };
      const weights = new Map(
        family.parameters(config).map((p) => [p.name, tf.tensor(values.get(p.name)!, p.linear ? [p.torchShape[1], p.torchShape[0]] : p.torchShape)]),
      );
      const expected = family.forward(weights, config, inputs, {}).dataSync();
      const actual = hidden.data as Float32Array;
      const real = (values: ArrayLike<number>) => Array.from(values).filter((_, i) => inputs.attentionMask[Math.floor(i / config.hiddenSize)] === 1);
      const difference = maxAbsoluteDifference(real(actual), real(expected));
      assert.ok(difference < 1e-4, `transformers.js vs tfjs: ${difference}`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
