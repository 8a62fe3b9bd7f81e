// The BERT encoder on onnxruntime-node: buildBertForward's inference graph, with the weights either
// fed as inputs (zero-copy; one session per config serves weights that change during training) or
// baked in as initializers (the ONNX export, and the engine's snapshot of weights that stay put).
// Both return last_hidden_state [B, T, H] row-major, as the tfjs reference encoder computes it.

import * as tf from "@tensorflow/tfjs";
import type * as ort from "onnxruntime-node";
import type { EncoderInputs } from "../tfjs/bert.ts";
import type { BertConfig } from "../../models/bert-config.ts";
import type { SentenceTransformer } from "../../models/sentence-transformer.ts";
import { BATCH, buildBertForward, declareTokenInputs, HIDDEN_OUTPUT, SEQUENCE, weightNames, weightShape } from "./bert-forward-graph.ts";
import { GraphBuilder } from "./graph-builder.ts";
import { createSession, floatTensor, tokenFeeds, type ExecutionProvider, type SessionOptions } from "./session.ts";

/**
 * The encoder graph: int64 input_ids/attention_mask/token_type_ids [batch, seq] in, last_hidden_state out.
 * Without `weights`, every weight is a graph input, so one session serves weights that change during
 * training; with them, they are baked in as initializers: the export's self-contained model, which ORT
 * also runs faster (it prepacks constant MatMul operands).
 */
export function buildEncoderGraph(config: BertConfig, weights?: Map<string, Float32Array>): Uint8Array {
  const g = new GraphBuilder(weights ? "embedtune_bert" : "embedtune_bert_encoder");
  const inputs = declareTokenInputs(g);
  for (const name of weightNames(config)) {
    if (weights) g.initializer(name, checkedWeight(config, weights, name), weightShape(config, name));
    else g.input(name, "float", weightShape(config, name));
  }
  const { hidden } = buildBertForward(g, config, inputs, (name) => name);
  g.output(hidden, "float", [BATCH, SEQUENCE, config.hiddenSize], HIDDEN_OUTPUT);
  return g.build();
}

/** A weight's values, checked against the shape the graphs declare. */
function checkedWeight(config: BertConfig, weights: Map<string, Float32Array>, name: string): Float32Array {
  const values = weights.get(name);
  const shape = weightShape(config, name);
  if (values === undefined) throw new RangeError(`weight ${name} is missing`);
  if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new RangeError(`weight ${name} has ${values.length} values, expected [${shape.join(", ")}]`);
  return values;
}

/** Every weight as a zero-copy feed. */
export function weightFeeds(config: BertConfig, weights: Map<string, Float32Array>): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of weightNames(config)) feeds[name] = floatTensor(checkedWeight(config, weights, name), weightShape(config, name));
  return feeds;
}

/**
 * last_hidden_state [batchSize, seqLength, hiddenSize] (row-major) of a buildEncoderGraph session:
 * `weights` feeds the weights of a graph that takes them as inputs (none when they are baked in).
 */
export async function runEncoderGraph(
  session: ort.InferenceSession,
  config: BertConfig,
  inputs: EncoderInputs,
  weights: Record<string, ort.Tensor> = {},
): Promise<Float32Array> {
  const { batchSize, seqLength } = inputs;
  const size = batchSize * seqLength;
  for (const [key, values] of [["inputIds", inputs.inputIds], ["attentionMask", inputs.attentionMask], ["tokenTypeIds", inputs.tokenTypeIds]] as const) {
    if (values.length !== size) throw new RangeError(`${key} has ${values.length} values, expected ${batchSize}×${seqLength}`);
  }
  if (seqLength > config.maxPositionEmbeddings) {
    throw new RangeError(`sequence length ${seqLength} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`);
  }
  const result = await session.run({ ...tokenFeeds(inputs), ...weights }, [HIDDEN_OUTPUT]);
  return result[HIDDEN_OUTPUT].data as Float32Array;
}

export class OnnxEncoder {
  private constructor(
    readonly config: BertConfig,
    readonly session: ort.InferenceSession,
    /** The execution provider the session runs on. */
    readonly provider: ExecutionProvider,
  ) {}

  /** Builds the graph and its session (once; reuse the encoder across batches). */
  static async create(config: BertConfig, options: SessionOptions = {}): Promise<OnnxEncoder> {
    const { session, provider } = await createSession(buildEncoderGraph(config), options);
    return new OnnxEncoder(config, session, provider);
  }

  /** A copy of the model's weights by Hugging Face name, in the encoder layout (kernels [in, out]). */
  static weightsOf(model: SentenceTransformer): Map<string, Float32Array> {
    // wasm and tensorflow backends hand out copies; the cpu backend's dataSync may be its own storage.
    const copied = tf.getBackend() === "wasm" || tf.getBackend() === "tensorflow";
    return new Map(
      model.transformer.namedParameters().map(({ name, tensor }) => {
        const values = tensor.dataSync() as Float32Array;
        return [name, copied ? values : values.slice()];
      }),
    );
  }

  /** last_hidden_state [batchSize, seqLength, hiddenSize], row-major. `weights` are read, never kept. */
  async forward(inputs: EncoderInputs, weights: Map<string, Float32Array>): Promise<Float32Array> {
    return runEncoderGraph(this.session, this.config, inputs, weightFeeds(this.config, weights));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
