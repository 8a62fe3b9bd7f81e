// The reference engine: the family's tfjs forward over the model's own variables (so weights never need
// refreshing), gradients by autodiff. A training pass's backward is the vector-Jacobian product
// ∂/∂θ Σ(forward(θ) ⊙ dHidden) by tf.variableGrads, recomputing the forward with the same dropout seed
// (the same masks) and, where asked, checkpointed layers. tf's gather gradient of the vocabulary table
// comes dense; it is handed on row-sparse (the batch's ids' rows, the others being zero), which spares
// the later sums, clipping and AdamW a pass over the whole table.

import * as tf from "@tensorflow/tfjs";
import { backendInfo } from "../../backend.ts";
import type { EncoderInputs } from "../architecture.ts";
import { tfjsDeviceProblem, type Device, type ResolvedDevice } from "../device.ts";
import { copyWeights, zeroFrozenRows, type Engine, type EncoderModel, type TrainingPass } from "../engine.ts";
import { gatherRows, type Gradient } from "../row-gradient.ts";

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
        const vocabularyTables = this.vocabularyTables();
        const gradients = new Map<string, Gradient>();
        for (const [variableName, gradient] of Object.entries(grads)) {
          const name = nameOfVariable.get(variableName)!;
          const values = gradient.dataSync() as Float32Array;
          const { vocabSize, hiddenSize } = this.model.config;
          gradients.set(name, vocabularyTables.has(name) ? gatherRows(values, inputs.inputIds, vocabSize, hiddenSize, "token id") : new Float32Array(values));
          gradient.dispose();
        }
        return zeroFrozenRows(this.model, gradients);
      },
    };
  }

  /** The embedding tables looked up by token id: [vocabSize, hiddenSize], not a Linear weight. */
  private vocabularyTables(): Set<string> {
    const { family, config } = this.model;
    const isTable = ({ torchShape, linear }: { torchShape: number[]; linear: boolean }) => !linear && torchShape.length === 2 && torchShape[0] === config.vocabSize && torchShape[1] === config.hiddenSize;
    return new Set(family.parameters(config).filter(isTable).map(({ name }) => name));
  }

  /** The forward reads the variables themselves: nothing to refresh. */
  refreshWeights(): void {}

  adoptWeights(): void {}

  weights(): Map<string, Float32Array> {
    return copyWeights(this.model);
  }

  async release(): Promise<void> {}
}
