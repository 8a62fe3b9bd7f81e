// The ONNX side of a post-LN family (OnnxArchitecture), from its layout:
//   encoder:  input_ids, attention_mask (, token_type_ids) int64 [batch, seq] (+ every weight by name, unless
//             baked in as initializers) → last_hidden_state [batch, seq, hidden]
//   training forward: the same with every weight an input (and the dropout masks) → last_hidden_state and
//             the activations its backward takes back (saved-activations.ts)
//   backward: the token inputs, the saved activations, every weight (and the masks) + d_last_hidden_state →
//             grad.<name> for
//             every parameter but the embedding tables and the
//             attention bias's, grad.embedding_sum [batch, seq, hidden] (scattered here into the tables'
//             gradients, exactly as tfjs's gather gradient and torch's embedding gradient: rows accumulate
//             by id, padding ids included — the engines zero the frozen rows; the word table's row-sparse,
//             the small position and token type tables dense) and, with a bias,
//             grad.attention_bias [heads, seq, seq] (turned into its parameters' gradients by the layout).
// Dropout masks (scaled by 1/(1 − p)) are inputs dropout.embeddings [batch, seq, hidden] and
// dropout.layer.{i}.probabilities [batch, heads, seq, seq] / .attention / .output [batch, seq, hidden],
// drawn exactly as the tfjs forward draws them (engines/dropout-masks.ts).

import { encoderShape, HIDDEN_GRADIENT_INPUT, HIDDEN_OUTPUT, type EncoderInputs, type FloatFeed, type OnnxArchitecture } from "../../../engines/architecture.ts";
import { dropoutMask, embeddingDropoutSeed, layerDropoutSeed, siteDropoutSeed } from "../../../engines/dropout-masks.ts";
import { scatterRows, type Gradient } from "../../../engines/row-gradient.ts";
import { GraphBuilder } from "../../../engines/onnxruntime/graph-builder.ts";
import { positionIds, postLnParameters, type PostLnConfig, type PostLnLayout } from "./layout.ts";
import { buildPostLnBackward } from "./onnx-backward.ts";
import { BATCH, buildPostLnForward, SEQUENCE, type DropoutMasks, type TokenInputs } from "./onnx-forward.ts";
import { outputSavedActivations, restoreForward } from "./saved-activations.ts";

export const EMBEDDING_SUM_GRADIENT_OUTPUT = "grad.embedding_sum";
export const ATTENTION_BIAS_GRADIENT_OUTPUT = "grad.attention_bias";

/** The backward graph's output holding a parameter's gradient. */
export function gradientOutputName(parameter: string): string {
  return `grad.${parameter}`;
}

export function dropoutMaskNames(numHiddenLayers: number): DropoutMasks {
  return {
    embeddings: "dropout.embeddings",
    layers: Array.from({ length: numHiddenLayers }, (_, i) => ({
      probabilities: `dropout.layer.${i}.probabilities`,
      attention: `dropout.layer.${i}.attention`,
      output: `dropout.layer.${i}.output`,
    })),
  };
}

export function postLnOnnx<C extends PostLnConfig>(layout: PostLnLayout<C>): OnnxArchitecture<C> {
  const { names } = layout;
  const usesTokenTypeIds = names.tokenType !== undefined;
  const tables = [names.word, names.position, ...(names.tokenType ? [names.tokenType] : [])];
  const biasParameters = (config: C) => new Set((layout.attentionBias?.parameters(config) ?? []).map((spec) => spec.name));
  /** Parameters whose gradients are graph outputs: all but the embedding tables and the bias's. */
  const graphGradientParameters = (config: C) => {
    const excluded = new Set([...tables, ...biasParameters(config)]);
    return postLnParameters(config, layout).filter((spec) => !excluded.has(spec.name));
  };

  const declareTokens = (g: GraphBuilder): TokenInputs => {
    const dims = [BATCH, SEQUENCE];
    return {
      inputIds: g.input("input_ids", "int64", dims),
      attentionMask: g.input("attention_mask", "int64", dims),
      tokenTypeIds: usesTokenTypeIds ? g.input("token_type_ids", "int64", dims) : undefined,
    };
  };

  /** Every weight as an input; the dropout masks too when `dropout`. */
  const declareWeightsAndMasks = (g: GraphBuilder, config: C, dropout: boolean): DropoutMasks | undefined => {
    for (const spec of postLnParameters(config, layout)) g.input(spec.name, "float", encoderShape(spec));
    if (!dropout) return undefined;
    const masks = dropoutMaskNames(config.numHiddenLayers);
    const hiddenShape = [BATCH, SEQUENCE, config.hiddenSize];
    g.input(masks.embeddings, "float", hiddenShape);
    for (const layer of masks.layers) {
      g.input(layer.probabilities, "float", [BATCH, config.numAttentionHeads, SEQUENCE, SEQUENCE]);
      g.input(layer.attention, "float", hiddenShape);
      g.input(layer.output, "float", hiddenShape);
    }
    return masks;
  };
  const byName = (name: string) => name;

  return {
    usesTokenTypeIds,

    buildEncoder(config, weights) {
      const g = new GraphBuilder(weights ? `embedtune_${config.modelType}` : `embedtune_${config.modelType}_encoder`);
      const tokens = declareTokens(g);
      for (const spec of postLnParameters(config, layout)) {
        const shape = encoderShape(spec);
        if (!weights) {
          g.input(spec.name, "float", shape);
          continue;
        }
        const values = weights.get(spec.name);
        if (values === undefined) throw new RangeError(`weight ${spec.name} is missing`);
        if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new RangeError(`weight ${spec.name} has ${values.length} values, expected [${shape.join(", ")}]`);
        g.initializer(spec.name, values, shape);
      }
      const { hidden } = buildPostLnForward(g, config, layout, tokens, byName);
      g.output(hidden, "float", [BATCH, SEQUENCE, config.hiddenSize], HIDDEN_OUTPUT);
      return g.build();
    },

    buildTrainingForward(config, { dropout }) {
      const g = new GraphBuilder(`embedtune_${config.modelType}_training_forward`);
      const tokens = declareTokens(g);
      const masks = declareWeightsAndMasks(g, config, dropout);
      const forward = buildPostLnForward(g, config, layout, tokens, byName, masks);
      g.output(forward.hidden, "float", [BATCH, SEQUENCE, config.hiddenSize], HIDDEN_OUTPUT);
      outputSavedActivations(g, config, forward);
      return g.build();
    },

    buildTrainingBackward(config, { dropout }) {
      const g = new GraphBuilder(`embedtune_${config.modelType}_training_backward`);
      const masks = declareWeightsAndMasks(g, config, dropout);
      const hiddenShape = [BATCH, SEQUENCE, config.hiddenSize];
      const dHidden = g.input(HIDDEN_GRADIENT_INPUT, "float", hiddenShape);
      const tokens = declareTokens(g);
      const forward = restoreForward(g, config, layout, tokens, byName, masks);
      const { gradients, embeddingSumGradient, attentionBiasGradient } = buildPostLnBackward(g, config, layout, forward, dHidden, byName, masks, {
        gradient: gradientOutputName,
        embeddingSumGradient: EMBEDDING_SUM_GRADIENT_OUTPUT,
      });
      for (const spec of graphGradientParameters(config)) {
        const value = gradients.get(spec.name);
        if (value === undefined) throw new Error(`the backward graph has no gradient for ${spec.name}`);
        g.output(value, "float", encoderShape(spec));
      }
      g.output(embeddingSumGradient, "float", hiddenShape);
      if (attentionBiasGradient) g.output(attentionBiasGradient, "float", [config.numAttentionHeads, SEQUENCE, SEQUENCE], ATTENTION_BIAS_GRADIENT_OUTPUT);
      return g.build();
    },

    dropoutMasks(config, batchSize, seqLength, seed) {
      const maskNames = dropoutMaskNames(config.numHiddenLayers);
      const hiddenShape = [batchSize, seqLength, config.hiddenSize];
      const probabilitiesShape = [batchSize, config.numAttentionHeads, seqLength, seqLength];
      const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
      const feed = (shape: number[], probability: number, maskSeed: number): FloatFeed => ({
        values: dropoutMask(size(shape), probability, maskSeed),
        shape,
      });
      const feeds = new Map<string, FloatFeed>([[maskNames.embeddings, feed(hiddenShape, config.hiddenDropoutProb, embeddingDropoutSeed(seed))]]);
      maskNames.layers.forEach((layer, i) => {
        const layerSeed = layerDropoutSeed(seed, i);
        feeds.set(layer.probabilities, feed(probabilitiesShape, config.attentionProbsDropoutProb, siteDropoutSeed(layerSeed, "probabilities")));
        feeds.set(layer.attention, feed(hiddenShape, config.hiddenDropoutProb, siteDropoutSeed(layerSeed, "attention")));
        feeds.set(layer.output, feed(hiddenShape, config.hiddenDropoutProb, siteDropoutSeed(layerSeed, "output")));
      });
      return feeds;
    },

    gradients(config, inputs, outputs) {
      const output = (name: string) => {
        const values = outputs.get(name);
        if (values === undefined) throw new Error(`the backward graph gave no ${name}`);
        return values;
      };
      const gradients = scatterEmbeddingGradients(config, layout, inputs, output(EMBEDDING_SUM_GRADIENT_OUTPUT));
      for (const spec of graphGradientParameters(config)) gradients.set(spec.name, output(gradientOutputName(spec.name)));
      if (layout.attentionBias) {
        for (const [name, values] of layout.attentionBias.gradients(config, inputs, output(ATTENTION_BIAS_GRADIENT_OUTPUT))) gradients.set(name, values);
      }
      return gradients;
    },
  };
}

/**
 * The embedding tables' gradients from d(embedding sum) [B, T, H], as tfjs's gather (and torch's
 * embedding) gradient: word rows accumulate by input id, position rows by position id, token type rows
 * by type id. The word table's row-sparse (the batch's ids only), the position and token type tables dense.
 */
function scatterEmbeddingGradients<C extends PostLnConfig>(
  config: C,
  layout: PostLnLayout<C>,
  inputs: EncoderInputs,
  embeddingSumGradient: Float32Array,
): Map<string, Gradient> {
  const { batchSize, seqLength, inputIds, tokenTypeIds } = inputs;
  const h = config.hiddenSize;
  if (embeddingSumGradient.length !== batchSize * seqLength * h) {
    throw new Error(`embedding-sum gradient has ${embeddingSumGradient.length} values, expected ${batchSize}×${seqLength}×${h}`);
  }
  const positions = positionIds(inputs, layout.positions, config.padTokenId);
  const gradients = new Map<string, Gradient>([[layout.names.word, scatterRows(inputIds, embeddingSumGradient, config.vocabSize, h, "token id")]]);
  const tables: { name: string; rows: number; ids: Int32Array; what: string }[] = [{ name: layout.names.position, rows: config.maxPositionEmbeddings, ids: positions, what: "position" }];
  if (layout.names.tokenType) tables.push({ name: layout.names.tokenType, rows: config.typeVocabSize, ids: tokenTypeIds, what: "token type id" });
  for (const { name, rows, ids, what } of tables) {
    const table = new Float32Array(rows * h);
    for (let token = 0; token < batchSize * seqLength; token++) {
      const row = ids[token];
      if (!(row >= 0 && row < rows)) throw new Error(`${what} ${row} is outside the table's ${rows} rows`);
      const target = row * h;
      const source = token * h;
      for (let k = 0; k < h; k++) table[target + k] += embeddingSumGradient[source + k];
    }
    gradients.set(name, table);
  }
  return gradients;
}
