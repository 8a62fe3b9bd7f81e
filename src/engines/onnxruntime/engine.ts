// The fast engine: any architecture's forward and hand-written backward (its OnnxArchitecture) run as
// ONNX graphs on onnxruntime-node. The weights are fed as inputs (zero-copy views of Float32Arrays read
// from the model's tfjs variables, re-read only after they change); only last_hidden_state and the
// weight gradients come out. Pooling, Normalize and the loss stay in tfjs on the small [batch, dim]
// tensors, so every loss works unchanged: their gradient with respect to the token embeddings is fed
// back into the backward graph. Every session of an engine runs on the one device the engine was
// created for (see ../device.ts): "auto" is resolved by the first session, the others follow it.

import * as tf from "@tensorflow/tfjs";
import type * as ort from "onnxruntime-node";
import { HIDDEN_GRADIENT_INPUT, HIDDEN_OUTPUT, SAVED_PREFIX, type EncoderInputs } from "../architecture.ts";
import { cudaIndex, resolvedDevice, type Device, type ResolvedDevice } from "../device.ts";
import { copyWeights, dataIdOf, zeroFrozenRows, type Engine, type EncoderModel, type TrainingPass } from "../engine.ts";
import { OnnxEncoder, runEncoderGraph, weightFeeds } from "./encoder.ts";
import { createSession, declaredFeeds, floatTensor, tokenFeeds, type SessionOptions } from "./session.ts";
import { phase } from "../../util/phases.ts";

/** Batches encoded at unchanged (trained) weights before they are baked into a snapshot session. */
const SNAPSHOT_AFTER_STABLE_BATCHES = 48;

export class OnnxEngine implements Engine {
  readonly name = "onnxruntime";
  private readonly values = new Map<string, Float32Array>();
  /** Bumped whenever a weight changes; 1 = the weights as loaded. */
  private weightsVersion = 0;
  /** embedTokens() batches since the weights last changed. */
  private stableBatches = 0;
  /**
   * The encoder with the weights baked in (ORT prepacks them: ~13% less time per bge-small batch).
   * Building it costs about as much as 50 batches save, so it is made for weights as loaded, or once
   * weights have stayed put for SNAPSHOT_AFTER_STABLE_BATCHES batches; dropped when they change.
   */
  private snapshot: Promise<ort.InferenceSession> | undefined;
  /** The tfjs data each weight was read from: an assign() gives a variable a new data id. */
  private readonly readFrom = new Map<string, object>();
  /** Training graphs with dropout-mask inputs ("dropout") and without ("plain"), built on first use. */
  private readonly trainingSessions = new Map<"dropout" | "plain", Promise<{ forward: ort.InferenceSession; backward: ort.InferenceSession }>>();

  private constructor(
    private readonly model: EncoderModel,
    private readonly encoder: OnnxEncoder,
    readonly provider: string,
    /** Where every session of the engine computes. */
    readonly device: ResolvedDevice,
  ) {}

  /** The engine on `device` (default: CUDA GPU 0 where it runs, else CPU); DeviceUnavailableError when an asked-for GPU cannot run. */
  static async create(model: EncoderModel, options: { device?: Device } = {}): Promise<OnnxEngine> {
    const encoder = await OnnxEncoder.create(model.family, model.config, { device: options.device ?? "auto", name: "encoder" });
    const device = encoder.provider === "cuda" ? resolvedDevice(options.device ?? "cuda") : "cpu";
    const engine = new OnnxEngine(model, encoder, encoder.provider, device);
    engine.refreshWeights();
    return engine;
  }

  /** Sessions created after the first follow its device. */
  private get sessionOptions(): SessionOptions {
    return { device: this.device };
  }

  runsOn(device: Device): boolean {
    return cudaIndex(device) === cudaIndex(this.device);
  }

  /** Releases every onnxruntime session of the engine (it must not be used afterwards). */
  async release(): Promise<void> {
    const releases: Promise<unknown>[] = [this.encoder.dispose()];
    if (this.snapshot) releases.push(this.snapshot.then((session) => session.release()));
    for (const sessions of this.trainingSessions.values()) {
      releases.push(sessions.then(({ forward, backward }) => Promise.all([forward.release(), backward.release()])));
    }
    this.snapshot = undefined;
    this.trainingSessions.clear();
    await Promise.allSettled(releases);
  }

  /** Re-reads the weights whose tfjs variables changed since they were last read. */
  refreshWeights(): void {
    let changed = false;
    for (const [name, tensor] of this.model.weights) {
      const dataId = dataIdOf(tensor);
      if (this.readFrom.get(name) === dataId) continue;
      this.values.set(name, tensor.dataSync() as Float32Array);
      this.readFrom.set(name, dataId);
      changed = true;
    }
    if (changed) this.weightsChanged();
  }

  /** Takes arrays that already hold a variable's current values (the optimizer's), saving a read. */
  adoptWeights(updated: ReadonlyMap<string, { values: Float32Array; dataId: object }>): void {
    for (const [name, { values, dataId }] of updated) {
      if (!this.values.has(name)) continue;
      this.values.set(name, values);
      this.readFrom.set(name, dataId);
    }
    this.weightsChanged();
  }

  weights(): Map<string, Float32Array> {
    return copyWeights(this.model);
  }

  private weightsChanged(): void {
    this.weightsVersion++;
    this.stableBatches = 0;
    if (this.snapshot) {
      void this.snapshot.then((session) => session.release());
      this.snapshot = undefined;
    }
  }

  /** Whether embedTokens() runs the snapshot session (weights baked in) at the current weights. */
  get encodesFromSnapshot(): boolean {
    return this.snapshot !== undefined;
  }

  /** last_hidden_state [B, T, H] in inference mode, at the weights as last refreshed. */
  async embedTokens(inputs: EncoderInputs): Promise<tf.Tensor3D> {
    this.refreshWeights();
    const hidden = await this.encode(inputs);
    return tf.tensor3d(hidden, [inputs.batchSize, inputs.seqLength, this.model.config.hiddenSize]);
  }

  private async encode(inputs: EncoderInputs): Promise<Float32Array> {
    const { family, config } = this.model;
    this.stableBatches++;
    if (!this.snapshot && (this.weightsVersion === 1 || this.stableBatches > SNAPSHOT_AFTER_STABLE_BATCHES)) {
      const bytes = family.onnx.buildEncoder(config, this.values);
      this.snapshot = createSession(bytes, { ...this.sessionOptions, name: "encoder with weights" }).then(({ session }) => session);
    }
    if (this.snapshot) return runEncoderGraph(await this.snapshot, family, config, inputs);
    return this.encoder.forward(inputs, this.values);
  }

  /**
   * One training pass over a batch: forward() gives last_hidden_state [B, T, H] with the dropout masks
   * of `dropoutSeed` (none when undefined) and keeps the activations the backward graph takes back;
   * backward(dHidden) gives every weight's gradient (and lets the activations go).
   */
  trainingPass(inputs: EncoderInputs, options: { dropoutSeed?: number }): TrainingPass {
    this.refreshWeights();
    const { family, config } = this.model;
    const dropoutSeed = options.dropoutSeed;
    const dropout = dropoutSeed !== undefined;
    const feeds = phase("feeds", () => ({ ...tokenFeeds(inputs, family.onnx.usesTokenTypeIds), ...weightFeeds(family, config, this.values) }));
    if (dropout) {
      for (const [name, { values, shape }] of phase("dropout masks", () => family.onnx.dropoutMasks(config, inputs.batchSize, inputs.seqLength, dropoutSeed))) {
        feeds[name] = floatTensor(values, shape);
      }
    }
    let saved: Record<string, ort.Tensor> | undefined;
    return {
      forward: async () => {
        const { forward } = await this.sessions(dropout);
        const outputs = await phase("onnxruntime run", () => forward.run(declaredFeeds(forward, feeds)));
        saved = Object.fromEntries(Object.entries(outputs).filter(([name]) => name.startsWith(SAVED_PREFIX)));
        return outputs[HIDDEN_OUTPUT].data as Float32Array;
      },
      backward: async (hiddenGradient) => {
        if (saved === undefined) throw new Error("backward() needs this pass's forward() first");
        const { backward } = await this.sessions(dropout);
        const shape = [inputs.batchSize, inputs.seqLength, config.hiddenSize];
        const all = { ...feeds, ...saved, [HIDDEN_GRADIENT_INPUT]: floatTensor(hiddenGradient, shape) };
        saved = undefined;
        const result = await phase("onnxruntime run", () => backward.run(declaredFeeds(backward, all)));
        const outputs = new Map(Object.entries(result).map(([name, tensor]) => [name, tensor.data as Float32Array]));
        return phase("gradients from outputs", () => zeroFrozenRows(this.model, family.onnx.gradients(config, inputs, outputs)));
      },
    };
  }

  private sessions(dropout: boolean) {
    const { family, config } = this.model;
    const key = dropout ? "dropout" : "plain";
    let sessions = this.trainingSessions.get(key);
    if (!sessions) {
      sessions = (async () => ({
        forward: (await createSession(family.onnx.buildTrainingForward(config, { dropout }), { ...this.sessionOptions, name: "training forward" })).session,
        backward: (await createSession(family.onnx.buildTrainingBackward(config, { dropout }), { ...this.sessionOptions, name: "training backward" })).session,
      }))();
      this.trainingSessions.set(key, sessions);
    }
    return sessions;
  }
}
