// `device` as sentence-transformers' — tested where onnxruntime-node's CUDA provider is absent (this
// machine has no GPU): the default computes on the CPU silently; an explicit "cuda" is one
// DeviceUnavailableError line naming the way out, never a silent CPU run; model.device, model.to();
// onnxruntime's own CUDA error messages (captured from onnxruntime-node 1.21.0 with a stand-in provider
// library, and in the format of its cuda_call.cc) become one line each; `embedtune info` and the CLI's --device.

import assert from "node:assert/strict";
import { before, test } from "node:test";
import { backendInfo, initializeBackend } from "../../src/backend.ts";
import {
  cudaProviderInstalled,
  cudaProviderLibrary,
  defaultDevice,
  DeviceUnavailableError,
  explainCudaFailure,
  resolvedDevice,
} from "../../src/engines/device.ts";
import { createSession } from "../../src/engines/onnxruntime/session.ts";
import { ArgumentError } from "../../src/errors.ts";
import { bertFamily, type BertConfig } from "../../src/models/families/bert/index.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { errorLine, runEmbedtune, show } from "../cli/embedtune-process.ts";
import { tinyModelTemplate } from "../support/model-fixtures.ts";

const providerPresent = cudaProviderInstalled() ? `the CUDA provider is installed here (${cudaProviderLibrary()}); these tests check the behaviour without it` : false;
const NOT_INSTALLED = "onnxruntime-node's CUDA provider is not installed (run `npx embedtune setup-gpu`)";

before(() => initializeBackend({ quiet: true }));

test("onnxruntime's CUDA errors become one line each", () => {
  const prefix = "/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1695 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : ";
  const cases: [string, string][] = [
    [`${prefix}Failed to load library libonnxruntime_providers_cuda.so with error: libonnxruntime_providers_cuda.so: cannot open shared object file: No such file or directory\n`, NOT_INSTALLED],
    [
      `${prefix}Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file: No such file or directory\n`,
      "onnxruntime-node's CUDA provider is installed but libcudnn.so.9 is missing (install cuDNN 9 for CUDA 12 or add its folder to LD_LIBRARY_PATH)",
    ],
    [
      `${prefix}Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.12: cannot open shared object file: No such file or directory\n`,
      "onnxruntime-node's CUDA provider is installed but libcublasLt.so.12 is missing (install the CUDA 12 runtime libraries or add their folder to LD_LIBRARY_PATH)",
    ],
    [
      "/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:123 std::conditional_t<THRW, void, onnxruntime::common::Status> onnxruntime::CudaCall(ERRTYPE, const char*, const char*, ERRTYPE, const char*, const char*, int) [with ERRTYPE = cudaError; bool THRW = true] CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; hostname=box ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider.cc ; line=282 ; expr=cudaSetDevice(info_.device_id); \n",
      "no GPU: CUDA found no CUDA-capable device",
    ],
    ["CUDA failure 101: invalid device ordinal ; GPU=3 ; hostname=box ; expr=cudaSetDevice(info_.device_id); ", "there is no GPU of that index (CUDA: invalid device ordinal)"],
    [
      "CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version ; GPU=0 ; hostname=box ; expr=cudaSetDevice(info_.device_id); ",
      "the NVIDIA driver is too old for CUDA 12 (CUDA: driver version is insufficient for CUDA runtime version)",
    ],
    ["CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED ; GPU=0 ; hostname=box ; expr=cublasCreate(&cublas_handle_); ", "CUBLAS failed: CUBLAS_STATUS_ALLOC_FAILED (error 3)"],
    [
      `${prefix.replace(":1695", ":1698")}Failed to get symbol GetProvider with error: /x/libonnxruntime_providers_cuda.so: undefined symbol: GetProvider\n`,
      "Failed to get symbol GetProvider with error: /x/libonnxruntime_providers_cuda.so: undefined symbol: GetProvider",
    ],
  ];
  for (const [message, expected] of cases) assert.equal(explainCudaFailure(message), expected);
});

test("devices resolve as torch's: cuda is cuda:0; EMBEDTUNE_DEVICE sets the default and is validated", () => {
  assert.equal(resolvedDevice("cuda"), "cuda:0");
  assert.equal(resolvedDevice("cuda:2"), "cuda:2");
  assert.equal(resolvedDevice("cpu"), "cpu");
  const saved = process.env.EMBEDTUNE_DEVICE;
  try {
    delete process.env.EMBEDTUNE_DEVICE;
    assert.equal(defaultDevice(), undefined);
    process.env.EMBEDTUNE_DEVICE = "cuda:1";
    assert.equal(defaultDevice(), "cuda:1");
    process.env.EMBEDTUNE_DEVICE = "gpu";
    assert.throws(() => defaultDevice(), (error) => error instanceof ArgumentError && /^EMBEDTUNE_DEVICE: must be "cpu", "cuda" or "cuda:N"/.test(error.message));
  } finally {
    if (saved === undefined) delete process.env.EMBEDTUNE_DEVICE;
    else process.env.EMBEDTUNE_DEVICE = saved;
  }
});

const config: BertConfig = {
  modelType: "bert", maxSequenceLength: 16, vocabSize: 30, hiddenSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 16, maxPositionEmbeddings: 16,
  typeVocabSize: 2, layerNormEps: 1e-12, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0, padTokenId: 0, raw: {},
};

test("sessions: auto and cpu run on the CPU; an explicit GPU without the provider is an error, not a CPU run", { skip: providerPresent }, async () => {
  const bytes = bertFamily.onnx.buildEncoder(config);
  assert.equal((await createSession(bytes)).provider, "cpu");
  assert.equal((await createSession(bytes, { device: "cpu" })).provider, "cpu");
  for (const device of ["cuda", "cuda:1"] as const) {
    await assert.rejects(createSession(bytes, { device }), (error) => error instanceof DeviceUnavailableError && error.message === `device "${device}": ${NOT_INSTALLED}`);
  }
});

test("model.device, the summary line and model.to(): a GPU that cannot run leaves the model where it was", { skip: providerPresent }, async () => {
  const model = await SentenceTransformer.load(await tinyModelTemplate(), { quiet: true });
  try {
    assert.equal(model.device, "cpu");
    assert.match(String(model), /engine onnxruntime on cpu, tfjs backend /);
    const before = await model.encode(["a sentence"]);
    await assert.rejects(model.to("cuda"), (error) => error instanceof DeviceUnavailableError && error.message === `device "cuda": ${NOT_INSTALLED}`);
    assert.equal(model.device, "cpu");
    assert.deepEqual(await model.encode(["a sentence"]), before, "the engine still computes after the refused move");
    assert.equal(await model.to("cpu"), model);
    assert.equal(model.device, "cpu");
    await assert.rejects(model.to("gpu" as never), (error) => error instanceof ArgumentError && /^device: must be "cpu", "cuda" or "cuda:N"/.test(error.message));
  } finally {
    model.dispose();
  }
});

test("load({ device }) honours the device: cuda without the provider fails, cpu loads", { skip: providerPresent }, async () => {
  const directory = await tinyModelTemplate();
  await assert.rejects(SentenceTransformer.load(directory, { quiet: true, device: "cuda:0" }), (error) => error instanceof DeviceUnavailableError && error.message === `device "cuda:0": ${NOT_INSTALLED}`);
  const model = await SentenceTransformer.load(directory, { quiet: true, device: "cpu" });
  assert.equal(model.device, "cpu");
  model.dispose();
});

test("the tfjs engine computes on a GPU only through tfjs-node-gpu, and says why it cannot", async (t) => {
  if (backendInfo().gpu) return t.skip("tfjs-node-gpu runs on a GPU here");
  const directory = await tinyModelTemplate();
  await assert.rejects(SentenceTransformer.load(directory, { quiet: true, engine: "tfjs", device: "cuda" }), (error) => {
    assert.ok(error instanceof DeviceUnavailableError);
    assert.match(error.message, /^device "cuda": the tfjs engine computes on a GPU only through @tensorflow\/tfjs-node-gpu: @tensorflow\/tfjs-node-gpu (is not installed|failed to load: .+|not tried .+)$/);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
  const model = await SentenceTransformer.load(directory, { quiet: true, engine: "tfjs", device: "cpu" });
  assert.equal(model.device, "cpu");
  model.dispose();
});

test("CLI: --device cuda is one error line; embedtune info says where each engine computes and why not CUDA", { skip: providerPresent }, async () => {
  const model = await tinyModelTemplate();
  const encode = await runEmbedtune(["encode", "--model", model, "--device", "cuda", "a sentence"]);
  assert.equal(errorLine(encode), `embedtune: error: device "cuda": ${NOT_INSTALLED}`);
  const [info, forced, tfjs] = await Promise.all([
    runEmbedtune(["info"]),
    runEmbedtune(["info"], { EMBEDTUNE_DEVICE: "cpu", EMBEDTUNE_BACKEND: "cpu" }),
    runEmbedtune(["info"], { EMBEDTUNE_ENGINE: "tfjs" }),
  ]);
  assert.equal(info.status, 0, show(info));
  const lines = info.stdout.trimEnd().split("\n");
  assert.match(lines[1], new RegExp(`^onnxruntime: onnxruntime-node \\d+\\.\\d+\\.\\d+ on CPU — not CUDA: ${NOT_INSTALLED.replace(/[()`]/g, "\\$&")}$`), show(info));
  assert.match(lines[2], /^tfjs backend: /);
  assert.match(lines[3], /^tfjs GPU: (yes|no — .+)$/, show(info));
  assert.match(forced.stdout, /^onnxruntime: onnxruntime-node \S+ on CPU — not CUDA: EMBEDTUNE_DEVICE=cpu$/m, show(forced));
  assert.match(forced.stdout, /^tfjs GPU: no — @tensorflow\/tfjs-node-gpu not tried \(the backend is forced by EMBEDTUNE_BACKEND=cpu\)$/m, show(forced));
  assert.match(tfjs.stdout, /^onnxruntime: not used \(EMBEDTUNE_ENGINE=tfjs chooses the tfjs engine\)$/m, show(tfjs));
});
