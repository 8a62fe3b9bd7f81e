// What SentenceTransformer runs its encoder on, whichever engine it is (tfjs: the reference with
// autodiff; onnxruntime: ONNX graphs with a hand-written backward). An engine is made for one model's
// encoder (its Architecture, config and weights) and reads the weights from the model's variables:
//   embedTokens(batch)         last_hidden_state [batch, seq, hidden] in inference mode;
//   trainingPass(batch, seed)  forward() gives last_hidden_state with the seed's dropout masks (none
//                              without a seed); backward(dHidden) gives every parameter's gradient of
//                              Σ(last_hidden_state ⊙ dHidden), by name in the encoder's layout, with the
//                              family's frozen rows (padding_idx) zeroed, with the forward's masks (tfjs:
//                              recomputing the forward; onnxruntime: from the activations the forward
//                              saved); a large embedding table's gradient may come row-sparse (a
//                              RowGradient: only the batch's rows, row-gradient.ts), every other dense;
//   refreshWeights()           re-reads the weights that changed (adoptWeights: takes the optimizer's
//                              arrays of the new values, saving a read); weights(): a copy of every weight;
//   release()                  frees what the engine holds (the model's weights stay).

import type * as tf from "@tensorflow/tfjs";
import type { Architecture, EncoderConfig, EncoderInputs } from "./architecture.ts";
import type { Device, ResolvedDevice } from "./device.ts";
import { zeroRow, type Gradient } from "./row-gradient.ts";

export type EngineName = "onnxruntime" | "tfjs";

/** The model side an engine runs: the architecture, its config and the weights as tfjs variables by name. */
export interface EncoderModel {
  readonly family: Architecture;
  readonly config: EncoderConfig;
  readonly weights: ReadonlyMap<string, tf.Variable>;
}

export interface TrainingPass {
  forward(): Promise<Float32Array>;
  backward(hiddenGradient: Float32Array): Promise<Map<string, Gradient>>;
}

export interface Engine {
  readonly name: EngineName;
  /** Where it computes: "cpu" or "cuda:N". */
  readonly device: ResolvedDevice;
  /** Whether it already computes where `device` asks. */
  runsOn(device: Device): boolean;
  embedTokens(inputs: EncoderInputs): Promise<tf.Tensor3D>;
  trainingPass(inputs: EncoderInputs, options: { dropoutSeed?: number; checkpointLayers?: boolean }): TrainingPass;
  refreshWeights(): void;
  adoptWeights(updated: ReadonlyMap<string, { values: Float32Array; dataId: object }>): void;
  weights(): Map<string, Float32Array>;
  release(): Promise<void>;
}

/** Zeroes the rows of `gradients` that the architecture never trains (nn.Embedding's padding_idx). */
export function zeroFrozenRows(model: EncoderModel, gradients: Map<string, Gradient>): Map<string, Gradient> {
  for (const { parameter, row } of model.family.frozenRows(model.config)) {
    const gradient = gradients.get(parameter);
    if (gradient === undefined) continue;
    zeroRow(gradient, row, model.weights.get(parameter)!.shape[1]!);
  }
  return gradients;
}

/** A copy of every weight's values by name (encoder layout). */
export function copyWeights(model: EncoderModel): Map<string, Float32Array> {
  return new Map([...model.weights].map(([name, tensor]) => [name, Float32Array.from(tensor.dataSync() as Float32Array)]));
}

/** tfjs gives a variable a new data id on every assign(). */
export function dataIdOf(tensor: tf.Tensor): object {
  return (tensor as unknown as { dataId: object }).dataId;
}
