// The training engine's two ONNX graphs for onnxruntime-node and the JS that feeds and finishes them:
//   forward:  input_ids, attention_mask, token_type_ids (int64 [batch, seq]), every weight by its
//             Hugging Face name (float, encoder layout, shapes from weightShape), the dropout masks
//             → last_hidden_state [batch, seq, hidden]
//   backward: the same inputs plus d_last_hidden_state [batch, seq, hidden]; it recomputes the forward
//             (same masks) and returns grad.<weight name> for every weight but the three embedding
//             tables, and grad.embedding_sum [batch, seq, hidden], which scatterEmbeddingGradients
//             turns into the tables' gradients exactly as tfjs's gather gradient does.
// Dropout masks (already scaled by 1/(1 − p)) are inputs named dropout.embeddings [batch, seq, hidden]
// and dropout.layer.{i}.probabilities [batch, heads, seq, seq] / .attention / .output [batch, seq, hidden];
// dropoutMaskFeeds draws them exactly as the tfjs engine does, so both engines agree with dropout on.
// A graph built with { dropout: false } has no mask inputs (inference-mode forward, as model.eval()).

import type { EncoderInputs } from "../tfjs/bert.ts";
import type { BertConfig } from "../../models/bert-config.ts";
import { dropoutMask, embeddingDropoutSeed, layerDropoutSeed, siteDropoutSeed } from "../dropout-masks.ts";
import { buildBertBackward } from "./bert-backward-graph.ts";
import {
  BATCH,
  buildBertForward,
  declareTokenInputs,
  HIDDEN_OUTPUT,
  SEQUENCE,
  weightNames,
  weightShape,
  type DropoutMasks,
  type ForwardInputs,
} from "./bert-forward-graph.ts";
import { GraphBuilder } from "./graph-builder.ts";

export interface TrainingGraphOptions {
  /** Declare and apply the dropout mask inputs (default true). */
  dropout?: boolean;
}

export const EMBEDDING_TABLES = [
  "embeddings.word_embeddings.weight",
  "embeddings.position_embeddings.weight",
  "embeddings.token_type_embeddings.weight",
] as const;

export { HIDDEN_OUTPUT };
export const HIDDEN_GRADIENT_INPUT = "d_last_hidden_state";
export const EMBEDDING_SUM_GRADIENT_OUTPUT = "grad.embedding_sum";

/** The backward graph's output holding a weight's gradient. */
export function gradientOutputName(weightName: string): string {
  return `grad.${weightName}`;
}

/** Weights whose gradients the backward graph returns (all but the three embedding tables), in weightNames order. */
export function graphGradientWeights(config: BertConfig): string[] {
  return weightNames(config).filter((name) => !(EMBEDDING_TABLES as readonly string[]).includes(name));
}

/** Names of the dropout mask inputs, in the order dropoutMaskFeeds draws them. */
export function dropoutMaskNames(config: BertConfig): DropoutMasks {
  return {
    embeddings: "dropout.embeddings",
    layers: Array.from({ length: config.numHiddenLayers }, (_, i) => ({
      probabilities: `dropout.layer.${i}.probabilities`,
      attention: `dropout.layer.${i}.attention`,
      output: `dropout.layer.${i}.output`,
    })),
  };
}

function declareInputs(g: GraphBuilder, config: BertConfig, options: TrainingGraphOptions): { inputs: ForwardInputs; masks?: DropoutMasks } {
  const inputs = declareTokenInputs(g);
  for (const name of weightNames(config)) g.input(name, "float", weightShape(config, name));
  if (options.dropout === false) return { inputs };
  const masks = dropoutMaskNames(config);
  const hiddenShape = [BATCH, SEQUENCE, config.hiddenSize];
  g.input(masks.embeddings, "float", hiddenShape);
  for (const layer of masks.layers) {
    g.input(layer.probabilities, "float", [BATCH, config.numAttentionHeads, SEQUENCE, SEQUENCE]);
    g.input(layer.attention, "float", hiddenShape);
    g.input(layer.output, "float", hiddenShape);
  }
  return { inputs, masks };
}

const byName = (name: string) => name;

export function buildTrainingForwardGraph(config: BertConfig, options: TrainingGraphOptions = {}): Uint8Array {
  const g = new GraphBuilder("embedtune_bert_training_forward");
  const { inputs, masks } = declareInputs(g, config, options);
  const forward = buildBertForward(g, config, inputs, byName, masks);
  g.output(forward.hidden, "float", [BATCH, SEQUENCE, config.hiddenSize], HIDDEN_OUTPUT);
  return g.build();
}

export function buildTrainingBackwardGraph(config: BertConfig, options: TrainingGraphOptions = {}): Uint8Array {
  const g = new GraphBuilder("embedtune_bert_training_backward");
  const { inputs, masks } = declareInputs(g, config, options);
  const hiddenShape = [BATCH, SEQUENCE, config.hiddenSize];
  const dHidden = g.input(HIDDEN_GRADIENT_INPUT, "float", hiddenShape);
  const forward = buildBertForward(g, config, inputs, byName, masks);
  const { gradients, embeddingSumGradient } = buildBertBackward(g, config, forward, dHidden, byName, masks, {
    gradient: gradientOutputName,
    embeddingSumGradient: EMBEDDING_SUM_GRADIENT_OUTPUT,
  });
  for (const name of graphGradientWeights(config)) {
    const value = gradients.get(name);
    if (value === undefined) throw new Error(`the backward graph has no gradient for ${name}`);
    g.output(value, "float", weightShape(config, name));
  }
  g.output(embeddingSumGradient, "float", hiddenShape);
  return g.build();
}

/**
 * The three embedding tables' gradients from grad.embedding_sum [B, T, H], as tfjs's gather (and
 * torch's embedding) gradient: word rows accumulate by input id (padding positions included), position
 * rows 0..T−1 sum over the batch, token type rows accumulate by type id. Dense, in the tables' shapes.
 */
export function scatterEmbeddingGradients(
  config: BertConfig,
  inputs: EncoderInputs,
  embeddingSumGradient: Float32Array,
): Map<string, Float32Array> {
  const { batchSize, seqLength, inputIds, tokenTypeIds } = inputs;
  const h = config.hiddenSize;
  if (embeddingSumGradient.length !== batchSize * seqLength * h) {
    throw new Error(`embedding-sum gradient has ${embeddingSumGradient.length} values, expected ${batchSize}×${seqLength}×${h}`);
  }
  if (seqLength > config.maxPositionEmbeddings) {
    throw new Error(`sequence length ${seqLength} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`);
  }
  const words = new Float32Array(config.vocabSize * h);
  const positions = new Float32Array(config.maxPositionEmbeddings * h);
  const types = new Float32Array(config.typeVocabSize * h);
  const accumulate = (table: Float32Array, rowCount: number, row: number, source: number, what: string) => {
    if (!(row >= 0 && row < rowCount)) throw new Error(`${what} ${row} is outside the table's ${rowCount} rows`);
    const target = row * h;
    for (let k = 0; k < h; k++) table[target + k] += embeddingSumGradient[source + k];
  };
  for (let b = 0; b < batchSize; b++) {
    for (let t = 0; t < seqLength; t++) {
      const token = b * seqLength + t;
      const source = token * h;
      accumulate(words, config.vocabSize, inputIds[token], source, "token id");
      accumulate(positions, config.maxPositionEmbeddings, t, source, "position");
      accumulate(types, config.typeVocabSize, tokenTypeIds[token], source, "token type id");
    }
  }
  return new Map([
    [EMBEDDING_TABLES[0], words],
    [EMBEDDING_TABLES[1], positions],
    [EMBEDDING_TABLES[2], types],
  ]);
}

/**
 * One step's dropout masks, keyed by input name, drawn exactly as the tfjs engine draws them
 * (engines/dropout-masks.ts): same seeds per site, same row-major order — embeddings over [B·T, H],
 * probabilities over [B, heads, T, T], attention and output over [B·T, H]. Without a seed every mask
 * is all ones (no dropout: a masked graph then computes the inference forward).
 */
export function dropoutMaskFeeds(
  config: BertConfig,
  batchSize: number,
  seqLength: number,
  stepSeed: number | undefined,
): Record<string, Float32Array> {
  const names = dropoutMaskNames(config);
  const tokens = batchSize * seqLength * config.hiddenSize;
  const probabilities = batchSize * config.numAttentionHeads * seqLength * seqLength;
  if (stepSeed === undefined) {
    const feeds: Record<string, Float32Array> = { [names.embeddings]: new Float32Array(tokens).fill(1) };
    for (const layer of names.layers) {
      feeds[layer.probabilities] = new Float32Array(probabilities).fill(1);
      feeds[layer.attention] = new Float32Array(tokens).fill(1);
      feeds[layer.output] = new Float32Array(tokens).fill(1);
    }
    return feeds;
  }
  const feeds: Record<string, Float32Array> = {
    [names.embeddings]: dropoutMask(tokens, config.hiddenDropoutProb, embeddingDropoutSeed(stepSeed)),
  };
  names.layers.forEach((layer, i) => {
    const layerSeed = layerDropoutSeed(stepSeed, i);
    feeds[layer.probabilities] = dropoutMask(probabilities, config.attentionProbsDropoutProb, siteDropoutSeed(layerSeed, "probabilities"));
    feeds[layer.attention] = dropoutMask(tokens, config.hiddenDropoutProb, siteDropoutSeed(layerSeed, "attention"));
    feeds[layer.output] = dropoutMask(tokens, config.hiddenDropoutProb, siteDropoutSeed(layerSeed, "output"));
  });
  return feeds;
}

/** The shape of each dropout mask input, keyed like dropoutMaskFeeds. */
export function dropoutMaskShapes(config: BertConfig, batchSize: number, seqLength: number): Record<string, number[]> {
  const names = dropoutMaskNames(config);
  const hidden = [batchSize, seqLength, config.hiddenSize];
  const shapes: Record<string, number[]> = { [names.embeddings]: hidden };
  for (const layer of names.layers) {
    shapes[layer.probabilities] = [batchSize, config.numAttentionHeads, seqLength, seqLength];
    shapes[layer.attention] = hidden;
    shapes[layer.output] = hidden;
  }
  return shapes;
}
