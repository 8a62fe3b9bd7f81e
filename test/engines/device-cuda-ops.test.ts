// Every node of the ONNX graphs the onnxruntime engine builds for each family (the encoder, the training
// forward and backward with and without dropout, the export with its weights baked in) has a kernel in onnxruntime's
// CUDA execution provider for its opset and element types — checked against OperatorKernels.md (see
// fixtures/onnxruntime-cuda-kernels.ts). A node without one runs on the CPU under CUDA (correct, but data
// goes to and fro): the only one is listed here with its reason, so a new one fails this test.

import assert from "node:assert/strict";
import { test } from "node:test";
import onnxProto, { type onnx } from "onnx-proto";
import { encoderShape } from "../../src/engines/architecture.ts";
import { familyNamed, supportedModelTypes } from "../../src/models/families/index.ts";
import { CUDA_OPS, CUDA_ROWS, SOURCE } from "./fixtures/onnxruntime-cuda-kernels.ts";

/**
 * Nodes without a CUDA kernel, by graph. ReduceProd over int64: the backward graph's token count
 * (batch × seq, from Shape) — three integers that feed Expand's shape input, which onnxruntime keeps
 * in host memory anyway; CUDA's ReduceProd takes no int64.
 */
const EXPECTED_CPU_NODES: Record<string, string[]> = {
  encoder: [],
  export: [],
  "training forward (dropout)": [],
  "training forward (no dropout)": [],
  "training backward (dropout)": ["ReduceProd(int64)"],
  "training backward (no dropout)": ["ReduceProd(int64)"],
};

/** A small config.json of the family (its random model's, shrunk). */
function smallConfig(modelType: string) {
  const family = familyNamed(modelType)!;
  const { config } = family.randomModel({
    hiddenSize: 8,
    numHiddenLayers: 2,
    numAttentionHeads: 2,
    intermediateSize: 16,
    maxSequenceLength: 16,
    words: ["a small text of words", "and another"],
    vocabSize: 300,
    initializerRange: 0.02,
  });
  return { family, config: family.parseConfig(config, "config.json") };
}

function graphs(modelType: string): Record<string, Uint8Array> {
  const { family, config } = smallConfig(modelType);
  const weights = new Map(family.parameters(config).map((spec) => [spec.name, new Float32Array(encoderShape(spec).reduce((a, b) => a * b, 1))]));
  return {
    encoder: family.onnx.buildEncoder(config),
    export: family.onnx.buildEncoder(config, weights),
    "training forward (dropout)": family.onnx.buildTrainingForward(config, { dropout: true }),
    "training forward (no dropout)": family.onnx.buildTrainingForward(config, { dropout: false }),
    "training backward (dropout)": family.onnx.buildTrainingBackward(config, { dropout: true }),
    "training backward (no dropout)": family.onnx.buildTrainingBackward(config, { dropout: false }),
  };
}

const ELEMENT_NAMES: Record<number, string> = { 1: "float", 6: "int32", 7: "int64", 9: "bool" };

function elementName(code: number | null | undefined): string {
  const name = ELEMENT_NAMES[code ?? 0];
  if (name === undefined) throw new Error(`element type ${code} has no name here`);
  return name;
}

/** Output element types of a node from its inputs' (the ops of these graphs: as input 0, but Shape, Cast and Equal). */
function outputTypes(node: onnx.INodeProto, inputTypes: string[]): string[] {
  const outputs = node.output ?? [];
  switch (node.opType) {
    case "Shape":
      return ["int64"];
    case "Cast":
      return [elementName(Number(node.attribute?.find((a) => a.name === "to")?.i))];
    case "Equal":
    case "Greater":
      return ["bool"];
    case "LayerNormalization":
      return [inputTypes[0], "float", "float"].slice(0, outputs.length);
    default:
      return outputs.map(() => inputTypes[0]);
  }
}

/** Nodes of a graph that CUDA has no kernel for, as "Op(types)"; throws for an op the fixture lacks. */
function nodesWithoutCudaKernel(bytes: Uint8Array): { missing: string[]; ops: Set<string> } {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const opset = Number(model.opsetImport?.find((entry) => (entry.domain ?? "") === "")?.version);
  const graph = model.graph!;
  const types = new Map<string, string>();
  for (const value of graph.input ?? []) types.set(value.name!, elementName(value.type?.tensorType?.elemType));
  for (const tensor of graph.initializer ?? []) types.set(tensor.name!, elementName(tensor.dataType));
  const missing: string[] = [];
  const ops = new Set<string>();
  for (const node of graph.node ?? []) {
    const op = node.opType!;
    assert.equal(node.domain ?? "", "", `${op} is in domain ${node.domain}: only ai.onnx ops are checked here`);
    ops.add(op);
    const inputTypes = (node.input ?? []).map((name) => (name === "" ? "" : types.get(name) ?? assert.fail(`${op}: input ${name} has no known type`)));
    const produced = outputTypes(node, inputTypes);
    (node.output ?? []).forEach((name, index) => types.set(name, produced[index]));
    assert.ok((CUDA_OPS as readonly string[]).includes(op), `${op} is not among the CUDA provider's ops (${SOURCE})`);
    const row = CUDA_ROWS[op] ?? assert.fail(`${op}: copy its CUDA row for opset ${opset} from ${SOURCE} into fixtures/onnxruntime-cuda-kernels.ts`);
    const [since, until] = row.opsets;
    assert.ok(since <= opset && (until === undefined || opset <= until), `${op}: the fixture's row is for opsets ${since}–${until ?? ""}, the graph uses ${opset}`);
    const allowed = (constraint: string, type: string) => (row.types[constraint] ?? [constraint]).includes(type);
    const constraintOf = (list: string[], index: number) => list[Math.min(index, list.length - 1)];
    const fits =
      inputTypes.every((type, index) => type === "" || allowed(constraintOf(row.inputs, index), type)) &&
      produced.every((type, index) => allowed(constraintOf(row.outputs, index), type));
    if (!fits) missing.push(`${op}(${[...new Set(inputTypes.filter((type) => type !== ""))].join(", ")})`);
  }
  return { missing, ops };
}

test("every node of the engine's graphs has a CUDA kernel, but the known ReduceProd over int64", () => {
  const used = new Set<string>();
  for (const modelType of supportedModelTypes()) {
    for (const [name, bytes] of Object.entries(graphs(modelType))) {
      const { missing, ops } = nodesWithoutCudaKernel(bytes);
      ops.forEach((op) => used.add(op));
      assert.deepEqual([...new Set(missing)], EXPECTED_CPU_NODES[name], `${modelType} ${name}: nodes without a CUDA kernel`);
    }
  }
  // The check saw the whole op mix (it would pass vacuously on an empty graph).
  for (const op of ["MatMul", "Softmax", "LayerNormalization", "Erf", "Gather", "Gemm", "ReduceSum"]) assert.ok(used.has(op), `${op} not seen`);
});

test("the check flags an op whose element type CUDA lacks, and an op the fixture does not know", () => {
  const g = onnxProto.onnx;
  const graph = (opType: string, type: number) =>
    g.ModelProto.encode(
      g.ModelProto.create({
        irVersion: 8,
        opsetImport: [{ domain: "", version: 17 }],
        graph: {
          name: "probe",
          node: [{ opType, input: ["x"], output: ["y"], domain: "" }],
          input: [{ name: "x", type: { tensorType: { elemType: type, shape: { dim: [{ dimValue: 2 }] } } } }],
          output: [{ name: "y", type: { tensorType: { elemType: type, shape: { dim: [{ dimValue: 2 }] } } } }],
        },
      }),
    ).finish();
  assert.deepEqual(nodesWithoutCudaKernel(graph("Erf", 6)).missing, ["Erf(int32)"]);
  assert.deepEqual(nodesWithoutCudaKernel(graph("Erf", 1)).missing, []);
  assert.throws(() => nodesWithoutCudaKernel(graph("Sigmoid", 1)), /Sigmoid: copy its CUDA row/);
  assert.throws(() => nodesWithoutCudaKernel(graph("SoftmaxGrad", 1)), /not among the CUDA provider's ops/);
});
