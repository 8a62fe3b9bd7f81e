// A small builder for ONNX graphs (opset 17, IR 8) over onnx-proto: named inputs, constants,
// nodes and outputs, serialised to the bytes onnxruntime-node loads. Every value is named by a
// string; `node()` returns the names of its outputs, generated unless given.

import onnxProto, { type onnx } from "onnx-proto";

const proto = onnxProto.onnx;

export type ElementType = "float" | "int64" | "int32" | "bool";
const ELEMENT_TYPES: Record<ElementType, number> = {
  float: proto.TensorProto.DataType.FLOAT,
  int64: proto.TensorProto.DataType.INT64,
  int32: proto.TensorProto.DataType.INT32,
  bool: proto.TensorProto.DataType.BOOL,
};

/** A dimension: a fixed size or a symbolic name ("batch", "seq"). */
export type Dimension = number | string;
export type AttributeValue = number | number[] | string | { floats: number[] } | { float: number };

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  /** Values output under another name (see output()): old name → new. */
  private readonly renamed = new Map<string, string>();
  private readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  input(name: string, type: ElementType, shape: Dimension[]): string {
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /**
   * Declares `value` a graph output named `name`. A value computed by a node of this graph is renamed in
   * place (later uses of the old name follow), so the output costs no Identity copy; otherwise (an input,
   * an initializer, a value already an output) an Identity node gives the new name.
   */
  output(value: string, type: ElementType, shape: Dimension[], name = value): string {
    const current = this.renamed.get(value) ?? value;
    let source = current;
    if (current !== name) {
      const producer = this.outputs.some((output) => output.name === current) ? undefined : this.nodes.find((node) => node.output?.includes(current));
      if (producer) {
        producer.output = producer.output!.map((output) => (output === current ? name : output));
        for (const node of this.nodes) node.input = node.input!.map((input) => (input === current ? name : input));
        this.renamed.set(value, name);
        source = name;
      } else {
        source = this.node("Identity", [current], {}, { outputs: [name] })[0];
      }
    }
    this.outputs.push(valueInfo(source, type, shape));
    return source;
  }

  /** A float (or int64) constant stored as an initializer. */
  constant(values: ArrayLike<number>, shape: number[], type: "float" | "int64" = "float"): string {
    const name = this.fresh("const");
    const tensor: onnx.ITensorProto = { name, dims: shape, dataType: ELEMENT_TYPES[type] };
    if (type === "float") tensor.floatData = Array.from(values);
    else tensor.int64Data = Array.from(values);
    this.initializers.push(tensor);
    return name;
  }

  /**
   * A named float initializer stored as raw little-endian bytes (TensorProto.raw_data), compact
   * for large weights. The bytes are a view of `values`, which must not change until build().
   */
  initializer(name: string, values: Float32Array, shape: number[]): string {
    const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    this.initializers.push({ name, dims: shape, dataType: ELEMENT_TYPES.float, rawData });
    return name;
  }

  scalar(value: number): string {
    return this.constant([value], []);
  }

  /** Adds a node; returns its output names (generated unless `options.outputs` names them). */
  node(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttributeValue> = {},
    options: { outputs?: string[] | number; domain?: string } = {},
  ): string[] {
    const outputs =
      typeof options.outputs === "number" || options.outputs === undefined
        ? Array.from({ length: (options.outputs as number | undefined) ?? 1 }, () => this.fresh(opType.toLowerCase()))
        : options.outputs;
    this.nodes.push({
      opType,
      domain: options.domain ?? "",
      input: inputs.map((input) => this.renamed.get(input) ?? input),
      output: outputs,
      name: this.fresh(`${opType}_node`),
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  /** The single output of a one-output node. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.node(opType, inputs, attributes)[0];
  }

  build(): Uint8Array {
    const model = proto.ModelProto.create({
      irVersion: 8,
      producerName: "embedtune",
      opsetImport: [{ domain: "", version: 17 }],
      graph: { name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers },
    });
    return proto.ModelProto.encode(model).finish();
  }

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }
}

function valueInfo(name: string, type: ElementType, shape: Dimension[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPES[type],
        shape: { dim: shape.map((size) => (typeof size === "number" ? { dimValue: size } : { dimParam: size })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const { AttributeType } = proto.AttributeProto;
  if (typeof value === "string") return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === "number") return { name, type: AttributeType.INT, i: value };
  if ("floats" in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.FLOAT, f: value.float };
}
