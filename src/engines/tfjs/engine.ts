// The reference engine: the family's tfjs forward over the model's own variables (so weights never need
// refreshing), gradients by autodiff. A training pass's backward is the vector-Jacobian product
// ∂/∂θ Σ(forward(θ) ⊙ dHidden) by tf.variableGrads, recomputing the forward with the same dropout seed
// (the same masks) and, where asked, checkpointed layers.

import * as tf from "@tensorflow/tfjs";
import { backendInfo } from "../../backend.ts";
import type { EncoderInputs } from "../architecture.ts";
import { tfjsDeviceProblem, type Device, type ResolvedDevice } from "../device.ts";
import { copyWeights, zeroFrozenRows, type Engine, type EncoderModel, type TrainingPass } from "../engine.ts";

export class TfjsEngine implements Engine {
  readonly name = "tfjs";

  constructor(private readonly model: EncoderModel) {}

  get device(): ResolvedDevice {
    return backendInfo().gpu ? "cuda:0" : "cpu";
  }

  runsOn(device: Device): boolean {
    return tfjsDeviceProblem(device) === undefined;
  }

  private forward(inputs: EncoderInputs, options: { dropoutSeed?: number; checkpointLayers?: boolean }): tf.Tensor3D {
    const { family, config, weights } = this.model;
    const training = options.dropoutSeed !== undefined;
    return family.forward(weights, config, inputs, { training, dropoutSeed: options.dropoutSeed, checkpointLayers: options.checkpointLayers });
  }

  async embedTokens(inputs: EncoderInputs): Promise<tf.Tensor3D> {
    return tf.tidy(() => this.forward(inputs, {}));
  }

  trainingPass(inputs: EncoderInputs, options: { dropoutSeed?: number; checkpointLayers?: boolean }): TrainingPass {
    return {
      forward: async () => {
        const hidden = tf.tidy(() => this.forward(inputs, options));
        const values = hidden.dataSync() as Float32Array;
        hidden.dispose();
        return values;
      },
      backward: async (hiddenGradient) => {
        const names = [...this.model.weights.keys()];
        const variables = names.map((name) => this.model.weights.get(name)!);
        const nameOfVariable = new Map(names.map((name, i) => [variables[i].name, name]));
        const gradientTensor = tf.tensor3d(hiddenGradient, [inputs.batchSize, inputs.seqLength, this.model.config.hiddenSize]);
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(this.forward(inputs, options), gradientTensor)), variables);
        tf.dispose([value, gradientTensor]);
        const gradients = new Map<string, Float32Array>();
        for (const [variableName, gradient] of Object.entries(grads)) {
          gradients.set(nameOfVariable.get(variableName)!, new Float32Array(gradient.dataSync()));
          gradient.dispose();
        }
        return zeroFrozenRows(this.model, gradients);
      },
    };
  }

  /** The forward reads the variables themselves: nothing to refresh. */
  refreshWeights(): void {}

  adoptWeights(): void {}

  weights(): Map<string, Float32Array> {
    return copyWeights(this.model);
  }

  async release(): Promise<void> {}
}
