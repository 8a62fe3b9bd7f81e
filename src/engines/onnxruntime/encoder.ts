// The BERT encoder on onnxruntime-node: buildBertForward's inference graph with every weight as a
// graph input (so the same session serves weights that change during training; inputs are
// zero-copy), built and loaded once per config. forward() returns last_hidden_state [B, T, H]
// row-major, as the tfjs reference encoder (Transformer.forward) computes it.

import * as tf from "@tensorflow/tfjs";
import type * as ort from "onnxruntime-node";
import type { EncoderInputs } from "../tfjs/bert.ts";
import type { BertConfig } from "../../models/bert-config.ts";
import type { SentenceTransformer } from "../../models/sentence-transformer.ts";
import { buildBertForward, weightNames, weightShape } from "./bert-forward-graph.ts";
import { GraphBuilder } from "./graph-builder.ts";
import { createSession, floatTensor, int64Tensor, type ExecutionProvider, type SessionOptions } from "./session.ts";

export const HIDDEN_OUTPUT = "last_hidden_state";

/** The inference graph: int64 input_ids/attention_mask/token_type_ids [batch, seq] and every weight in; last_hidden_state out. */
export function buildEncoderGraph(config: BertConfig): Uint8Array {
  const g = new GraphBuilder("embedtune_bert_encoder");
  const dims = ["batch_size", "sequence_length"];
  const inputs = {
    inputIds: g.input("input_ids", "int64", dims),
    attentionMask: g.input("attention_mask", "int64", dims),
    tokenTypeIds: g.input("token_type_ids", "int64", dims),
  };
  for (const name of weightNames(config)) g.input(name, "float", weightShape(config, name));
  const { hidden } = buildBertForward(g, config, inputs, (name) => name);
  g.output(hidden, "float", [...dims, config.hiddenSize], HIDDEN_OUTPUT);
  return g.build();
}

export class OnnxEncoder {
  private readonly names: string[];
  private readonly shapes: Map<string, number[]>;

  private constructor(
    readonly config: BertConfig,
    readonly session: ort.InferenceSession,
    /** The execution provider the session runs on. */
    readonly provider: ExecutionProvider,
  ) {
    this.names = weightNames(config);
    this.shapes = new Map(this.names.map((name) => [name, weightShape(config, name)]));
  }

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
    const { batchSize, seqLength } = inputs;
    const size = batchSize * seqLength;
    for (const [key, values] of [["inputIds", inputs.inputIds], ["attentionMask", inputs.attentionMask], ["tokenTypeIds", inputs.tokenTypeIds]] as const) {
      if (values.length !== size) throw new RangeError(`${key} has ${values.length} values, expected ${batchSize}×${seqLength}`);
    }
    if (seqLength > this.config.maxPositionEmbeddings) {
      throw new RangeError(`sequence length ${seqLength} exceeds max_position_embeddings ${this.config.maxPositionEmbeddings}`);
    }
    const dims = [batchSize, seqLength];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: int64Tensor(inputs.inputIds, dims),
      attention_mask: int64Tensor(inputs.attentionMask, dims),
      token_type_ids: int64Tensor(inputs.tokenTypeIds, dims),
    };
    for (const name of this.names) {
      const values = weights.get(name);
      const shape = this.shapes.get(name)!;
      if (values === undefined) throw new RangeError(`weight ${name} is missing`);
      const expected = shape.reduce((a, b) => a * b, 1);
      if (values.length !== expected) throw new RangeError(`weight ${name} has ${values.length} values, expected [${shape.join(", ")}]`);
      feeds[name] = floatTensor(values, shape);
    }
    const result = await this.session.run(feeds, [HIDDEN_OUTPUT]);
    const output = result[HIDDEN_OUTPUT];
    return output.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
