// The fast engine: the encoder's forward and hand-written backward run as ONNX graphs on
// onnxruntime-node. The weights are fed as inputs (zero-copy views of Float32Arrays read from the
// model's tfjs variables, re-read only after they change); only last_hidden_state and the weight
// gradients come out. Pooling, Normalize and the loss stay in tfjs on the small [batch, dim] tensors,
// so every loss works unchanged: their gradient with respect to the token embeddings is fed back
// into the backward graph. Every session of an engine runs on the one device the engine was created
// for (see ../device.ts): "auto" is resolved by the first session, the others follow it.

import * as tf from "@tensorflow/tfjs";
import type * as ort from "onnxruntime-node";
import type { EncoderInputs } from "../tfjs/bert.ts";
import type { BertConfig } from "../../models/bert-config.ts";
import { dataIdOf } from "../../training/adamw.ts";
import { buildEncoderGraph, OnnxEncoder, runEncoderGraph, weightFeeds } from "./encoder.ts";
import { cudaIndex, resolvedDevice, type Device, type ResolvedDevice } from "../device.ts";
import { createSession, floatTensor, tokenFeeds, type SessionOptions } from "./session.ts";
import {
  buildTrainingBackwardGraph,
  buildTrainingForwardGraph,
  dropoutMaskFeeds,
  dropoutMaskShapes,
  EMBEDDING_SUM_GRADIENT_OUTPUT,
  gradientOutputName,
  graphGradientWeights,
  HIDDEN_GRADIENT_INPUT,
  HIDDEN_OUTPUT,
  scatterEmbeddingGradients,
} from "./training-graphs.ts";

export interface WeightSource {
  /** Weights by Hugging Face name, encoder layout, in weightNames order. */
  namedParameters(): { name: string; tensor: tf.Variable }[];
}

/** Batches encoded at unchanged (trained) weights before they are baked into a snapshot session. */
const SNAPSHOT_AFTER_STABLE_BATCHES = 48;

export class OnnxEngine {
  private weights = new Map<string, Float32Array>();
  /** Bumped whenever a weight changes; 1 = the weights as loaded. */
  private weightsVersion = 0;
  /** encode() batches since the weights last changed. */
  private stableBatches = 0;
  /**
   * The encoder with the weights baked in (ORT prepacks them: ~13% less time per bge-small batch).
   * Building it costs about as much as 50 batches save, so it is made for weights as loaded, or once
   * weights have stayed put for SNAPSHOT_AFTER_STABLE_BATCHES batches; dropped when they change.
   */
  private snapshot: Promise<ort.InferenceSession> | undefined;
  /** The tfjs data each weight was read from: an assign() gives a variable a new data id. */
  private readonly readFrom = new Map<string, object>();
  /** Training graphs with dropout-mask inputs ("dropout") and without ("plain": the forward is the encoder's), built on first use. */
  private readonly trainingSessions = new Map<"dropout" | "plain", Promise<{ forward?: ort.InferenceSession; backward: ort.InferenceSession }>>();

  private constructor(
    readonly config: BertConfig,
    private readonly encoder: OnnxEncoder,
    readonly provider: string,
    /** Where every session of the engine computes. */
    readonly device: ResolvedDevice,
  ) {}

  /** The engine on `device` (default: CUDA GPU 0 where it runs, else CPU); DeviceUnavailableError when an asked-for GPU cannot run. */
  static async create(config: BertConfig, options: { device?: Device } = {}): Promise<OnnxEngine> {
    const encoder = await OnnxEncoder.create(config, { device: options.device ?? "auto" });
    const device = encoder.provider === "cuda" ? resolvedDevice(options.device ?? "cuda") : "cpu";
    return new OnnxEngine(config, encoder, encoder.provider, device);
  }

  /** Sessions created after the first follow its device. */
  private get sessionOptions(): SessionOptions {
    return { device: this.device };
  }

  /** Whether the engine already computes where `device` asks. */
  runsOn(device: Device): boolean {
    return cudaIndex(device) === cudaIndex(this.device);
  }

  /** Releases every onnxruntime session of the engine (it must not be used afterwards). */
  async release(): Promise<void> {
    const releases: Promise<unknown>[] = [this.encoder.dispose()];
    if (this.snapshot) releases.push(this.snapshot.then((session) => session.release()));
    for (const sessions of this.trainingSessions.values()) {
      releases.push(sessions.then(({ forward, backward }) => Promise.all([forward?.release(), backward.release()])));
    }
    this.snapshot = undefined;
    this.trainingSessions.clear();
    await Promise.allSettled(releases);
  }

  /** Re-reads the weights whose tfjs variables changed since they were last read. */
  refreshWeights(source: WeightSource): void {
    let changed = false;
    for (const { name, tensor } of source.namedParameters()) {
      const dataId = dataIdOf(tensor);
      if (this.readFrom.get(name) === dataId) continue;
      this.weights.set(name, tensor.dataSync() as Float32Array);
      this.readFrom.set(name, dataId);
      changed = true;
    }
    if (changed) this.weightsChanged();
  }

  /** Takes arrays that already hold a variable's current values (the optimizer's), saving a read. */
  adoptWeights(updated: Map<string, { values: Float32Array; dataId: object }>): void {
    for (const [name, { values, dataId }] of updated) {
      if (!this.weights.has(name)) continue;
      this.weights.set(name, values);
      this.readFrom.set(name, dataId);
    }
    this.weightsChanged();
  }

  private weightsChanged(): void {
    this.weightsVersion++;
    this.stableBatches = 0;
    if (this.snapshot) {
      void this.snapshot.then((session) => session.release());
      this.snapshot = undefined;
    }
  }

  /** Whether encode() runs the snapshot session (weights baked in) at the current weights. */
  get encodesFromSnapshot(): boolean {
    return this.snapshot !== undefined;
  }

  /** last_hidden_state [B, T, H] in inference mode. */
  async encode(inputs: EncoderInputs): Promise<Float32Array> {
    this.stableBatches++;
    if (!this.snapshot && (this.weightsVersion === 1 || this.stableBatches > SNAPSHOT_AFTER_STABLE_BATCHES)) {
      const bytes = buildEncoderGraph(this.config, this.weights);
      this.snapshot = createSession(bytes, this.sessionOptions).then(({ session }) => session);
    }
    if (this.snapshot) return runEncoderGraph(await this.snapshot, this.config, inputs);
    return this.encoder.forward(inputs, this.weights);
  }

  /**
   * One training pass over a batch: forward() gives last_hidden_state [B, T, H] with the dropout masks
   * of `dropoutSeed` (none when undefined); backward(dHidden) gives every weight's gradient, the
   * backward graph recomputing the forward with the same feeds (drawn once for both).
   */
  trainingPass(inputs: EncoderInputs, dropoutSeed: number | undefined): { forward(): Promise<Float32Array>; backward(hiddenGradient: Float32Array): Promise<Map<string, Float32Array>> } {
    const dropout = dropoutSeed !== undefined;
    const feeds = { ...tokenFeeds(inputs), ...weightFeeds(this.config, this.weights) };
    if (dropout) {
      const shapes = dropoutMaskShapes(this.config, inputs.batchSize, inputs.seqLength);
      for (const [name, values] of Object.entries(dropoutMaskFeeds(this.config, inputs.batchSize, inputs.seqLength, dropoutSeed))) {
        feeds[name] = floatTensor(values, shapes[name]);
      }
    }
    return {
      forward: async () => {
        // Without dropout the training forward is the inference graph.
        if (!dropout) return this.encoder.forward(inputs, this.weights);
        const { forward } = await this.sessions(true);
        return (await forward!.run(feeds))[HIDDEN_OUTPUT].data as Float32Array;
      },
      backward: async (hiddenGradient) => {
        const { backward } = await this.sessions(dropout);
        const shape = [inputs.batchSize, inputs.seqLength, this.config.hiddenSize];
        const result = await backward.run({ ...feeds, [HIDDEN_GRADIENT_INPUT]: floatTensor(hiddenGradient, shape) });
        const gradients = scatterEmbeddingGradients(this.config, inputs, result[EMBEDDING_SUM_GRADIENT_OUTPUT].data as Float32Array);
        for (const name of graphGradientWeights(this.config)) gradients.set(name, result[gradientOutputName(name)].data as Float32Array);
        return gradients;
      },
    };
  }

  private sessions(dropout: boolean) {
    const key = dropout ? "dropout" : "plain";
    let sessions = this.trainingSessions.get(key);
    if (!sessions) {
      sessions = (async () => ({
        forward: dropout ? (await createSession(buildTrainingForwardGraph(this.config, { dropout }), this.sessionOptions)).session : undefined,
        backward: (await createSession(buildTrainingBackwardGraph(this.config, { dropout }), this.sessionOptions)).session,
      }))();
      this.trainingSessions.set(key, sessions);
    }
    return sessions;
  }
}
