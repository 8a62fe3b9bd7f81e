// The BERT encoder on onnxruntime-node: buildBertForward's inference graph with every weight as a
// graph input (so the same session serves weights that change during training; inputs are
// zero-copy), built and loaded once per config. forward() returns last_hidden_state [B, T, H]
// row-major, as the tfjs reference encoder (Transformer.forward) computes it.

import * as tf from "@tensorflow/tfjs";
import type * as ort from "onnxruntime-node";
import type { EncoderInputs } from "../tfjs/bert.ts";
import type { BertConfig } from "../../models/bert-config.ts";
import type { SentenceTransformer } from "../../models/sentence-transformer.ts";
import { BATCH, buildBertForward, declareTokenInputs, HIDDEN_OUTPUT, SEQUENCE, weightNames, weightShape } from "./bert-forward-graph.ts";
import { GraphBuilder } from "./graph-builder.ts";
import { createSession, floatTensor, tokenFeeds, type ExecutionProvider, type SessionOptions } from "./session.ts";

/** The inference graph: int64 input_ids/attention_mask/token_type_ids [batch, seq] and every weight in; last_hidden_state out. */
export function buildEncoderGraph(config: BertConfig): Uint8Array {
  const g = new GraphBuilder("embedtune_bert_encoder");
  const inputs = declareTokenInputs(g);
  for (const name of weightNames(config)) g.input(name, "float", weightShape(config, name));
  const { hidden } = buildBertForward(g, config, inputs, (name) => name);
  g.output(hidden, "float", [BATCH, SEQUENCE, config.hiddenSize], HIDDEN_OUTPUT);
  return g.build();
}

/** Every weight as a zero-copy feed, checked against the shape the graphs declare. */
export function weightFeeds(config: BertConfig, weights: Map<string, Float32Array>): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of weightNames(config)) {
    const values = weights.get(name);
    const shape = weightShape(config, name);
    if (values === undefined) throw new RangeError(`weight ${name} is missing`);
    const expected = shape.reduce((a, b) => a * b, 1);
    if (values.length !== expected) throw new RangeError(`weight ${name} has ${values.length} values, expected [${shape.join(", ")}]`);
    feeds[name] = floatTensor(values, shape);
  }
  return feeds;
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
    const { batchSize, seqLength } = inputs;
    const size = batchSize * seqLength;
    for (const [key, values] of [["inputIds", inputs.inputIds], ["attentionMask", inputs.attentionMask], ["tokenTypeIds", inputs.tokenTypeIds]] as const) {
      if (values.length !== size) throw new RangeError(`${key} has ${values.length} values, expected ${batchSize}×${seqLength}`);
    }
    if (seqLength > this.config.maxPositionEmbeddings) {
      throw new RangeError(`sequence length ${seqLength} exceeds max_position_embeddings ${this.config.maxPositionEmbeddings}`);
    }
    const feeds = { ...tokenFeeds(inputs), ...weightFeeds(this.config, weights) };
    const result = await this.session.run(feeds, [HIDDEN_OUTPUT]);
    const output = result[HIDDEN_OUTPUT];
    return output.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
