// Hugging Face BertModel's forward pass spelled out in standard ONNX ops (opset 17), shared by the
// inference graph, the ONNX export and the training backward graph (which recomputes it):
//   h0 = LayerNorm(word[ids] + position[0..T) + tokenType[typeIds]) ⊙ dropout mask
//   per layer: a = LayerNorm(h + (Wo·softmax(QKᵀ/√d + mask)⊙mask_p·V)⊙mask_a),
//              h' = LayerNorm(a + (W2·gelu(W1·a))⊙mask_o),  gelu(u) = ½u(1 + erf(u/√2))
// Weights use the encoder's layout (kernels [in, out], Hugging Face names); dropout masks (already
// scaled by 1/(1 − p)) come in as inputs so a recomputation replays them exactly.

import type { BertConfig } from "../../models/bert-config.ts";
import { headSize } from "../../models/bert-config.ts";
import type { GraphBuilder } from "./graph-builder.ts";

export interface LayerValues {
  input: string;
  query: string; // [B, heads, T, d]
  key: string; // [B, heads, T, d]
  value: string; // [B, heads, T, d]
  probabilities: string; // softmax output [B, heads, T, T]
  droppedProbabilities: string;
  context: string; // [B, T, H]
  attentionSum: string; // pre-LayerNorm
  attentionMean: string;
  attentionInverseStd: string;
  attended: string; // [B, T, H]
  intermediate: string; // pre-GELU [B, T, I]
  activated: string; // GELU output
  outputSum: string;
  outputMean: string;
  outputInverseStd: string;
  output: string; // [B, T, H]
}

export interface ForwardValues {
  embeddingSum: string;
  embeddingMean: string;
  embeddingInverseStd: string;
  embeddings: string; // after LayerNorm and dropout
  additiveMask: string; // [B, 1, 1, T]
  layers: LayerValues[];
  hidden: string; // last_hidden_state [B, T, H]
}

export interface ForwardInputs {
  inputIds: string; // int64 [B, T]
  attentionMask: string; // int64 [B, T]
  tokenTypeIds: string; // int64 [B, T]
}

/** Dropout mask value names (float, scaled): embeddings [B,T,H]; per layer probabilities [B,heads,T,T], attention and output [B,T,H]. */
export interface DropoutMasks {
  embeddings: string;
  layers: { probabilities: string; attention: string; output: string }[];
}

const FLOAT32_MIN = -3.4028234663852886e38;

/** The encoder graphs' output (Hugging Face's name, which transformers.js reads). */
export const HIDDEN_OUTPUT = "last_hidden_state";

/** Symbolic dimensions of the token inputs. */
export const BATCH = "batch_size";
export const SEQUENCE = "sequence_length";

/** Declares input_ids, attention_mask and token_type_ids (int64 [batch_size, sequence_length]). */
export function declareTokenInputs(g: GraphBuilder): ForwardInputs {
  const dims = [BATCH, SEQUENCE];
  return {
    inputIds: g.input("input_ids", "int64", dims),
    attentionMask: g.input("attention_mask", "int64", dims),
    tokenTypeIds: g.input("token_type_ids", "int64", dims),
  };
}

/** Names of the weights (Hugging Face names, encoder layout) in the order weightNames() lists them. */
export function weightNames(config: BertConfig): string[] {
  const names = [
    "embeddings.word_embeddings.weight",
    "embeddings.position_embeddings.weight",
    "embeddings.token_type_embeddings.weight",
    "embeddings.LayerNorm.weight",
    "embeddings.LayerNorm.bias",
  ];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `encoder.layer.${i}`;
    for (const dense of ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]) {
      names.push(`${p}.${dense}.weight`, `${p}.${dense}.bias`);
    }
    names.push(`${p}.attention.output.LayerNorm.weight`, `${p}.attention.output.LayerNorm.bias`);
    names.push(`${p}.intermediate.dense.weight`, `${p}.intermediate.dense.bias`, `${p}.output.dense.weight`, `${p}.output.dense.bias`);
    names.push(`${p}.output.LayerNorm.weight`, `${p}.output.LayerNorm.bias`);
  }
  return names;
}

/** Shape of a weight in the encoder's layout (kernels [in, out]). */
export function weightShape(config: BertConfig, name: string): number[] {
  const h = config.hiddenSize;
  const i = config.intermediateSize;
  if (name === "embeddings.word_embeddings.weight") return [config.vocabSize, h];
  if (name === "embeddings.position_embeddings.weight") return [config.maxPositionEmbeddings, h];
  if (name === "embeddings.token_type_embeddings.weight") return [config.typeVocabSize, h];
  if (name.endsWith("intermediate.dense.weight")) return [h, i];
  if (name.endsWith("intermediate.dense.bias")) return [i];
  if (name.endsWith("output.dense.weight") && !name.includes("attention")) return [i, h];
  if (name.endsWith(".weight") && !name.includes("LayerNorm")) return [h, h];
  return [h];
}

export function buildBertForward(
  g: GraphBuilder,
  config: BertConfig,
  inputs: ForwardInputs,
  weight: (name: string) => string,
  dropout?: DropoutMasks,
): ForwardValues {
  const heads = config.numAttentionHeads;
  const size = headSize(config);
  const epsilon = { float: config.layerNormEps };
  const dense = (x: string, name: string) => g.op("Add", [g.op("MatMul", [x, weight(`${name}.weight`)]), weight(`${name}.bias`)]);
  const layerNorm = (x: string, name: string) =>
    g.node("LayerNormalization", [x, weight(`${name}.weight`), weight(`${name}.bias`)], { axis: -1, epsilon }, { outputs: 3 });
  const drop = (x: string, mask: string | undefined) => (mask ? g.op("Mul", [x, mask]) : x);

  // Embeddings: positions 0..T-1 sliced from the table.
  const seqLength = g.op("Unsqueeze", [g.op("Gather", [g.op("Shape", [inputs.inputIds]), g.constant([1], [], "int64")], { axis: 0 }), g.constant([0], [1], "int64")]);
  const positions = g.op("Slice", [weight("embeddings.position_embeddings.weight"), g.constant([0], [1], "int64"), seqLength, g.constant([0], [1], "int64")]);
  const words = g.op("Gather", [weight("embeddings.word_embeddings.weight"), inputs.inputIds], { axis: 0 });
  const types = g.op("Gather", [weight("embeddings.token_type_embeddings.weight"), inputs.tokenTypeIds], { axis: 0 });
  const embeddingSum = g.op("Add", [g.op("Add", [words, types]), positions]);
  const [embeddingNormalized, embeddingMean, embeddingInverseStd] = layerNorm(embeddingSum, "embeddings.LayerNorm");
  const embeddings = drop(embeddingNormalized, dropout?.embeddings);

  // Additive attention mask [B, 1, 1, T]: 0 for real tokens, float32 min for padding.
  const maskFloat = g.op("Cast", [inputs.attentionMask], { to: 1 });
  const additiveMask = g.op("Unsqueeze", [
    g.op("Mul", [g.op("Sub", [g.scalar(1), maskFloat]), g.scalar(FLOAT32_MIN)]),
    g.constant([1, 2], [2], "int64"),
  ]);
  const headShape = g.constant([0, 0, heads, size], [4], "int64");
  const hiddenShape = g.constant([0, 0, config.hiddenSize], [3], "int64");
  const toHeads = (x: string) => g.op("Transpose", [g.op("Reshape", [x, headShape])], { perm: [0, 2, 1, 3] });

  const layers: LayerValues[] = [];
  let hidden = embeddings;
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `encoder.layer.${i}`;
    const masks = dropout?.layers[i];
    const input = hidden;
    const query = toHeads(dense(input, `${p}.attention.self.query`));
    const key = toHeads(dense(input, `${p}.attention.self.key`));
    const value = toHeads(dense(input, `${p}.attention.self.value`));
    const scores = g.op("Add", [
      g.op("Mul", [g.op("MatMul", [query, g.op("Transpose", [key], { perm: [0, 1, 3, 2] })]), g.scalar(1 / Math.sqrt(size))]),
      additiveMask,
    ]);
    const probabilities = g.op("Softmax", [scores], { axis: -1 });
    const droppedProbabilities = drop(probabilities, masks?.probabilities);
    const context = g.op("Reshape", [g.op("Transpose", [g.op("MatMul", [droppedProbabilities, value])], { perm: [0, 2, 1, 3] }), hiddenShape]);
    const attentionSum = g.op("Add", [drop(dense(context, `${p}.attention.output.dense`), masks?.attention), input]);
    const [attended, attentionMean, attentionInverseStd] = layerNorm(attentionSum, `${p}.attention.output.LayerNorm`);
    const intermediate = dense(attended, `${p}.intermediate.dense`);
    // Spelled as ONNX Runtime's GeluFusion expects, ((erf(u / √2) + 1) · u) · ½, so it runs as one kernel.
    const activated = g.op("Mul", [
      g.op("Mul", [g.op("Add", [g.op("Erf", [g.op("Div", [intermediate, g.scalar(Math.SQRT2)])]), g.scalar(1)]), intermediate]),
      g.scalar(0.5),
    ]);
    const outputSum = g.op("Add", [drop(dense(activated, `${p}.output.dense`), masks?.output), attended]);
    const [output, outputMean, outputInverseStd] = layerNorm(outputSum, `${p}.output.LayerNorm`);
    layers.push({
      input, query, key, value, probabilities, droppedProbabilities, context, attentionSum, attentionMean, attentionInverseStd,
      attended, intermediate, activated, outputSum, outputMean, outputInverseStd, output,
    });
    hidden = output;
  }
  return { embeddingSum, embeddingMean, embeddingInverseStd, embeddings, additiveMask, layers, hidden };
}
