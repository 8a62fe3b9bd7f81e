// An architecture's inference graph on onnxruntime-node, with the weights fed as inputs (zero-copy; one
// session per config serves weights that change during training) or baked in as initializers (the ONNX
// export, and the engine's snapshot of weights that stay put). Returns last_hidden_state [B, T, H]
// row-major, as the tfjs reference forward computes it.

import type * as ort from "onnxruntime-node";
import { encoderShape, HIDDEN_OUTPUT, type Architecture, type EncoderConfig, type EncoderInputs } from "../architecture.ts";
import { createSession, floatTensor, tokenFeeds, type ExecutionProvider, type SessionOptions } from "./session.ts";

/** Every weight as a zero-copy feed, checked against the shape the graphs declare. */
export function weightFeeds(architecture: Architecture, config: EncoderConfig, weights: ReadonlyMap<string, Float32Array>): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const spec of architecture.parameters(config)) {
    const values = weights.get(spec.name);
    const shape = encoderShape(spec);
    if (values === undefined) throw new RangeError(`weight ${spec.name} is missing`);
    if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new RangeError(`weight ${spec.name} has ${values.length} values, expected [${shape.join(", ")}]`);
    feeds[spec.name] = floatTensor(values, shape);
  }
  return feeds;
}

/**
 * last_hidden_state [batchSize, seqLength, hiddenSize] (row-major) of an encoder-graph session:
 * `weights` feeds the weights of a graph that takes them as inputs (none when they are baked in).
 */
export async function runEncoderGraph(
  session: ort.InferenceSession,
  architecture: Architecture,
  config: EncoderConfig,
  inputs: EncoderInputs,
  weights: Record<string, ort.Tensor> = {},
): Promise<Float32Array> {
  const { batchSize, seqLength } = inputs;
  const size = batchSize * seqLength;
  for (const [key, values] of [["inputIds", inputs.inputIds], ["attentionMask", inputs.attentionMask], ["tokenTypeIds", inputs.tokenTypeIds]] as const) {
    if (values.length !== size) throw new RangeError(`${key} has ${values.length} values, expected ${batchSize}×${seqLength}`);
  }
  if (seqLength > config.maxSequenceLength) {
    throw new RangeError(`sequence length ${seqLength} exceeds the longest sequence the model takes, ${config.maxSequenceLength}`);
  }
  const result = await session.run({ ...tokenFeeds(inputs, architecture.onnx.usesTokenTypeIds), ...weights }, [HIDDEN_OUTPUT]);
  return result[HIDDEN_OUTPUT].data as Float32Array;
}

export class OnnxEncoder {
  private constructor(
    readonly architecture: Architecture,
    readonly config: EncoderConfig,
    readonly session: ort.InferenceSession,
    /** The execution provider the session runs on. */
    readonly provider: ExecutionProvider,
  ) {}

  /** Builds the graph (weights as inputs) and its session (once; reuse the encoder across batches). */
  static async create(architecture: Architecture, config: EncoderConfig, options: SessionOptions = {}): Promise<OnnxEncoder> {
    const { session, provider } = await createSession(architecture.onnx.buildEncoder(config), options);
    return new OnnxEncoder(architecture, config, session, provider);
  }

  /** last_hidden_state [batchSize, seqLength, hiddenSize], row-major. `weights` are read, never kept. */
  async forward(inputs: EncoderInputs, weights: ReadonlyMap<string, Float32Array>): Promise<Float32Array> {
    return runEncoderGraph(this.session, this.architecture, this.config, inputs, weightFeeds(this.architecture, this.config, weights));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
