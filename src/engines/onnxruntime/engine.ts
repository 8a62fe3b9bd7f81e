// The fast engine: the encoder's forward and hand-written backward run as ONNX graphs on
// onnxruntime-node. The weights are fed as inputs (zero-copy views of Float32Arrays read from the
// model's tfjs variables, re-read only after they change); only last_hidden_state and the weight
// gradients come out. Pooling, Normalize and the loss stay in tfjs on the small [batch, dim] tensors,
// so every loss works unchanged: their gradient with respect to the token embeddings is fed back
// into the backward graph.

import * as tf from "@tensorflow/tfjs";
import type * as ort from "onnxruntime-node";
import type { EncoderInputs } from "../tfjs/bert.ts";
import type { BertConfig } from "../../models/bert-config.ts";
import { dataIdOf } from "../../training/adamw.ts";
import { weightNames, weightShape } from "./bert-forward-graph.ts";
import { OnnxEncoder } from "./encoder.ts";
import { createSession, floatTensor, int64Tensor } from "./session.ts";
import { buildTrainingBackwardGraph, buildTrainingForwardGraph, dropoutMaskFeeds, scatterEmbeddingGradients } from "./training-graphs.ts";

export interface WeightSource {
  /** Weights by Hugging Face name, encoder layout, in weightNames order. */
  namedParameters(): { name: string; tensor: tf.Variable }[];
}

export class OnnxEngine {
  private weights = new Map<string, Float32Array>();
  /** The tfjs data each weight was read from: an assign() gives a variable a new data id. */
  private readonly readFrom = new Map<string, object>();
  /** Training graphs with dropout-mask inputs ("dropout") and without ("plain"), built on first use. */
  private readonly trainingSessions = new Map<"dropout" | "plain", Promise<{ forward: ort.InferenceSession; backward: ort.InferenceSession }>>();

  private constructor(
    readonly config: BertConfig,
    private readonly encoder: OnnxEncoder,
    readonly provider: string,
  ) {}

  static async create(config: BertConfig): Promise<OnnxEngine> {
    const encoder = await OnnxEncoder.create(config);
    return new OnnxEngine(config, encoder, encoder.provider);
  }

  /** Re-reads the weights whose tfjs variables changed since they were last read. */
  refreshWeights(source: WeightSource): void {
    for (const { name, tensor } of source.namedParameters()) {
      const dataId = dataIdOf(tensor);
      if (this.readFrom.get(name) === dataId) continue;
      this.weights.set(name, tensor.dataSync() as Float32Array);
      this.readFrom.set(name, dataId);
    }
  }

  /** Takes arrays that already hold a variable's current values (the optimizer's), saving a read. */
  adoptWeights(updated: Map<string, { values: Float32Array; dataId: object }>): void {
    for (const [name, { values, dataId }] of updated) {
      if (!this.weights.has(name)) continue;
      this.weights.set(name, values);
      this.readFrom.set(name, dataId);
    }
  }

  /** last_hidden_state [B, T, H] in inference mode. */
  encode(inputs: EncoderInputs): Promise<Float32Array> {
    return this.encoder.forward(inputs, this.weights);
  }

  /** last_hidden_state [B, T, H] in training mode, with the dropout masks of `dropoutSeed`. */
  async trainingForward(inputs: EncoderInputs, dropoutSeed: number | undefined): Promise<Float32Array> {
    const { forward } = await this.sessions(dropoutSeed !== undefined);
    const result = await forward.run(this.feeds(inputs, dropoutSeed));
    return result.last_hidden_state.data as Float32Array;
  }

  /** Gradients of every weight given d(last_hidden_state), recomputing the forward with the same masks. */
  async backward(inputs: EncoderInputs, dropoutSeed: number | undefined, hiddenGradient: Float32Array): Promise<Map<string, Float32Array>> {
    const { backward } = await this.sessions(dropoutSeed !== undefined);
    const feeds = this.feeds(inputs, dropoutSeed);
    feeds.d_last_hidden_state = floatTensor(hiddenGradient, [inputs.batchSize, inputs.seqLength, this.config.hiddenSize]);
    const result = await backward.run(feeds);
    const gradients = scatterEmbeddingGradients(this.config, inputs, result["grad.embedding_sum"].data as Float32Array);
    for (const name of weightNames(this.config)) {
      const output = result[`grad.${name}`];
      if (output) gradients.set(name, output.data as Float32Array);
    }
    return gradients;
  }

  private feeds(inputs: EncoderInputs, dropoutSeed: number | undefined): Record<string, ort.Tensor> {
    const dims = [inputs.batchSize, inputs.seqLength];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: int64Tensor(inputs.inputIds, dims),
      attention_mask: int64Tensor(inputs.attentionMask, dims),
      token_type_ids: int64Tensor(inputs.tokenTypeIds, dims),
    };
    for (const [name, values] of this.weights) feeds[name] = floatTensor(values, weightShape(this.config, name));
    if (dropoutSeed === undefined) return feeds;
    const masks = dropoutMaskFeeds(this.config, inputs.batchSize, inputs.seqLength, dropoutSeed);
    const hiddenDims = [...dims, this.config.hiddenSize];
    const probabilityDims = [inputs.batchSize, this.config.numAttentionHeads, inputs.seqLength, inputs.seqLength];
    for (const [name, values] of Object.entries(masks)) feeds[name] = floatTensor(values, name.endsWith("probabilities") ? probabilityDims : hiddenDims);
    return feeds;
  }

  private sessions(dropout: boolean) {
    const key = dropout ? "dropout" : "plain";
    let sessions = this.trainingSessions.get(key);
    if (!sessions) {
      sessions = (async () => ({
        forward: (await createSession(buildTrainingForwardGraph(this.config, { dropout }))).session,
        backward: (await createSession(buildTrainingBackwardGraph(this.config, { dropout }))).session,
      }))();
      this.trainingSessions.set(key, sessions);
    }
    return sessions;
  }
}
