// ModernBERT's windowed local attention against Hugging Face's full T×T masked attention: a random config
// (transformers 5.x keys: layer_types, rope_parameters; every bias flag on; local_attention 16) at T = 300,
// one padded row, through transformers' ModernBertModel (eager attention) in the project's .venv — hidden
// states and the gradient of Σ h⊙R for every parameter — in tfjs and in the ONNX graphs. And the memory of a
// local layer grows linearly with T: the largest tensor a forward of only local layers creates, in tfjs
// (tf.profile) and in onnxruntime (its profiler's per-node output sizes).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import type { EncoderInputs } from "../../../src/engines/architecture.ts";
import { writeSafetensors } from "../../../src/io/safetensors.ts";
import { modernBertFamily, type ModernBertConfig } from "../../../src/models/families/modernbert/index.ts";
import { createRandom } from "../../../src/util/random.ts";
import { maxAbsoluteDifference } from "../../support/compare.ts";
import { denseGradients } from "../../support/golden-step.ts";
import { interopPython, skipUnlessPython } from "../../support/python-interop.ts";
import { createTrainingGraphs } from "../../support/training-graphs.ts";

const family = modernBertFamily;
const HIDDEN = 32;
const VOCAB = 97;
const PAD = 96;

function rawConfig(layerTypes: string[], localAttention: number): Record<string, unknown> {
  return {
    model_type: "modernbert",
    vocab_size: VOCAB,
    hidden_size: HIDDEN,
    intermediate_size: 48,
    num_hidden_layers: layerTypes.length,
    num_attention_heads: 2,
    max_position_embeddings: 8192,
    layer_types: layerTypes,
    rope_parameters: { full_attention: { rope_type: "default", rope_theta: 160000 }, sliding_attention: { rope_type: "default", rope_theta: 10000 } },
    local_attention: localAttention,
    norm_eps: 1e-5,
    norm_bias: true,
    attention_bias: true,
    mlp_bias: true,
    pad_token_id: PAD,
    hidden_activation: "gelu",
  };
}

function layoutShape(spec: { torchShape: number[]; linear: boolean }): number[] {
  return spec.linear ? [spec.torchShape[1], spec.torchShape[0]] : spec.torchShape;
}

/** Random weights (encoder layout) and their torch-layout copies for safetensors. */
function randomWeights(config: ModernBertConfig, seed: number) {
  const random = createRandom(seed);
  const values = new Map<string, Float32Array>();
  const torch: { name: string; shape: number[]; values: Float32Array }[] = [];
  for (const spec of family.parameters(config)) {
    const size = spec.torchShape.reduce((a, b) => a * b, 1);
    const isNormWeight = spec.name.endsWith("norm.weight");
    const torchValues = Float32Array.from({ length: size }, () => (isNormWeight ? 1 : 0) + 0.1 * random.normal());
    torch.push({ name: spec.name, shape: spec.torchShape, values: torchValues });
    const [rows, columns] = spec.torchShape;
    const layout = spec.linear ? new Float32Array(size) : torchValues;
    if (spec.linear) for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) layout[c * rows + r] = torchValues[r * columns + c];
    values.set(spec.name, layout);
  }
  return { values, torch };
}

function randomBatch(lengths: number[], seed: number): EncoderInputs {
  const random = createRandom(seed);
  const seqLength = Math.max(...lengths);
  const inputIds = new Int32Array(lengths.length * seqLength).fill(PAD);
  const attentionMask = new Int32Array(lengths.length * seqLength);
  lengths.forEach((length, row) => {
    for (let t = 0; t < length; t++) {
      inputIds[row * seqLength + t] = Math.floor(random.next() * (VOCAB - 1));
      attentionMask[row * seqLength + t] = 1;
    }
  });
  return { inputIds, attentionMask, tokenTypeIds: new Int32Array(inputIds.length), batchSize: lengths.length, seqLength };
}

function tokenFeeds(inputs: EncoderInputs): Record<string, ort.Tensor> {
  const shape = [inputs.batchSize, inputs.seqLength];
  return {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(inputs.inputIds, BigInt), shape),
    attention_mask: new ort.Tensor("int64", BigInt64Array.from(inputs.attentionMask, BigInt), shape),
  };
}

/** Hugging Face ModernBertModel (eager): last_hidden_state and the gradients of Σ h⊙R, torch layout, padding_idx row zero. */
const HF_SCRIPT = `
import json, sys, numpy as np, torch
from safetensors.torch import load_file
from transformers import ModernBertConfig, ModernBertModel
folder, B, T = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
config = ModernBertConfig.from_pretrained(folder)
config._attn_implementation = "eager"
model = ModernBertModel(config)
missing, unexpected = model.load_state_dict(load_file(folder + "/model.safetensors"), strict=False)
assert not unexpected and not [m for m in missing if "inv_freq" not in m], (missing, unexpected)
ids = torch.from_numpy(np.fromfile(folder + "/ids.bin", dtype=np.int32).astype(np.int64).reshape(B, T))
mask = torch.from_numpy(np.fromfile(folder + "/mask.bin", dtype=np.int32).astype(np.int64).reshape(B, T))
R = torch.from_numpy(np.fromfile(folder + "/r.bin", dtype=np.float32).reshape(B, T, -1))
h = model(input_ids=ids, attention_mask=mask).last_hidden_state
(h * R).sum().backward()
h.detach().numpy().astype(np.float32).tofile(folder + "/hidden.bin")
names = [n for n, _ in model.named_parameters()]
np.concatenate([p.grad.detach().numpy().astype(np.float32).ravel() for _, p in model.named_parameters()]).tofile(folder + "/grads.bin")
print(json.dumps(names))
`;

function readFloats(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
}

function realRows(values: Float32Array, inputs: EncoderInputs): number[] {
  const width = values.length / inputs.attentionMask.length;
  return Array.from(inputs.attentionMask).flatMap((keep, token) => (keep ? Array.from(values.subarray(token * width, (token + 1) * width)) : []));
}

/** Largest tensor (elements) a tfjs forward creates. */
function largestTfjsTensor(config: ModernBertConfig, weights: Map<string, tf.Tensor>, inputs: EncoderInputs): Promise<number> {
  return tf.profile(() => family.forward(weights, config, inputs, {})).then((info) =>
    Math.max(...info.kernels.flatMap((kernel) => kernel.outputShapes.map((shape) => (shape ?? []).reduce((a: number, b: number) => a * b, 1)))),
  );
}

/** Largest node output (bytes) of an onnxruntime run, from its profiler. */
async function largestOnnxOutput(config: ModernBertConfig, values: Map<string, Float32Array>, inputs: EncoderInputs, folder: string): Promise<number> {
  const session = await ort.InferenceSession.create(family.onnx.buildEncoder(config, values), {
    enableProfiling: true,
    profileFilePrefix: join(folder, `profile_${inputs.seqLength}`),
  });
  await session.run(tokenFeeds(inputs));
  session.endProfiling();
  await session.release();
  const file = readdirSync(folder).find((name) => name.startsWith(`profile_${inputs.seqLength}`))!;
  const events = JSON.parse(readFileSync(join(folder, file), "utf8")) as { cat: string; args?: { output_size?: string } }[];
  return Math.max(...events.filter((e) => e.cat === "Node" && e.args?.output_size).map((e) => Number(e.args!.output_size)));
}

describe("ModernBERT sliding-window attention", () => {
  test("windowed local layers equal Hugging Face's full masked attention at T = 300, window 16: hidden states and every gradient, tfjs and ONNX", { skip: skipUnlessPython("torch", "transformers", "safetensors") }, async (t) => {
    const raw = rawConfig(["full_attention", "sliding_attention", "sliding_attention"], 16);
    const config = family.parseConfig(raw, "config.json");
    const { values, torch } = randomWeights(config, 5);
    const inputs = randomBatch([300, 237], 6);
    const { batchSize: B, seqLength: T } = inputs;
    const random = createRandom(7);
    // R is zero on padding (what pooling gives the padded rows).
    const R = Float32Array.from({ length: B * T * HIDDEN }, (_, i) => (inputs.attentionMask[Math.floor(i / HIDDEN)] ? random.normal() : 0));
    const folder = mkdtempSync(join(tmpdir(), "modernbert-window-"));
    try {
      writeFileSync(join(folder, "config.json"), JSON.stringify(raw));
      writeSafetensors(join(folder, "model.safetensors"), torch);
      writeFileSync(join(folder, "ids.bin"), inputs.inputIds);
      writeFileSync(join(folder, "mask.bin"), inputs.attentionMask);
      writeFileSync(join(folder, "r.bin"), R);
      const run = spawnSync(interopPython(), ["-c", HF_SCRIPT, folder, String(B), String(T)], { encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      const hfNames = JSON.parse(run.stdout.trim().split("\n").pop()!) as string[];
      const hfHidden = readFloats(join(folder, "hidden.bin"));
      const hfGradients = readFloats(join(folder, "grads.bin"));

      // Forward: tfjs and the ONNX inference graph against HF on real tokens.
      const weights = new Map(family.parameters(config).map((spec) => [spec.name, tf.tensor(values.get(spec.name)!, layoutShape(spec))]));
      const expected = realRows(hfHidden, inputs);
      const tfjsHidden = family.forward(weights, config, inputs, {}).dataSync() as Float32Array;
      const tfjsDifference = maxAbsoluteDifference(realRows(tfjsHidden, inputs), expected);
      assert.ok(tfjsDifference < 1e-4, `tfjs hidden states differ by ${tfjsDifference}`);
      const session = await ort.InferenceSession.create(family.onnx.buildEncoder(config, values));
      const onnxHidden = (await session.run(tokenFeeds(inputs))).last_hidden_state.data as Float32Array;
      const onnxDifference = maxAbsoluteDifference(realRows(onnxHidden, inputs), expected);
      assert.ok(onnxDifference < 1e-4, `onnx hidden states differ by ${onnxDifference}`);
      t.diagnostic(`hidden states vs Hugging Face: tfjs ${tfjsDifference}, onnx ${onnxDifference}`);

      // Gradients of Σ h⊙R.
            const names = family.parameters(config).map((spec) => spec.name);
      const rTensor = tf.tensor3d(R, [B, T, HIDDEN]);
      const tfjsGradients = tf.grads((...tensors: tf.Tensor[]) =>
        tf.sum(tf.mul(family.forward(new Map(names.map((name, k) => [name, tensors[k]])), config, inputs, {}), rTensor)),
      )(names.map((name) => weights.get(name)!));
      const graphs = await createTrainingGraphs(family.onnx, config, { dropout: false });
      const feeds: Record<string, ort.Tensor> = tokenFeeds(inputs);
      for (const spec of family.parameters(config)) feeds[spec.name] = new ort.Tensor("float32", values.get(spec.name)!, layoutShape(spec));
      const { hidden: trainingHidden, saved } = await graphs.forward(feeds);
      const trainingDifference = maxAbsoluteDifference(realRows(trainingHidden, inputs), expected);
      assert.ok(trainingDifference < 1e-4, `onnx training forward's hidden states differ by ${trainingDifference}`);
      const onnxGradients = denseGradients(family.onnx.gradients(config, inputs, await graphs.backward(feeds, saved, R, [B, T, HIDDEN])));
      await graphs.release();
      assert.deepEqual([...hfNames].sort(), [...names].sort());
      let offset = 0;
      const hf = new Map<string, Float32Array>();
      for (const name of hfNames) {
        const spec = family.parameters(config).find((p) => p.name === name)!;
        const size = spec.torchShape.reduce((a, b) => a * b, 1);
        const torchGradient = hfGradients.subarray(offset, offset + size);
        offset += size;
        const [rows, columns] = spec.torchShape;
        const layout = new Float32Array(size);
        if (spec.linear) for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) layout[c * rows + r] = torchGradient[r * columns + c];
        else layout.set(torchGradient);
        hf.set(name, layout);
      }
      let largestGradientDifference = 0;
      names.forEach((name, k) => {
        const tfjsGradient = tfjsGradients[k].dataSync() as Float32Array;
        const onnxGradient = onnxGradients.get(name)!;
        for (const { parameter, row } of family.frozenRows(config)) {
          if (parameter !== name) continue;
          tfjsGradient.fill(0, row * HIDDEN, (row + 1) * HIDDEN);
          onnxGradient.fill(0, row * HIDDEN, (row + 1) * HIDDEN);
        }
        const differences = [tfjsGradient, onnxGradient].map((g) => maxAbsoluteDifference(Array.from(g), Array.from(hf.get(name)!)));
        assert.ok(differences[0] < 1e-4, `tfjs gradient of ${name} differs by ${differences[0]}`);
        assert.ok(differences[1] < 1e-4, `onnx gradient of ${name} differs by ${differences[1]}`);
        largestGradientDifference = Math.max(largestGradientDifference, ...differences);
      });
      t.diagnostic(`largest gradient difference vs Hugging Face (tfjs, onnx): ${largestGradientDifference}`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test("a local layer's memory is linear in T: doubling T doubles the largest tensor (tfjs and onnxruntime)", async (t) => {
    const config = family.parseConfig(rawConfig(["sliding_attention", "sliding_attention"], 16), "config.json");
    const { values } = randomWeights(config, 8);
    const weights = new Map(family.parameters(config).map((spec) => [spec.name, tf.tensor(values.get(spec.name)!, layoutShape(spec))]));
    const folder = mkdtempSync(join(tmpdir(), "modernbert-memory-"));
    try {
      const sizes = [];
      for (const T of [1024, 2048]) {
        const inputs = randomBatch([T], 9);
        sizes.push({ T, tfjs: await largestTfjsTensor(config, weights, inputs), onnx: await largestOnnxOutput(config, values, inputs, folder) });
      }
      t.diagnostic(`largest tensor (tfjs elements, onnxruntime bytes): ${JSON.stringify(sizes)}`);
      const [small, large] = sizes;
      // Full attention would make [1, heads, T, T]: 2M elements at T = 1024, four times that at 2048.
      assert.ok(small.tfjs < 2 * 1024 * 1024 / 8, `tfjs largest tensor ${small.tfjs} at T 1024`);
      assert.ok(large.tfjs / small.tfjs <= 2.01, `tfjs: ${small.tfjs} → ${large.tfjs}`);
      assert.ok(small.onnx < (4 * 2 * 1024 * 1024) / 8, `onnx largest output ${small.onnx} bytes at T 1024`);
      assert.ok(large.onnx / small.onnx <= 2.01, `onnx: ${small.onnx} → ${large.onnx}`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
