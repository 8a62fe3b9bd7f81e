// sentence-transformers' Dense module: y = activation(x·Wᵀ + b), W [out_features, in_features] in torch's
// nn.Linear layout, b [out_features] (when bias is true). Folder files as ST writes them: config.json
// ({in_features, out_features, bias, activation_function}; the activation by its torch path, e.g.
// "torch.nn.modules.activation.Tanh"; the keys ST v3 reads, which ST 6 loads with its defaults) and
// model.safetensors with "linear.weight" and "linear.bias". Activations: Tanh (ST's default when the key
// is absent), Identity, ReLU, GELU (exact, erf), Sigmoid.

import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ModelLoadError } from "../../errors.ts";
import { assertContainedFile } from "../../io/contained-path.ts";
import { readJsonFile } from "../../io/model-folder.ts";
import { readSafetensors, toFloat32, writeSafetensors, type SafetensorsEntry } from "../../io/safetensors.ts";
import { pythonRepr } from "../model-card.ts";
import { sentenceEmbeddingOf, writeModuleConfig, type ModuleFeatures, type SentenceModule } from "./module.ts";
import { noteWidenedWeights } from "./widened-weights.ts";

type Activation = (x: tf.Tensor2D) => tf.Tensor2D;

/** Activation class name → [its torch path as ST's fullname() writes it, the function]. */
const ACTIVATIONS: Record<string, [string, Activation]> = {
  Tanh: ["torch.nn.modules.activation.Tanh", (x) => tf.tanh(x)],
  Identity: ["torch.nn.modules.linear.Identity", (x) => x],
  ReLU: ["torch.nn.modules.activation.ReLU", (x) => tf.relu(x)],
  GELU: ["torch.nn.modules.activation.GELU", (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as tf.Tensor2D],
  Sigmoid: ["torch.nn.modules.activation.Sigmoid", (x) => tf.sigmoid(x)],
};
const DEFAULT_ACTIVATION = "Tanh";
const SENTENCE_EMBEDDING = "sentence_embedding";

export class Dense implements SentenceModule {
  readonly className = "Dense";
  private readonly weight: tf.Variable<tf.Rank.R2>;
  private readonly bias: tf.Variable<tf.Rank.R1> | undefined;

  /** `weight` [out, in] (torch layout) and `bias` [out] or undefined; `activation` a key of ACTIVATIONS. */
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly activation: string,
    weight: Float32Array,
    bias: Float32Array | undefined,
  ) {
    this.weight = tf.variable(tf.tensor2d(weight, [outFeatures, inFeatures]));
    this.bias = bias === undefined ? undefined : tf.variable(tf.tensor1d(bias));
  }

  get outputDimension(): number {
    return this.outFeatures;
  }

  forward(features: ModuleFeatures): tf.Tensor2D {
    const input = sentenceEmbeddingOf(features, this.className);
    return tf.tidy(() => {
      const linear = tf.matMul(input, this.weight, false, true) as tf.Tensor2D;
      return ACTIVATIONS[this.activation][1](this.bias ? (tf.add(linear, this.bias) as tf.Tensor2D) : linear);
    });
  }

  trainableParameters(): Map<string, tf.Variable> {
    const parameters = new Map<string, tf.Variable>([["linear.weight", this.weight]]);
    if (this.bias) parameters.set("linear.bias", this.bias);
    return parameters;
  }

  toConfig(): Record<string, unknown> {
    return {
      in_features: this.inFeatures,
      out_features: this.outFeatures,
      bias: this.bias !== undefined,
      activation_function: ACTIVATIONS[this.activation][0],
    };
  }

  save(folder: string): void {
    writeModuleConfig(folder, this.toConfig());
    writeSafetensors(
      join(folder, "model.safetensors"),
      [...this.trainableParameters()].map(([name, variable]) => ({ name, shape: variable.shape, values: variable.dataSync() as Float32Array })),
    );
  }

  /** ST v3's repr: Dense({config}). */
  describe(): string {
    return `Dense(${pythonRepr(this.toConfig())})`;
  }

  summary(): string {
    return `dense ${this.inFeatures}→${this.outFeatures} ${this.activation.toLowerCase()}`;
  }

  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
  }

  /** A Dense folder (config.json + model.safetensors) inside the model folder `root`. */
  static load(folder: string, root: string, options: { quiet?: boolean } = {}): Dense {
    const configPath = join(folder, "config.json");
    const config = readJsonFile(configPath, { within: root });
    if (typeof config !== "object" || config === null || Array.isArray(config)) throw new ModelLoadError(configPath, "is not a JSON object");
    const { inFeatures, outFeatures, bias, activation } = parseDenseConfig(config as Record<string, unknown>, configPath);
    const weightsPath = join(folder, "model.safetensors");
    if (!existsSync(weightsPath)) {
      const picklePath = join(folder, "pytorch_model.bin");
      if (existsSync(picklePath)) {
        throw new ModelLoadError(
          picklePath,
          "embedtune does not load pickled PyTorch weights; convert the model once in Python: " +
            "SentenceTransformer(dir).save(new_dir, safe_serialization=True)",
        );
      }
      throw new ModelLoadError(weightsPath, "missing; a Dense module needs its weights as model.safetensors");
    }
    assertContainedFile(root, weightsPath);
    const tensors = readSafetensors(weightsPath).tensors;
    const read = (name: string, shape: number[]): Float32Array => {
      const entry: SafetensorsEntry | undefined = tensors.get(name);
      if (entry === undefined) throw new ModelLoadError(weightsPath, `has no tensor "${name}" (a Dense module's weights are linear.weight and linear.bias)`);
      if (entry.shape.length !== shape.length || entry.shape.some((size, index) => size !== shape[index])) {
        throw new ModelLoadError(weightsPath, `tensor "${name}" has shape ${JSON.stringify(entry.shape)}, but config.json's in/out features need ${JSON.stringify(shape)}`);
      }
      noteWidenedWeights(weightsPath, entry.dtype, options);
      return toFloat32(entry, weightsPath);
    };
    const weight = read("linear.weight", [outFeatures, inFeatures]);
    return new Dense(inFeatures, outFeatures, activation, weight, bias ? read("linear.bias", [outFeatures]) : undefined);
  }
}

function parseDenseConfig(config: Record<string, unknown>, file: string) {
  const positive = (key: string): number => {
    const value = config[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) throw new ModelLoadError(file, `${key} must be a positive integer, got ${JSON.stringify(value)}`);
    return value;
  };
  const inFeatures = positive("in_features");
  const outFeatures = positive("out_features");
  const bias = config.bias ?? true;
  if (typeof bias !== "boolean") throw new ModelLoadError(file, `bias must be true or false, got ${JSON.stringify(bias)}`);
  const path = config.activation_function ?? ACTIVATIONS[DEFAULT_ACTIVATION][0];
  const activation = typeof path === "string" && path.startsWith("torch.") ? path.split(".").pop()! : undefined;
  if (activation === undefined || !(activation in ACTIVATIONS)) {
    throw new ModelLoadError(
      file,
      `activation_function ${JSON.stringify(path)} is not supported (embedtune supports ${Object.keys(ACTIVATIONS).map((name) => `torch.nn.${name}`).join(", ")})`,
    );
  }
  for (const key of ["module_input_name", "module_output_name"]) {
    if (config[key] !== undefined && config[key] !== SENTENCE_EMBEDDING) {
      throw new ModelLoadError(file, `${key} ${JSON.stringify(config[key])} is not supported (embedtune's Dense maps the sentence embedding)`);
    }
  }
  if (config.use_residual === true) throw new ModelLoadError(file, "use_residual true is not supported (embedtune's Dense has no residual connection)");
  return { inFeatures, outFeatures, bias, activation };
}
