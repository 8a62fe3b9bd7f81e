// The seam between a model family (models/families/<family>/) and the engines that run it. A family
// describes its encoder once — its parameters, the tfjs reference forward, and the ONNX graphs (forward
// and hand-written backward) — and both engines run any family through this interface without asking
// which one it is. Conventions every family follows:
//   - weights are keyed by their Hugging Face name without a model prefix ("encoder.layer.0…",
//     "layers.0.attn.Wqkv.weight"), in the encoder's layout: nn.Linear weights transposed to [in, out],
//     everything else as torch stores it;
//   - the encoder returns last_hidden_state [batch, seq, hidden], row-major, for right-padded batches;
//   - dropout masks are drawn with engines/dropout-masks.ts from the step's seed, the same way in both
//     engines, so a training step with dropout on gives the same numbers in both;
//   - ONNX graphs take the token inputs by their Hugging Face names (input_ids, attention_mask and, where
//     the family has them, token_type_ids; int64 [batch, seq]) and every weight as a float input named
//     as above (or, for the inference graph with `weights` given, as initializers: the export and the
//     engine's snapshot); they output HIDDEN_OUTPUT, the backward graph takes HIDDEN_GRADIENT_INPUT.

import type * as tf from "@tensorflow/tfjs";
import type { Gradient } from "./row-gradient.ts";

/** Token ids of one batch, row-major [batchSize, seqLength]. */
export interface EncoderInputs {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  /** All zeros for families without token types (the graphs of such families do not take them). */
  tokenTypeIds: Int32Array;
  batchSize: number;
  seqLength: number;
}

export interface ForwardOptions {
  /** Dropout on (as in model.train()); off gives inference. */
  training?: boolean;
  /** Seed of this forward's dropout masks. */
  dropoutSeed?: number;
  /** Recompute each layer in the backward pass instead of keeping its activations (tfjs memory). */
  checkpointLayers?: boolean;
}

/** What every family's parsed config.json has; each family's own config extends it. */
export interface EncoderConfig {
  /** config.json's model_type, e.g. "bert", "xlm-roberta". */
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  /** The longest token sequence (special tokens included) the encoder takes: max_seq_length's bound. */
  maxSequenceLength: number;
  /** config.json's pad_token_id (the embedding's padding_idx in Hugging Face; may differ from the tokenizer's). */
  padTokenId: number;
  /** The whole config.json as read, for saving it back. */
  raw: Record<string, unknown>;
}

export interface ParameterSpec {
  /** Hugging Face name without a model prefix. */
  name: string;
  /** Shape as torch stores it (nn.Linear weight: [out, in]). */
  torchShape: number[];
  /** An nn.Linear weight, kept transposed ([in, out]) in the encoder's layout. */
  linear: boolean;
}

/** A parameter's shape in the encoder's layout (Linear weights [in, out]). */
export function encoderShape(spec: ParameterSpec): number[] {
  return spec.linear ? [spec.torchShape[1], spec.torchShape[0]] : spec.torchShape;
}

/** A row of an embedding table that never gets a gradient (nn.Embedding's padding_idx). */
export interface FrozenRow {
  parameter: string;
  row: number;
}

/** A float32 tensor for an ONNX feed: values row-major with their shape. */
export interface FloatFeed {
  values: Float32Array;
  shape: number[];
}

export const HIDDEN_OUTPUT = "last_hidden_state";
export const HIDDEN_GRADIENT_INPUT = "d_last_hidden_state";
/** Names of the training forward's outputs that its backward graph takes back as inputs. */
export const SAVED_PREFIX = "saved.";

/** The ONNX side of a family: graph builders (bytes of an ONNX model, opset 17) and what feeds and finishes them. */
export interface OnnxArchitecture<C extends EncoderConfig> {
  /** Whether the graphs take token_type_ids (BERT: yes; MPNet, ModernBERT: no). */
  readonly usesTokenTypeIds: boolean;
  /**
   * Inference graph: token inputs → HIDDEN_OUTPUT. Without `weights` every weight is a graph input (one
   * session serves weights that change); with them they are initializers — what transformers.js loads
   * from onnx/model.onnx, so it must compute everything (positions, buckets, rotary tables) from the
   * token inputs alone.
   */
  buildEncoder(config: C, weights?: ReadonlyMap<string, Float32Array>): Uint8Array;
  /**
   * Training forward: token inputs + every weight (+ the mask inputs of dropoutMasks() when `dropout`) →
   * HIDDEN_OUTPUT and the activations its backward takes back, as outputs whose names start with
   * SAVED_PREFIX (none for a family whose backward recomputes the forward).
   */
  buildTrainingForward(config: C, options: { dropout: boolean }): Uint8Array;
  /**
   * Backward: the training forward's saved outputs (inputs of the same names) + whichever token inputs,
   * weights and masks (only when `dropout`) it reads + HIDDEN_GRADIENT_INPUT → whatever outputs gradients()
   * turns into every parameter's gradient. What it does not take saved it recomputes; each family chose by
   * measurement, since copying a float out of onnxruntime-node costs about what a few hundred flops do: the
   * post-LN families save their projections and recompute the attention and element-wise values,
   * ModernBERT (long sequences, large activations) recomputes its whole forward.
   */
  buildTrainingBackward(config: C, options: { dropout: boolean }): Uint8Array;
  /** The training graphs' dropout mask inputs for a batch, drawn as the tfjs forward draws them (seeded). */
  dropoutMasks(config: C, batchSize: number, seqLength: number, seed: number): Map<string, FloatFeed>;
  /** Every parameter's gradient (encoder layout; the word/token embedding table's row-sparse, the others dense), from the backward graph's outputs. */
  gradients(config: C, inputs: EncoderInputs, outputs: ReadonlyMap<string, Float32Array>): Map<string, Gradient>;
}

/** An encoder architecture as the engines see it. */
export interface Architecture<C extends EncoderConfig = EncoderConfig> {
  /** Every trainable parameter, in a fixed order (the optimizer's, the saved file's). */
  parameters(config: C): ParameterSpec[];
  /** Embedding rows whose gradient is always zero (padding_idx), zeroed by both engines. */
  frozenRows(config: C): FrozenRow[];
  /** The tfjs reference forward (autodiff): last_hidden_state [batch, seq, hidden]. */
  forward(weights: ReadonlyMap<string, tf.Tensor>, config: C, inputs: EncoderInputs, options: ForwardOptions): tf.Tensor3D;
  readonly onnx: OnnxArchitecture<C>;
}
